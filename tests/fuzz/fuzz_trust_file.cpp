// Fuzz target: parse_trust, the user's roots of trust read from a file.
// Properties: failures are CONFIG only; what parses formats (format_trust)
// to text that parses to the same anchors, whose keys are 32 bytes.
#include <cstddef>
#include <cstdint>

#include "common/trust_file.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace imgshare;
    auto anchors = parse_trust(as_string(ByteView(data, size)), "fuzz.trust");
    if (!anchors) {
        fuzz::require(anchors.error().code == ErrorCode::CONFIG, "parse_trust fails with CONFIG");
        return 0;
    }
    fuzz::require(anchors->ca_verify_key.size() == 32 && anchors->broker_public_key.size() == 32,
                  "trusted keys are 32 bytes");
    auto again = parse_trust(format_trust(*anchors), "formatted");
    fuzz::require(again && *again == *anchors, "parse_trust(format_trust(a)) == a");
    return 0;
}
