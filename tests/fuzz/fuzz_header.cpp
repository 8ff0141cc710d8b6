// Fuzz target: decode_header, frame 0 of every message from any peer.
// Properties: failures are BAD_REQUEST or TOO_LARGE only; a decoded header
// re-encodes to bytes that decode to the same header.
#include <cstddef>
#include <cstdint>

#include "common/protocol/header.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace imgshare;
    auto header = decode_header(ByteView(data, size));
    if (!header) {
        fuzz::require(header.error().code == ErrorCode::BAD_REQUEST ||
                          header.error().code == ErrorCode::TOO_LARGE,
                      "decode_header fails with BAD_REQUEST or TOO_LARGE");
        return 0;
    }
    auto again = decode_header(encode_header(*header));
    fuzz::require(again && *again == *header, "decode_header(encode_header(h)) == h");
    return 0;
}
