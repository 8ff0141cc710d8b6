// Fuzz target: decode_reply, what a client (and the broker, from services)
// reads back. The first input byte picks the reply type the reader expects
// (kReplyCheckers below); the rest is cut into 1-4 frames (fuzz_support.h).
// Properties: an OK reply that decodes re-encodes (encode_ok) to frames that
// decode to the same reply and payload; an ERROR reply whose body decodes
// makes decode_reply return exactly the code and message it carries, and
// re-encodes (encode_error) to the same; any other failure is BAD_REQUEST or
// TOO_LARGE.
#include <array>
#include <cstddef>
#include <cstdint>

#include "common/protocol/codec.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

using namespace imgshare;

bool is_error_reply(std::span<const Bytes> frames) {
    if (frames.empty()) return false;
    auto header = decode_header(frames[0]);
    return header && header->type == kErrorType;
}

void check_error_reply(std::span<const Bytes> frames, const Error& returned) {
    if (frames.size() < 2) return;
    auto carried = decode_body<ErrorReply>(frames[1]);
    if (!carried) return;  // the failure is about the malformed ERROR body
    if (frames.size() == 2) {
        fuzz::require(returned.code == carried->code && returned.message == carried->message,
                      "decode_reply returns the ERROR reply's code and message");
    }
    const Error error{carried->code, carried->message};
    const Frames encoded = encode_error(error, 7);
    auto again = decode_reply<CaInfoReply>(std::span<const Bytes>(encoded));
    fuzz::require(!again && again.error() == error, "decode(encode_error(e)) returns e");
}

template <class R>
void check_reply(std::span<const Bytes> frames) {
    auto decoded = decode_reply_message<R>(frames);
    if (!decoded) {
        if (is_error_reply(frames)) {
            check_error_reply(frames, decoded.error());
        } else {
            fuzz::require(decoded.error().code == ErrorCode::BAD_REQUEST ||
                              decoded.error().code == ErrorCode::TOO_LARGE,
                          "decode_reply fails with BAD_REQUEST or TOO_LARGE");
        }
        return;
    }
    const Bytes payload(decoded->payload.begin(), decoded->payload.end());
    const Frames encoded = encode_ok(decoded->reply, decoded->header.id, payload);
    auto again = decode_reply_message<R>(std::span<const Bytes>(encoded));
    fuzz::require(again && again->reply == decoded->reply && again->header.id == decoded->header.id,
                  "decode_reply(encode_ok(r)) == r");
    fuzz::require(Bytes(again->payload.begin(), again->payload.end()) == payload,
                  "the payload survives re-encoding");
}

using Checker = void (*)(std::span<const Bytes>);

// Every reply struct of the protocol; make_seed_corpus.cpp writes its seeds in this order.
constexpr std::array<Checker, 13> kReplyCheckers = {
    check_reply<CaInfoReply>,         check_reply<RegisterReply>,   check_reply<GetCertReply>,
    check_reply<LookupCurveKeyReply>, check_reply<RewrapReply>,     check_reply<PostBeginReply>,
    check_reply<PostChunkReply>,      check_reply<PostCommitReply>, check_reply<ListReply>,
    check_reply<DownloadReply>,       check_reply<GetChunkReply>,   check_reply<ShareReply>,
    check_reply<RenewReply>,
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::vector<Bytes> frames = fuzz::split_frames(ByteView(data + 1, size - 1));
    kReplyCheckers[data[0] % kReplyCheckers.size()](frames);
    return 0;
}
