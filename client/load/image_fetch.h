// Downloading one image under load, verified or not.
//
// Verified: exactly the checks of `imgshare download` (the owner's standing
// at the CA, client/owner_standing.h; client/image_opener.h: certificate,
// signature, name, key, commitment, every chunk, FINAL, both digests), the
// image written to a private scratch directory and moved into place as the
// real client does, then deleted. Unverified: the chunks are
// fetched and counted against the sizes the (unchecked) envelope gives, and
// nothing is decrypted, so the servers can be loaded without the client's
// own crypto and disk being the bottleneck.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "client/broker_connection.h"
#include "client/load/load_users.h"
#include "common/error.h"

namespace imgshare::client::load {

struct ImageReader {
    const LoadUser& user;
    ByteView ca_verify_key;             // pinned, from the trust file
    std::filesystem::path scratch_dir;  // private; verified images appear and go here
};

// DOWNLOAD `name` (its reply carries chunk 0), then its other chunks with at most `window`
// in flight. Returns the bytes obtained: the image's length when verified, the
// ciphertext's when not. The server's errors; REVOKED or EXPIRED for the owner's standing
// and the opener's (INTEGRITY, BAD_SIGNATURE, …) when verifying; INTEGRITY for a chunk of
// another size than the envelope's.
[[nodiscard]] Result<std::uint64_t> fetch_image(BrokerConnection& connection,
                                                const std::string& name, bool verify,
                                                const ImageReader& reader, std::size_t window);

}  // namespace imgshare::client::load
