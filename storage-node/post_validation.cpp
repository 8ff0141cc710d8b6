#include "storage-node/post_validation.h"

#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <vector>

namespace imgshare::storage {
namespace {

Result<void> check_escrow_keys(const PostBeginRequest& request) {
    if (!request.grants.empty()) {
        return fail(ErrorCode::BAD_REQUEST, "an escrow post carries no grants");
    }
    if (request.wrapped_key.size() != kSealedContentKeySize) {
        return fail(
            ErrorCode::BAD_REQUEST,
            fmt::format("an escrow post carries a wrapped_key of {} bytes", kSealedContentKeySize));
    }
    return {};
}

Result<void> check_end_to_end_keys(const PostBeginRequest& request, const Envelope& envelope) {
    if (!request.wrapped_key.empty()) {
        return fail(ErrorCode::BAD_REQUEST, "an e2e post carries grants, not a wrapped_key");
    }
    std::vector<std::string> granted;
    for (const auto& grant : request.grants) {
        if (grant.sealed_key.size() != kSealedContentKeySize) {
            return fail(ErrorCode::BAD_REQUEST,
                        fmt::format("every grant's sealed_key is {} bytes", kSealedContentKeySize));
        }
        granted.push_back(grant.recipient);
    }
    std::sort(granted.begin(), granted.end());
    // The envelope's recipients are sorted and unique (decode_envelope checks it).
    if (granted != envelope.recipients) {
        return fail(ErrorCode::BAD_REQUEST,
                    "the grants must be exactly one per recipient named in the envelope");
    }
    return {};
}

}  // namespace

Result<ValidatedPost> validate_post(const PostBeginRequest& request, std::string_view user,
                                    const PostRules& rules) {
    auto certificate = decode_certificate(request.certificate);
    if (!certificate) return std::unexpected(std::move(certificate.error()));
    if (auto valid = rules.certificates.verify(*certificate, rules.now_seconds); !valid) {
        return std::unexpected(std::move(valid.error()));
    }
    if (certificate->username != user) {
        return fail(ErrorCode::FORBIDDEN, "the certificate is not the poster's own");
    }
    auto envelope = verify_envelope(request.envelope, request.signature, *certificate);
    if (!envelope) return std::unexpected(std::move(envelope.error()));
    if (envelope->padded_size > rules.max_image_bytes) {
        return fail(ErrorCode::TOO_LARGE,
                    fmt::format("the image is larger than this node's limit of {} bytes",
                                rules.max_image_bytes));
    }
    if (envelope->created_at > rules.now_seconds + kCreatedAtSkewSeconds) {
        return fail(ErrorCode::BAD_REQUEST,
                    "the envelope's created_at is more than an hour ahead of the storage node's "
                    "clock; check this computer's clock");
    }
    if (envelope->created_at < certificate->not_before - kCreatedAtSkewSeconds) {
        return fail(ErrorCode::BAD_REQUEST,
                    "the envelope's created_at is before its owner's certificate was issued");
    }
    auto keys_fit = envelope->mode == kEscrowMode ? check_escrow_keys(request)
                                                  : check_end_to_end_keys(request, *envelope);
    if (!keys_fit) return std::unexpected(std::move(keys_fit.error()));
    return ValidatedPost{std::move(*certificate), std::move(*envelope)};
}

}  // namespace imgshare::storage
