// What follows a service's reply to a client request: by the request's type (one table),
// the REWRAP of an escrow DOWNLOAD, NEW_IMAGE after a commit or share, IMAGE_DELETED after a
// DELETE, a renewal noted.
#include "broker/broker.h"

#include <algorithm>

#include "common/certificate.h"
#include "common/protocol/codec.h"

namespace imgshare::broker {

void Broker::finish_forwarded(const ForwardedRequest& request, const Header& header,
                              net::ZmqFrames frames) {
    // What follows a client request's OK reply, by the request's type.
    struct ReplyHook {
        std::string_view type;
        AfterReply (Broker::*run)(const ForwardedRequest& request, net::ZmqFrames& frames);
    };
    static constexpr ReplyHook kReplyHooks[] = {
        {DownloadRequest::kType, &Broker::rewrap_download},
        {PostCommitRequest::kType, &Broker::publish_commit},
        {PostImageRequest::kType, &Broker::publish_commit},
        {ShareRequest::kType, &Broker::publish_share},
        {DeleteRequest::kType, &Broker::publish_deletion},
        {RenewRequest::kType, &Broker::note_renewal},
    };
    const auto& client = request.client;
    if (header.type == kOkType) {
        const auto* hook = std::ranges::find(kReplyHooks, client.type, &ReplyHook::type);
        if (hook != std::ranges::end(kReplyHooks) &&
            (this->*hook->run)(request, frames) == AfterReply::answered) {
            return;
        }
    }
    frames[0] = header_frame(header.type, client.request_id, std::nullopt);
    reply_to_client(client, std::move(frames));
}

Broker::AfterReply Broker::rewrap_download(const ForwardedRequest& request,
                                           net::ZmqFrames& frames) {
    const auto& client = request.client;
    auto download = decode_body<DownloadReply>(net::view_of(frames[1]));
    if (!download || frames.size() != 3) {
        reply_error(client, Error{ErrorCode::INTERNAL, "storage sent a bad DOWNLOAD reply"});
        return AfterReply::answered;
    }
    // End-to-end: storage returned the requester's own grant; it goes back as is.
    if (download->mode != kEscrowMode) return AfterReply::pass_on;
    const auto* requester = request.sender.username();
    if (requester == nullptr) {
        // The route admits registered users only.
        reply_error(client, Error{ErrorCode::INTERNAL, "DOWNLOAD from an unregistered peer"});
        return AfterReply::answered;
    }
    net::ZmqFrames body;
    body.push_back(net::frame_of(encode_map(RewrapRequest{download->wrapped_key, *requester})));
    forward(RewrapRequest::kService, RewrapRequest::kType, broker_user(), std::move(body),
            PendingRequest{.stage =
                               DownloadRewrap{client, std::move(*download), std::move(frames[2])}});
    return AfterReply::answered;
}

Broker::AfterReply Broker::publish_commit(const ForwardedRequest&, net::ZmqFrames& frames) {
    auto commit = decode_body<PostCommitReply>(net::view_of(frames[1]));
    if (commit) events_.publish_commit(*commit);
    return AfterReply::pass_on;
}

Broker::AfterReply Broker::publish_share(const ForwardedRequest&, net::ZmqFrames& frames) {
    auto share = decode_body<ShareReply>(net::view_of(frames[1]));
    if (share) events_.publish_share(*share);
    return AfterReply::pass_on;
}

Broker::AfterReply Broker::publish_deletion(const ForwardedRequest&, net::ZmqFrames& frames) {
    auto deletion = decode_body<DeleteReply>(net::view_of(frames[1]));
    if (deletion) events_.publish_deletion(*deletion);
    return AfterReply::pass_on;
}

Broker::AfterReply Broker::note_renewal(const ForwardedRequest& request, net::ZmqFrames& frames) {
    auto renewal = decode_body<RenewReply>(net::view_of(frames[1]));
    if (!renewal) return AfterReply::pass_on;
    auto certificate = decode_certificate(renewal->certificate);
    const auto* renewed = request.sender.username();
    if (certificate && renewed != nullptr && certificate->username == *renewed) {
        authenticator_.renewed(*renewed, certificate->not_after);
    }
    return AfterReply::pass_on;
}

void Broker::finish_download(DownloadRewrap& request, net::ZmqFrames frames) {
    auto rewrapped = decode_reply<RewrapReply>(net::frame_views(frames));
    if (!rewrapped) {
        reply_error(request.client, rewrapped.error());
        return;
    }
    auto reply = std::move(request.download);
    reply.wrapped_key = std::move(rewrapped->wrapped_key);
    auto frames_out = net::frames_of(encode_ok(reply, request.client.request_id));
    frames_out.back() = std::move(request.first_chunk);  // the empty payload encode_ok left
    reply_to_client(request.client, std::move(frames_out));
}

}  // namespace imgshare::broker
