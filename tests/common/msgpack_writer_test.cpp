#include "common/protocol/msgpack_writer.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace imgshare
