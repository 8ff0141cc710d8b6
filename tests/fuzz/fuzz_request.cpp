// Fuzz target: decode_request, what the broker and every service read from
// the network. The input is cut into 1-4 frames (fuzz_support.h).
// Properties: failures are BAD_REQUEST or TOO_LARGE only; a decoded request
// re-encodes (encode_request) to frames that decode to the same header,
// request and payload.
#include <cstddef>
#include <cstdint>
#include <variant>

#include "common/protocol/codec.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace imgshare;
    const std::vector<Bytes> frames = fuzz::split_frames(ByteView(data, size));
    auto decoded = decode_request(std::span<const Bytes>(frames));
    if (!decoded) {
        fuzz::require(decoded.error().code == ErrorCode::BAD_REQUEST ||
                          decoded.error().code == ErrorCode::TOO_LARGE,
                      "decode_request fails with BAD_REQUEST or TOO_LARGE");
        return 0;
    }
    const Bytes payload(decoded->payload.begin(), decoded->payload.end());
    const Frames encoded =
        encode_request(decoded->request, decoded->header.id, decoded->header.user, payload);
    auto again = decode_request(std::span<const Bytes>(encoded));
    fuzz::require(again.has_value(), "a re-encoded request decodes");
    fuzz::require(again->header == decoded->header, "the header survives re-encoding");
    fuzz::require(again->request == decoded->request, "the body survives re-encoding");
    fuzz::require(Bytes(again->payload.begin(), again->payload.end()) == payload,
                  "the payload survives re-encoding");
    return 0;
}
