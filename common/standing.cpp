#include "common/standing.h"

#include <fmt/format.h>

#include "common/crypto/signing.h"
#include "common/msgpack_util.h"
#include "common/registration.h"

namespace imgshare {
namespace {

constexpr std::uint32_t kStandingVersion = 1;
const msgpack::unpack_limit kStandingLimit(/*array=*/6, /*map=*/0, /*str=*/64, /*bin=*/64,
                                           /*ext=*/0, /*depth=*/2);

using Packer = msgpack::packer<msgpack_util::BytesWriter>;

Bytes encode(const Standing& standing, bool with_signature) {
    Bytes out;
    msgpack_util::BytesWriter writer(out);
    Packer packer(writer);
    packer.pack_array(with_signature ? 6 : 5);
    packer.pack_uint32(kStandingVersion);
    packer.pack(standing.username);
    packer.pack_uint64(standing.serial);
    if (standing.revoked) {
        packer.pack_true();
    } else {
        packer.pack_false();
    }
    packer.pack_int64(standing.stated_at);
    if (with_signature) msgpack_util::pack_bin(packer, standing.signature);
    return out;
}

Error malformed() {
    return Error{ErrorCode::BAD_REQUEST, "not a standing statement"};
}

}  // namespace

Bytes make_standing(std::string_view username, std::uint64_t serial, bool revoked,
                    std::int64_t stated_at, const SecretBytes& ca_signing_secret_key) {
    Standing standing{std::string(username), serial, revoked, stated_at, {}};
    standing.signature =
        sign(kStandingSigningContext, encode(standing, false), ca_signing_secret_key);
    return encode(standing, true);
}

Result<Standing> decode_standing(ByteView encoded) {
    if (encoded.size() > kMaxStandingBytes) return std::unexpected(malformed());
    auto handle = msgpack_util::unpack_bounded(encoded, kStandingLimit, "standing");
    if (!handle) return std::unexpected(malformed());
    auto fields = msgpack_util::read_array(handle->get(), "standing", 6);
    if (!fields) return std::unexpected(malformed());
    auto version = msgpack_util::read_uint(fields->data()[0], "version");
    auto username = msgpack_util::read_string(fields->data()[1], "username", 64);
    auto serial = msgpack_util::read_uint(fields->data()[2], "serial");
    const auto& revoked = fields->data()[3];
    auto stated_at = msgpack_util::read_int(fields->data()[4], "stated_at");
    auto signature = msgpack_util::read_bin(fields->data()[5], "signature", 64, 64);
    if (!version || *version != kStandingVersion || !username || !serial ||
        revoked.type != msgpack::type::BOOLEAN || !stated_at || !signature) {
        return std::unexpected(malformed());
    }
    if (!check_username(*username)) return std::unexpected(malformed());
    Standing standing{std::move(*username), *serial, revoked.via.boolean, *stated_at,
                      Bytes(signature->begin(), signature->end())};
    // Canonical only: one statement has one encoding.
    if (encode(standing, true) != Bytes(encoded.begin(), encoded.end())) {
        return std::unexpected(malformed());
    }
    return standing;
}

Result<bool> check_standing(ByteView encoded, const Certificate& certificate,
                            ByteView ca_verify_key, std::int64_t now_seconds) {
    const auto unsigned_answer = [&](std::string_view why) {
        return fail(ErrorCode::BAD_SIGNATURE,
                    fmt::format("the CA's answer about {} {}: whoever relayed it changed it",
                                certificate.username, why));
    };
    if (encoded.empty()) return unsigned_answer("carries no signed standing");
    auto standing = decode_standing(encoded);
    if (!standing) return unsigned_answer("carries a standing that does not decode");
    if (!verify(kStandingSigningContext, encode(*standing, false), standing->signature,
                ca_verify_key)) {
        return unsigned_answer("carries a standing the CA did not sign");
    }
    if (standing->username != certificate.username || standing->serial != certificate.serial) {
        return unsigned_answer("carries a standing for another certificate");
    }
    // stated_at is the peer's number: only the clock's side of each comparison is computed.
    if (standing->stated_at < now_seconds - kStandingMaxAgeSeconds ||
        standing->stated_at > now_seconds + kStandingClockSkewSeconds) {
        return fail(ErrorCode::STALE,
                    fmt::format("the CA's statement about {} was made at {}, more than {} s "
                                "from this clock ({}): replayed by whoever relayed it, or a "
                                "wrong clock",
                                certificate.username, standing->stated_at,
                                standing->stated_at < now_seconds ? kStandingMaxAgeSeconds
                                                                  : kStandingClockSkewSeconds,
                                now_seconds));
    }
    return standing->revoked;
}

}  // namespace imgshare
