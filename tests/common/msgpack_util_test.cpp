#include "common/msgpack_util.h"

#include <gtest/gtest.h>

namespace imgshare::msgpack_util {
namespace {

const msgpack::unpack_limit kFlat(/*array=*/4, /*map=*/0, /*str=*/16, /*bin=*/16, /*ext=*/0,
                                  /*depth=*/1);

template <typename Pack>
Bytes packed(Pack&& pack) {
    Bytes out;
    BytesWriter writer(out);
    msgpack::packer<BytesWriter> packer(writer);
    pack(packer);
    return out;
}

void expect_bad_request(const Result<msgpack::object_handle>& result) {
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, ErrorCode::BAD_REQUEST);
    EXPECT_NE(result.error().message.find("input"), std::string::npos) << result.error().message;
}

TEST(MsgpackUtilTest, BytesWriterAppends) {
    const Bytes bytes = packed([](auto& p) { p.pack_array(2).pack(1).pack("a"); });
    EXPECT_EQ(bytes, (Bytes{0x92, 0x01, 0xa1, 'a'}));
}

TEST(MsgpackUtilTest, PacksBytesAsBinAndTextAsStrInTheShortestForm) {
    const Bytes key{0x00, 0xff, 0x10};
    const Bytes bytes = packed([&](auto& p) {
        p.pack_array(2);
        pack_bin(p, key);
        pack_str(p, "hi");
    });
    EXPECT_EQ(bytes, (Bytes{0x92, 0xc4, 0x03, 0x00, 0xff, 0x10, 0xa2, 'h', 'i'}));
    auto handle = unpack_bounded(bytes, kFlat, "input");
    ASSERT_TRUE(handle) << handle.error().message;
    auto fields = read_array(handle->get(), "input", 2);
    ASSERT_TRUE(fields);
    auto bin = read_bin((*fields)[0], "b", 3, 3);
    ASSERT_TRUE(bin);
    EXPECT_EQ(Bytes(bin->begin(), bin->end()), key);
    EXPECT_EQ(read_string((*fields)[1], "s", 16).value(), "hi");
}

TEST(MsgpackUtilTest, PacksEmptyBytesAndText) {
    const Bytes bytes = packed([](auto& p) {
        pack_bin(p, ByteView{});
        pack_str(p, "");
    });
    EXPECT_EQ(bytes, (Bytes{0xc4, 0x00, 0xa0}));
}

TEST(MsgpackUtilTest, UnpacksOneObjectWithinLimits) {
    const Bytes bytes = packed([](auto& p) { p.pack_array(2).pack(7).pack("hi"); });
    auto handle = unpack_bounded(bytes, kFlat, "input");
    ASSERT_TRUE(handle) << handle.error().message;
    auto fields = read_array(handle->get(), "input", 2);
    ASSERT_TRUE(fields);
    EXPECT_EQ(read_uint((*fields)[0], "n").value(), 7u);
    EXPECT_EQ(read_string((*fields)[1], "s", 16).value(), "hi");
}

TEST(MsgpackUtilTest, RefusesEmptyTruncatedTrailingAndGarbage) {
    const Bytes good = packed([](auto& p) { p.pack_array(2).pack(7).pack("hi"); });
    expect_bad_request(unpack_bounded({}, kFlat, "input"));
    for (std::size_t size = 1; size < good.size(); ++size) {
        expect_bad_request(unpack_bounded(ByteView(good).first(size), kFlat, "input"));
    }
    Bytes trailing = good;
    trailing.push_back(0x00);
    expect_bad_request(unpack_bounded(trailing, kFlat, "input"));
    expect_bad_request(unpack_bounded(Bytes{0xc1}, kFlat, "input"));  // never-used byte
}

TEST(MsgpackUtilTest, RefusesHugeDeclaredSizesBeforeAllocating) {
    // array32 / bin32 / str32 / map32 headers claiming 4 billion entries, with no data.
    for (std::uint8_t type : {0xdd, 0xc6, 0xdb, 0xdf}) {
        expect_bad_request(unpack_bounded(Bytes{type, 0xff, 0xff, 0xff, 0xff}, kFlat, "input"));
    }
}

TEST(MsgpackUtilTest, RefusesLimitsOverflows) {
    expect_bad_request(unpack_bounded(packed([](auto& p) { p.pack_array(5); }), kFlat, "input"));
    expect_bad_request(
        unpack_bounded(packed([](auto& p) { p.pack(std::string(17, 'x')); }), kFlat, "input"));
    expect_bad_request(
        unpack_bounded(packed([](auto& p) { p.pack_map(1).pack(1).pack(1); }), kFlat, "input"));
    // Depth 1 admits one array, not an array inside it.
    expect_bad_request(unpack_bounded(
        packed([](auto& p) { p.pack_array(1).pack_array(1).pack(1); }), kFlat, "input"));
}

TEST(MsgpackUtilTest, RefusesExtTypesWhateverTheLimits) {
    const Bytes ext = {0xd4, 0x01, 0x00};  // fixext1
    expect_bad_request(unpack_bounded(ext, msgpack::unpack_limit(), "input"));
}

TEST(MsgpackUtilTest, ReferenceInputPointsIntoTheInput) {
    const Bytes bytes = packed([](auto& p) {
        p.pack_bin(3);
        p.pack_bin_body("abc", 3);
    });
    auto handle = unpack_bounded(bytes, kFlat, "input", StringStorage::ReferenceInput);
    ASSERT_TRUE(handle);
    auto view = read_bin(handle->get(), "b", 3, 3);
    ASSERT_TRUE(view);
    EXPECT_EQ(view->data(), bytes.data() + 2);
    auto copied = unpack_bounded(bytes, kFlat, "input");
    EXPECT_NE(read_bin(copied->get(), "b", 3, 3)->data(), bytes.data() + 2);
}

TEST(MsgpackUtilTest, FieldReadersCheckTypesAndSizes) {
    msgpack::zone zone;
    const msgpack::object text(std::string("hello"), zone);
    const msgpack::object negative(-5);
    const msgpack::object positive(std::uint64_t{1} << 63);
    const msgpack::object flag(true);

    EXPECT_EQ(read_uint(text, "f").error().code, ErrorCode::BAD_REQUEST);
    EXPECT_EQ(read_uint(negative, "f").error().code, ErrorCode::BAD_REQUEST);
    EXPECT_EQ(read_uint(flag, "f").error().code, ErrorCode::BAD_REQUEST);
    EXPECT_EQ(read_int(negative, "f").value(), -5);
    EXPECT_EQ(read_int(positive, "f").error().code, ErrorCode::BAD_REQUEST);  // > INT64_MAX
    EXPECT_EQ(read_string(text, "f", 5).value(), "hello");
    EXPECT_EQ(read_string(text, "f", 4).error().code, ErrorCode::BAD_REQUEST);
    EXPECT_EQ(read_string(negative, "f", 5).error().code, ErrorCode::BAD_REQUEST);
    EXPECT_EQ(read_bin(text, "f", 0, 10).error().code, ErrorCode::BAD_REQUEST);  // str is not bin
    EXPECT_EQ(read_array(text, "f", 1).error().code, ErrorCode::BAD_REQUEST);

    auto error = read_uint(text, "serial").error();
    EXPECT_NE(error.message.find("serial"), std::string::npos) << error.message;
}

TEST(MsgpackUtilTest, ReadBinChecksBothBounds) {
    const Bytes bytes = packed([](auto& p) {
        p.pack_bin(4);
        p.pack_bin_body("abcd", 4);
    });
    auto handle = unpack_bounded(bytes, kFlat, "input");
    ASSERT_TRUE(handle);
    EXPECT_TRUE(read_bin(handle->get(), "b", 4, 4));
    EXPECT_TRUE(read_bin(handle->get(), "b", 0, 8));
    EXPECT_EQ(read_bin(handle->get(), "b", 5, 8).error().code, ErrorCode::BAD_REQUEST);
    EXPECT_EQ(read_bin(handle->get(), "b", 0, 3).error().code, ErrorCode::BAD_REQUEST);
}

}  // namespace
}  // namespace imgshare::msgpack_util
