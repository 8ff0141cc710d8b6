// The certificate log's checkpoints (docs/TRANSPARENCY.md, "Witnesses"): the signed tree
// heads the CA proves certificates against, each with the cosignatures of the witnesses that
// gave one. A checkpoint is made when a certificate (or a revocation) is to be proved that
// the last one does not hold — before the REGISTER or RENEW that issued it is answered, so
// that the new certificate comes cosigned — and on a tick, for entries written by the
// operator's commands. Without witnesses a checkpoint is just the signed head.
//
// A witness that does not answer (or refuses) is left out of that checkpoint; tick() asks it
// again for the current one once its link is due (WitnessLink::kRetryAfterMs), so a witness
// back from a restart cosigns within seconds without the log having to grow. Readers that
// require its cosignature refuse the head meanwhile (NOT_WITNESSED) and succeed when asked
// again. Everything runs in the CA's worker thread; witnesses are asked one after another.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "ca-service/registry.h"
#include "ca-service/witness_link.h"
#include "common/clock.h"
#include "common/crypto/keys.h"

namespace imgshare::ca {

struct Checkpoint {
    std::uint64_t size = 0;
    Bytes tree_head;                  // signed by the log's key
    std::vector<Bytes> cosignatures;  // one from each witness that cosigned it
};

class Checkpoints {
  public:
    // `registry`, `log_key` and `clock` must outlive it.
    Checkpoints(const Registry& registry, const SigningKeyPair& log_key, const Clock& clock);

    // Witnesses to ask for each checkpoint from now on.
    void add_witness(std::unique_ptr<WitnessLink> witness);

    // The newest checkpoint, holding at least the first `size` entries of the log (made now,
    // at the log's size, when the last one is smaller or there is none yet).
    [[nodiscard]] const Checkpoint& covering(std::uint64_t size);

    // Housekeeping, about once a second: a checkpoint for entries appended since the last one,
    // and another try of each due witness whose cosignature the current one lacks.
    void tick();

  private:
    void make(std::uint64_t size);
    void ask(WitnessLink& witness, std::size_t index);

    const Registry& registry_;
    const SigningKeyPair& log_key_;
    const Clock& clock_;
    std::vector<std::unique_ptr<WitnessLink>> witnesses_;
    std::optional<Checkpoint> current_;
    transparency::TreeHead head_;             // current_'s, decoded
    std::vector<bool> cosigned_;              // by witness: whether current_ holds its cosignature
};

}  // namespace imgshare::ca
