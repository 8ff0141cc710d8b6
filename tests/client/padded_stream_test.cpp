#include "client/padded_stream.h"

#include <gtest/gtest.h>

#include "tests/client/sealing_support.h"

namespace imgshare::client {
namespace {

using testing::framed_stream;
using testing::random_bytes;

// The whole stream for `image`, produced in pieces of `piece` bytes.
Bytes write_stream(const Bytes& image, std::size_t piece) {
    std::size_t read = 0;
    PaddedStreamWriter writer(image.size(), [&](std::span<std::uint8_t> into) -> Result<void> {
        std::copy_n(image.begin() + static_cast<long>(read), into.size(), into.begin());
        read += into.size();
        return {};
    });
    Bytes stream, out;
    while (!writer.done()) {
        EXPECT_TRUE(writer.next(piece, out));
        stream.insert(stream.end(), out.begin(), out.end());
    }
    EXPECT_EQ(read, image.size());
    return stream;
}

// The image bytes the parser passes through, and the result of finish().
std::pair<Bytes, Result<void>> parse_stream(const Bytes& stream, std::uint64_t padded_size,
                                            std::size_t piece) {
    PaddedStreamParser parser(padded_size);
    Bytes image;
    for (std::size_t at = 0; at < stream.size(); at += piece) {
        ByteView part(stream.data() + at, std::min(piece, stream.size() - at));
        auto image_bytes = parser.consume(part);
        if (!image_bytes) return {image, std::unexpected(image_bytes.error())};
        image.insert(image.end(), image_bytes->begin(), image_bytes->end());
    }
    return {image, parser.finish()};
}

void expect_integrity(const Result<void>& result) {
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, ErrorCode::INTEGRITY) << result.error().message;
}

TEST(PaddedSizeTest, SmallImagesShareTheSmallestBucket) {
    EXPECT_EQ(padded_size_for(0), 4096u);
    EXPECT_EQ(padded_size_for(1), 4096u);
    EXPECT_EQ(padded_size_for(4096 - 40), 4096u);
    EXPECT_EQ(padded_size_for(4096 - 39), 4096u + 205u);  // 4096 + ceil(4096 / 20)
}

TEST(PaddedSizeTest, BucketsHoldTheFramingAndWasteAtMostFivePercent) {
    std::mt19937_64 random(3);
    std::vector<std::uint64_t> lengths{4057, 65536, 1u << 20, 200u << 20, 1ull << 36};
    for (int i = 0; i < 2000; ++i)
        lengths.push_back(random() % (1ull << 32));
    for (auto length : lengths) {
        auto padded = padded_size_for(length);
        auto needed = length + kStreamFraming;
        EXPECT_GE(padded, needed) << length;
        if (needed > kSmallestBucket) {
            EXPECT_LE(padded, needed + needed / 20 + 1) << length;
        }
    }
}

TEST(PaddedSizeTest, IsMonotonicAndEachBucketIsItsOwnFixedPoint) {
    std::uint64_t previous = 0;
    for (std::uint64_t length = 0; length < 300000; length += 97) {
        auto padded = padded_size_for(length);
        EXPECT_GE(padded, previous);
        EXPECT_EQ(padded_size_for(padded - kStreamFraming), padded);
        previous = padded;
    }
}

TEST(PaddedStreamTest, WriterFramesTheImageAsDocumented) {
    Bytes image = random_bytes(5000);
    EXPECT_EQ(write_stream(image, 1000), framed_stream(image, padded_size_for(image.size())));
}

TEST(PaddedStreamTest, RoundTripsInAnyPieceSize) {
    for (std::size_t length : {1u, 39u, 4056u, 4057u, 20000u}) {
        Bytes image = random_bytes(length, static_cast<unsigned>(length));
        for (std::size_t piece : {1u, 7u, 8u, 1024u, 4096u, 1u << 20}) {
            Bytes stream = write_stream(image, piece);
            ASSERT_EQ(stream.size(), padded_size_for(length));
            auto [parsed, finished] = parse_stream(stream, stream.size(), piece);
            EXPECT_TRUE(finished) << length << "/" << piece;
            EXPECT_EQ(parsed, image) << length << "/" << piece;
        }
    }
}

TEST(PaddedStreamTest, LengthPrefixBeyondThePaddedSizeIsRefused) {
    Bytes stream = framed_stream(random_bytes(100), 4096);
    stream[6] = 0x10;  // claims 4096 + 100 bytes of image in a 4096-byte stream
    expect_integrity(parse_stream(stream, stream.size(), 4096).second);
    Bytes tight = framed_stream(random_bytes(100), 4096);
    tight[6] = 0x0f;  // 0x0fe9 = 4073 > 4096 - 40
    tight[7] = 0xe9;
    expect_integrity(parse_stream(tight, tight.size(), 1).second);
}

TEST(PaddedStreamTest, NonZeroPaddingIsRefused) {
    Bytes stream = framed_stream(random_bytes(100), 4096);
    stream[4000] = 1;
    for (std::size_t piece : {1u, 4096u})
        expect_integrity(parse_stream(stream, stream.size(), piece).second);
}

TEST(PaddedStreamTest, WrongTrailingDigestIsRefused) {
    Bytes stream = framed_stream(random_bytes(100), 4096);
    stream.back() ^= 1;
    expect_integrity(parse_stream(stream, stream.size(), 512).second);
    Bytes image_changed = framed_stream(random_bytes(100), 4096);
    image_changed[50] ^= 1;
    expect_integrity(parse_stream(image_changed, image_changed.size(), 512).second);
}

TEST(PaddedStreamTest, ShortAndLongStreamsAreRefused) {
    Bytes stream = framed_stream(random_bytes(100), 4096);
    Bytes shorter(stream.begin(), stream.end() - 1);
    expect_integrity(parse_stream(shorter, stream.size(), 512).second);
    Bytes longer = stream;
    longer.push_back(0);
    expect_integrity(parse_stream(longer, stream.size(), 512).second);
    // A padded size too small for any framing.
    expect_integrity(parse_stream(Bytes(20, 0), 20, 20).second);
    expect_integrity(parse_stream(Bytes(5, 0), 5, 5).second);
}

TEST(PaddedStreamTest, ParserStaysFailed) {
    Bytes stream = framed_stream(random_bytes(100), 4096);
    stream[1000] = 1;
    PaddedStreamParser parser(stream.size());
    EXPECT_FALSE(parser.consume(stream));
    Bytes good = framed_stream(random_bytes(100), 4096);
    EXPECT_FALSE(parser.consume(ByteView(good).first(10)));
    expect_integrity(parser.finish());
}

}  // namespace
}  // namespace imgshare::client
