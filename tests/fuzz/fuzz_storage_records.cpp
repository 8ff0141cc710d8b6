// Fuzz target: what a storage node reads back from its database (a file, so untrusted:
// records.h) and the upload ids clients send as text. The first input byte picks the decoder:
//   0  decode_image_record      1  decode_upload_session
//   2  UploadId::parse, and the key decoders (UploadId::from_key, chunk_index_of,
//      seq_of_feed_key, decode_u64) on the rest of the input
// Properties: records fail with INTERNAL only and re-encode to bytes that decode to the same
// record; upload ids fail with BAD_REQUEST only and print as text that parses back; a key that
// decodes is exactly the key its encoder makes from the decoded value.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "storage-node/records.h"
#include "storage-node/storage_keys.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

using namespace imgshare;
using namespace imgshare::storage;

template <class Record>
void check_record(Result<Record> (*decode)(ByteView), ByteView input) {
    auto record = decode(input);
    if (!record) {
        fuzz::require(record.error().code == ErrorCode::INTERNAL, "records fail with INTERNAL");
        return;
    }
    auto again = decode(encode_record(*record));
    fuzz::require(again && *again == *record, "decode(encode_record(r)) == r");
}

void check_keys(std::string_view text) {
    auto upload = UploadId::parse(text);
    if (!upload) {
        fuzz::require(upload.error().code == ErrorCode::BAD_REQUEST,
                      "upload ids fail with BAD_REQUEST");
    } else {
        auto again = UploadId::parse(upload->text());
        fuzz::require(again && *again == *upload, "UploadId::parse(id.text()) == id");
        fuzz::require(UploadId::from_key(upload->key()) == *upload, "from_key(id.key()) == id");
    }
    if (auto from_key = UploadId::from_key(text)) {
        fuzz::require(text.starts_with(from_key->key()), "a key starts with its upload id");
        if (auto index = chunk_index_of(text, *from_key)) {
            fuzz::require(chunk_key(*from_key, *index) == text,
                          "chunk_key(chunk_index_of(k)) == k");
        }
    }
    if (auto seq = seq_of_feed_key(text)) {
        fuzz::require(feed_key(*seq) == text, "feed_key(seq_of_feed_key(k)) == k");
    }
    if (auto value = decode_u64(text)) {
        fuzz::require(encode_u64(*value) == text, "encode_u64(decode_u64(b)) == b");
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const ByteView input(data + 1, size - 1);
    switch (data[0] % 3) {
        case 0:
            check_record(decode_image_record, input);
            break;
        case 1:
            check_record(decode_upload_session, input);
            break;
        default:
            check_keys(as_string(input));
            break;
    }
    return 0;
}
