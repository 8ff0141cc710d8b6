#include "client/certificate_state.h"

namespace imgshare::client {

std::string_view to_string(CertificateState state) {
    switch (state) {
        case CertificateState::Revoked:
            return "revoked";
        case CertificateState::Expired:
            return "expired";
        case CertificateState::NotYetValid:
            return "not_yet_valid";
        case CertificateState::Valid:
            break;
    }
    return "valid";
}

CertificateState state_of(const Certificate& certificate, bool revoked, std::int64_t now_seconds) {
    if (revoked) return CertificateState::Revoked;
    if (now_seconds >= certificate.not_after) return CertificateState::Expired;
    if (now_seconds < certificate.not_before) return CertificateState::NotYetValid;
    return CertificateState::Valid;
}

Result<void> verify_certificate_ignoring_time(const Certificate& certificate,
                                              ByteView ca_verify_key) {
    // At its own not_before the window cannot fail (unless it is empty, which is worth a
    // failure), so every other check is verify_certificate's own.
    return verify_certificate(certificate, ca_verify_key, certificate.not_before);
}

}  // namespace imgshare::client
