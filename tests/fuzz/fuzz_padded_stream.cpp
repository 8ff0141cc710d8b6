// Fuzz target: PaddedStreamParser, which checks the plaintext of every downloaded image after
// decryption: a length prefix, the image, zero padding and the image's SHA-256. An owner (or
// anyone holding the content key) chooses these bytes, so they are hostile to the reader.
// Input: [padded_size: u32 big-endian][pieces (fuzz_support.h), fed to consume() in order].
// Properties: failures are INTEGRITY only and final; the image bytes returned lie inside
// the piece given; finish() succeeds exactly when the whole stream, checked independently
// here, is well formed, and then the image bytes returned are the image.
#include <cstddef>
#include <cstdint>

#include "client/padded_stream.h"
#include "common/crypto/sha256.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

using namespace imgshare;
using client::kLengthPrefixSize;
using client::kStreamFraming;

std::uint64_t read_u64_big_endian(ByteView bytes) {
    std::uint64_t value = 0;
    for (std::uint8_t byte : bytes)
        value = value << 8 | byte;
    return value;
}

// The format of padded_stream.h, checked on the whole stream at once.
bool is_well_formed(ByteView stream, std::uint64_t padded_size) {
    if (stream.size() != padded_size || padded_size < kStreamFraming) return false;
    const std::uint64_t image_length = read_u64_big_endian(stream.first(kLengthPrefixSize));
    if (image_length > padded_size - kStreamFraming) return false;
    const ByteView image = stream.subspan(kLengthPrefixSize, image_length);
    const ByteView trailer = stream.last(kSha256Size);
    const ByteView padding = stream.subspan(kLengthPrefixSize + image_length,
                                            padded_size - kStreamFraming - image_length);
    return std::all_of(padding.begin(), padding.end(), [](std::uint8_t b) { return b == 0; }) &&
           sha256(image) == Bytes(trailer.begin(), trailer.end());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const ByteView input(data, size);
    if (input.size() < 4) return 0;
    const std::uint64_t padded_size = read_u64_big_endian(input.first(4));
    client::PaddedStreamParser parser(padded_size);

    Bytes stream;
    Bytes image;
    bool failed = false;
    for (const ByteView piece : fuzz::split_pieces(input.subspan(4))) {
        stream.insert(stream.end(), piece.begin(), piece.end());
        auto image_bytes = parser.consume(piece);
        if (!image_bytes) {
            fuzz::require(image_bytes.error().code == ErrorCode::INTEGRITY,
                          "consume fails with INTEGRITY");
            failed = true;
            continue;
        }
        fuzz::require(!failed, "nothing is consumed after a failure");
        fuzz::require(image_bytes->empty() || (image_bytes->data() >= piece.data() &&
                                               image_bytes->data() + image_bytes->size() <=
                                                   piece.data() + piece.size()),
                      "image bytes lie inside the piece");
        image.insert(image.end(), image_bytes->begin(), image_bytes->end());
    }
    const bool finished = parser.finish().has_value();
    fuzz::require(finished == is_well_formed(stream, padded_size),
                  "finish() succeeds exactly for a well-formed stream");
    if (finished) {
        fuzz::require(image.size() == parser.image_length(), "all image bytes were returned");
        fuzz::require(std::equal(image.begin(), image.end(), stream.begin() + kLengthPrefixSize),
                      "the image bytes returned are the image");
    }
    return 0;
}
