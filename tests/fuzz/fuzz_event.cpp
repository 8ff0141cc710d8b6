// Fuzz target: decode_event, what a subscriber reads from the broker's XPUB
// socket. The input is cut into 1-4 frames (fuzz_support.h).
// Properties: failures are BAD_REQUEST or TOO_LARGE only; a decoded event
// re-encodes to frames that decode to the same topic and event.
#include <cstddef>
#include <cstdint>

#include "common/protocol/event.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace imgshare;
    const std::vector<Bytes> frames = fuzz::split_frames(ByteView(data, size));
    auto decoded = decode_event(frames);
    if (!decoded) {
        fuzz::require(decoded.error().code == ErrorCode::BAD_REQUEST ||
                          decoded.error().code == ErrorCode::TOO_LARGE,
                      "decode_event fails with BAD_REQUEST or TOO_LARGE");
        return 0;
    }
    auto again = decode_event(encode_event(decoded->event, decoded->topic));
    fuzz::require(again && again->topic == decoded->topic && again->event == decoded->event,
                  "decode_event(encode_event(e)) == e");
    return 0;
}
