#include "common/protocol/codec.h"

#include <array>
#include <string>
#include <variant>

#include "common/protocol/limits.h"
#include "common/protocol/message_types.h"

namespace imgshare {
namespace {

using RequestDecoder = Result<Request> (*)(ByteView body);

struct RequestEntry {
    std::string_view type;
    bool carries_payload;
    RequestDecoder decode;
};

template <class M>
Result<Request> decode_as_request(ByteView body) {
    auto message = decode_body<M>(body);
    if (!message) return std::unexpected(std::move(message.error()));
    return Request(std::move(*message));
}

template <class... Messages>
constexpr std::array<RequestEntry, sizeof...(Messages)> make_request_table(
    std::variant<Messages...>*) {
    return {RequestEntry{Messages::kType, carries_payload<Messages>(),
                         &decode_as_request<Messages>}...};
}

// The one table from request type to decoder, generated from Request.
constexpr auto kRequestTable = make_request_table(static_cast<Request*>(nullptr));

const RequestEntry* find_entry(std::string_view type) {
    for (const auto& entry : kRequestTable) {
        if (entry.type == type) return &entry;
    }
    return nullptr;
}

// Frame count and sizes, before any parsing.
Result<void> check_frames(std::span<const ByteView> frames) {
    if (frames.size() < 2) {
        return fail(ErrorCode::BAD_REQUEST,
                    "a message has 2 or 3 frames, got " + std::to_string(frames.size()));
    }
    if (frames.size() > kMaxFrames) {
        // Over a limit, as the broker answers it (it stops keeping frames at the limit).
        return fail(ErrorCode::TOO_LARGE,
                    "a message has at most 3 frames, got " + std::to_string(frames.size()));
    }
    for (std::size_t i = 0; i < 2; ++i) {
        if (frames[i].size() > kMaxFrameBytes) {
            return fail(ErrorCode::TOO_LARGE,
                        "frame " + std::to_string(i) + " of " + std::to_string(frames[i].size()) +
                            " bytes exceeds the limit of " + std::to_string(kMaxFrameBytes));
        }
    }
    if (frames.size() == 3 && frames[2].size() > kMaxChunkBytes) {
        return fail(ErrorCode::TOO_LARGE, "payload of " + std::to_string(frames[2].size()) +
                                              " bytes exceeds the limit of " +
                                              std::to_string(kMaxChunkBytes));
    }
    return {};
}

Result<ByteView> payload_of(std::span<const ByteView> frames, std::string_view type,
                            bool expected) {
    if (expected && frames.size() != 3) {
        return fail(ErrorCode::BAD_REQUEST, std::string(type) + " needs a payload frame");
    }
    if (!expected && frames.size() != 2) {
        return fail(ErrorCode::BAD_REQUEST,
                    "unexpected payload frame on a " + std::string(type) + " message");
    }
    return expected ? ByteView(frames[2]) : ByteView();
}

}  // namespace

Frames encode_error(const Error& error, std::uint64_t id) {
    return encode(ErrorReply{error.code, error.message}, id);
}

Frames encode_request(const Request& request, std::uint64_t id, std::optional<std::string> user,
                      ByteView payload) {
    return std::visit(
        [&](const auto& message) { return encode(message, id, std::move(user), payload); },
        request);
}

Result<DecodedRequest> decode_request(std::span<const ByteView> frames) {
    if (auto checked = check_frames(frames); !checked) return std::unexpected(checked.error());
    auto header = decode_header(frames[0]);
    if (!header) return std::unexpected(std::move(header.error()));
    const auto* entry = find_entry(header->type);
    if (entry == nullptr) {
        return fail(ErrorCode::BAD_REQUEST,
                    "message type " + wire::quoted(header->type) + " is not a request");
    }
    auto payload = payload_of(frames, entry->type, entry->carries_payload);
    if (!payload) return std::unexpected(std::move(payload.error()));
    auto request = entry->decode(frames[1]);
    if (!request) return std::unexpected(std::move(request.error()));
    return DecodedRequest{std::move(*header), std::move(*request), *payload};
}

namespace wire {

Result<ByteView> request_payload(std::span<const ByteView> frames, std::string_view type) {
    if (auto checked = check_frames(frames); !checked) return std::unexpected(checked.error());
    return payload_of(frames, type, request_carries_payload(type));
}


Result<ReplyFrames> split_reply(std::span<const ByteView> frames, bool payload_expected) {
    if (auto checked = check_frames(frames); !checked) return std::unexpected(checked.error());
    auto header = decode_header(frames[0]);
    if (!header) return std::unexpected(std::move(header.error()));
    if (header->type == kErrorType) {
        if (auto none = payload_of(frames, kErrorType, false); !none) {
            return std::unexpected(std::move(none.error()));
        }
        auto carried = decode_body<ErrorReply>(frames[1]);
        if (!carried) return std::unexpected(std::move(carried.error()));
        return fail(carried->code, std::move(carried->message));
    }
    if (header->type != kOkType) {
        return fail(ErrorCode::BAD_REQUEST,
                    "expected an OK or ERROR reply, got " + wire::quoted(header->type));
    }
    auto payload = payload_of(frames, kOkType, payload_expected);
    if (!payload) return std::unexpected(std::move(payload.error()));
    return ReplyFrames{std::move(*header), frames[1], *payload};
}

}  // namespace wire

FrameViews views_of(std::span<const Bytes> frames) {
    return FrameViews(frames.begin(), frames.end());
}

Result<DecodedRequest> decode_request(std::span<const Bytes> frames) {
    return decode_request(std::span<const ByteView>(views_of(frames)));
}

}  // namespace imgshare
