#include "client/image_share.h"

#include <algorithm>
#include <iterator>

#include <fmt/format.h>

#include "client/image_opener.h"
#include "client/recipients.h"
#include "common/certificate.h"
#include "common/envelope.h"

namespace imgshare::client {
namespace {

std::vector<std::string> not_yet_readers(const std::vector<std::string>& wanted,
                                         const std::vector<std::string>& readers) {
    std::vector<std::string> added;
    std::set_difference(wanted.begin(), wanted.end(), readers.begin(), readers.end(),
                        std::back_inserter(added));
    return added;
}

std::vector<std::string> among_readers(const std::vector<std::string>& named,
                                       const std::vector<std::string>& readers) {
    std::vector<std::string> found;
    std::set_intersection(named.begin(), named.end(), readers.begin(), readers.end(),
                          std::back_inserter(found));
    return found;
}

// When to check the certificate the image was posted with: now, or, for an image I posted
// before I renewed, the last second that certificate was valid (the envelope names it, so
// the signature is checked against it). My own certificate, verified as valid now when the
// keystore was unlocked, must be for the same name and signing key: the rule readers apply
// (owner_standing.h) and the storage node applies to the certificate SHARE carries.
std::int64_t posted_certificate_time(const DownloadReply& record, const Certificate& me,
                                     std::int64_t now_seconds) {
    auto posted = decode_certificate(record.certificate);
    if (!posted || now_seconds < posted->not_after) return now_seconds;
    if (posted->username != me.username || posted->sign_pk != me.sign_pk) return now_seconds;
    return posted->not_after - 1;
}

}  // namespace

Result<ShareOutcome> share_image(BrokerConnection& connection, const ShareParameters& parameters) {
    const auto& me = parameters.owner.certificate;
    auto record = connection.call<DownloadReply>(DownloadRequest{parameters.name});
    if (!record) return std::unexpected(record.error());
    // My own grant, checked as any reader checks it: the envelope is the owner's (mine)
    // and the key is the one it commits to. Only then is it sealed to anyone else.
    auto opened = open_record(
        *record,
        OpenParameters{parameters.ca_verify_key, parameters.owner.keys.box, parameters.name,
                       posted_certificate_time(*record, me, parameters.now_seconds), me.username});
    if (!opened) return std::unexpected(opened.error());
    Envelope envelope = std::move(opened->envelope);
    if (envelope.owner != me.username) {
        return fail(ErrorCode::FORBIDDEN, fmt::format("only {}'s owner ({}) may share it",
                                                      parameters.name, envelope.owner));
    }
    if (envelope.mode != kEndToEndMode) {
        return fail(ErrorCode::BAD_REQUEST,
                    fmt::format("{} is an escrow image: every registered user may read it already",
                                parameters.name));
    }
    if (std::binary_search(parameters.revoked_readers.begin(), parameters.revoked_readers.end(),
                           me.username)) {
        return fail(ErrorCode::BAD_REQUEST,
                    "you cannot revoke yourself from your own image (delete it instead)");
    }
    auto added = not_yet_readers(parameters.new_readers, envelope.recipients);
    auto removed = among_readers(parameters.revoked_readers, envelope.recipients);
    if (added.empty() && removed.empty()) return ShareOutcome{{}, envelope.recipients, 0};

    std::vector<Certificate> certificates;
    if (!added.empty()) {
        auto fetched = fetch_reader_certificates(connection, parameters.ca_verify_key, me, added,
                                                 parameters.now_seconds);
        if (!fetched) return std::unexpected(fetched.error());
        certificates = std::move(*fetched);
    }
    std::vector<std::string> grown;
    std::set_difference(envelope.recipients.begin(), envelope.recipients.end(), removed.begin(),
                        removed.end(), std::back_inserter(grown));
    grown.insert(grown.end(), added.begin(), added.end());
    std::sort(grown.begin(), grown.end());
    envelope.recipients = grown;
    // The next revision: the storage node takes no other, so no older envelope (a longer
    // list) can be replayed to undo a revoke.
    ++envelope.revision;
    envelope.v = envelope_version_for(envelope);
    Bytes encoded = encode_envelope(envelope);
    // Refuse to sign what no reader would accept (over kMaxRecipients, for one).
    if (auto valid = decode_envelope(encoded); !valid) return std::unexpected(valid.error());
    // My current certificate goes with it: the storage node accepts a share of an image
    // posted under a certificate that has since expired only from an owner who renewed.
    ShareRequest request{parameters.name, encoded,
                         sign_envelope(encoded, parameters.owner.keys.sign.secret_key),
                         seal_grants(opened->content_key, certificates), encode_certificate(me)};
    auto shared = connection.call<ShareReply>(request);
    if (!shared) return std::unexpected(shared.error());
    if (shared->recipients != grown || shared->added != added || shared->removed != removed ||
        shared->name != parameters.name) {
        return fail(ErrorCode::INTEGRITY,
                    "the server reports another share than the one signed and sent");
    }
    return ShareOutcome{std::move(added), std::move(grown), shared->seq, std::move(removed)};
}

}  // namespace imgshare::client
