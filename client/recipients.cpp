#include "client/recipients.h"

#include <algorithm>

#include <fmt/format.h>

#include "client/output.h"
#include "client/user_standing.h"
#include "common/crypto/sealed_box.h"
#include "common/protocol/limits.h"
#include "common/registration.h"

namespace imgshare::client {
namespace {

void sort_unique(std::vector<std::string>& names) {
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
}

}  // namespace

Result<std::vector<std::string>> parse_recipient_list(std::string_view text) {
    std::vector<std::string> names;
    std::size_t start = 0;
    while (true) {
        auto comma = text.find(',', start);
        auto name = text.substr(start, comma == std::string_view::npos ? comma : comma - start);
        if (name.empty()) {
            return fail(ErrorCode::BAD_REQUEST,
                        "a recipient list is user names separated by commas, e.g. bob,carol");
        }
        if (auto ok = check_username(name); !ok) {
            return fail(ErrorCode::BAD_REQUEST,
                        fmt::format("recipient '{}': {}", printable(name), ok.error().message));
        }
        names.emplace_back(name);
        if (comma == std::string_view::npos) break;
        start = comma + 1;
    }
    sort_unique(names);
    if (names.size() > kMaxRecipients) {
        return fail(ErrorCode::BAD_REQUEST,
                    fmt::format("an image has at most {} readers", kMaxRecipients));
    }
    return names;
}

std::vector<std::string> with_owner(std::vector<std::string> names, const std::string& owner) {
    names.push_back(owner);
    sort_unique(names);
    return names;
}

Result<Certificate> fetch_reader_certificate(BrokerConnection& connection, ByteView ca_verify_key,
                                             const std::string& username,
                                             std::int64_t now_seconds) {
    auto refuse = [&](ErrorCode code, std::string_view why) {
        return fail(code, fmt::format("recipient {}: {}", username, why));
    };
    auto standing = fetch_user_standing(connection, ca_verify_key, username, now_seconds);
    if (!standing) return refuse(standing.error().code, standing.error().message);
    if (auto ok = verify_certificate(standing->certificate, ca_verify_key, now_seconds); !ok) {
        return refuse(ok.error().code, ok.error().message);
    }
    if (standing->revoked) {
        return refuse(ErrorCode::REVOKED, "the certificate is revoked; no key is sealed to it");
    }
    return std::move(standing->certificate);
}

Result<std::vector<Certificate>> fetch_reader_certificates(BrokerConnection& connection,
                                                           ByteView ca_verify_key,
                                                           const Certificate& me,
                                                           std::span<const std::string> usernames,
                                                           std::int64_t now_seconds) {
    std::vector<Certificate> certificates;
    certificates.reserve(usernames.size());
    for (const auto& username : usernames) {
        if (username == me.username) {
            certificates.push_back(me);
            continue;
        }
        auto certificate =
            fetch_reader_certificate(connection, ca_verify_key, username, now_seconds);
        if (!certificate) return std::unexpected(certificate.error());
        certificates.push_back(std::move(*certificate));
    }
    return certificates;
}

std::vector<Grant> seal_grants(const SecretBytes& content_key,
                               std::span<const Certificate> readers) {
    std::vector<Grant> grants;
    grants.reserve(readers.size());
    for (const auto& reader : readers)
        grants.push_back(Grant{reader.username, seal(content_key.view(), reader.box_pk)});
    return grants;
}

}  // namespace imgshare::client
