#include "common/certificate.h"

#include <gtest/gtest.h>

#include "tests/common/support/expect_code.h"

#include <algorithm>
#include <functional>
#include <limits>
#include <utility>
#include <vector>

#include "common/crypto/keys.h"
#include "common/crypto/signing.h"
#include "common/msgpack_util.h"

namespace imgshare {
namespace {

constexpr std::int64_t kNow = 1'700'000'000;

class CertificateTest : public ::testing::Test {
  protected:
    Certificate unsigned_fields() const {
        Certificate fields;
        fields.serial = 42;
        fields.username = "alice";
        fields.sign_pk = generate_signing_keys().public_key;
        fields.box_pk = generate_box_keys().public_key;
        fields.curve_pk = generate_curve_keys().public_key;
        fields.not_before = kNow - 60;
        fields.not_after = kNow + 365 * 24 * 3600;
        fields.issuer = "imgshare-ca";
        return fields;
    }

    SigningKeyPair ca_ = generate_signing_keys();
    Certificate certificate_ = issue_certificate(unsigned_fields(), ca_.secret_key);
};

using test::expect_code;

void expect_bad_request(const Result<Certificate>& result) {
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, ErrorCode::BAD_REQUEST) << result.error().message;
}

// Refused for its encoding alone: every value in it is acceptable.
void expect_non_canonical(const Result<Certificate>& result) {
    expect_bad_request(result);
    EXPECT_EQ(result.error().message, "certificate is not canonically encoded");
}

TEST_F(CertificateTest, IssuedCertificateVerifies) {
    EXPECT_EQ(certificate_.signature.size(), 64u);
    auto verified = verify_certificate(certificate_, ca_.public_key, kNow);
    EXPECT_TRUE(verified) << verified.error().message;
}

TEST_F(CertificateTest, CertificateFromAnotherCaIsRefused) {
    const SigningKeyPair rogue = generate_signing_keys();
    const Certificate forged = issue_certificate(unsigned_fields(), rogue.secret_key);
    expect_code(verify_certificate(forged, ca_.public_key, kNow), ErrorCode::BAD_SIGNATURE);
    expect_code(verify_certificate(certificate_, rogue.public_key, kNow), ErrorCode::BAD_SIGNATURE);
}

TEST_F(CertificateTest, SignatureMadeForAnotherPurposeIsRefused) {
    // The CA's key signing the same bytes under another context does not make a certificate.
    Certificate other = certificate_;
    other.signature = sign("imgshare/register/v1", certificate_signed_bytes(other), ca_.secret_key);
    expect_code(verify_certificate(other, ca_.public_key, kNow), ErrorCode::BAD_SIGNATURE);
}

TEST_F(CertificateTest, ValidityWindowIsEnforcedAtItsEdges) {
    EXPECT_TRUE(verify_certificate(certificate_, ca_.public_key, certificate_.not_before));
    EXPECT_TRUE(verify_certificate(certificate_, ca_.public_key, certificate_.not_after - 1));
    expect_code(verify_certificate(certificate_, ca_.public_key, certificate_.not_before - 1),
                ErrorCode::NOT_YET_VALID);
    expect_code(verify_certificate(certificate_, ca_.public_key, certificate_.not_after),
                ErrorCode::EXPIRED);
    expect_code(verify_certificate(certificate_, ca_.public_key, certificate_.not_after + 10'000),
                ErrorCode::EXPIRED);
}

TEST_F(CertificateTest, EveryFieldChangedAfterSigningIsRefused) {
    const std::vector<std::pair<const char*, std::function<void(Certificate&)>>> changes = {
        {"serial", [](Certificate& c) { c.serial += 1; }},
        {"username", [](Certificate& c) { c.username = "mallory"; }},
        {"sign_pk", [](Certificate& c) { c.sign_pk = generate_signing_keys().public_key; }},
        {"box_pk", [](Certificate& c) { c.box_pk = generate_box_keys().public_key; }},
        {"curve_pk", [](Certificate& c) { c.curve_pk = generate_curve_keys().public_key; }},
        {"not_before", [](Certificate& c) { c.not_before -= 1; }},
        {"not_after", [](Certificate& c) { c.not_after += 1; }},
        {"issuer", [](Certificate& c) { c.issuer = "imgshare-cb"; }},
        {"signature", [](Certificate& c) { c.signature[10] ^= 0x01; }},
        {"signature length", [](Certificate& c) { c.signature.pop_back(); }},
        {"no signature", [](Certificate& c) { c.signature.clear(); }},
    };
    for (const auto& [field, change] : changes) {
        Certificate tampered = certificate_;
        change(tampered);
        SCOPED_TRACE(field);
        expect_code(verify_certificate(tampered, ca_.public_key, kNow), ErrorCode::BAD_SIGNATURE);
    }
}

TEST_F(CertificateTest, UnknownVersionIsRefusedBeforeTheSignature) {
    Certificate fields = unsigned_fields();
    fields.version = 2;
    const Certificate v2 = issue_certificate(fields, ca_.secret_key);
    expect_code(verify_certificate(v2, ca_.public_key, kNow), ErrorCode::BAD_REQUEST);
    Certificate changed = certificate_;
    changed.version = 0;
    expect_code(verify_certificate(changed, ca_.public_key, kNow), ErrorCode::BAD_REQUEST);
}

TEST_F(CertificateTest, SignatureIsCheckedBeforeValidity) {
    Certificate expired_and_forged = certificate_;
    expired_and_forged.serial += 1;
    expect_code(verify_certificate(expired_and_forged, ca_.public_key, certificate_.not_after),
                ErrorCode::BAD_SIGNATURE);
}

TEST_F(CertificateTest, AVerifierThatRemembersSignaturesStillRefusesEveryChangeAndTheClock) {
    CertificateVerifier verifier(ca_.public_key, /*capacity=*/2);
    ASSERT_TRUE(verifier.verify(certificate_, kNow));
    ASSERT_TRUE(verifier.verify(certificate_, kNow)) << "a remembered certificate is refused";
    // Remembered means only its signature: the clock is checked every time.
    expect_code(verifier.verify(certificate_, certificate_.not_after), ErrorCode::EXPIRED);
    expect_code(verifier.verify(certificate_, certificate_.not_before - 1),
                ErrorCode::NOT_YET_VALID);
    // A certificate that differs from a remembered one in any byte is verified in full.
    for (auto change : std::vector<std::function<void(Certificate&)>>{
             [](Certificate& c) { c.serial += 1; }, [](Certificate& c) { c.not_after += 1; },
             [](Certificate& c) { c.username = "mallory"; },
             [](Certificate& c) { c.signature[3] ^= 0x01; }}) {
        Certificate tampered = certificate_;
        change(tampered);
        expect_code(verifier.verify(tampered, kNow), ErrorCode::BAD_SIGNATURE);
    }
    // One verifier, one CA: another CA's certificate for the same fields is refused.
    const SigningKeyPair rogue = generate_signing_keys();
    expect_code(verifier.verify(issue_certificate(unsigned_fields(), rogue.secret_key), kNow),
                ErrorCode::BAD_SIGNATURE);
    // Past its capacity it forgets, and still verifies.
    for (int i = 0; i < 5; ++i) {
        Certificate other = issue_certificate(unsigned_fields(), ca_.secret_key);
        ASSERT_TRUE(verifier.verify(other, kNow));
    }
    EXPECT_TRUE(verifier.verify(certificate_, kNow));
}

TEST_F(CertificateTest, CaSignedCertificateWithBadContentsIsStillRefused) {
    const std::vector<std::pair<const char*, std::function<void(Certificate&)>>> bad = {
        {"zero sign_pk", [](Certificate& c) { c.sign_pk = Bytes(32, 0); }},
        {"low-order box_pk",
         [](Certificate& c) {
             c.box_pk = from_hex("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800")
                            .value();
         }},
        {"short curve_pk", [](Certificate& c) { c.curve_pk.pop_back(); }},
        {"username", [](Certificate& c) { c.username = "Alice"; }},
        {"empty username", [](Certificate& c) { c.username.clear(); }},
    };
    for (const auto& [what, change] : bad) {
        Certificate fields = unsigned_fields();
        change(fields);
        SCOPED_TRACE(what);
        expect_code(
            verify_certificate(issue_certificate(fields, ca_.secret_key), ca_.public_key, kNow),
            ErrorCode::BAD_REQUEST);
    }
}

TEST_F(CertificateTest, EncodeDecodeRoundTrips) {
    const Bytes encoded = encode_certificate(certificate_);
    EXPECT_LE(encoded.size(), kMaxEncodedCertificateSize);
    auto decoded = decode_certificate(encoded);
    ASSERT_TRUE(decoded) << decoded.error().message;
    EXPECT_EQ(*decoded, certificate_);
    EXPECT_TRUE(verify_certificate(*decoded, ca_.public_key, kNow));
}

TEST_F(CertificateTest, NegativeAndExtremeTimesRoundTrip) {
    Certificate fields = unsigned_fields();
    fields.not_before = std::numeric_limits<std::int64_t>::min();
    fields.not_after = std::numeric_limits<std::int64_t>::max();
    fields.serial = std::numeric_limits<std::uint64_t>::max();
    const Certificate extreme = issue_certificate(fields, ca_.secret_key);
    EXPECT_EQ(decode_certificate(encode_certificate(extreme)).value(), extreme);
}

TEST_F(CertificateTest, SignedBytesAreTheEncodingWithoutTheSignature) {
    const Bytes signed_bytes = certificate_signed_bytes(certificate_);
    const Bytes encoded = encode_certificate(certificate_);
    EXPECT_EQ(signed_bytes[0], 0x99);  // fixarray of 9
    EXPECT_EQ(encoded[0], 0x9a);       // fixarray of 10
    EXPECT_TRUE(std::equal(signed_bytes.begin() + 1, signed_bytes.end(), encoded.begin() + 1));
}

TEST_F(CertificateTest, DecodeRefusesEveryTruncation) {
    const Bytes encoded = encode_certificate(certificate_);
    for (std::size_t size = 0; size < encoded.size(); ++size) {
        expect_bad_request(decode_certificate(ByteView(encoded).first(size)));
    }
}

TEST_F(CertificateTest, DecodeRefusesGarbageAndTrailingBytes) {
    expect_bad_request(decode_certificate(to_bytes("this is not msgpack at all")));
    expect_bad_request(decode_certificate(Bytes{0xc1}));
    expect_bad_request(decode_certificate(Bytes(2000, 0x9a)));
    Bytes trailing = encode_certificate(certificate_);
    trailing.push_back(0xc0);
    expect_bad_request(decode_certificate(trailing));
    expect_bad_request(decode_certificate(Bytes{0xdd, 0xff, 0xff, 0xff, 0xff}));  // 4G array
}

// Packs a certificate-shaped array whose element `replace_at` is written by `replacement`.
Bytes with_element(
    const Certificate& c, std::size_t replace_at,
    const std::function<void(msgpack::packer<msgpack_util::BytesWriter>&)>& replacement,
    std::size_t count = 10) {
    Bytes out;
    msgpack_util::BytesWriter writer(out);
    msgpack::packer<msgpack_util::BytesWriter> p(writer);
    auto bin = [&p](const Bytes& b) {
        p.pack_bin(static_cast<std::uint32_t>(b.size()));
        p.pack_bin_body(reinterpret_cast<const char*>(b.data()),
                        static_cast<std::uint32_t>(b.size()));
    };
    const std::vector<std::function<void()>> fields = {
        [&] { p.pack(c.version); },    [&] { p.pack(c.serial); },    [&] { p.pack(c.username); },
        [&] { bin(c.sign_pk); },       [&] { bin(c.box_pk); },       [&] { bin(c.curve_pk); },
        [&] { p.pack(c.not_before); }, [&] { p.pack(c.not_after); }, [&] { p.pack(c.issuer); },
        [&] { bin(c.signature); },
    };
    p.pack_array(static_cast<std::uint32_t>(count));
    for (std::size_t i = 0; i < count; ++i) {
        if (i == replace_at) {
            replacement(p);
        } else {
            fields.at(i % fields.size())();
        }
    }
    return out;
}

TEST_F(CertificateTest, HandPackedCertificateDecodes) {
    // The test packer agrees with encode_certificate, so the refusals below are meaningful.
    EXPECT_EQ(with_element(certificate_, 99, {}), encode_certificate(certificate_));
}

TEST_F(CertificateTest, DecodeRefusesWrongTypes) {
    using Packer = msgpack::packer<msgpack_util::BytesWriter>;
    const std::vector<std::pair<std::size_t, std::function<void(Packer&)>>> wrong = {
        {0, [](Packer& p) { p.pack("1"); }},
        {0, [](Packer& p) { p.pack(-1); }},
        {1, [](Packer& p) { p.pack(1.5); }},
        {1, [](Packer& p) { p.pack(-42); }},
        {2, [](Packer& p) { p.pack(5); }},
        {2, [](Packer& p) { p.pack_nil(); }},
        {3, [](Packer& p) { p.pack(std::string(32, 'k')); }},  // str, not bin
        {4, [](Packer& p) { p.pack_array(0); }},
        {5, [](Packer& p) { p.pack_map(0); }},
        {6, [](Packer& p) { p.pack(true); }},
        {7, [](Packer& p) { p.pack(std::numeric_limits<std::uint64_t>::max()); }},
        {8,
         [](Packer& p) {
             p.pack(Bytes{1, 2});
         }},
        {9, [](Packer& p) { p.pack("sig"); }},
    };
    for (const auto& [index, replacement] : wrong) {
        SCOPED_TRACE(index);
        expect_bad_request(decode_certificate(with_element(certificate_, index, replacement)));
    }
}

TEST_F(CertificateTest, DecodeRefusesWrongSizes) {
    using Packer = msgpack::packer<msgpack_util::BytesWriter>;
    auto bin_of = [](std::size_t size) {
        return [size](Packer& p) {
            const Bytes b(size, 0x33);
            p.pack_bin(static_cast<std::uint32_t>(size));
            p.pack_bin_body(reinterpret_cast<const char*>(b.data()),
                            static_cast<std::uint32_t>(size));
        };
    };
    expect_bad_request(decode_certificate(with_element(certificate_, 3, bin_of(31))));
    expect_bad_request(decode_certificate(with_element(certificate_, 4, bin_of(33))));
    expect_bad_request(decode_certificate(with_element(certificate_, 5, bin_of(0))));
    expect_bad_request(decode_certificate(with_element(certificate_, 9, bin_of(63))));
    expect_bad_request(decode_certificate(with_element(certificate_, 9, bin_of(65))));
    expect_bad_request(decode_certificate(
        with_element(certificate_, 2, [](Packer& p) { p.pack(std::string(33, 'a')); })));
    expect_bad_request(decode_certificate(
        with_element(certificate_, 8, [](Packer& p) { p.pack(std::string(129, 'a')); })));
    expect_bad_request(decode_certificate(with_element(certificate_, 99, {}, 9)));
    expect_bad_request(decode_certificate(with_element(certificate_, 99, {}, 11)));
}

TEST_F(CertificateTest, DecodeRefusesUnknownVersions) {
    using Packer = msgpack::packer<msgpack_util::BytesWriter>;
    expect_bad_request(
        decode_certificate(with_element(certificate_, 0, [](Packer& p) { p.pack(2); })));
    expect_bad_request(
        decode_certificate(with_element(certificate_, 0, [](Packer& p) { p.pack(0); })));
}

TEST_F(CertificateTest, DecodeRefusesNonCanonicalEncodings) {
    using Packer = msgpack::packer<msgpack_util::BytesWriter>;
    // serial 42 as a uint64 (0xcf ...) instead of a positive fixint: same value, other bytes.
    expect_non_canonical(decode_certificate(
        with_element(certificate_, 1, [](Packer& p) { p.pack_fix_uint64(42); })));
    // username "alice" as str16 instead of fixstr (pack_str_body appends raw bytes).
    expect_non_canonical(decode_certificate(with_element(certificate_, 2, [](Packer& p) {
        p.pack_str_body(
            "\xda\x00\x05"
            "alice",
            8);
    })));
    // not_before as int64 (0xd3 ...) although it fits in fewer bytes.
    expect_non_canonical(decode_certificate(with_element(
        certificate_, 6, [this](Packer& p) { p.pack_fix_int64(certificate_.not_before); })));
}

}  // namespace
}  // namespace imgshare
