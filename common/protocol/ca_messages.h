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

namespace imgshare {

// ---- CA service -------------------------------------------------------------

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
    static constexpr auto fields() {
        using M = RegisterRequest;
        return std::make_tuple(field("username", &M::username), field("sign_pk", &M::sign_pk),
                               field("box_pk", &M::box_pk), field("curve_pk", &M::curve_pk),
                               field("proof", &M::proof),
                               optional_field("invite", &M::invite, 512));
    }
    bool operator==(const RegisterRequest&) const = default;
};

struct RegisterReply {
    static constexpr std::string_view kType = kOkType;
    Bytes certificate;  // the encoded, CA-signed certificate
    static constexpr auto fields() {
        return std::make_tuple(
            field("certificate", &RegisterReply::certificate, kMaxCertificateBytes));
    }
    bool operator==(const RegisterReply&) const = default;
};

struct GetCertRequest {
    static constexpr std::string_view kType = "GET_CERT";
    static constexpr std::string_view kService = kCaService;
    static constexpr Sender kSentBy = Sender::registered_user;
    std::string username;
    static constexpr auto fields() {
        return std::make_tuple(field("username", &GetCertRequest::username));
    }
    bool operator==(const GetCertRequest&) const = default;
};

// The user's current certificate and where it stands, signed by the CA for this answer
// (common/standing.h): a relay can neither flip `revoked` nor pass an old answer off as new.
struct GetCertReply {
    static constexpr std::string_view kType = kOkType;
    Bytes certificate;
    Bytes standing;
    static constexpr auto fields() {
        return std::make_tuple(
            field("certificate", &GetCertReply::certificate, kMaxCertificateBytes),
            field("standing", &GetCertReply::standing, kMaxStandingBytes));
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
    static constexpr auto fields() {
        using M = RenewRequest;
        return std::make_tuple(field("username", &M::username), field("serial", &M::serial),
                               field("requested_at", &M::requested_at), field("proof", &M::proof));
    }
    bool operator==(const RenewRequest&) const = default;
};

struct RenewReply {
    static constexpr std::string_view kType = kOkType;
    Bytes certificate;  // the new certificate, now the user's current one
    static constexpr auto fields() {
        return std::make_tuple(
            field("certificate", &RenewReply::certificate, kMaxCertificateBytes));
    }
    bool operator==(const RenewReply&) const = default;
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
