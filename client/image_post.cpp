#include "client/image_post.h"

#include <optional>

#include <fmt/format.h>

#include "client/image_sealer.h"
#include "client/thumbnail_maker.h"
#include "client/image_upload.h"
#include "client/kept_posts.h"
#include "client/recipients.h"
#include "common/clock.h"
#include "common/crypto/sealed_box.h"
#include "common/protocol/limits.h"

namespace imgshare::client {
namespace {

// Who may read the image and how its key travels, settled before anything is sealed.
struct KeyWrapping {
    std::string mode;
    Bytes escrow_wrap_key;             // escrow: the server's wrap key
    std::vector<Certificate> readers;  // e2e: every reader, owner included, sorted by name
};

// `recipients`: nullopt for escrow, else the parsed --to list.
Result<KeyWrapping> key_wrapping(std::optional<std::vector<std::string>> recipients,
                                 BrokerConnection& connection, const TrustAnchors& trust,
                                 const Certificate& me) {
    if (!recipients) {
        auto wrap_key = fetch_escrow_wrap_key(connection, trust);
        if (!wrap_key) return std::unexpected(wrap_key.error());
        return KeyWrapping{std::string(kEscrowMode), std::move(*wrap_key), {}};
    }
    auto readers = with_owner(std::move(*recipients), me.username);
    if (readers.size() > kMaxRecipients) {
        return fail(ErrorCode::BAD_REQUEST,
                    fmt::format("an image has at most {} readers, you included", kMaxRecipients));
    }
    // Every certificate is verified before a byte is sealed or sent: an unknown, revoked or
    // expired recipient stops the post here.
    auto certificates = fetch_reader_certificates(connection, trust.ca_verify_key, me, readers,
                                                  SystemClock().now_seconds());
    if (!certificates) return std::unexpected(certificates.error());
    return KeyWrapping{std::string(kEndToEndMode), {}, std::move(*certificates)};
}

std::vector<std::string> names_of(const std::vector<Certificate>& readers) {
    std::vector<std::string> names;
    for (const auto& reader : readers)
        names.push_back(reader.username);
    return names;
}

// Whether kept post `post` is the post `wanted` of `file` by `me`: the same image bytes,
// mode and readers. (The name is the same: posts are kept by name.)
Result<bool> is_same_post(const KeptPost& post, const PostWanted& wanted,
                          const std::filesystem::path& file, const Certificate& me) {
    auto envelope = post.envelope();
    if (!envelope) return std::unexpected(envelope.error());
    const bool end_to_end = wanted.recipients.has_value();
    if (envelope->owner != me.username ||
        envelope->mode != (end_to_end ? kEndToEndMode : kEscrowMode)) {
        return false;
    }
    if (end_to_end && envelope->recipients != with_owner(*wanted.recipients, me.username)) {
        return false;
    }
    // The expiry is a time from the first sealing on: a rerun keeps the first one's.
    if ((envelope->expires_at != 0) != (wanted.expires_in_seconds != 0) ||
        envelope->max_downloads != wanted.max_downloads) {
        return false;
    }
    auto digest = image_file_sha256(file);
    if (!digest) return std::unexpected(digest.error());
    return *digest == post.image_sha256;
}

// The image's thumbnail, or none: an image the thumbnail maker cannot decode (or that is
// too large for it) is posted without one, never refused for it.
Bytes thumbnail_for(const std::filesystem::path& file, std::string_view content_type) {
    auto thumbnail = make_thumbnail(file, content_type);
    return thumbnail ? std::move(*thumbnail) : Bytes{};
}

// A kept post and, once made, its sealed image (pass 1 done: the chunk tags known).
struct PostInHand {
    KeptPost post;
    std::optional<SealedImage> sealed;
};

// Seals `file` afresh (pass 1) and keeps the post in the home before anything of it is sent.
Result<PostInHand> seal_and_keep(const PostWanted& wanted, const std::filesystem::path& file,
                                 const Identity& identity, BrokerConnection& connection,
                                 const TrustAnchors& trust, const KeptPosts& kept) {
    auto wrapping = key_wrapping(wanted.recipients, connection, trust, identity.certificate);
    if (!wrapping) return std::unexpected(wrapping.error());
    const auto now = SystemClock().now_seconds();
    SealParameters parameters{wanted.name,
                              identity.certificate,
                              identity.keys.sign.secret_key,
                              wanted.content_type,
                              wrapping->mode,
                              names_of(wrapping->readers),
                              now,
                              static_cast<std::uint32_t>(kDefaultChunkSize),
                              thumbnail_for(file, wanted.content_type),
                              wanted.expires_in_seconds == 0 ? 0 : now + wanted.expires_in_seconds,
                              wanted.max_downloads};
    auto sealed = seal_image(file, parameters);
    if (!sealed) return std::unexpected(sealed.error());
    KeptPost post{PostBeginRequest{encode_certificate(identity.certificate),
                                   sealed->encoded_envelope,
                                   sealed->signature,
                                   {},
                                   {}},
                  sealed->image_sha256, SystemClock().now_seconds(), 0};
    if (wrapping->mode == kEndToEndMode) {
        post.begin.grants = seal_grants(sealed->content_key, wrapping->readers);
    } else {
        post.begin.wrapped_key = seal(sealed->content_key.view(), wrapping->escrow_wrap_key);
    }
    // Sealed to me alone, for a rerun to encrypt the image again under the same key.
    const Bytes sealed_key = seal(sealed->content_key.view(), identity.certificate.box_pk);
    if (auto ok = kept.keep(post, sealed_key); !ok) return std::unexpected(ok.error());
    return PostInHand{std::move(post), std::move(*sealed)};
}

// Errors after which the kept envelope can never be committed: the next run seals anew.
// QUOTA_EXCEEDED too: it comes at POST_BEGIN, before anything was stored, and once room
// is made the next run starts clean rather than from a kept post.
bool ends_the_post(ErrorCode code) {
    switch (code) {
        case ErrorCode::QUOTA_EXCEEDED:
        case ErrorCode::NAME_TAKEN:
        case ErrorCode::INTEGRITY:
        case ErrorCode::BAD_SIGNATURE:
        case ErrorCode::TOO_LARGE:
        case ErrorCode::FORBIDDEN:
        case ErrorCode::EXPIRED:
        case ErrorCode::NOT_YET_VALID:
        case ErrorCode::REVOKED:
            return true;
        default:
            return false;
    }
}

// Sends kept post `in_hand` (a pending one from `file`, sealed again here unless it was
// just sealed; a committed one is just the question of what it became) and keeps the
// home's record in step with the answer.
Result<PostCommitReply> send_kept(PostInHand& in_hand, const std::filesystem::path& file,
                                  const Identity& identity, BrokerConnection& connection,
                                  const KeptPosts& kept, const PostProgress& progress) {
    const KeptPost& post = in_hand.post;
    auto envelope = post.envelope();
    if (!envelope) return std::unexpected(envelope.error());
    Result<PostCommitReply> committed = fail(ErrorCode::INTERNAL, "not sent");
    if (post.pending()) {
        if (!in_hand.sealed) {
            auto key = kept.content_key(post, identity.keys.box);
            if (!key) return std::unexpected(key.error());
            auto sealed = reseal_image(
                file, KeptSeal{post.begin.envelope, post.begin.signature, std::move(*key)});
            if (!sealed) return std::unexpected(sealed.error());
            in_hand.sealed = std::move(*sealed);
        }
        committed = upload_image(connection, *in_hand.sealed, post.begin, progress);
    } else {
        committed = committed_post(connection, *envelope, post.upload());
    }
    if (committed) {
        // Failing to note it costs a round trip at the next run, which learns it again.
        if (post.pending()) (void)kept.committed(post, SystemClock().now_seconds());
        return committed;
    }
    auto error = committed.error();
    if (ends_the_post(error.code)) {
        (void)kept.forget(envelope->name);
        return std::unexpected(std::move(error));
    }
    error.message += fmt::format(
        " (the post is kept: run the same command again to resume it, or abandon it "
        "with `imgshare uploads --abandon {}`)",
        post.upload());
    return std::unexpected(std::move(error));
}

}  // namespace

Result<PostedImage> post_image(Session& session, const Identity& identity,
                               BrokerConnection& connection, const std::filesystem::path& file,
                               const PostWanted& wanted, const PostProgress& progress) {
    KeptPosts kept(session.home().uploads_dir());
    if (auto ok = kept.prepare(); !ok) return std::unexpected(ok.error());
    kept.prune(SystemClock().now_seconds());
    auto earlier = kept.find(wanted.name);
    if (!earlier) return std::unexpected(earlier.error());
    std::optional<PostInHand> post;
    if (*earlier) {
        auto same = is_same_post(**earlier, wanted, file, identity.certificate);
        if (!same) return std::unexpected(same.error());
        if (*same) {
            post = PostInHand{std::move(**earlier), std::nullopt};
        } else if ((*earlier)->pending()) {
            return fail(ErrorCode::BAD_REQUEST,
                        fmt::format("a post of another image (or for other readers) named '{}' "
                                    "is pending: {} changed since, or is another file. Finish "
                                    "that post by running it again with the image as it was, "
                                    "or start over: abandon it with `imgshare uploads --abandon "
                                    "{}`, then post again",
                                    wanted.name, file.string(), (*earlier)->upload()));
        } else if (auto ok = kept.forget(wanted.name); !ok) {
            // An earlier post of other bytes: the node decides (NAME_TAKEN).
            return std::unexpected(ok.error());
        }
    }

    Result<PostCommitReply> committed = fail(ErrorCode::INTERNAL, "not sent");
    if (post) {
        committed = send_kept(*post, file, identity, connection, kept, progress);
        if (!committed && committed.error().code == ErrorCode::NOT_FOUND &&
            !post->post.pending()) {
            // Remembered as committed, unknown to the node now: post it again.
            if (auto ok = kept.forget(wanted.name); !ok) return std::unexpected(ok.error());
            post.reset();
        }
    }
    if (!post) {
        auto fresh =
            seal_and_keep(wanted, file, identity, connection, session.trust(), kept);
        if (!fresh) return std::unexpected(fresh.error());
        post = std::move(*fresh);
        committed = send_kept(*post, file, identity, connection, kept, progress);
    }
    if (!committed) return std::unexpected(committed.error());
    auto envelope = post->post.envelope();
    if (!envelope) return std::unexpected(envelope.error());
    return PostedImage{std::move(*committed), std::move(*envelope)};
}

}  // namespace imgshare::client
