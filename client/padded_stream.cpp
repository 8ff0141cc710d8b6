#include "client/padded_stream.h"

#include <sodium.h>

#include <algorithm>
#include <stdexcept>

namespace imgshare::client {
namespace {

std::unexpected<Error> stream_integrity(std::string message) {
    return fail(ErrorCode::INTEGRITY, "image stream: " + std::move(message));
}

}  // namespace

std::uint64_t padded_size_for(std::uint64_t image_length) {
    if (image_length > UINT64_MAX / 2) throw std::invalid_argument("image length out of range");
    const std::uint64_t needed = image_length + kStreamFraming;
    std::uint64_t bucket = kSmallestBucket;
    while (bucket < needed)
        bucket += (bucket + 19) / 20;
    return bucket;
}

// ---- PaddedStreamWriter ----

PaddedStreamWriter::PaddedStreamWriter(std::uint64_t image_length, Source source)
    : image_length_(image_length),
      padded_size_(padded_size_for(image_length)),
      source_(std::move(source)) {}

Result<void> PaddedStreamWriter::next(std::size_t max_bytes, Bytes& out) {
    const std::uint64_t count = std::min<std::uint64_t>(max_bytes, padded_size_ - position_);
    out.assign(count, 0);  // padding is whatever no region below overwrites
    const std::uint64_t start = position_;
    const std::uint64_t end = start + count;
    const std::uint64_t image_end = kLengthPrefixSize + image_length_;
    const std::uint64_t trailer_start = padded_size_ - kSha256Size;

    for (std::uint64_t at = start; at < std::min(end, kLengthPrefixSize); ++at) {
        out[at - start] = static_cast<std::uint8_t>(image_length_ >> (8 * (7 - at)));
    }
    if (end > kLengthPrefixSize && start < image_end) {
        std::uint64_t from = std::max(start, kLengthPrefixSize);
        std::uint64_t to = std::min(end, image_end);
        std::span<std::uint8_t> region(out.data() + (from - start), to - from);
        if (auto read = source_(region); !read) return read;
        image_digest_.update(region);
        if (to == image_end) trailer_ = image_digest_.finish();
    }
    if (end > trailer_start) {
        if (image_length_ == 0 && trailer_.empty()) trailer_ = image_digest_.finish();
        for (std::uint64_t at = std::max(start, trailer_start); at < end; ++at) {
            out[at - start] = trailer_[at - trailer_start];
        }
    }
    position_ = end;
    return {};
}

// ---- PaddedStreamParser ----

PaddedStreamParser::PaddedStreamParser(std::uint64_t padded_size) : padded_size_(padded_size) {}

Result<void> PaddedStreamParser::consume_prefix(ByteView& plaintext) {
    std::size_t take = std::min<std::size_t>(kLengthPrefixSize - prefix_.size(), plaintext.size());
    prefix_.insert(prefix_.end(), plaintext.begin(), plaintext.begin() + take);
    plaintext = plaintext.subspan(take);
    position_ += take;
    if (prefix_.size() < kLengthPrefixSize) return {};
    for (std::uint8_t byte : prefix_)
        image_length_ = (image_length_ << 8) | byte;
    if (padded_size_ < kStreamFraming || image_length_ > padded_size_ - kStreamFraming) {
        return stream_integrity("the image length does not fit the padded size");
    }
    return {};
}

Result<ByteView> PaddedStreamParser::consume(ByteView plaintext) {
    if (failed_) return stream_integrity("the stream already failed a check");
    if (plaintext.size() > padded_size_ - position_) {
        failed_ = true;
        return stream_integrity("more bytes than the padded size");
    }
    if (position_ < kLengthPrefixSize) {
        if (auto ok = consume_prefix(plaintext); !ok) {
            failed_ = true;
            return std::unexpected(ok.error());
        }
        if (plaintext.empty()) return ByteView{};
    }
    ByteView image_bytes;
    const std::uint64_t image_end = kLengthPrefixSize + image_length_;
    const std::uint64_t trailer_start = padded_size_ - kSha256Size;
    if (position_ < image_end) {
        auto take = std::min<std::uint64_t>(image_end - position_, plaintext.size());
        image_bytes = plaintext.first(take);
        image_digest_.update(image_bytes);
        plaintext = plaintext.subspan(take);
        position_ += take;
    }
    if (position_ < trailer_start && !plaintext.empty()) {
        auto take = std::min<std::uint64_t>(trailer_start - position_, plaintext.size());
        auto padding = plaintext.first(take);
        if (!std::all_of(padding.begin(), padding.end(), [](std::uint8_t b) { return b == 0; })) {
            failed_ = true;
            return stream_integrity("the padding is not zero");
        }
        plaintext = plaintext.subspan(take);
        position_ += take;
    }
    trailer_.insert(trailer_.end(), plaintext.begin(), plaintext.end());
    position_ += plaintext.size();
    return image_bytes;
}

Result<void> PaddedStreamParser::finish() {
    if (failed_) return stream_integrity("the stream already failed a check");
    failed_ = true;  // finish() is the last word either way
    if (position_ != padded_size_ || prefix_.size() < kLengthPrefixSize) {
        return stream_integrity("the stream is shorter than its padded size");
    }
    Bytes digest = image_digest_.finish();
    if (trailer_.size() != digest.size() ||
        sodium_memcmp(trailer_.data(), digest.data(), digest.size()) != 0) {
        return stream_integrity("the image's SHA-256 does not match the one sealed with it");
    }
    return {};
}

}  // namespace imgshare::client
