// The plaintext stream that is encrypted for one image (DESIGN.md §2, "Content"):
//
//   [u64 big-endian image length][image bytes][zero padding][SHA-256 of the image bytes]
//
// padded to a size bucket, so the stored size tells a server the bucket only,
// and carrying the image's digest inside the encryption, where only readers
// see it.
//
// The writer produces the stream in pieces of any size from an image source,
// holding no more than one piece; the parser checks a stream piece by piece
// and points at the image bytes in each, holding nothing. Both are pure: no
// files, no keys.
#pragma once

#include <cstdint>
#include <functional>
#include <span>

#include "common/bytes.h"
#include "common/crypto/sha256.h"
#include "common/error.h"

namespace imgshare::client {

constexpr std::uint64_t kLengthPrefixSize = 8;
// Length prefix and trailing digest: what the stream adds to the image.
constexpr std::uint64_t kStreamFraming = kLengthPrefixSize + kSha256Size;
constexpr std::uint64_t kSmallestBucket = 4096;

// The smallest bucket that holds an image of this length with its framing.
// Buckets are 4096, then each the previous plus ceil(previous / 20), so a
// stream is never more than 5% (plus one byte) larger than it must be; an
// observer learns which of about 50 buckets per factor of ten the image is in.
[[nodiscard]] std::uint64_t padded_size_for(std::uint64_t image_length);

class PaddedStreamWriter {
  public:
    // Fills all of its argument with the next image bytes, or fails (IO_ERROR, e.g. the file
    // shrank). Called only for the image's own bytes, in order.
    using Source = std::function<Result<void>(std::span<std::uint8_t>)>;

    PaddedStreamWriter(std::uint64_t image_length, Source source);

    [[nodiscard]] std::uint64_t padded_size() const { return padded_size_; }
    [[nodiscard]] bool done() const { return position_ == padded_size_; }
    // The SHA-256 of the image bytes, once done().
    [[nodiscard]] const Bytes& image_sha256() const { return trailer_; }

    // The next min(max_bytes, what is left) bytes of the stream, into `out` (resized).
    [[nodiscard]] Result<void> next(std::size_t max_bytes, Bytes& out);

  private:
    std::uint64_t image_length_;
    std::uint64_t padded_size_;
    std::uint64_t position_ = 0;
    Source source_;
    Sha256 image_digest_;
    Bytes trailer_;  // the digest, once every image byte has been read
};

class PaddedStreamParser {
  public:
    // `padded_size` is what the signed envelope says.
    explicit PaddedStreamParser(std::uint64_t padded_size);

    // The next bytes of the stream; returns the image bytes among them (a view into
    // `plaintext`, possibly empty): image bytes are contiguous within any piece. INTEGRITY
    // (and nothing more is accepted) if the length prefix does not fit the padded size, a
    // padding byte is not zero, or the stream runs past the padded size. Image bytes are
    // not proven until finish() succeeds.
    [[nodiscard]] Result<ByteView> consume(ByteView plaintext);

    // INTEGRITY unless exactly the padded size was consumed and the trailing digest is the
    // SHA-256 of the image bytes (compared in constant time).
    [[nodiscard]] Result<void> finish();

    // Known once the length prefix has been consumed.
    [[nodiscard]] std::uint64_t image_length() const { return image_length_; }

  private:
    [[nodiscard]] Result<void> consume_prefix(ByteView& plaintext);

    std::uint64_t padded_size_;
    std::uint64_t position_ = 0;
    Bytes prefix_;
    std::uint64_t image_length_ = 0;
    Sha256 image_digest_;
    Bytes trailer_;
    bool failed_ = false;
};

}  // namespace imgshare::client
