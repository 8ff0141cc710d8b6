#include "common/protocol/upload_handle.h"

#include <algorithm>

#include "common/crypto/sha256.h"

namespace imgshare {

std::array<std::uint8_t, kUploadHandleBytes> upload_handle_bytes(ByteView envelope,
                                                                 ByteView signature) {
    Sha256 hash;
    hash.update(envelope);
    hash.update(signature);
    auto digest = hash.finish();
    std::array<std::uint8_t, kUploadHandleBytes> handle{};
    std::copy_n(digest.begin(), kUploadHandleBytes, handle.begin());
    return handle;
}

std::string upload_handle(ByteView envelope, ByteView signature) {
    auto handle = upload_handle_bytes(envelope, signature);
    return to_hex(ByteView(handle.data(), handle.size()));
}

}  // namespace imgshare
