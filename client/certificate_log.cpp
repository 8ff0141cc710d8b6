#include "client/certificate_log.h"

#include <fmt/format.h>

#include <system_error>

#include "common/file_io.h"
#include "common/transparency/log_check.h"

namespace imgshare::client {
namespace {

namespace fs = std::filesystem;
constexpr auto kLogHeadFileMode = fs::perms::owner_read | fs::perms::owner_write;

}  // namespace

CertificateLog::CertificateLog(fs::path home_dir, Bytes log_verify_key,
                               transparency::WitnessPolicy witnesses)
    : home_dir_(std::move(home_dir)),
      log_verify_key_(std::move(log_verify_key)),
      witnesses_(std::move(witnesses)) {}

Result<std::optional<Bytes>> CertificateLog::kept_bytes() const {
    if (home_dir_.empty()) return memory_head_;
    std::error_code error;
    if (!fs::exists(head_path(), error)) return std::nullopt;
    auto bytes = read_file(head_path(), transparency::kMaxTreeHeadBytes);
    if (!bytes) return std::unexpected(bytes.error());
    return std::move(*bytes);
}

Result<void> CertificateLog::keep(ByteView head) {
    if (home_dir_.empty()) {
        memory_head_ = Bytes(head.begin(), head.end());
        return {};
    }
    return write_file_atomically(head_path(), head, kLogHeadFileMode);
}

Result<std::optional<transparency::TreeHead>> CertificateLog::kept_head() const {
    auto bytes = kept_bytes();
    if (!bytes) return std::unexpected(bytes.error());
    if (!*bytes) return std::nullopt;
    auto head = transparency::verify_tree_head(**bytes, log_verify_key_);
    if (!head) {
        return fail(ErrorCode::CONFIG,
                    fmt::format("{} is not a tree head the certificate log signed ({}); remove "
                                "it to start again from the log's next head",
                                head_path().string(), head.error().message));
    }
    return std::move(*head);
}

Result<std::uint64_t> CertificateLog::size_seen() const {
    std::lock_guard lock(mutex_);
    auto head = kept_head();
    if (!head) return std::unexpected(head.error());
    return *head ? (*head)->size : 0;
}

fs::path CertificateLog::write_evidence(ByteView kept, ByteView tree_head,
                                        std::span<const Bytes> consistency,
                                        std::int64_t now_seconds) const {
    std::string text =
        "# imgshare: the certificate log showed two tree heads that do not fit together.\n"
        "# Both are signed with the log's key (log_verify_key in the trust file); the\n"
        "# consistency proof below does not prove the second extends the first.\n";
    text += fmt::format("seen_tree_head = {}\n", to_hex(kept));
    text += fmt::format("new_tree_head = {}\n", to_hex(tree_head));
    for (const auto& hash : consistency)
        text += fmt::format("consistency = {}\n", to_hex(hash));
    if (home_dir_.empty()) return {};
    auto path = evidence_dir() / fmt::format("log-inconsistent-{}.txt", now_seconds);
    std::error_code error;
    fs::create_directories(evidence_dir(), error);
    fs::permissions(evidence_dir(), fs::perms::owner_all, error);
    if (!write_file_atomically(path, as_bytes(text), kLogHeadFileMode)) return {};
    return path;
}

Result<Accepted> CertificateLog::accept(ByteView encoded_certificate, const LogProof& proof,
                                        std::uint64_t size_sent, std::int64_t now_seconds) {
    std::lock_guard lock(mutex_);
    auto head = transparency::check_certificate_logged(encoded_certificate, proof.index,
                                                       proof.tree_head, proof.inclusion,
                                                       log_verify_key_);
    if (!head) return std::unexpected(head.error());
    if (auto witnessed = transparency::check_witnessed(proof.cosignatures, log_verify_key_, *head,
                                                       witnesses_);
        !witnessed) {
        return std::unexpected(witnessed.error());
    }
    return accept_locked(*head, proof.tree_head, proof.consistency, size_sent, now_seconds);
}

Result<Accepted> CertificateLog::accept_head(ByteView tree_head,
                                             std::span<const Bytes> cosignatures,
                                             std::span<const Bytes> consistency,
                                             std::uint64_t size_sent, std::int64_t now_seconds) {
    std::lock_guard lock(mutex_);
    auto head = transparency::verify_tree_head(tree_head, log_verify_key_);
    if (!head) return std::unexpected(head.error());
    if (auto witnessed =
            transparency::check_witnessed(cosignatures, log_verify_key_, *head, witnesses_);
        !witnessed) {
        return std::unexpected(witnessed.error());
    }
    return accept_locked(*head, tree_head, consistency, size_sent, now_seconds);
}

Result<Accepted> CertificateLog::accept_locked(const transparency::TreeHead& head,
                                               ByteView tree_head,
                                               std::span<const Bytes> consistency,
                                               std::uint64_t size_sent, std::int64_t now_seconds) {
    auto kept = kept_head();
    if (!kept) return std::unexpected(kept.error());
    // The consistency proof starts at size_sent: against another kept head it proves nothing.
    if ((*kept ? (*kept)->size : 0) != size_sent) return Accepted::moved;
    if (*kept) {
        if (auto extends = transparency::check_extends(**kept, head, consistency); !extends) {
            auto seen = kept_bytes();
            auto evidence = write_evidence(seen && *seen ? ByteView(**seen) : ByteView{},
                                           tree_head, consistency, now_seconds);
            return fail(ErrorCode::LOG_INCONSISTENT,
                        extends.error().message +
                            (evidence.empty() ? std::string("; the evidence could not be written")
                                              : "; evidence in " + evidence.string()));
        }
        if (head.size <= (*kept)->size) return Accepted::yes;
    }
    if (auto kept_now = keep(tree_head); !kept_now) return std::unexpected(kept_now.error());
    return Accepted::yes;
}

}  // namespace imgshare::client
