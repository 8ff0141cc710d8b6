// Bodies of a certificate log witness's messages (imgshare-witness; docs/TRANSPARENCY.md,
// "Witnesses"). The CA's log sends them straight to each witness it is configured with,
// never through the broker (their kService is kWitnessService, which the broker does not
// route). Part of messages.h; see there for the conventions.
#pragma once

#include <cstdint>
#include <string_view>
#include <tuple>
#include <vector>

#include "common/bytes.h"
#include "common/protocol/fields.h"
#include "common/protocol/limits.h"
#include "common/protocol/message_types.h"
#include "common/transparency/cosignature.h"
#include "common/transparency/tree_head.h"

namespace imgshare {

// What the witness cosigned last: its size (0 and an empty head before its first), the
// log's signed head of that size, and the witness's cosignature of it.
struct WitnessStateRequest {
    static constexpr std::string_view kType = "WITNESS_STATE";
    static constexpr std::string_view kService = kWitnessService;
    static constexpr Sender kSentBy = Sender::certificate_log;
    static constexpr auto fields() { return std::tuple<>(); }
    bool operator==(const WitnessStateRequest&) const = default;
};

struct WitnessStateReply {
    static constexpr std::string_view kType = kOkType;
    std::uint64_t size = 0;
    Bytes tree_head;
    Bytes cosignature;
    static constexpr auto fields() {
        return std::make_tuple(
            field("size", &WitnessStateReply::size),
            field("tree_head", &WitnessStateReply::tree_head, transparency::kMaxTreeHeadBytes),
            field("cosignature", &WitnessStateReply::cosignature,
                  transparency::kMaxCosignatureBytes));
    }
    bool operator==(const WitnessStateReply&) const = default;
};

// Cosign `tree_head` (signed by the log's key), which `consistency` proves extends the tree
// of `old_size` entries: the size the log believes the witness cosigned last. The witness
// refuses BAD_SIGNATURE (not the log's key), BAD_REQUEST (old_size is not its size: ask
// WITNESS_STATE), LOG_INCONSISTENT (the head does not extend what it cosigned: smaller,
// another root at the same size, or a proof that fails). It keeps the new head durably
// before it answers.
struct AddCheckpointRequest {
    static constexpr std::string_view kType = "ADD_CHECKPOINT";
    static constexpr std::string_view kService = kWitnessService;
    static constexpr Sender kSentBy = Sender::certificate_log;
    std::uint64_t old_size = 0;
    std::vector<Bytes> consistency;
    Bytes tree_head;
    static constexpr auto fields() {
        return std::make_tuple(
            field("old_size", &AddCheckpointRequest::old_size),
            field("consistency", &AddCheckpointRequest::consistency, kMaxLogProofHashes),
            field("tree_head", &AddCheckpointRequest::tree_head,
                  transparency::kMaxTreeHeadBytes));
    }
    bool operator==(const AddCheckpointRequest&) const = default;
};

struct AddCheckpointReply {
    static constexpr std::string_view kType = kOkType;
    Bytes cosignature;
    static constexpr auto fields() {
        return std::make_tuple(field("cosignature", &AddCheckpointReply::cosignature,
                                     transparency::kMaxCosignatureBytes));
    }
    bool operator==(const AddCheckpointReply&) const = default;
};

}  // namespace imgshare
