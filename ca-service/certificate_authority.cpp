#include "ca-service/certificate_authority.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <utility>

#include "ca-service/request_checks.h"
#include "common/certificate.h"
#include "common/crypto/keys.h"
#include "common/crypto/sealed_box.h"
#include "common/invitation.h"
#include "common/registration.h"
#include "common/renewal.h"
#include "common/standing.h"
#include "common/wrap_key.h"

namespace imgshare::ca {
namespace {

constexpr std::size_t kContentKeySize = 32;

// The CURVE key of the connection a REGISTER arrived on: only an unregistered client has
// one to register.
Result<Bytes> anonymous_connection_key(const RequestContext& context) {
    if (const auto* anonymous = context.peer.get_if<AnonymousPeer>()) return anonymous->curve_key;
    if (const auto* user = context.peer.username()) {
        return fail(ErrorCode::BAD_REQUEST, "already registered as " + *user);
    }
    return fail(ErrorCode::FORBIDDEN, "REGISTER must come from an unregistered client");
}

bool same_keys(const Certificate& certificate, const RegisterRequest& request) {
    return certificate.sign_pk == request.sign_pk && certificate.box_pk == request.box_pk &&
           certificate.curve_pk == request.curve_pk;
}

}  // namespace

CertificateAuthority::CertificateAuthority(const CaKeys& keys, Registry& registry,
                                           const Clock& clock, std::int64_t validity_seconds,
                                           Registration registration)
    : keys_(keys),
      certificates_(keys.signing.public_key),
      registry_(registry),
      clock_(clock),
      validity_seconds_(validity_seconds),
      registration_(registration),
      checkpoints_(registry, keys.log, clock) {}

Result<CaInfoReply> CertificateAuthority::ca_info(const CaInfoRequest&,
                                                  const RequestContext&) const {
    // Signed, so a broker relaying the reply cannot hand out a wrap key of its own.
    return CaInfoReply{keys_.signing.public_key, keys_.wrap.public_key,
                       sign_wrap_key(keys_.wrap.public_key, keys_.signing.secret_key)};
}

Result<RegisterReply> CertificateAuthority::register_user(const RegisterRequest& request,
                                                          const RequestContext& context) {
    // A retry of a registration that succeeded, on a new connection: the broker knows its key
    // as the user's now. Answered as the retry below, if the keys are the stored ones.
    const auto* user = context.peer.username();
    const bool retry_as_user = user != nullptr && *user == request.username;
    if (!retry_as_user) {
        auto connection_key = anonymous_connection_key(context);
        if (!connection_key) return std::unexpected(std::move(connection_key.error()));
        if (request.curve_pk != *connection_key) {
            return fail(ErrorCode::FORBIDDEN, "curve_pk is not the key this connection uses");
        }
    }
    if (auto valid = check_registration(request.username, request.sign_pk, request.box_pk,
                                        request.curve_pk, request.proof);
        !valid) {
        return std::unexpected(std::move(valid.error()));
    }

    // Keys of a released name's retired certificate stay revoked, whatever name they ask for.
    for (ByteView key :
         {ByteView(request.sign_pk), ByteView(request.box_pk), ByteView(request.curve_pk)}) {
        auto retired = registry_.retired_holder_of(key);
        if (!retired) return std::unexpected(std::move(retired.error()));
        if (*retired) {
            return fail(ErrorCode::REVOKED, "these keys were revoked (a certificate of " +
                                                **retired + "): register with new keys");
        }
    }

    auto existing = registry_.certificate_of(request.username);
    if (!existing) return std::unexpected(std::move(existing.error()));
    if (retry_as_user && !*existing) {
        return fail(ErrorCode::BAD_REQUEST, "already registered as " + *user);
    }
    if (*existing) {
        auto stored = decode_stored(**existing, request.username);
        if (!stored) return std::unexpected(std::move(stored.error()));
        if (retry_as_user && !same_keys(*stored, request)) {
            return fail(ErrorCode::BAD_REQUEST, "already registered as " + *user);
        }
        if (!same_keys(*stored, request)) {
            return fail(ErrorCode::NAME_TAKEN, "the username " + request.username + " is taken");
        }
        // A retry of a REGISTER that succeeded: the same answer, nothing changed.
        auto revoked = registry_.is_revoked(request.username);
        if (!revoked) return std::unexpected(std::move(revoked.error()));
        if (*revoked) {
            return fail(ErrorCode::REVOKED,
                        "the certificate of " + request.username + " is revoked");
        }
        auto logged = log_proof(request.username, stored->serial, request.log_size_seen);
        if (!logged) return std::unexpected(std::move(logged.error()));
        return RegisterReply{std::move(**existing), std::move(*logged)};
    }

    auto holder = registry_.user_of_curve_key(request.curve_pk);
    if (!holder) return std::unexpected(std::move(holder.error()));
    if (*holder) return fail(ErrorCode::BAD_REQUEST, "this key is already registered");

    // After the retry above: a registration that succeeded is answered again, although its
    // invitation is used now.
    Bytes invitation_nonce;
    if (registration_ == Registration::Invite) {
        auto admitted = admitted_invitation(request);
        if (!admitted) return std::unexpected(std::move(admitted.error()));
        invitation_nonce = std::move(*admitted);
    }
    auto certificate = issue(request, invitation_nonce);
    if (!certificate) return std::unexpected(std::move(certificate.error()));
    auto issued = decode_certificate(*certificate);
    if (!issued) return std::unexpected(std::move(issued.error()));
    auto logged = log_proof(request.username, issued->serial, request.log_size_seen);
    if (!logged) return std::unexpected(std::move(logged.error()));
    return RegisterReply{std::move(*certificate), std::move(*logged)};
}

Result<Bytes> CertificateAuthority::admitted_invitation(const RegisterRequest& request) const {
    if (request.invite.empty()) {
        return fail(ErrorCode::FORBIDDEN,
                    "this CA registers by invitation only: ask its operator for one, then run "
                    "'imgshare register NAME --invite TOKEN'");
    }
    auto invitation = decode_invitation(request.invite);
    if (!invitation) return std::unexpected(std::move(invitation.error()));
    if (auto valid = check_invitation(*invitation, keys_.signing.public_key, request.username,
                                      clock_.now_seconds());
        !valid) {
        return std::unexpected(std::move(valid.error()));
    }
    return std::move(invitation->nonce);
}

Result<Certificate> CertificateAuthority::next_certificate(const Certificate& subject,
                                                           std::int64_t validity_seconds) const {
    auto serial = registry_.next_serial();
    if (!serial) return std::unexpected(std::move(serial.error()));
    auto now = clock_.now_seconds();
    Certificate fields;
    fields.serial = *serial;
    fields.username = subject.username;
    fields.sign_pk = subject.sign_pk;
    fields.box_pk = subject.box_pk;
    fields.curve_pk = subject.curve_pk;
    fields.not_before = now - kClockSkewSeconds;
    fields.not_after = now + validity_seconds;
    fields.issuer = std::string(kIssuer);
    auto certificate = issue_certificate(std::move(fields), keys_.signing.secret_key);
    if (encode_certificate(certificate).size() > kMaxCertificateBytes) {
        return fail(ErrorCode::INTERNAL, "the certificate is larger than the protocol allows");
    }
    return certificate;
}

Result<Bytes> CertificateAuthority::issue(const RegisterRequest& request,
                                          ByteView invitation_nonce) {
    Certificate subject;
    subject.username = request.username;
    subject.sign_pk = request.sign_pk;
    subject.box_pk = request.box_pk;
    subject.curve_pk = request.curve_pk;
    auto certificate = next_certificate(subject, validity_seconds_);
    if (!certificate) return std::unexpected(std::move(certificate.error()));
    const auto serial = certificate->serial;
    auto encoded = encode_certificate(*certificate);
    if (auto stored = registry_.add_user(request.username, request.curve_pk, serial, encoded,
                                         invitation_nonce);
        !stored) {
        spdlog::warn("could not store the certificate of {}: {}", request.username,
                     describe(stored.error()));
        return std::unexpected(std::move(stored.error()));
    }
    spdlog::info("issued certificate #{} to {}", serial, request.username);
    return encoded;
}

Result<GetCertReply> CertificateAuthority::get_cert(const GetCertRequest& request,
                                                    const RequestContext& context) const {
    if (auto allowed = require_registered(context, GetCertRequest::kType, true); !allowed) {
        return std::unexpected(std::move(allowed.error()));
    }
    if (auto valid = check_username(request.username); !valid) {
        return std::unexpected(std::move(valid.error()));
    }
    auto certificate = registry_.certificate_of(request.username);
    if (!certificate) return std::unexpected(std::move(certificate.error()));
    if (!*certificate) return fail(ErrorCode::NOT_FOUND, "no user named " + request.username);
    auto current = decode_stored(**certificate, request.username);
    if (!current) return std::unexpected(std::move(current.error()));
    auto revoked = registry_.is_revoked(request.username);
    if (!revoked) return std::unexpected(std::move(revoked.error()));
    auto logged = log_proof(request.username, current->serial, request.log_size_seen);
    if (!logged) return std::unexpected(std::move(logged.error()));
    return GetCertReply{std::move(**certificate),
                        make_standing(request.username, current->serial, *revoked,
                                      clock_.now_seconds(), keys_.signing.secret_key),
                        std::move(*logged)};
}

Result<LookupCurveKeyReply> CertificateAuthority::lookup_curve_key(
    const LookupCurveKeyRequest& request, const RequestContext& context) const {
    if (auto allowed = require_broker(context, LookupCurveKeyRequest::kType); !allowed) {
        return std::unexpected(std::move(allowed.error()));
    }
    if (request.curve_pk.size() != kPublicKeySize) {
        return fail(ErrorCode::BAD_REQUEST, "curve_pk must be 32 bytes");
    }
    auto username = registry_.user_of_curve_key(request.curve_pk);
    if (!username) return std::unexpected(std::move(username.error()));
    if (!*username) {
        // A released name's retired key: refused for good, but the name may be someone's now,
        // so the answer names no user for the broker to refuse.
        auto retired = registry_.retired_holder_of(request.curve_pk);
        if (!retired) return std::unexpected(std::move(retired.error()));
        if (*retired) return fail(ErrorCode::REVOKED, "this key was revoked");
        return fail(ErrorCode::NOT_FOUND, "no user holds this key");
    }
    auto revoked = registry_.is_revoked(**username);
    if (!revoked) return std::unexpected(std::move(revoked.error()));
    auto encoded = registry_.certificate_of(**username);
    if (!encoded) return std::unexpected(std::move(encoded.error()));
    if (!*encoded) return fail(ErrorCode::INTERNAL, "the CA's registry is damaged");
    auto certificate = decode_stored(**encoded, **username);
    if (!certificate) return std::unexpected(std::move(certificate.error()));
    return LookupCurveKeyReply{std::move(**username), *revoked, certificate->not_after};
}

Result<RewrapReply> CertificateAuthority::rewrap(const RewrapRequest& request,
                                                 const RequestContext& context) const {
    if (auto allowed = require_broker(context, RewrapRequest::kType); !allowed) {
        return std::unexpected(std::move(allowed.error()));
    }
    if (auto valid = check_username(request.requester); !valid) {
        return std::unexpected(std::move(valid.error()));
    }
    // The box key is only as good as the CA's still-valid statement about it.
    auto certificate = current_certificate(request.requester);
    if (!certificate) return std::unexpected(std::move(certificate.error()));

    auto content_key = unseal(request.wrapped_key, keys_.wrap);
    if (!content_key) {
        return fail(ErrorCode::INTEGRITY, "the key is not sealed to this server");
    }
    if (content_key->size() != kContentKeySize) {
        return fail(ErrorCode::INTEGRITY, "the sealed key is not a 32-byte content key");
    }
    return RewrapReply{seal(content_key->view(), certificate->box_pk)};
}

Result<Certificate> CertificateAuthority::current_certificate(const std::string& username) const {
    auto encoded = registry_.certificate_of(username);
    if (!encoded) return std::unexpected(std::move(encoded.error()));
    if (!*encoded) return fail(ErrorCode::NOT_REGISTERED, username + " has no certificate");
    auto revoked = registry_.is_revoked(username);
    if (!revoked) return std::unexpected(std::move(revoked.error()));
    if (*revoked) return fail(ErrorCode::REVOKED, "the certificate of " + username + " is revoked");
    auto certificate = decode_stored(**encoded, username);
    if (!certificate) return std::unexpected(std::move(certificate.error()));
    if (auto valid = certificates_.verify(*certificate, clock_.now_seconds()); !valid) {
        return fail(valid.error().code,
                    "the certificate of " + username + ": " + valid.error().message);
    }
    return certificate;
}

void install_handlers(service::ServiceWorker& worker, CertificateAuthority& ca) {
    using service::route;
    route<CaInfoRequest>(worker, ca, &CertificateAuthority::ca_info);
    route<RegisterRequest>(worker, ca, &CertificateAuthority::register_user);
    route<GetCertRequest>(worker, ca, &CertificateAuthority::get_cert);
    route<RenewRequest>(worker, ca, &CertificateAuthority::renew);
    route<LookupCurveKeyRequest>(worker, ca, &CertificateAuthority::lookup_curve_key);
    route<RewrapRequest>(worker, ca, &CertificateAuthority::rewrap);
    route<LogHeadRequest>(worker, ca, &CertificateAuthority::log_head);
    route<LogConsistencyRequest>(worker, ca, &CertificateAuthority::log_consistency);
    route<LogEntriesRequest>(worker, ca, &CertificateAuthority::log_entries);
    route<LogProofRequest>(worker, ca, &CertificateAuthority::log_proof_of);
}

}  // namespace imgshare::ca
