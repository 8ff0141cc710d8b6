#include "ca-service/checkpoints.h"

#include "common/transparency/log_check.h"
#include "common/transparency/tree_head.h"

namespace imgshare::ca {

Checkpoints::Checkpoints(const Registry& registry, const SigningKeyPair& log_key,
                         const Clock& clock)
    : registry_(registry), log_key_(log_key), clock_(clock) {}

void Checkpoints::add_witness(std::unique_ptr<WitnessLink> witness) {
    witnesses_.push_back(std::move(witness));
    cosigned_.push_back(false);
}

const Checkpoint& Checkpoints::covering(std::uint64_t size) {
    if (!current_ || current_->size < size) make(registry_.log_size());
    return *current_;
}

void Checkpoints::tick() {
    if (!current_ || current_->size < registry_.log_size()) {
        make(registry_.log_size());
        return;
    }
    const auto now_ms = clock_.monotonic_ms();
    for (std::size_t i = 0; i < witnesses_.size(); ++i) {
        if (!cosigned_[i] && witnesses_[i]->due(now_ms)) ask(*witnesses_[i], i);
    }
}

void Checkpoints::make(std::uint64_t size) {
    Checkpoint checkpoint;
    checkpoint.size = size;
    checkpoint.tree_head = transparency::make_tree_head(size, registry_.log_root(size),
                                                        clock_.now_seconds(), log_key_.secret_key);
    auto head = transparency::decode_tree_head(checkpoint.tree_head);
    if (!head) throw std::logic_error("a tree head the log just signed does not decode");
    current_ = std::move(checkpoint);
    head_ = std::move(*head);
    std::fill(cosigned_.begin(), cosigned_.end(), false);
    const auto now_ms = clock_.monotonic_ms();
    for (std::size_t i = 0; i < witnesses_.size(); ++i) {
        if (witnesses_[i]->due(now_ms)) ask(*witnesses_[i], i);
    }
}

void Checkpoints::ask(WitnessLink& witness, std::size_t index) {
    auto prove = [this](std::uint64_t first, std::uint64_t second) {
        return transparency::wire_hashes(registry_.log_consistency(first, second));
    };
    auto cosignature = witness.cosign(current_->tree_head, head_, log_key_.public_key, prove,
                                      clock_.monotonic_ms());
    if (!cosignature) return;
    current_->cosignatures.push_back(std::move(*cosignature));
    cosigned_[index] = true;
}

}  // namespace imgshare::ca
