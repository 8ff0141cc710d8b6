// Registering a user's keys with the CA, as `imgshare register` and the load
// generator's users do: REGISTER with the proof of possession over a
// connection authenticated by the keys being registered, and the CA's answer
// held to what was asked before anyone stores it.
//
// Promises: a certificate is returned only if the pinned CA signed it, it is
// valid now, and it carries exactly the name and the three public keys sent, and then only
// if it is in the certificate log as the connection's CertificateLog checks it (NOT_LOGGED,
// LOG_INCONSISTENT; client/certificate_log.h).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "client/broker_connection.h"
#include "common/bytes.h"
#include "common/certificate.h"
#include "common/error.h"
#include "common/keys_file.h"
#include "common/protocol/messages.h"
#include "common/trust_file.h"

namespace imgshare::client {

// A new connection to the broker authenticated by the keys being registered.
using ConnectAsRegistering = std::function<std::unique_ptr<BrokerConnection>()>;

class CertificateLog;

// `certificate` (the user's own, just issued) accepted by `log` as `proof` places it, for a
// request that carried `size_sent`; when another command or thread kept a newer head
// meanwhile, proved again by GET_CERT of `username` (the same certificate, else
// BAD_SIGNATURE), a few times. CertificateLog::accept's errors.
[[nodiscard]] Result<void> accept_own_logged(
    const std::function<std::unique_ptr<BrokerConnection>()>& connect, const std::string& username,
    ByteView certificate, LogProof proof, std::uint64_t size_sent, CertificateLog& log);

// Whether the keys were registered before, by an attempt that did not finish.
enum class RegistrationAttempt { First, Resumed };

// Whether `certificate` names exactly `username` and these three public keys.
[[nodiscard]] bool certifies(const Certificate& certificate, std::string_view username,
                             const UserKeys& keys);

// The CA's answer, decoded and held to what was asked: the pinned CA's signature, valid at
// `now`, exactly this name and these keys. The decoder's or verifier's error, else
// BAD_SIGNATURE for a certificate of other keys or another name.
[[nodiscard]] Result<Certificate> accept_certificate(ByteView encoded, std::string_view username,
                                                     const UserKeys& keys,
                                                     const TrustAnchors& trust, std::int64_t now);

// REGISTER `username` with `keys` (the CA checks that curve_pk is the connection's key), and
// accept_certificate() on the answer. A resumed registration that finds the name taken may
// have been taken by its own interrupted attempt: the key is then registered, so a new
// connection may ask GET_CERT, and that certificate counts if it names this CURVE key.
// Otherwise the CA's error (NAME_TAKEN, …) or the connection's. `invite` is the invitation
// token a CA run with --registration invite asks for (common/invitation.h); empty: none.
[[nodiscard]] Result<Certificate> register_keys(const ConnectAsRegistering& connect,
                                                const std::string& username, const UserKeys& keys,
                                                RegistrationAttempt attempt,
                                                const TrustAnchors& trust,
                                                std::string_view invite = {});

}  // namespace imgshare::client
