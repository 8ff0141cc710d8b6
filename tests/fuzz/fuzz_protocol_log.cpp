// Fuzz target: the renderings every frame a process receives goes through on
// its way into the protocol log (ProtocolLog::record on a disabled log
// returns before looking at the frames, so they are fuzzed directly): the
// body and the header rendered as JSON text, and summarize_msgpack_frame.
// Properties: they never throw; the text is valid JSON (as a body, and as the
// members of a line for a header); binary values never appear as their bytes.
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
    std::string body;
    append_msgpack_frame_summary(body, ByteView(data, size));
    fuzz::require(LogJson::accept(body), "the body's text is valid JSON");
    std::string header = "{";
    append_header_summary(header, ByteView(data, size));
    header.push_back('}');
    fuzz::require(LogJson::accept(header), "the header's members are valid JSON");
    const LogJson summary = summarize_msgpack_frame(ByteView(data, size));
    const std::string text = summary.dump(-1, ' ', false, LogJson::error_handler_t::replace);
    fuzz::require(LogJson::accept(text), "the summary is valid JSON");
    fuzz::require(!holds_binary(summary), "no binary JSON values");
    return 0;
}
