// The CA service's handlers: one method per message, each taking the decoded
// request and who sent it (as the broker stamped it) and returning the reply
// or an Error. install_handlers() is the one table from message type to method.
//
// Who may ask what (RequestContext::peer, a PeerIdentity), and the refusal of anyone else:
//   CA_INFO            anyone
//   REGISTER           an AnonymousPeer only, and only for the CURVE key of its own
//                      connection; a UserPeer gets BAD_REQUEST ("already registered"),
//                      any other peer FORBIDDEN; under Registration::Invite only with a
//                      valid, unused invitation for that name (BAD_REQUEST malformed,
//                      BAD_SIGNATURE forged, EXPIRED, FORBIDDEN missing, used or for
//                      another name)
//   GET_CERT           a UserPeer or the BrokerPeer; an AnonymousPeer gets NOT_REGISTERED,
//                      any other peer FORBIDDEN
//   RENEW              a UserPeer, for their own name only; an AnonymousPeer gets
//                      NOT_REGISTERED, any other peer (the broker too) FORBIDDEN
//   LOOKUP_CURVE_KEY,
//   REWRAP             the BrokerPeer only; anyone else gets FORBIDDEN
//   LOG_HEAD,
//   LOG_CONSISTENCY,
//   LOG_ENTRIES        a UserPeer or the BrokerPeer, as GET_CERT (ca-service/log_requests.cpp)
//
// Promises: a certificate is issued only for a free name, a curve key bound to
// no one, keys that pass check_public_key and a valid proof of possession; it
// is on disk before it is returned. GET_CERT's answer carries the user's standing for
// that certificate, signed now with the CA's key (common/standing.h). A REGISTER repeated with
// exactly the same name and keys returns the stored certificate unchanged and changes nothing.
// Every certificate REGISTER, GET_CERT and RENEW answer with comes with its place in the
// certificate log (LogProof): entry index, a tree head signed now with the log's key, the
// inclusion proof, and the consistency proof from the size the client said it had seen;
// the entry was written with the certificate (registry.h).
// REWRAP re-seals only 32-byte keys sealed to the server's wrap key, only to
// the box key of the requester's valid, unrevoked certificate; the unsealed
// key is wiped before the method returns and never appears in an error.
// RENEW issues a certificate for exactly the keys of the sender's current one,
// only while that one is valid and unrevoked and only for a fresh proof of
// possession over it (common/renewal.h); the new certificate is on disk as the
// user's current one before it is returned. A RENEW repeated with the same
// proof returns the certificate it issued and changes nothing.
// The keys of a released name's retired certificates (ca-service/release.h)
// stay revoked: REGISTER with any of them, LOOKUP_CURVE_KEY of its CURVE key and
// RENEW naming its serial are answered REVOKED.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "ca-service/ca_keys.h"
#include "ca-service/checkpoints.h"
#include "ca-service/registry.h"
#include "common/certificate.h"
#include "common/clock.h"
#include "common/error.h"
#include "common/protocol/messages.h"
#include "common/service/service_worker.h"

namespace imgshare::ca {

using service::RequestContext;

constexpr std::int64_t kDefaultValiditySeconds = 365 * 86'400;
constexpr std::string_view kIssuer = "imgshare-ca";
// not_before is set this far in the past so a peer whose clock is slightly behind does
// not see a brand-new certificate as NOT_YET_VALID.
constexpr std::int64_t kClockSkewSeconds = 60;

// Who may register: anyone with the trust file (Open), or only whoever holds an unused,
// unexpired invitation signed by this CA's key for that name (Invite, common/invitation.h;
// each works once, recorded with the registration in one write).
enum class Registration { Open, Invite };

// What the operator's reissue made: the new certificate and the serial of the one it replaced.
struct ReissuedCertificate {
    Certificate certificate;
    std::uint64_t replaced_serial = 0;
};

class CertificateAuthority {
  public:
    // `keys`, `registry` and `clock` must outlive the CertificateAuthority.
    // Certificates it issues (at REGISTER and RENEW) are valid for `validity_seconds`.
    CertificateAuthority(const CaKeys& keys, Registry& registry, const Clock& clock,
                         std::int64_t validity_seconds = kDefaultValiditySeconds,
                         Registration registration = Registration::Open);

