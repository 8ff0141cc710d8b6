// Every message of the wire protocol: one struct per message body, its wire
// type name and its msgpack map keys (see fields.h), and the one table of
// request types (the Request variant). docs/PROTOCOL.md is the prose form.
//
// The structs live in ca_messages.h, storage_messages.h (uploads, reads and controls, a
// file each), witness_messages.h and control_messages.h, by the service that answers
// them; include this header.
// Adding a message: its struct there (kType, members, fields(), ==), an entry
// in Request if peers send it as a request, and a round-trip test.
//
// A reply struct is the body of a message of type "OK" answering the request
// with the same id. kCarriesPayload marks the messages that carry a raw
// payload frame after the body (POST_CHUNK and POST_IMAGE requests, GET_CHUNK
// and DOWNLOAD replies).
// Sizes are bounded by the codec; content (name rules, key lengths,
// signatures) is for the services to validate.
#pragma once

#include <variant>

#include "common/protocol/ca_messages.h"
#include "common/protocol/control_messages.h"
#include "common/protocol/storage_messages.h"
#include "common/protocol/witness_messages.h"

namespace imgshare {

// The one table from request type to struct: what decode_request accepts.
using Request =
    std::variant<CaInfoRequest, RegisterRequest, GetCertRequest, PostBeginRequest, PostChunkRequest,
                 PostCommitRequest, PostImageRequest, ListRequest, DownloadRequest, GetChunkRequest,
                 ShareRequest, LookupCurveKeyRequest, RewrapRequest, ReadyMessage, HeartbeatMessage,
                 DisconnectMessage, RenewRequest, UserRevokedMessage, UploadsRequest,
                 AbandonRequest, DeleteRequest, UserReleasedMessage, UsageRequest,
                 LogHeadRequest, LogConsistencyRequest, LogEntriesRequest,
                 WitnessStateRequest, AddCheckpointRequest, LogProofRequest>;

// Whether a message of type M has a payload frame after its body.
template <class M>
constexpr bool carries_payload() {
    if constexpr (requires { M::kCarriesPayload; }) {
        return M::kCarriesPayload;
    } else {
        return false;
    }
}

}  // namespace imgshare
