// The handle of an upload (POST_BEGIN's `upload`, POST_CHUNK's, POST_COMMIT's,
// ABANDON's), derived from what the owner signed rather than drawn: the first
// 16 bytes of SHA-256(envelope ‖ signature), as 32 lower-case hex characters.
//
// Promises: the same signed envelope always has the same handle (Ed25519
// signatures are deterministic), so a retried POST_BEGIN finds its upload, a
// client that kept its envelope knows the handle before it asks, and "the
// same post" is exactly "the same signed envelope" (docs/PROTOCOL.md).
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "common/bytes.h"

namespace imgshare {

inline constexpr std::size_t kUploadHandleBytes = 16;

[[nodiscard]] std::array<std::uint8_t, kUploadHandleBytes> upload_handle_bytes(ByteView envelope,
                                                                              ByteView signature);
// The same, as the text the wire carries.
[[nodiscard]] std::string upload_handle(ByteView envelope, ByteView signature);

}  // namespace imgshare
