#include "client/commands/certificate_output.h"

#include <fmt/format.h>

#include "client/output.h"
#include "common/crypto/keys.h"

namespace imgshare::client {

void print_certificate(std::ostream& out, const Certificate& certificate, bool json,
                       std::optional<bool> revoked) {
    // Every field has been verified (CA signature, name rule, key checks): safe to print.
    if (json) {
        nlohmann::json value{{"username", certificate.username},
                             {"serial", certificate.serial},
                             {"valid_from", format_utc(certificate.not_before)},
                             {"valid_until", format_utc(certificate.not_after)},
                             {"issuer", printable(certificate.issuer)},
                             {"sign_pk", to_hex(certificate.sign_pk)},
                             {"box_pk", to_hex(certificate.box_pk)},
                             {"curve_pk", z85_encode(certificate.curve_pk)}};
        if (revoked) value["revoked"] = *revoked;
        print_json_line(out, value);
        return;
    }
    print_line(out, "username: " + certificate.username);
    print_line(out, fmt::format("serial: {}", certificate.serial));
    print_line(out, "valid_from: " + format_utc(certificate.not_before));
    print_line(out, "valid_until: " + format_utc(certificate.not_after));
    print_line(out, "issuer: " + printable(certificate.issuer));
    print_line(out, "sign_pk: " + to_hex(certificate.sign_pk));
    print_line(out, "box_pk: " + to_hex(certificate.box_pk));
    print_line(out, "curve_pk: " + z85_encode(certificate.curve_pk));
    if (revoked) print_line(out, std::string("revoked: ") + (*revoked ? "yes" : "no"));
}

}  // namespace imgshare::client
