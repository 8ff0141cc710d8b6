// Fuzz target: summarize_msgpack_frame, which renders every frame a process
// receives into its protocol log. (ProtocolLog::record on a disabled log
// returns before looking at the frames, so the summary is fuzzed directly.)
// Properties: it never throws; its output, dumped as record() dumps it, is
// valid JSON; binary values never appear as their bytes.
#include <cstddef>
#include <cstdint>
#include <string>

#include "common/frame_summary.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

bool holds_binary(const imgshare::LogJson& value) {
    if (value.is_binary()) return true;
    if (!value.is_structured()) return false;
    for (const auto& item : value)
        if (holds_binary(item)) return true;
    return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace imgshare;
    const LogJson summary = summarize_msgpack_frame(ByteView(data, size));
    const std::string text = summary.dump(-1, ' ', false, LogJson::error_handler_t::replace);
    fuzz::require(LogJson::accept(text), "the summary is valid JSON");
    fuzz::require(!holds_binary(summary), "no binary JSON values");
    return 0;
}
