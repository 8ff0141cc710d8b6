#include "common/binary_summary.h"

#include <algorithm>
#include <iterator>
#include <vector>

#include <fmt/format.h>

#include "common/crypto/sha256.h"

namespace imgshare {
namespace {

constexpr std::size_t kDigestHexChars = 16;
// Keys, signatures, certificates and envelopes are hashed whole; a larger
// binary is an image chunk, whose whole-frame SHA-256 cost more than every
// other step of relaying it (docs/BENCHMARKS.md). Its ends identify it.
constexpr std::size_t kFullDigestMaxBytes = 16 * 1024;
constexpr std::size_t kSampledEndBytes = 4 * 1024;

std::string short_sha256(ByteView bytes) {
    return to_hex(sha256(bytes)).substr(0, kDigestHexChars);
}

std::string short_sampled_sha256(ByteView bytes) {
    Sha256 ends;
    ends.update(bytes.first(kSampledEndBytes));
    ends.update(bytes.last(kSampledEndBytes));
    return to_hex(ends.finish()).substr(0, kDigestHexChars);
}

// A binary's summary depends only on its length and the bytes
// append_binary_summary hashes (all of them up to kFullDigestMaxBytes, else
// the two ends), so the last payload's summary is reused when those are the
// same.
class LastPayloadSummary {
  public:
    void append(std::string& out, ByteView payload) {
        const bool sampled = payload.size() > kFullDigestMaxBytes;
        ByteView head = sampled ? payload.first(kSampledEndBytes) : payload;
        ByteView tail = sampled ? payload.last(kSampledEndBytes) : ByteView{};
        if (valid_ && payload.size() == size_ && same(head, head_) && same(tail, tail_)) {
            out.append(text_);
            return;
        }
        valid_ = false;
        text_.clear();
        append_binary_summary(text_, payload);
        size_ = payload.size();
        head_.assign(head.begin(), head.end());
        tail_.assign(tail.begin(), tail.end());
        valid_ = true;
        out.append(text_);
    }

  private:
    static bool same(ByteView bytes, const std::vector<std::uint8_t>& kept) {
        return bytes.size() == kept.size() && std::equal(bytes.begin(), bytes.end(), kept.begin());
    }

    std::size_t size_ = 0;
    std::vector<std::uint8_t> head_;
    std::vector<std::uint8_t> tail_;
    std::string text_;
    bool valid_ = false;
};

}  // namespace

void append_binary_summary(std::string& out, ByteView bytes) {
    if (bytes.size() <= kFullDigestMaxBytes) {
        fmt::format_to(std::back_inserter(out), R"({{"len":{},"sha256":"{}"}})", bytes.size(),
                       short_sha256(bytes));
    } else {
        fmt::format_to(std::back_inserter(out), R"({{"len":{},"sampled_sha256":"{}"}})",
                       bytes.size(), short_sampled_sha256(bytes));
    }
}

void append_payload_summary(std::string& out, ByteView payload) {
    thread_local LastPayloadSummary last;
    last.append(out, payload);
}

}  // namespace imgshare
