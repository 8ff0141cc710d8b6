// Opening a downloaded image: verify everything, decrypt chunk by chunk into a
// private temporary file beside the destination, and move it into place only
// when every check has passed (DESIGN.md §2, "Content"; §7 on FINAL).
//
// Checks, in this order, each failure stopping everything:
//   begin():  the owner's certificate against the pinned CA key at `now`
//             (BAD_SIGNATURE, EXPIRED, NOT_YET_VALID, BAD_REQUEST) → the
//             envelope's signature by that owner (BAD_SIGNATURE) → the
//             envelope names the image asked for (BAD_SIGNATURE: a server
//             cannot rename an image) → the mode the server reports is the
//             signed one, and an e2e envelope lists the reader among its
//             recipients (BAD_SIGNATURE: a server cannot hand an image to
//             someone its owner did not choose) → the wrapped key opens with
//             the reader's box key (INTEGRITY: e.g. another recipient's grant)
//             → the key matches the envelope's commitment (INTEGRITY);
//   add_chunk(): chunks arrive in order, none past chunk_count, each of the
//             size the envelope says, each authenticates (INTEGRITY), FINAL on
//             the last one and on no other;
//   finish():  every chunk arrived and ended with FINAL, the ciphertext's
//             SHA-256 is the envelope's, the length prefix fits, the padding is
//             zero and the image's SHA-256 is the one sealed with it (INTEGRITY).
// Promises: nothing appears at the destination unless finish() succeeds;
// after any failure the opener refuses everything and its temporary file is
// removed (at the latest when the opener is destroyed). The content key is
// wiped with the opener.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "client/padded_stream.h"
#include "client/temp_file.h"
#include "common/bytes.h"
#include "common/certificate.h"
#include "common/crypto/chunk_stream.h"
#include "common/crypto/keys.h"
#include "common/crypto/sha256.h"
#include "common/envelope.h"
#include "common/error.h"
#include "common/protocol/messages.h"

namespace imgshare::client {

struct OpenParameters {
    ByteView ca_verify_key;  // pinned, from the trust file
    const BoxKeyPair& reader_box_keys;
    std::string requested_name;  // the name the user asked for
    // When the owner's certificate is checked: now, or earlier for an owner who renewed
    // (download_image decides, see owner_standing.h; share_image for the owner herself).
    std::int64_t now_seconds = 0;
    std::string reader = {};  // the reader's username: an e2e envelope must list it
};

// What begin() has verified before the first chunk.
struct OpenedRecord {
    Certificate owner;
    Envelope envelope;
    SecretBytes content_key;
};

// begin()'s checks alone, for a caller that needs the verified envelope and
// content key but no file (`share`, which re-seals the key for a new reader).
[[nodiscard]] Result<OpenedRecord> open_record(const DownloadReply& record,
                                               const OpenParameters& parameters);

class ImageOpener {
  public:
    // Runs the begin() checks on a DOWNLOAD reply and creates the temporary file in
    // `directory`, where the image will be moved to by finish().
    [[nodiscard]] static Result<ImageOpener> begin(const DownloadReply& record,
                                                   const OpenParameters& parameters,
                                                   const std::filesystem::path& directory);

    ImageOpener(ImageOpener&&) noexcept = default;
    ImageOpener& operator=(ImageOpener&&) noexcept = default;

    // Verified once begin() succeeded.
    [[nodiscard]] const Envelope& envelope() const { return envelope_; }
    [[nodiscard]] const Certificate& owner() const { return owner_; }
    // The index add_chunk() expects next.
    [[nodiscard]] std::uint32_t next_index() const { return next_index_; }

    // The ciphertext of chunk `index`, which must be next_index().
    [[nodiscard]] Result<void> add_chunk(std::uint32_t index, ByteView ciphertext);

    // The final checks, then the file moves to `destination`, which must be in the directory
    // given to begin(); BAD_REQUEST if something exists there already (it is never replaced).
    // Returns the image's length in bytes.
    [[nodiscard]] Result<std::uint64_t> finish(const std::filesystem::path& destination);

  private:
    ImageOpener(Envelope envelope, Certificate owner, ChunkDecryptor decryptor, TempFile output);
    [[nodiscard]] Result<void> check_chunk(std::uint32_t index, ByteView ciphertext);
    [[nodiscard]] std::unexpected<Error> failed(Error error);

    Envelope envelope_;
    Certificate owner_;
    ChunkDecryptor decryptor_;
    PaddedStreamParser stream_;
    Sha256 ciphertext_digest_;
    TempFile output_;
    Bytes plaintext_;
    std::uint32_t next_index_ = 0;
    bool failed_ = false;
};

}  // namespace imgshare::client