    [[nodiscard]] Result<CaInfoReply> ca_info(const CaInfoRequest& request,
                                              const RequestContext& context) const;
    [[nodiscard]] Result<RegisterReply> register_user(const RegisterRequest& request,
                                                      const RequestContext& context);
    [[nodiscard]] Result<GetCertReply> get_cert(const GetCertRequest& request,
                                                const RequestContext& context) const;
    [[nodiscard]] Result<RenewReply> renew(const RenewRequest& request,
                                           const RequestContext& context);
    [[nodiscard]] Result<LookupCurveKeyReply> lookup_curve_key(const LookupCurveKeyRequest& request,
                                                               const RequestContext& context) const;
    [[nodiscard]] Result<RewrapReply> rewrap(const RewrapRequest& request,
                                             const RequestContext& context) const;
    [[nodiscard]] Result<LogHeadReply> log_head(const LogHeadRequest& request,
                                                const RequestContext& context) const;
    [[nodiscard]] Result<LogConsistencyReply> log_consistency(const LogConsistencyRequest& request,
                                                              const RequestContext& context) const;
    [[nodiscard]] Result<LogEntriesReply> log_entries(const LogEntriesRequest& request,
                                                      const RequestContext& context) const;
    [[nodiscard]] Result<LogProofReply> log_proof_of(const LogProofRequest& request,
                                                     const RequestContext& context) const;

    // The operator's reissue (`imgshare-ca reissue`, ca-service/reissue.h), not a request: a
    // certificate for exactly the keys of `username`'s current one, with the next serial and
    // now - skew ... now + `validity_seconds` (the CA's own validity when absent), on disk in
    // its place before it is returned. Only once the current one has ended: BAD_REQUEST
    // "certificate of NAME is still valid; the user runs `imgshare renew`" before that,
    // REVOKED for a revoked user, NOT_FOUND for an unknown one, BAD_REQUEST for a name the
    // username rule refuses, BAD_SIGNATURE (or the like) for a stored certificate this CA's
    // key does not verify; IO_ERROR when it cannot be stored.
    [[nodiscard]] Result<ReissuedCertificate> reissue(
        const std::string& username, std::optional<std::int64_t> validity_seconds = std::nullopt);

    // The log's checkpoints, which every proof is made against: main() adds the witnesses
    // and ticks it.
    [[nodiscard]] Checkpoints& checkpoints() { return checkpoints_; }

  private:
    // Certificate `serial` of `username` in the log: its entry, the newest checkpoint (made
    // now if the last one does not hold it) with its cosignatures, the inclusion proof, and
    // the consistency proof from `size_seen` (none when it is 0, the checkpoint's size, or
    // larger: the client then finds the log smaller than it saw).
    [[nodiscard]] Result<LogProof> log_proof(std::string_view username, std::uint64_t serial,
                                             std::uint64_t size_seen) const;
    // A signed certificate with the next serial for the name and keys of `subject` (whose
    // other fields are ignored), valid from now - kClockSkewSeconds to now +
    // `validity_seconds`; INTERNAL if it would not fit the protocol.
    [[nodiscard]] Result<Certificate> next_certificate(const Certificate& subject,
                                                       std::int64_t validity_seconds) const;
    // The certificate for `request`, stored with `invitation_nonce` marked used (if any).
    [[nodiscard]] Result<Bytes> issue(const RegisterRequest& request, ByteView invitation_nonce);
    // Registration::Invite: the nonce of the request's valid invitation, or why not.
    [[nodiscard]] Result<Bytes> admitted_invitation(const RegisterRequest& request) const;
    // The stored certificate of a registered user who may still use it: NOT_REGISTERED,
    // REVOKED, or the verification's error (EXPIRED...).
    [[nodiscard]] Result<Certificate> current_certificate(const std::string& username) const;

    const CaKeys& keys_;
    // Certificates read back from the registry, against keys_.signing.public_key: the
    // escrow DOWNLOAD's rewrap checks the requester's every time.
    mutable CertificateVerifier certificates_;
    Registry& registry_;
    const Clock& clock_;
    std::int64_t validity_seconds_;
    Registration registration_;
    // Proving is part of answering, which the const handlers do too.
    mutable Checkpoints checkpoints_;
};

// Routes CA_INFO, REGISTER, GET_CERT, RENEW, LOOKUP_CURVE_KEY and REWRAP to `ca`, which
// must outlive `worker`: the CA's whole handler table (common/protocol/routes.h lists
// what it must hold).
void install_handlers(service::ServiceWorker& worker, CertificateAuthority& ca);

}  // namespace imgshare::ca
