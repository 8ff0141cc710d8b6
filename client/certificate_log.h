// The certificate log as this home has seen it (docs/TRANSPARENCY.md, "What clients
// check"): the newest signed tree head the client accepted, kept in HOME/log_head, and the
// check every certificate the client accepts passes first — its own at `register` and
// `renew`, another user's at `whois`, `post --to`, `share --with` and `download`.
//
// accept(), in order: the proof's tree head is signed by the trust file's log_verify_key
// (BAD_SIGNATURE) and proves the certificate is its entry `index` (NOT_LOGGED, also for a
// reply with no proof); the head is cosigned by the trust file's witness_quorum of its
// witnesses (NOT_WITNESSED; none needed without witnesses); the head extends the one kept (LOG_INCONSISTENT: smaller, another
// root at the same size, or a consistency proof that fails) — checked only when the head kept
// is the one the request said it had seen (`size_sent`): when another command or thread kept
// another head meanwhile, the answer is Accepted::moved and nothing is kept, so that the
// caller asks again with the new size — in which case both signed
// heads and the proof are written to HOME/evidence/log-inconsistent-<unix time>.txt, named
// in the error, for anyone to check; then a newer head replaces the kept one. Nothing the
// reply carried is used before all of it passed.
#pragma once

#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <span>

#include "common/bytes.h"
#include "common/error.h"
#include "common/protocol/messages.h"
#include "common/transparency/cosignature.h"
#include "common/transparency/tree_head.h"

namespace imgshare::client {

// How often a caller asks again after Accepted::moved before it gives up. Each `moved` is a
// newer head kept by another command or thread, so it can only recur while the log keeps
// growing: one process registering many users at once (imgshare-load sets up 8 at a time)
// moves it once per registration. A few attempts were not enough there; this many bounds
// only a log that grows without end.
inline constexpr int kMaxLookupsWhileLogGrows = 64;

// What accept() did with a certificate that passed every check it could make.
enum class Accepted {
    yes,    // the certificate is proved in a head that extends the kept one (now kept)
    moved,  // another head was kept after the request was sent: ask again
};

class CertificateLog {
  public:
    // `home_dir` empty: the head is kept in memory only, and evidence is only in the error
    // (imgshare-load's simulated users, which have no home). `witnesses`: the trust file's
    // witness_key lines and witness_quorum.
    CertificateLog(std::filesystem::path home_dir, Bytes log_verify_key,
                   transparency::WitnessPolicy witnesses = {});

    // The size of the newest head kept (0: none yet), sent as requests' log_size_seen.
    // CONFIG if HOME/log_head is there but not a head the log's key signed.
    [[nodiscard]] Result<std::uint64_t> size_seen() const;

    // The checks above, for a reply to a request that carried `size_sent` as log_size_seen;
    // `now_seconds` names the evidence file.
    [[nodiscard]] Result<Accepted> accept(ByteView encoded_certificate, const LogProof& proof,
                                          std::uint64_t size_sent, std::int64_t now_seconds);

    // A tree head alone (LOG_HEAD, LOG_CONSISTENCY) with its witnesses' cosignatures: its
    // signature (BAD_SIGNATURE), then as accept() from its third step.
    [[nodiscard]] Result<Accepted> accept_head(ByteView tree_head,
                                               std::span<const Bytes> cosignatures,
                                               std::span<const Bytes> consistency,
                                               std::uint64_t size_sent, std::int64_t now_seconds);

    [[nodiscard]] std::filesystem::path head_path() const { return home_dir_ / "log_head"; }
    [[nodiscard]] std::filesystem::path evidence_dir() const { return home_dir_ / "evidence"; }

  private:
    [[nodiscard]] Result<std::optional<transparency::TreeHead>> kept_head() const;
    [[nodiscard]] std::filesystem::path write_evidence(ByteView kept, ByteView tree_head,
                                                       std::span<const Bytes> consistency,
                                                       std::int64_t now_seconds) const;
    // accept()'s steps 3 and 4 for a head already checked; the caller holds mutex_.
    [[nodiscard]] Result<Accepted> accept_locked(const transparency::TreeHead& head,
                                                 ByteView tree_head,
                                                 std::span<const Bytes> consistency,
                                                 std::uint64_t size_sent, std::int64_t now_seconds);

    [[nodiscard]] Result<std::optional<Bytes>> kept_bytes() const;
    [[nodiscard]] Result<void> keep(ByteView head);

    std::filesystem::path home_dir_;
    Bytes log_verify_key_;
    transparency::WitnessPolicy witnesses_;
    std::optional<Bytes> memory_head_;  // without a home
    // One accept at a time in this process (the gallery's threads, imgshare-load's users),
    // and no read of the kept head while one keeps another.
    mutable std::mutex mutex_;
};

}  // namespace imgshare::client
