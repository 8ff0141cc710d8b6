#include "storage-node/share_validation.h"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>

#include "common/certificate.h"
#include "storage-node/post_validation.h"

namespace imgshare::storage {
namespace {

// The record's own fields were checked before they were stored: a failure to
// read them back means a damaged database, not a bad request.
Result<Certificate> stored_certificate(const ImageRecord& record) {
    auto certificate = decode_certificate(record.certificate);
    if (!certificate) {
        return fail(ErrorCode::INTERNAL,
                    "stored owner certificate is unreadable: " + certificate.error().message);
    }
    return certificate;
}

// The certificate the image was posted with is named by its envelope, so every share is
// signed by its key, whatever renewals came after. Once it has expired it still vouches for
// that key up to its end: it is checked at its last valid second (not_after is exclusive),
// and whether the owner may act now is left to her current certificate.
Result<void> check_stored_certificate(const Certificate& stored, const ShareRules& rules) {
    const std::int64_t at = std::min(rules.now_seconds, stored.not_after - 1);
    if (auto valid = verify_certificate(stored, rules.ca_verify_key, at); !valid) {
        return fail(valid.error().code,
                    "the certificate the image was posted with: " + valid.error().message);
    }
    return {};
}

// The owner's current certificate continues the stored one when the CA vouches for it now
// and it certifies the same name and signing key: the renewal readers accept too
// (client/owner_standing.h). An expired one means the owner did not renew (EXPIRED).
Result<void> check_current_certificate(ByteView encoded, const Certificate& stored,
                                       const ShareRules& rules) {
    auto current = decode_certificate(encoded);
    if (!current) {
        return fail(current.error().code,
                    "the owner's current certificate: " + current.error().message);
    }
    if (auto valid = verify_certificate(*current, rules.ca_verify_key, rules.now_seconds); !valid) {
        return fail(valid.error().code,
                    "the owner's current certificate: " + valid.error().message);
    }
    if (current->username != stored.username) {
        return fail(ErrorCode::FORBIDDEN, "the current certificate is not the owner's own");
    }
    if (current->sign_pk != stored.sign_pk) {
        return fail(ErrorCode::BAD_SIGNATURE,
                    "the current certificate is for another signing key than the one the image "
                    "was posted with");
    }
    return {};
}

Result<Envelope> stored_envelope(const ImageRecord& record) {
    auto envelope = decode_envelope(record.envelope);
    if (!envelope) {
        return fail(ErrorCode::INTERNAL,
                    "stored envelope is unreadable: " + envelope.error().message);
    }
    return envelope;
}

struct ListChange {
    std::vector<std::string> added;
    std::vector<std::string> removed;
};

ListChange list_change(const Envelope& stored, const Envelope& changed) {
    // Both lists are sorted and unique (decode_envelope checks it).
    ListChange change;
    std::set_difference(changed.recipients.begin(), changed.recipients.end(),
                        stored.recipients.begin(), stored.recipients.end(),
                        std::back_inserter(change.added));
    std::set_difference(stored.recipients.begin(), stored.recipients.end(),
                        changed.recipients.begin(), changed.recipients.end(),
                        std::back_inserter(change.removed));
    return change;
}

Result<void> check_grants(const std::vector<Grant>& grants, const std::vector<std::string>& added) {
    std::vector<std::string> granted;
    for (const auto& grant : grants) {
        if (grant.sealed_key.size() != kSealedContentKeySize) {
            return fail(ErrorCode::BAD_REQUEST,
                        fmt::format("every grant's sealed_key is {} bytes", kSealedContentKeySize));
        }
        granted.push_back(grant.recipient);
    }
    std::sort(granted.begin(), granted.end());
    if (granted != added) {
        return fail(ErrorCode::BAD_REQUEST,
                    "the grants must be exactly one per recipient the share adds");
    }
    return {};
}

}  // namespace

Result<ValidatedShare> validate_share(const ShareRequest& request, const ImageRecord& record,
                                      std::string_view user, const ShareRules& rules) {
    if (record.owner != user) {
        return fail(ErrorCode::FORBIDDEN, "only the image's owner may share it");
    }
    if (record.mode != kEndToEndMode) {
        return fail(ErrorCode::BAD_REQUEST,
                    "an escrow image is readable by every registered user: nothing to share");
    }
    auto certificate = stored_certificate(record);
    if (!certificate) return std::unexpected(std::move(certificate.error()));
    if (auto valid = check_stored_certificate(*certificate, rules); !valid) {
        return std::unexpected(std::move(valid.error()));
    }
    if (auto current = check_current_certificate(request.certificate, *certificate, rules);
        !current) {
        return std::unexpected(std::move(current.error()));
    }
    auto grown = verify_envelope(request.envelope, request.signature, *certificate);
    if (!grown) return std::unexpected(std::move(grown.error()));
    auto stored = stored_envelope(record);
    if (!stored) return std::unexpected(std::move(stored.error()));

    Envelope same_list = *grown;
    same_list.v = stored->v;
    same_list.recipients = stored->recipients;
    same_list.revision = stored->revision;
    if (same_list != *stored) {
        return fail(ErrorCode::BAD_REQUEST,
                    "a share may change nothing in the envelope but its recipients");
    }
    if (grown->revision != stored->revision + 1) {
        return fail(ErrorCode::STALE,
                    fmt::format("the share's envelope is revision {}; the image is at revision "
                                "{}, so a share signs {}",
                                grown->revision, stored->revision, stored->revision + 1));
    }
    auto change = list_change(*stored, *grown);
    if (change.added.empty() && change.removed.empty()) {
        return fail(ErrorCode::BAD_REQUEST, "the share neither adds nor removes a recipient");
    }
    if (auto ok = check_grants(request.grants, change.added); !ok) {
        return std::unexpected(std::move(ok.error()));
    }
    return ValidatedShare{std::move(*grown), std::move(change.added), std::move(change.removed)};
}

bool repeats_last_share(const ShareRequest& request, const ImageRecord& record) {
    return !record.shares.empty() && request.envelope == record.envelope &&
           request.signature == record.signature;
}

}  // namespace imgshare::storage
