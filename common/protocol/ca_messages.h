// Bodies of the CA service's messages: client requests (CA_INFO, REGISTER,
// GET_CERT, RENEW), the broker's internal ones (LOOKUP_CURVE_KEY, REWRAP) and
// their OK replies. Part of messages.h; see there for the conventions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "common/bytes.h"
#include "common/error.h"
#include "common/protocol/fields.h"
#include "common/protocol/limits.h"
#include "common/protocol/message_types.h"
#include "common/standing.h"
#include "common/transparency/cosignature.h"
#include "common/transparency/tree_head.h"

namespace imgshare {

// ---- CA service -------------------------------------------------------------

// Where a certificate stands in the certificate log (docs/TRANSPARENCY.md): entry `index` of
// the signed `tree_head`, proved by `inclusion`; `consistency` proves that this head extends
// the one of the size the request said it had seen (`log_size_seen`; empty when that was 0 or
// this head's size). Hashes are 32 bytes each (common/transparency/log_check.h checks them).
// `cosignatures` are the witnesses' of that head (common/transparency/cosignature.h); a CA
// without witnesses sends none, and a reader whose trust file lists none needs none.
struct LogProof {
    std::uint64_t index = 0;
    Bytes tree_head;
    std::vector<Bytes> inclusion;
    std::vector<Bytes> consistency;
    std::vector<Bytes> cosignatures{};
    static constexpr auto fields() {
        return std::make_tuple(
            field("index", &LogProof::index),
            field("tree_head", &LogProof::tree_head, transparency::kMaxTreeHeadBytes),
            field("inclusion", &LogProof::inclusion, kMaxLogProofHashes),
            field("consistency", &LogProof::consistency, kMaxLogProofHashes),
            optional_field("cosignatures", &LogProof::cosignatures,
                           transparency::kMaxCosignatures));
    }
    bool operator==(const LogProof&) const = default;
};

struct CaInfoRequest {
    static constexpr std::string_view kType = "CA_INFO";
    static constexpr std::string_view kService = kCaService;
    static constexpr Sender kSentBy = Sender::anyone;
    static constexpr auto fields() { return std::tuple<>(); }
    bool operator==(const CaInfoRequest&) const = default;
};

struct CaInfoReply {
    static constexpr std::string_view kType = kOkType;
    Bytes ca_verify_key;
    Bytes wrap_public_key;     // the server's X25519 key-wrapping key (escrow mode)
    Bytes wrap_key_signature;  // the CA's signature over it (common/wrap_key.h)
    static constexpr auto fields() {
        return std::make_tuple(field("ca_verify_key", &CaInfoReply::ca_verify_key),
                               field("wrap_public_key", &CaInfoReply::wrap_public_key),
                               field("wrap_key_signature", &CaInfoReply::wrap_key_signature));
    }
    bool operator==(const CaInfoReply&) const = default;
};

struct RegisterRequest {
    static constexpr std::string_view kType = "REGISTER";
    static constexpr std::string_view kService = kCaService;
    static constexpr Sender kSentBy = Sender::anyone;
    std::string username;
    Bytes sign_pk, box_pk, curve_pk;
    Bytes proof;  // Ed25519 signature by sign_pk: proof of possession
    std::string invite;  // an invitation token (common/invitation.h); empty: none
    std::uint64_t log_size_seen = 0;  // the size of the newest log tree head the client holds
    static constexpr auto fields() {
        using M = RegisterRequest;
        return std::make_tuple(field("username", &M::username), field("sign_pk", &M::sign_pk),
                               field("box_pk", &M::box_pk), field("curve_pk", &M::curve_pk),
                               field("proof", &M::proof),
                               optional_field("invite", &M::invite, 512),
                               optional_field("log_size_seen", &M::log_size_seen));
    }
    bool operator==(const RegisterRequest&) const = default;
};

struct RegisterReply {
    static constexpr std::string_view kType = kOkType;
    Bytes certificate;  // the encoded, CA-signed certificate
    LogProof log{};     // ... and where it stands in the certificate log
    static constexpr auto fields() {
        return std::make_tuple(
            field("certificate", &RegisterReply::certificate, kMaxCertificateBytes),
            field("log", &RegisterReply::log));
    }
    bool operator==(const RegisterReply&) const = default;
};

struct GetCertRequest {
    static constexpr std::string_view kType = "GET_CERT";
    static constexpr std::string_view kService = kCaService;
    static constexpr Sender kSentBy = Sender::registered_user;
    std::string username;
    std::uint64_t log_size_seen = 0;  // the size of the newest log tree head the client holds
    static constexpr auto fields() {
        return std::make_tuple(field("username", &GetCertRequest::username),
                               optional_field("log_size_seen", &GetCertRequest::log_size_seen));
    }
    bool operator==(const GetCertRequest&) const = default;
};

// The user's current certificate and where it stands, signed by the CA for this answer
// (common/standing.h): a relay can neither flip `revoked` nor pass an old answer off as new.
struct GetCertReply {
    static constexpr std::string_view kType = kOkType;
    Bytes certificate;
    Bytes standing;
    LogProof log{};  // where the certificate stands in the certificate log
    static constexpr auto fields() {
        return std::make_tuple(
            field("certificate", &GetCertReply::certificate, kMaxCertificateBytes),
            field("standing", &GetCertReply::standing, kMaxStandingBytes),
            field("log", &GetCertReply::log));
    }
    bool operator==(const GetCertReply&) const = default;
};

// A certificate with the same keys and a new validity. Only for the sender's own name.
struct RenewRequest {
    static constexpr std::string_view kType = "RENEW";
    static constexpr std::string_view kService = kCaService;
    static constexpr Sender kSentBy = Sender::registered_user;
    std::string username;           // must be the authenticated sender
    std::uint64_t serial = 0;       // the serial of the certificate being renewed
    std::int64_t requested_at = 0;  // the client's clock, Unix seconds
    Bytes proof;                    // Ed25519 by the certified sign_pk (common/renewal.h)
    std::uint64_t log_size_seen = 0;  // the size of the newest log tree head the client holds
    static constexpr auto fields() {
        using M = RenewRequest;
        return std::make_tuple(field("username", &M::username), field("serial", &M::serial),
                               field("requested_at", &M::requested_at), field("proof", &M::proof),
                               optional_field("log_size_seen", &M::log_size_seen));
    }
    bool operator==(const RenewRequest&) const = default;
};

struct RenewReply {
    static constexpr std::string_view kType = kOkType;
    Bytes certificate;  // the new certificate, now the user's current one
    LogProof log{};     // ... and where it stands in the certificate log
    static constexpr auto fields() {
        return std::make_tuple(
            field("certificate", &RenewReply::certificate, kMaxCertificateBytes),
            field("log", &RenewReply::log));
    }
    bool operator==(const RenewReply&) const = default;
};

// The certificate log's newest signed tree head.
struct LogHeadRequest {
    static constexpr std::string_view kType = "LOG_HEAD";
    static constexpr std::string_view kService = kCaService;
    static constexpr Sender kSentBy = Sender::registered_user;
    static constexpr auto fields() { return std::tuple<>(); }
    bool operator==(const LogHeadRequest&) const = default;
};

struct LogHeadReply {
    static constexpr std::string_view kType = kOkType;
    Bytes tree_head;
    std::vector<Bytes> cosignatures{};  // the witnesses' of that head
    static constexpr auto fields() {
        return std::make_tuple(
            field("tree_head", &LogHeadReply::tree_head, transparency::kMaxTreeHeadBytes),
            optional_field("cosignatures", &LogHeadReply::cosignatures,
                           transparency::kMaxCosignatures));
    }
    bool operator==(const LogHeadReply&) const = default;
};

// The newest signed tree head and the proof that it extends the tree of `first` entries
// (RFC 9162 §2.1.4); BAD_REQUEST if `first` is larger than the log.
struct LogConsistencyRequest {
    static constexpr std::string_view kType = "LOG_CONSISTENCY";
    static constexpr std::string_view kService = kCaService;
    static constexpr Sender kSentBy = Sender::registered_user;
    std::uint64_t first = 0;
    static constexpr auto fields() {
        return std::make_tuple(field("first", &LogConsistencyRequest::first));
    }
    bool operator==(const LogConsistencyRequest&) const = default;
};

struct LogConsistencyReply {
    static constexpr std::string_view kType = kOkType;
    Bytes tree_head;
    std::vector<Bytes> consistency;
    std::vector<Bytes> cosignatures{};  // the witnesses' of that head
    static constexpr auto fields() {
        return std::make_tuple(
            field("tree_head", &LogConsistencyReply::tree_head, transparency::kMaxTreeHeadBytes),
            field("consistency", &LogConsistencyReply::consistency, kMaxLogProofHashes),
            optional_field("cosignatures", &LogConsistencyReply::cosignatures,
                           transparency::kMaxCosignatures));
    }
    bool operator==(const LogConsistencyReply&) const = default;
};

// Where certificate `serial` of `username` stands in the log: the proof GET_CERT gives for a
// current certificate, for any certificate the CA issued (a renewed owner's older one, which
// a DOWNLOAD names). NOT_FOUND when the log holds no such certificate.
struct LogProofRequest {
    static constexpr std::string_view kType = "LOG_PROOF";
    static constexpr std::string_view kService = kCaService;
    static constexpr Sender kSentBy = Sender::registered_user;
    std::string username;
    std::uint64_t serial = 0;
    std::uint64_t log_size_seen = 0;
    static constexpr auto fields() {
        using M = LogProofRequest;
        return std::make_tuple(field("username", &M::username),
                               field("serial", &M::serial),
                               optional_field("log_size_seen", &M::log_size_seen));
    }
    bool operator==(const LogProofRequest&) const = default;
};

struct LogProofReply {
    static constexpr std::string_view kType = kOkType;
    LogProof log;
    static constexpr auto fields() { return std::make_tuple(field("log", &LogProofReply::log)); }
    bool operator==(const LogProofReply&) const = default;
};

// Entries `start` .. start + count - 1 of the log (common/transparency/log_entry.h), at most
// kMaxLogEntriesPerReply and fewer at its end; BAD_REQUEST for a start past the end.
struct LogEntriesRequest {
    static constexpr std::string_view kType = "LOG_ENTRIES";
    static constexpr std::string_view kService = kCaService;
    static constexpr Sender kSentBy = Sender::registered_user;
    std::uint64_t start = 0;
    std::uint64_t count = 0;
    static constexpr auto fields() {
        return std::make_tuple(field("start", &LogEntriesRequest::start),
                               field("count", &LogEntriesRequest::count));
    }
    bool operator==(const LogEntriesRequest&) const = default;
};

struct LogEntriesReply {
    static constexpr std::string_view kType = kOkType;
    std::vector<Bytes> entries;
    static constexpr auto fields() {
        return std::make_tuple(
            field("entries", &LogEntriesReply::entries, kMaxLogEntriesPerReply));
    }
    bool operator==(const LogEntriesReply&) const = default;
};

// ---- Internal: broker -> CA service -----------------------------------------

struct LookupCurveKeyRequest {
    static constexpr std::string_view kType = "LOOKUP_CURVE_KEY";
    static constexpr std::string_view kService = kCaService;
    static constexpr Sender kSentBy = Sender::broker;
    Bytes curve_pk;
    static constexpr auto fields() {
        return std::make_tuple(field("curve_pk", &LookupCurveKeyRequest::curve_pk));
    }
    bool operator==(const LookupCurveKeyRequest&) const = default;
};

struct LookupCurveKeyReply {
    static constexpr std::string_view kType = kOkType;
    std::string username;
    bool revoked = false;
    std::int64_t not_after = 0;  // of the user's current certificate: the broker refuses after it
    static constexpr auto fields() {
        return std::make_tuple(field("username", &LookupCurveKeyReply::username),
                               field("revoked", &LookupCurveKeyReply::revoked),
                               field("not_after", &LookupCurveKeyReply::not_after));
    }
    bool operator==(const LookupCurveKeyReply&) const = default;
};

struct RewrapRequest {
    static constexpr std::string_view kType = "REWRAP";
    static constexpr std::string_view kService = kCaService;
    static constexpr Sender kSentBy = Sender::broker;
    Bytes wrapped_key;      // sealed to the server's wrap key
    std::string requester;  // re-seal to this user's certified box_pk
    static constexpr auto fields() {
        return std::make_tuple(field("wrapped_key", &RewrapRequest::wrapped_key),
                               field("requester", &RewrapRequest::requester));
    }
    bool operator==(const RewrapRequest&) const = default;
};

struct RewrapReply {
    static constexpr std::string_view kType = kOkType;
    Bytes wrapped_key;
    static constexpr auto fields() {
        return std::make_tuple(field("wrapped_key", &RewrapReply::wrapped_key));
    }
    bool operator==(const RewrapReply&) const = default;
};

}  // namespace imgshare
