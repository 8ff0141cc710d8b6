#include "common/protocol/msgpack_writer.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <initializer_list>
#include <string>

#include "tests/common/wire_test_support.h"

namespace imgshare {
namespace {

std::string written(void (*write)(MsgpackWriter&)) {
    MsgpackWriter writer;
    write(writer);
    return to_hex(writer.take());
}

// docs/PROTOCOL.md promises the shortest encodings; these are the bytes.
TEST(MsgpackWriterTest, IntegersUseTheirShortestForm) {
    EXPECT_EQ(written([](MsgpackWriter& w) { w.unsigned_integer(5); }), "05");
    EXPECT_EQ(written([](MsgpackWriter& w) { w.unsigned_integer(200); }), "ccc8");
    EXPECT_EQ(written([](MsgpackWriter& w) { w.unsigned_integer(300); }), "cd012c");
    EXPECT_EQ(written([](MsgpackWriter& w) { w.unsigned_integer(1ull << 40); }),
              "cf0000010000000000");
    EXPECT_EQ(written([](MsgpackWriter& w) { w.signed_integer(-1); }), "ff");
    EXPECT_EQ(written([](MsgpackWriter& w) { w.signed_integer(-200); }), "d1ff38");
    EXPECT_EQ(written([](MsgpackWriter& w) { w.signed_integer(7); }), "07");
}

TEST(MsgpackWriterTest, StringsBinariesAndContainers) {
    EXPECT_EQ(written([](MsgpackWriter& w) { w.string("ab"); }), "a26162");
    EXPECT_EQ(written([](MsgpackWriter& w) { w.binary(Bytes{0xff}); }), "c401ff");
    EXPECT_EQ(written([](MsgpackWriter& w) { w.binary(Bytes{}); }), "c400");
    EXPECT_EQ(written([](MsgpackWriter& w) {
                  w.map(1);
                  w.string("k");
                  w.array(2);
                  w.boolean(false);
                  w.nil();
              }),
              "81a16b92c2c0");
}

TEST(MsgpackWriterTest, TakeEmptiesTheWriter) {
    MsgpackWriter writer;
    writer.nil();
    EXPECT_EQ(writer.take(), Bytes{0xc0});
    EXPECT_TRUE(writer.take().empty());
}

// The sizer goes through the same packer: at every length and value where the
// encoding changes form it must count exactly the bytes the writer writes.
TEST(MsgpackWriterTest, TheSizerCountsExactlyWhatTheWriterWrites) {
    MsgpackWriter writer;
    MsgpackSizer sizer;
    auto both = [&](auto&& call) {
        call(writer);
        call(sizer);
    };
    for (std::size_t length :
         std::initializer_list<std::size_t>{0, 31, 32, 255, 256, 65535, 65536}) {
        both([&](auto& w) { w.string(std::string(length, 'x')); });
        both([&](auto& w) { w.binary(Bytes(length, 7)); });
        both([&](auto& w) { w.map(length); });
        both([&](auto& w) { w.array(length); });
    }
    for (std::uint64_t value : std::initializer_list<std::uint64_t>{
             0, 127, 128, 255, 256, 65535, 65536, 4294967295ULL, 4294967296ULL, ~0ULL})
        both([&](auto& w) { w.unsigned_integer(value); });
    for (std::int64_t value :
         std::initializer_list<std::int64_t>{-1, -32, -33, -128, -129, -32768, -32769,
                                             -2147483648LL, -2147483649LL, INT64_MIN, INT64_MAX})
        both([&](auto& w) { w.signed_integer(value); });
    both([](auto& w) { w.boolean(true); });
    both([](auto& w) { w.nil(); });
    EXPECT_EQ(sizer.size(), writer.take().size());
}

TEST(MsgpackWriterTest, LongOutputsGrowTheBufferWithoutLosingBytes) {
    MsgpackWriter writer;
    Bytes expected;
    for (int i = 0; i < 5000; ++i) {
        writer.unsigned_integer(static_cast<std::uint64_t>(i % 100));
        expected.push_back(static_cast<std::uint8_t>(i % 100));
    }
    EXPECT_EQ(writer.take(), expected);
}

}  // namespace
}  // namespace imgshare
