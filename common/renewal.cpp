#include "common/renewal.h"

#include <fmt/format.h>

#include "common/crypto/signing.h"
#include "common/msgpack_util.h"

namespace imgshare {

Bytes renewal_proof_message(ByteView ca_verify_key, const Certificate& current,
                            std::int64_t requested_at) {
    Bytes out;
    msgpack_util::BytesWriter writer(out);
    msgpack::packer<msgpack_util::BytesWriter> packer(writer);
    packer.pack_array(7);
    msgpack_util::pack_bin(packer, ca_verify_key);
    packer.pack(current.username);
    packer.pack_uint64(current.serial);
    msgpack_util::pack_bin(packer, current.sign_pk);
    msgpack_util::pack_bin(packer, current.box_pk);
    msgpack_util::pack_bin(packer, current.curve_pk);
    packer.pack_int64(requested_at);
    return out;
}

Bytes make_renewal_proof(ByteView ca_verify_key, const Certificate& current,
                         std::int64_t requested_at, const SecretBytes& sign_sk) {
    return sign(kRenewalSigningContext, renewal_proof_message(ca_verify_key, current, requested_at),
                sign_sk);
}

Result<void> check_renewal_time(std::int64_t requested_at, std::int64_t now_seconds) {
    // requested_at is the peer's number: only the clock's side of the comparison is computed.
    bool too_old = requested_at < now_seconds - kRenewalWindowSeconds;
    bool too_new = requested_at > now_seconds + kRenewalWindowSeconds;
    if (too_old || too_new) {
        return fail(ErrorCode::BAD_REQUEST,
                    fmt::format("the renewal was requested at {}, more than {} s from the CA's "
                                "clock ({}): a stale or replayed RENEW, or a wrong clock",
                                requested_at, kRenewalWindowSeconds, now_seconds));
    }
    return {};
}

Result<void> check_renewal_proof(ByteView ca_verify_key, const Certificate& current,
                                 std::int64_t requested_at, ByteView proof,
                                 std::int64_t now_seconds) {
    if (auto fresh = check_renewal_time(requested_at, now_seconds); !fresh) return fresh;
    if (auto valid = verify(kRenewalSigningContext,
                            renewal_proof_message(ca_verify_key, current, requested_at), proof,
                            current.sign_pk);
        !valid) {
        return fail(ErrorCode::BAD_SIGNATURE,
                    "the renewal proof is not a signature by the certified sign_pk over this "
                    "certificate, this CA and this time");
    }
    return {};
}

}  // namespace imgshare
