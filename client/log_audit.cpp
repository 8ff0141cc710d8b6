#include "client/log_audit.h"

#include <fmt/format.h>

#include <algorithm>

#include "client/certificate_state.h"
#include "common/protocol/messages.h"
#include "common/transparency/log_entry.h"

namespace imgshare::client {
namespace {

constexpr int kHeadAttempts = 4;

// The newest head, accepted by `log` (extending the kept one); its size and root.
Result<transparency::TreeHead> newest_head(BrokerConnection& connection, CertificateLog& log,
                                           std::int64_t now_seconds) {
    for (int attempt = 1;; ++attempt) {
        auto seen = log.size_seen();
        if (!seen) return std::unexpected(seen.error());
        auto reply = connection.call<LogConsistencyReply>(LogConsistencyRequest{*seen});
        if (!reply) {
            // The log says it is smaller than a head it signed before: that is the finding.
            if (reply.error().code == ErrorCode::BAD_REQUEST && *seen > 0) {
                auto head = connection.call<LogHeadReply>(LogHeadRequest{});
                if (!head) return std::unexpected(head.error());
                auto accepted = log.accept_head(head->tree_head, head->cosignatures, {}, *seen,
                                                now_seconds);
                if (!accepted) return std::unexpected(accepted.error());
            }
            return std::unexpected(reply.error());
        }
        auto accepted = log.accept_head(reply->tree_head, reply->cosignatures,
                                        reply->consistency, *seen, now_seconds);
        if (!accepted) return std::unexpected(accepted.error());
        if (*accepted == Accepted::yes) return transparency::decode_tree_head(reply->tree_head);
        if (attempt == kHeadAttempts) {
            return fail(ErrorCode::SERVICE_UNAVAILABLE,
                        "the certificate log grew during each look at its head; try again");
        }
    }
}

bool same_keys(const Certificate& certificate, const OwnKeys& keys) {
    return certificate.sign_pk == keys.sign_pk && certificate.box_pk == keys.box_pk &&
           certificate.curve_pk == keys.curve_pk;
}

}  // namespace

LogMonitor::LogMonitor(std::string username, OwnKeys keys, Bytes ca_verify_key)
    : username_(std::move(username)),
      keys_(std::move(keys)),
      ca_verify_key_(std::move(ca_verify_key)) {}

Result<AuditReport> LogMonitor::check(BrokerConnection& connection, CertificateLog& log,
                                      std::int64_t now_seconds) {
    auto head = newest_head(connection, log, now_seconds);
    if (!head) return std::unexpected(head.error());
    const auto inconsistent = [&](const std::string& why) {
        return fail(ErrorCode::LOG_INCONSISTENT,
                    fmt::format("the certificate log's entries do not match its signed head of {} "
                                "entries: {}",
                                head->size, why));
    };
    // The head extends the one kept, which extends every head checked before: the entries
    // read so far are its first ones.
    if (head->size < tree_.size()) return inconsistent("it is smaller than what was read");
    AuditReport report;
    while (tree_.size() < head->size) {
        const auto start = tree_.size();
        auto page = connection.call<LogEntriesReply>(
            LogEntriesRequest{start, std::min<std::uint64_t>(head->size - start,
                                                             kMaxLogEntriesPerReply)});
        if (!page) return std::unexpected(page.error());
        if (page->entries.empty()) return inconsistent(fmt::format("none from entry {}", start));
        for (const auto& encoded : page->entries) {
            if (tree_.size() == head->size) break;
            const auto index = tree_.append(encoded);
            auto entry = transparency::decode_log_entry(encoded);
            if (!entry) return inconsistent(fmt::format("entry {} does not decode", index));
            if (entry->kind != transparency::LogEntryKind::certificate) continue;
            auto certificate = decode_certificate(entry->certificate);
            if (!certificate || certificate->username != username_) continue;
            // A certificate the CA did not sign is refused by every client: no impostor.
            if (!verify_certificate_ignoring_time(*certificate, ca_verify_key_)) continue;
            if (same_keys(*certificate, keys_)) {
                ++own_certificates_;
            } else {
                report.impostors.push_back({index, std::move(*certificate)});
            }
        }
    }
    if (tree_.root(head->size) != head->root) return inconsistent("another root");
    report.size = head->size;
    report.root = head->root;
    report.own_certificates = own_certificates_;
    return report;
}

Result<AuditReport> audit_log(BrokerConnection& connection, CertificateLog& log,
                              ByteView ca_verify_key, const std::string& username,
                              const OwnKeys& keys, std::int64_t now_seconds) {
    LogMonitor monitor(username, keys, Bytes(ca_verify_key.begin(), ca_verify_key.end()));
    return monitor.check(connection, log, now_seconds);
}

std::string describe_impostor(const LoggedCertificate& impostor) {
    const auto& certificate = impostor.certificate;
    return fmt::format("the certificate log holds certificate #{} for {} (entry {}) with keys "
                       "that are not this home's (sign_pk {}): the CA issued your name to "
                       "someone else",
                       certificate.serial, certificate.username, impostor.index,
                       to_hex(certificate.sign_pk));
}

}  // namespace imgshare::client
