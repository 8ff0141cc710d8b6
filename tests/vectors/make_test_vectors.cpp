// Writes docs/test-vectors/ (`make_test_vectors write DIR`), or checks that the committed
// files are exactly what it would write (`make_test_vectors check DIR`, run by ctest as
// TestVectorsAreCurrent).
//
// Deterministic: before libsodium starts, its random source is replaced by a ChaCha20 stream
// from a fixed seed (randombytes_buf_deterministic), so every key, content key, stream header
// and sealed box's ephemeral key is the same on every run and machine. Only this program does
// that; nothing else in the tree may.
//
// The expected outcome of every vector ("error") is written here by hand from the documents
// (PROTOCOL.md, CRYPTO.md), never by running the checks: the checker
// (test_vectors_test.cpp) then holds the implementation to them.
#include <sodium.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <optional>

#include "client/padded_stream.h"
#include "common/certificate.h"
#include "common/crypto/chunk_stream.h"
#include "common/crypto/keys.h"
#include "common/crypto/sealed_box.h"
#include "common/crypto/sha256.h"
#include "common/crypto/signing.h"
#include "common/envelope.h"
#include "common/crypto/thumbnail_box.h"
#include "common/registration.h"
#include "common/standing.h"
#include "common/transparency/cosignature.h"
#include "common/transparency/log_check.h"
#include "common/transparency/log_entry.h"
#include "common/transparency/tree_head.h"
#include "tests/vectors/support/vector_file.h"

namespace imgshare::vectors {
namespace {

// ---- a fixed random source ----

std::uint64_t draws = 0;

void deterministic_buf(void* buffer, std::size_t size) {
    unsigned char seed[randombytes_SEEDBYTES] = "imgshare test vectors, seed 1";
    std::uint64_t draw = draws++;
    std::memcpy(seed + randombytes_SEEDBYTES - sizeof draw, &draw, sizeof draw);
    randombytes_buf_deterministic(buffer, size, seed);
}

std::uint32_t deterministic_random() {
    std::uint32_t value = 0;
    deterministic_buf(&value, sizeof value);
    return value;
}

std::uint32_t deterministic_uniform(std::uint32_t upper) {
    if (upper < 2) return 0;
    const std::uint32_t floor = (1U + ~upper) % upper;  // as libsodium: no modulo bias
    for (;;) {
        std::uint32_t value = deterministic_random();
        if (value >= floor) return value % upper;
    }
}

const char* deterministic_name() {
    return "imgshare-test-vectors";
}

randombytes_implementation deterministic_source = {
    deterministic_name, deterministic_random, nullptr, deterministic_uniform, deterministic_buf,
    nullptr};

// ---- the people and keys every file uses ----

constexpr std::int64_t kNow = 1'800'000'000;  // 2027-01-15, the "now" of every check

std::string hex(ByteView bytes) {
    return to_hex(bytes);
}

// `context` 0x00 `message`: what an Ed25519 signature of this project covers (CRYPTO.md).
Bytes signed_message(std::string_view context, ByteView message) {
    Bytes out = to_bytes(context);
    out.push_back(0);
    out.insert(out.end(), message.begin(), message.end());
    return out;
}

Json code(std::optional<ErrorCode> error) {
    return error ? Json(std::string(to_string(*error))) : Json(nullptr);
}

struct Person {
    std::string name;
    SigningKeyPair sign = generate_signing_keys();
    BoxKeyPair box = generate_box_keys();
    CurveKeyPair curve = generate_curve_keys();
    Certificate certificate;
};

Person person(std::string name) {
    Person out;
    out.name = std::move(name);
    return out;
}

struct World {
    SigningKeyPair ca = generate_signing_keys();
    SigningKeyPair other_ca = generate_signing_keys();
    BoxKeyPair server_wrap = generate_box_keys();
    Person alice = person("alice");
    Person bob = person("bob");

    World() {
        alice.certificate = certify(alice, 7);
        bob.certificate = certify(bob, 8);
    }

    Certificate certify(const Person& person, std::uint64_t serial) const {
        Certificate fields;
        fields.serial = serial;
        fields.username = person.name;
        fields.sign_pk = person.sign.public_key;
        fields.box_pk = person.box.public_key;
        fields.curve_pk = person.curve.public_key;
        fields.not_before = kNow - 86'400;
        fields.not_after = kNow + 365 * 86'400;
        fields.issuer = "imgshare test vectors CA";
        return issue_certificate(fields, ca.secret_key);
    }
};

Json document(std::string_view kind, std::string_view description, Json vectors) {
    Json out;
    out["format"] = kFormat;
    out["kind"] = kind;
    out["description"] = description;
    out["vectors"] = std::move(vectors);
    return out;
}

// ---- keys ----

Json keys(const World& world) {
    Json vectors = Json::array();
    auto pair = [&](std::string name, std::string kind, const Bytes& public_key,
                    const SecretBytes& secret_key) {
        vectors.push_back({{"name", std::move(name)},
                           {"error", nullptr},
                           {"key_kind", std::move(kind)},
                           {"secret_key", hex(secret_key.view())},
                           {"public_key", hex(public_key)}});
    };
    pair("the CA's Ed25519 key pair", "signing", world.ca.public_key, world.ca.secret_key);
    pair("alice's Ed25519 key pair", "signing", world.alice.sign.public_key,
         world.alice.sign.secret_key);
    pair("alice's X25519 box key pair", "box", world.alice.box.public_key,
         world.alice.box.secret_key);
    pair("alice's X25519 CURVE key pair", "box", world.alice.curve.public_key,
         world.alice.curve.secret_key);
    pair("bob's Ed25519 key pair", "signing", world.bob.sign.public_key,
         world.bob.sign.secret_key);
    pair("bob's X25519 box key pair", "box", world.bob.box.public_key, world.bob.box.secret_key);
    auto refused = [&](std::string name, std::string kind, const Bytes& public_key) {
        vectors.push_back({{"name", std::move(name)},
                           {"error", "BAD_REQUEST"},
                           {"key_kind", std::move(kind)},
                           {"public_key", hex(public_key)}});
    };
    Bytes one(32, 0);
    one[0] = 1;
    refused("an all-zero Ed25519 key", "signing", Bytes(32, 0));
    refused("the Ed25519 identity point (small order)", "signing", one);
    refused("a non-canonical Ed25519 encoding (y >= p)", "signing", Bytes(32, 0xff));
    refused("an all-zero X25519 key", "box", Bytes(32, 0));
    refused("the X25519 point u = 1 (order 4)", "box", one);
    refused("an X25519 point of order 8", "box",
            *from_hex("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800"));
    refused("a 31-byte key", "box", Bytes(31, 0x42));
    return document("keys",
                    "Key pairs (the public key derives from the secret key) and public keys "
                    "every peer refuses (CRYPTO.md, \"Public keys\").",
                    std::move(vectors));
}

// ---- certificates ----

Json certificate_fields(const Certificate& certificate) {
    return {{"version", certificate.version},
            {"serial", certificate.serial},
            {"username", certificate.username},
            {"sign_pk", hex(certificate.sign_pk)},
            {"box_pk", hex(certificate.box_pk)},
            {"curve_pk", hex(certificate.curve_pk)},
            {"not_before", certificate.not_before},
            {"not_after", certificate.not_after},
            {"issuer", certificate.issuer}};
}

Json certificates(const World& world) {
    Json vectors = Json::array();
    const Bytes& ca_key = world.ca.public_key;
    auto add = [&](std::string name, const Bytes& encoded, const Bytes& verify_key,
                   std::int64_t now, std::optional<ErrorCode> error,
                   const Certificate* valid = nullptr) {
        Json vector = {{"name", std::move(name)},
                       {"error", code(error)},
                       {"ca_verify_key", hex(verify_key)},
                       {"now", now},
                       {"certificate", hex(encoded)}};
        if (valid) {
            vector["fields"] = certificate_fields(*valid);
            vector["signed_bytes"] = hex(certificate_signed_bytes(*valid));
            vector["signed_message"] = hex(
                signed_message("imgshare/certificate/v1", certificate_signed_bytes(*valid)));
            vector["signature"] = hex(valid->signature);
        }
        vectors.push_back(std::move(vector));
    };
    const Certificate& alice = world.alice.certificate;
    add("alice's certificate", encode_certificate(alice), ca_key, kNow, std::nullopt, &alice);
    add("bob's certificate", encode_certificate(world.bob.certificate), ca_key, kNow,
        std::nullopt, &world.bob.certificate);
    add("valid at its not_before", encode_certificate(alice), ca_key, alice.not_before,
        std::nullopt);
    add("one second before its not_before", encode_certificate(alice), ca_key,
        alice.not_before - 1, ErrorCode::NOT_YET_VALID);
    add("at its not_after (exclusive)", encode_certificate(alice), ca_key, alice.not_after,
        ErrorCode::EXPIRED);
    add("checked against another CA's key", encode_certificate(alice),
        world.other_ca.public_key, kNow, ErrorCode::BAD_SIGNATURE);
    auto changed = [&](std::string name, auto change) {
        Certificate certificate = alice;
        change(certificate);
        add("alice's certificate with " + name + " changed after signing",
            encode_certificate(certificate), ca_key, kNow, ErrorCode::BAD_SIGNATURE);
    };
    changed("its serial", [](Certificate& c) { ++c.serial; });
    changed("its username", [](Certificate& c) { c.username = "alicf"; });
    changed("a byte of sign_pk", [](Certificate& c) { c.sign_pk[5] ^= 1; });
    changed("a byte of box_pk", [](Certificate& c) { c.box_pk[5] ^= 1; });
    changed("a byte of curve_pk", [](Certificate& c) { c.curve_pk[5] ^= 1; });
    changed("its not_before", [](Certificate& c) { --c.not_before; });
    changed("its not_after", [](Certificate& c) { ++c.not_after; });
    changed("its issuer", [](Certificate& c) { c.issuer += "."; });
    changed("a byte of its signature", [](Certificate& c) { c.signature[0] ^= 1; });
    Certificate bob_keys_as_alice = world.alice.certificate;
    bob_keys_as_alice.sign_pk = world.bob.sign.public_key;
    add("alice's name over bob's keys, signed by another CA",
        encode_certificate(issue_certificate(bob_keys_as_alice, world.other_ca.secret_key)),
        ca_key, kNow, ErrorCode::BAD_SIGNATURE);
    Certificate version_two = alice;
    version_two.version = 2;
    add("version 2, signed by the CA", encode_certificate(issue_certificate(version_two,
                                                                            world.ca.secret_key)),
        ca_key, kNow, ErrorCode::BAD_REQUEST);
    Bytes encoded = encode_certificate(alice);
    add("truncated by one byte", Bytes(encoded.begin(), encoded.end() - 1), ca_key, kNow,
        ErrorCode::BAD_REQUEST);
    Bytes trailing = encoded;
    trailing.push_back(0xc0);
    add("a byte after the array", trailing, ca_key, kNow, ErrorCode::BAD_REQUEST);
    Bytes wide = encoded;  // 0x9a, then the version 0x01 written as uint8 (cc 01)
    wide.insert(wide.begin() + 1, 0xcc);
    add("the version written as uint8 (not canonical)", wide, ca_key, kNow,
        ErrorCode::BAD_REQUEST);
    Bytes as_map = encoded;
    as_map[0] = 0x8a;
    add("a map instead of an array", as_map, ca_key, kNow, ErrorCode::BAD_REQUEST);
    return document("certificate",
                    "A certificate's encoding, the bytes the CA signs and the checks of "
                    "verify_certificate at `now` (CRYPTO.md, \"Certificate\"). Decode "
                    "`certificate`, then verify it against `ca_verify_key` at `now`.",
                    std::move(vectors));
}

// ---- registration proofs ----

Json registrations(const World& world) {
    Json vectors = Json::array();
    auto add = [&](std::string name, const Person& person, const std::string& username,
                   const Bytes& proof, std::optional<ErrorCode> error, bool show_message) {
        Json vector = {{"name", std::move(name)},
                       {"error", code(error)},
                       {"username", username},
                       {"sign_pk", hex(person.sign.public_key)},
                       {"box_pk", hex(person.box.public_key)},
                       {"curve_pk", hex(person.curve.public_key)},
                       {"proof", hex(proof)}};
        if (show_message) {
            vector["message"] = hex(registration_proof_message(
                username, person.sign.public_key, person.box.public_key,
                person.curve.public_key));
        }
        vectors.push_back(std::move(vector));
    };
    auto proof_of = [](const Person& person, const std::string& username) {
        return make_registration_proof(username, person.sign.public_key, person.box.public_key,
                                       person.curve.public_key, person.sign.secret_key);
    };
    const Person& alice = world.alice;
    add("alice registers", alice, "alice", proof_of(alice, "alice"), std::nullopt, true);
    add("bob registers", world.bob, "bob", proof_of(world.bob, "bob"), std::nullopt, true);
    add("alice's proof presented for the name mallory", alice, "mallory",
        proof_of(alice, "alice"), ErrorCode::BAD_SIGNATURE, false);
    // The array with the username last instead of first.
    Bytes keys_first;
    {
        Bytes message = registration_proof_message("alice", alice.sign.public_key,
                                                    alice.box.public_key,
                                                    alice.curve.public_key);
        // [username, sign, box, curve] -> [sign, box, curve, username]: 0x94, "alice" (6
        // bytes: a5 + 5), then the three bins.
        keys_first.push_back(0x94);
        keys_first.insert(keys_first.end(), message.begin() + 7, message.end());
        keys_first.insert(keys_first.end(), message.begin() + 1, message.begin() + 7);
    }
    add("a proof over the keys first and the username last", alice, "alice",
        sign("imgshare/register/v1", keys_first, alice.sign.secret_key),
        ErrorCode::BAD_SIGNATURE, false);
    Bytes message = registration_proof_message("alice", alice.sign.public_key,
                                               alice.box.public_key, alice.curve.public_key);
    add("a proof under the certificate context", alice, "alice",
        sign("imgshare/certificate/v1", message, alice.sign.secret_key),
        ErrorCode::BAD_SIGNATURE, false);
    {
        Bytes signature(crypto_sign_BYTES);
        Bytes unseparated = to_bytes("imgshare/register/v1");
        unseparated.insert(unseparated.end(), message.begin(), message.end());
        crypto_sign_detached(signature.data(), nullptr, unseparated.data(), unseparated.size(),
                             alice.sign.secret_key.data());
        add("a proof without the 0x00 after the context", alice, "alice", signature,
            ErrorCode::BAD_SIGNATURE, false);
    }
    add("a proof made by bob's key over alice's keys", alice, "alice",
        sign("imgshare/register/v1", message, world.bob.sign.secret_key),
        ErrorCode::BAD_SIGNATURE, false);
    return document("registration",
                    "REGISTER's proof: Ed25519 by sign_pk over \"imgshare/register/v1\" 0x00 "
                    "followed by the canonical array [username, sign_pk, box_pk, curve_pk] "
                    "(`message`). Check the proof with sign_pk.",
                    std::move(vectors));
}

// ---- envelopes ----

// The padded plaintext stream of `image`, as the client's writer makes it.
Bytes padded_stream_of(const Bytes& image) {
    std::size_t offset = 0;
    client::PaddedStreamWriter writer(image.size(), [&](std::span<std::uint8_t> out) -> Result<void> {
        std::copy_n(image.begin() + static_cast<std::ptrdiff_t>(offset), out.size(), out.begin());
        offset += out.size();
        return {};
    });
    Bytes stream;
    Bytes piece;
    while (!writer.done()) {
        if (!writer.next(65'536, piece)) throw std::runtime_error("padded stream");
        stream.insert(stream.end(), piece.begin(), piece.end());
    }
    return stream;
}

struct SealedImage {
    SecretBytes content_key;
    Bytes image;
    Bytes stream;  // the padded plaintext stream
    std::vector<Bytes> chunks;
    Envelope envelope;
};

SealedImage seal_image(const Person& owner, std::string name, std::uint32_t chunk_size,
                       std::size_t image_size, std::vector<std::string> recipients = {}) {
    SealedImage sealed;
    sealed.content_key = generate_content_key();
    sealed.image.resize(image_size);
    for (std::size_t i = 0; i < image_size; ++i)
        sealed.image[i] = static_cast<std::uint8_t>(i * 31 + 7);
    sealed.stream = padded_stream_of(sealed.image);
    ChunkEncryptor encryptor(sealed.content_key);
    Sha256 digest;
    const std::size_t count = (sealed.stream.size() + chunk_size - 1) / chunk_size;
    for (std::size_t i = 0; i < count; ++i) {
        std::size_t start = i * chunk_size;
        std::size_t length = std::min<std::size_t>(chunk_size, sealed.stream.size() - start);
        sealed.chunks.push_back(
            encryptor.encrypt(ByteView(sealed.stream.data() + start, length), i + 1 == count));
        digest.update(sealed.chunks.back());
    }
    Envelope& envelope = sealed.envelope;
    envelope.name = std::move(name);
    envelope.owner = owner.name;
    envelope.owner_serial = owner.certificate.serial;
    envelope.mode = recipients.empty() ? std::string(kEscrowMode) : std::string(kEndToEndMode);
    envelope.content_type = "image/png";
    envelope.padded_size = sealed.stream.size();
    envelope.chunk_size = chunk_size;
    envelope.chunk_count = static_cast<std::uint32_t>(count);
    envelope.stream_header = encryptor.header();
    envelope.ciphertext_sha256 = digest.finish();
    envelope.key_commitment = key_commitment(sealed.content_key);
    envelope.created_at = kNow - 120;
    envelope.recipients = std::move(recipients);
    return sealed;
}

Json envelope_fields(const Envelope& envelope) {
    return {{"v", envelope.v},
            {"name", envelope.name},
            {"owner", envelope.owner},
            {"owner_serial", envelope.owner_serial},
            {"mode", envelope.mode},
            {"content_type", envelope.content_type},
            {"padded_size", envelope.padded_size},
            {"chunk_size", envelope.chunk_size},
            {"chunk_count", envelope.chunk_count},
            {"stream_header", hex(envelope.stream_header)},
            {"ciphertext_sha256", hex(envelope.ciphertext_sha256)},
            {"key_commitment", hex(envelope.key_commitment)},
            {"created_at", envelope.created_at},
            {"recipients", envelope.recipients}};
}

// envelope_fields and, for a v3 envelope, the owner's controls.
Json envelope_fields_with_controls(const Envelope& envelope) {
    Json fields = envelope_fields(envelope);
    if (envelope.v == kEnvelopeWithControlsVersion) {
        fields["thumbnail"] = hex(envelope.thumbnail);
        fields["revision"] = envelope.revision;
        fields["expires_at"] = envelope.expires_at;
        fields["max_downloads"] = envelope.max_downloads;
    }
    return fields;
}

Json envelopes(const World& world) {
    Json vectors = Json::array();
    const Person& alice = world.alice;
    auto add = [&](std::string name, const Bytes& encoded, const Bytes& signature,
                   std::optional<ErrorCode> error, const Envelope* valid = nullptr) {
        Json vector = {{"name", std::move(name)},
                       {"error", code(error)},
                       {"ca_verify_key", hex(world.ca.public_key)},
                       {"now", kNow},
                       {"owner_certificate", hex(encode_certificate(alice.certificate))},
                       {"envelope", hex(encoded)},
                       {"signature", hex(signature)}};
        if (valid) {
            vector["fields"] = envelope_fields_with_controls(*valid);
            vector["signed_message"] = hex(signed_message(envelope_signing_context(encoded), encoded));
        }
        vectors.push_back(std::move(vector));
    };
    auto signed_by_alice = [&](const Envelope& envelope) {
        return sign_envelope(encode_envelope(envelope), alice.sign.secret_key);
    };
    const Envelope escrow = seal_image(alice, "sunset.png", 1024, 2500).envelope;
    const Envelope shared =
        seal_image(alice, "for-bob", 4096, 10'000, {"alice", "bob"}).envelope;
    add("an escrow envelope", encode_envelope(escrow), signed_by_alice(escrow), std::nullopt,
        &escrow);
    add("an end-to-end envelope for alice and bob", encode_envelope(shared),
        signed_by_alice(shared), std::nullopt, &shared);

    // Each field changed after signing: the signature no longer covers the bytes.
    auto changed = [&](std::string field, auto change) {
        Envelope envelope = shared;
        change(envelope);
        add("the " + field + " field changed after signing", encode_envelope(envelope),
            signed_by_alice(shared), ErrorCode::BAD_SIGNATURE);
    };
    changed("v", [](Envelope& e) { e.v = 2; });
    changed("name", [](Envelope& e) { e.name = "for-bod"; });
    changed("owner", [](Envelope& e) { e.owner = "bob"; });
    changed("owner_serial", [](Envelope& e) { ++e.owner_serial; });
    changed("mode", [](Envelope& e) {
        e.mode = std::string(kEscrowMode);
        e.recipients.clear();
    });
    changed("content_type", [](Envelope& e) { e.content_type = "image/jpeg"; });
    changed("padded_size", [](Envelope& e) { --e.padded_size; });
    changed("chunk_size", [](Envelope& e) { e.chunk_size = 8192; e.chunk_count = 2; });
    changed("chunk_count", [](Envelope& e) { ++e.chunk_count; });
    changed("stream_header", [](Envelope& e) { e.stream_header[0] ^= 1; });
    changed("ciphertext_sha256", [](Envelope& e) { e.ciphertext_sha256[31] ^= 1; });
    changed("key_commitment", [](Envelope& e) { e.key_commitment[0] ^= 0x80; });
    changed("created_at", [](Envelope& e) { ++e.created_at; });
    changed("recipients", [](Envelope& e) { e.recipients = {"alice", "mallory"}; });
    Bytes flipped = signed_by_alice(shared);
    flipped[10] ^= 1;
    add("a byte of the signature flipped", encode_envelope(shared), flipped,
        ErrorCode::BAD_SIGNATURE);
    add("signed under the certificate context",
        encode_envelope(shared),
        sign("imgshare/certificate/v1", encode_envelope(shared), alice.sign.secret_key),
        ErrorCode::BAD_SIGNATURE);
    add("signed by bob's key", encode_envelope(shared),
        sign_envelope(encode_envelope(shared), world.bob.sign.secret_key),
        ErrorCode::BAD_SIGNATURE);

    // Signed by alice, but breaking a rule of the envelope.
    auto broken = [&](std::string name, ErrorCode error, auto change) {
        Envelope envelope = escrow;
        change(envelope);
        add(std::move(name), encode_envelope(envelope), signed_by_alice(envelope), error);
    };
    broken("content_type text/html", ErrorCode::BAD_REQUEST,
           [](Envelope& e) { e.content_type = "text/html"; });
    broken("content_type image/svg+xml", ErrorCode::BAD_REQUEST,
           [](Envelope& e) { e.content_type = "image/svg+xml"; });
    broken("content_type IMAGE/PNG (case matters)", ErrorCode::BAD_REQUEST,
           [](Envelope& e) { e.content_type = "IMAGE/PNG"; });
    broken("chunk_size 1048560, one over the maximum", ErrorCode::BAD_REQUEST, [](Envelope& e) {
        e.chunk_size = 1'048'560;
        e.chunk_count = 1;
    });
    broken("chunk_size 1023, one under the minimum", ErrorCode::BAD_REQUEST, [](Envelope& e) {
        e.chunk_size = 1023;
        e.chunk_count = static_cast<std::uint32_t>((e.padded_size + 1022) / 1023);
    });
    broken("chunk_count one more than padded_size / chunk_size gives", ErrorCode::BAD_REQUEST,
           [](Envelope& e) { ++e.chunk_count; });
    broken("padded_size 0", ErrorCode::TOO_LARGE, [](Envelope& e) {
        e.padded_size = 0;
        e.chunk_count = 0;
    });
    broken("mode \"plain\"", ErrorCode::BAD_REQUEST, [](Envelope& e) { e.mode = "plain"; });
    broken("an escrow envelope with recipients", ErrorCode::BAD_REQUEST,
           [](Envelope& e) { e.recipients = {"alice", "bob"}; });
    broken("an e2e envelope without its owner", ErrorCode::BAD_REQUEST, [](Envelope& e) {
        e.mode = std::string(kEndToEndMode);
        e.recipients = {"bob"};
    });
    broken("e2e recipients unsorted", ErrorCode::BAD_REQUEST, [](Envelope& e) {
        e.mode = std::string(kEndToEndMode);
        e.recipients = {"bob", "alice"};
    });
    broken("e2e recipients repeated", ErrorCode::BAD_REQUEST, [](Envelope& e) {
        e.mode = std::string(kEndToEndMode);
        e.recipients = {"alice", "bob", "bob"};
    });
    broken("a name with a slash", ErrorCode::BAD_REQUEST,
           [](Envelope& e) { e.name = "../etc/passwd"; });
    broken("version 2 with no thumbnail (an empty 15th field)", ErrorCode::BAD_REQUEST,
           [](Envelope& e) { e.v = 2; });
    broken("a 23-byte stream_header", ErrorCode::BAD_REQUEST,
           [](Envelope& e) { e.stream_header.pop_back(); });
    broken("owner_serial of another certificate", ErrorCode::BAD_SIGNATURE,
           [](Envelope& e) { ++e.owner_serial; });
    broken("owner bob, signed by alice", ErrorCode::BAD_SIGNATURE,
           [](Envelope& e) { e.owner = "bob"; });
    {
        // Version 3: the owner's controls (a revision after two shares, an expiry, a limit).
        Envelope controlled = shared;
        controlled.revision = 2;
        controlled.expires_at = kNow + 7 * 86400;
        controlled.max_downloads = 3;
        controlled.v = envelope_version_for(controlled);
        const Bytes bytes = encode_envelope(controlled);
        add("an end-to-end v3 envelope with revision 2, an expiry and a 3-download limit",
            bytes, signed_by_alice(controlled), std::nullopt, &controlled);
        Envelope lengthened = controlled;
        lengthened.expires_at += 86400;
        add("v3: expires_at moved a day later after signing", encode_envelope(lengthened),
            signed_by_alice(controlled), ErrorCode::BAD_SIGNATURE);
        add("v3 signed under the v2 context", bytes,
            sign(kEnvelopeV2SigningContext, bytes, alice.sign.secret_key),
            ErrorCode::BAD_SIGNATURE);
        Envelope idle = escrow;
        idle.v = kEnvelopeWithControlsVersion;
        add("version 3 with every control 0 (it is a v1 envelope)", encode_envelope(idle),
            signed_by_alice(idle), ErrorCode::BAD_REQUEST);
        Envelope past = escrow;
        past.expires_at = -1;
        past.v = kEnvelopeWithControlsVersion;
        add("v3 with a negative expires_at", encode_envelope(past), signed_by_alice(past),
            ErrorCode::BAD_REQUEST);
    }
    {
        Bytes wide = encode_envelope(escrow);  // 0x9e, then v = 1 written as uint8 (cc 01)
        wide.insert(wide.begin() + 1, 0xcc);
        add("v written as uint8: not canonical (signed as sent)", wide,
            sign_envelope(wide, alice.sign.secret_key), ErrorCode::BAD_REQUEST);
        Bytes trailing = encode_envelope(escrow);
        trailing.push_back(0xc0);
        add("a byte after the array (signed as sent)", trailing,
            sign_envelope(trailing, alice.sign.secret_key), ErrorCode::BAD_REQUEST);
        Bytes fifteen = encode_envelope(escrow);
        fifteen[0] = 0x9f;
        fifteen.push_back(0x00);
        add("15 fields (signed as sent)", fifteen, sign_envelope(fifteen, alice.sign.secret_key),
            ErrorCode::BAD_REQUEST);
    }
    return document("envelope",
                    "Envelopes and their signatures (CRYPTO.md, \"The envelope\"). Check: the "
                    "owner certificate against ca_verify_key at now (it is valid in every "
                    "vector), then verify_envelope: the signature over `envelope` under "
                    "\"imgshare/envelope/v1\" (\"imgshare/envelope/v3\" for bytes starting "
                    "dc 00 12 03) by the certificate's sign_pk, the decoding and every rule, "
                    "then owner and serial against the certificate.",
                    std::move(vectors));
}

// ---- padded streams ----

Json padded_streams() {
    Json vectors = Json::array();
    auto stream_of = [](std::size_t image_size) {
        Bytes image(image_size);
        for (std::size_t i = 0; i < image_size; ++i)
            image[i] = static_cast<std::uint8_t>(0xa0 + i % 13);
        return std::pair{image, padded_stream_of(image)};
    };
    auto add = [&](std::string name, const Bytes& image, const Bytes& stream,
                   std::uint64_t padded_size, std::optional<ErrorCode> error) {
        Json vector = {{"name", std::move(name)}, {"error", code(error)}};
        if (!error) vector["image"] = hex(image);
        vector["padded_size"] = padded_size;
        vector["stream"] = hex(stream);
        vectors.push_back(std::move(vector));
    };
    for (std::size_t size : {std::size_t{0}, std::size_t{1}, std::size_t{100},
                             std::size_t{4056}, std::size_t{4057}}) {
        auto [image, stream] = stream_of(size);
        add("an image of " + std::to_string(size) + " bytes", image, stream, stream.size(),
            std::nullopt);
    }
    auto [image, stream] = stream_of(100);
    const std::uint64_t padded = stream.size();
    Bytes bad = stream;
    bad[8 + 100 + 5] = 0x01;
    add("a padding byte that is not zero", image, bad, padded, ErrorCode::INTEGRITY);
    bad = stream;
    bad[7] = static_cast<std::uint8_t>(padded - 40 + 1);  // one more than fits
    bad[6] = static_cast<std::uint8_t>((padded - 40 + 1) >> 8);
    add("a length prefix one past what fits", image, bad, padded, ErrorCode::INTEGRITY);
    bad = stream;
    bad[0] = 0xff;
    add("a length prefix of 2^64 - 2^56 + 100", image, bad, padded, ErrorCode::INTEGRITY);
    bad = stream;
    bad.back() ^= 1;
    add("a flipped bit in the trailing SHA-256", image, bad, padded, ErrorCode::INTEGRITY);
    bad = stream;
    bad[8] ^= 1;
    add("a flipped bit in the image bytes", image, bad, padded, ErrorCode::INTEGRITY);
    add("one byte short of padded_size", image, Bytes(stream.begin(), stream.end() - 1), padded,
        ErrorCode::INTEGRITY);
    bad = stream;
    bad.push_back(0);
    add("one byte past padded_size", image, bad, padded, ErrorCode::INTEGRITY);
    return document("padded_stream",
                    "The plaintext stream: u64 big-endian image length, the image, zero "
                    "padding, SHA-256 of the image; padded_size from the size buckets "
                    "(CRYPTO.md, \"The padded stream\"). Parse `stream` as a stream of "
                    "`padded_size` bytes: it yields `image`, or fails.",
                    std::move(vectors));
}

// ---- chunk streams ----

Json chunk_streams() {
    Json vectors = Json::array();
    auto content_key = generate_content_key();
    const std::vector<Bytes> plaintexts = {Bytes(1024, 0x11), Bytes(1024, 0x22), Bytes(500, 0x33)};
    auto encrypt_all = [&](const SecretBytes& key, std::size_t final_at) {
        ChunkEncryptor encryptor(key);
        std::vector<Bytes> chunks;
        for (std::size_t i = 0; i <= final_at && i < plaintexts.size(); ++i)
            chunks.push_back(encryptor.encrypt(plaintexts[i], i == final_at));
        return std::pair{encryptor.header(), chunks};
    };
    auto add = [&](std::string name, const SecretBytes& key, const Bytes& header,
                   const Bytes& commitment, const std::vector<Bytes>& chunks,
                   std::optional<ErrorCode> error, bool with_plaintexts) {
        Json vector = {{"name", std::move(name)},
                       {"error", code(error)},
                       {"content_key", hex(key.view())},
                       {"key_commitment", hex(commitment)},
                       {"stream_header", hex(header)}};
        Json list = Json::array();
        Sha256 digest;
        for (const auto& chunk : chunks) {
            list.push_back(hex(chunk));
            digest.update(chunk);
        }
        vector["chunks"] = std::move(list);
        if (with_plaintexts) {
            Json texts = Json::array();
            for (const auto& text : plaintexts)
                texts.push_back(hex(text));
            vector["plaintexts"] = std::move(texts);
            vector["ciphertext_sha256"] = hex(digest.finish());
        }
        vectors.push_back(std::move(vector));
    };
    const Bytes commitment = key_commitment(content_key);
    auto [header, chunks] = encrypt_all(content_key, 2);
    add("three chunks: 1024, 1024 and 500 bytes, the last FINAL", content_key, header,
        commitment, chunks, std::nullopt, true);
    {
        auto single_key = generate_content_key();
        ChunkEncryptor encryptor(single_key);
        Bytes only = encryptor.encrypt(Bytes(4096, 0x44), true);
        add("one chunk of 4096 bytes, FINAL", single_key, encryptor.header(),
            key_commitment(single_key), {only}, std::nullopt, false);
    }
    add("the last chunk missing: no FINAL", content_key, header, commitment,
        {chunks[0], chunks[1]}, ErrorCode::INTEGRITY, false);
    add("no chunk at all", content_key, header, commitment, {}, ErrorCode::INTEGRITY, false);
    add("chunks 0 and 1 swapped", content_key, header, commitment,
        {chunks[1], chunks[0], chunks[2]}, ErrorCode::INTEGRITY, false);
    Bytes flipped = chunks[1];
    flipped[100] ^= 1;
    add("a flipped bit in chunk 1", content_key, header, commitment,
        {chunks[0], flipped, chunks[2]}, ErrorCode::INTEGRITY, false);
    Bytes tag_flipped = chunks[0];
    tag_flipped[0] ^= 1;
    add("a flipped bit in chunk 0's encrypted tag", content_key, header, commitment,
        {tag_flipped, chunks[1], chunks[2]}, ErrorCode::INTEGRITY, false);
    Bytes bad_header = header;
    bad_header[3] ^= 1;
    add("a flipped bit in the stream header", content_key, bad_header, commitment, chunks,
        ErrorCode::INTEGRITY, false);
    {
        // FINAL on the middle chunk, then one more chunk: libsodium's push, by hand.
        crypto_secretstream_xchacha20poly1305_state state;
        Bytes middle_header(crypto_secretstream_xchacha20poly1305_HEADERBYTES);
        crypto_secretstream_xchacha20poly1305_init_push(&state, middle_header.data(),
                                                        content_key.data());
        std::vector<Bytes> pushed;
        const unsigned char tags[] = {crypto_secretstream_xchacha20poly1305_TAG_MESSAGE,
                                      crypto_secretstream_xchacha20poly1305_TAG_FINAL,
                                      crypto_secretstream_xchacha20poly1305_TAG_FINAL};
        for (std::size_t i = 0; i < 3; ++i) {
            Bytes out(plaintexts[i].size() + kChunkOverhead);
            crypto_secretstream_xchacha20poly1305_push(&state, out.data(), nullptr,
                                                       plaintexts[i].data(),
                                                       plaintexts[i].size(), nullptr, 0,
                                                       tags[i]);
            pushed.push_back(std::move(out));
        }
        add("FINAL on chunk 1 of 3", content_key, middle_header, commitment, pushed,
            ErrorCode::INTEGRITY, false);
        // A PUSH-tagged chunk, which readers refuse.
        crypto_secretstream_xchacha20poly1305_state push_state;
        Bytes push_header(crypto_secretstream_xchacha20poly1305_HEADERBYTES);
        crypto_secretstream_xchacha20poly1305_init_push(&push_state, push_header.data(),
                                                        content_key.data());
        Bytes out(plaintexts[0].size() + kChunkOverhead);
        crypto_secretstream_xchacha20poly1305_push(
            &push_state, out.data(), nullptr, plaintexts[0].data(), plaintexts[0].size(),
            nullptr, 0, crypto_secretstream_xchacha20poly1305_TAG_PUSH);
        add("a chunk tagged PUSH", content_key, push_header, commitment, {out},
            ErrorCode::INTEGRITY, false);
    }
    {
        auto other_key = generate_content_key();
        auto [other_header, other_chunks] = encrypt_all(other_key, 2);
        add("chunk 1 spliced from another stream", content_key, header, commitment,
            {chunks[0], other_chunks[1], chunks[2]}, ErrorCode::INTEGRITY, false);
        add("the key commitment of another key", content_key, header,
            key_commitment(other_key), chunks, ErrorCode::INTEGRITY, false);
    }
    return document("chunk_stream",
                    "Content encryption: crypto_secretstream_xchacha20poly1305 chunks under "
                    "`content_key` from `stream_header`, and the key commitment (CRYPTO.md, "
                    "\"Content encryption\", \"Chunks\"). Check the commitment against the "
                    "key, decrypt every chunk in order, then require that the last was FINAL; "
                    "any failure is INTEGRITY. ciphertext_sha256 is over the chunks only.",
                    std::move(vectors));
}

// ---- sealed content keys ----

Json sealed_keys(const World& world) {
    Json vectors = Json::array();
    auto content_key = generate_content_key();
    auto add = [&](std::string name, const BoxKeyPair& opener, const Bytes& sealed,
                   std::optional<ErrorCode> error) {
        Json vector = {{"name", std::move(name)},
                       {"error", code(error)},
                       {"box_pk", hex(opener.public_key)},
                       {"box_sk", hex(opener.secret_key.view())},
                       {"sealed", hex(sealed)}};
        if (!error) vector["content_key"] = hex(content_key.view());
        vectors.push_back(std::move(vector));
    };
    Bytes to_alice = seal(content_key.view(), world.alice.box.public_key);
    add("a content key sealed to alice (an end-to-end grant)", world.alice.box, to_alice,
        std::nullopt);
    add("the same key sealed to the server's wrap key (escrow)", world.server_wrap,
        seal(content_key.view(), world.server_wrap.public_key), std::nullopt);
    add("alice's grant opened by bob", world.bob.box, to_alice, ErrorCode::INTEGRITY);
    Bytes flipped = to_alice;
    flipped[40] ^= 1;
    add("a flipped bit in the sealed box", world.alice.box, flipped, ErrorCode::INTEGRITY);
    add("truncated to 47 bytes", world.alice.box, Bytes(to_alice.begin(), to_alice.begin() + 47),
        ErrorCode::INTEGRITY);
    return document("sealed_key",
                    "A 32-byte content key sealed (crypto_box_seal, 80 bytes) to an X25519 "
                    "key: a grant, or escrow's wrapped key. Open `sealed` with the key pair.",
                    std::move(vectors));
}

// ---- a whole post, as a reader meets it ----

Json posts(const World& world) {
    Json vectors = Json::array();
    auto add = [&](std::string name, const SealedImage& sealed, const BoxKeyPair& reader,
                   std::string reader_name) {
        const Bytes encoded = encode_envelope(sealed.envelope);
        Json chunks = Json::array();
        for (const auto& chunk : sealed.chunks)
            chunks.push_back(hex(chunk));
        vectors.push_back({{"name", std::move(name)},
                           {"error", nullptr},
                           {"ca_verify_key", hex(world.ca.public_key)},
                           {"now", kNow},
                           {"owner_certificate", hex(encode_certificate(world.alice.certificate))},
                           {"reader", std::move(reader_name)},
                           {"reader_box_pk", hex(reader.public_key)},
                           {"reader_box_sk", hex(reader.secret_key.view())},
                           {"image", hex(sealed.image)},
                           {"padded_stream", hex(sealed.stream)},
                           {"content_key", hex(sealed.content_key.view())},
                           {"envelope_fields", envelope_fields(sealed.envelope)},
                           {"envelope", hex(encoded)},
                           {"signature", hex(sign_envelope(encoded,
                                                           world.alice.sign.secret_key))},
                           {"wrapped_key", hex(seal(sealed.content_key.view(),
                                                    reader.public_key))},
                           {"chunks", std::move(chunks)}});
    };
    add("alice's escrow post of 3,000 bytes in 1 KiB chunks, the key re-wrapped for bob",
        seal_image(world.alice, "harbour.png", 1024, 3000), world.bob.box, "bob");
    add("alice's end-to-end post for bob, 5,000 bytes in one chunk, bob's grant",
        seal_image(world.alice, "note", 8192, 5000, {"alice", "bob"}), world.bob.box, "bob");
    return document("post",
                    "A whole image as a reader meets it (PROTOCOL.md, DOWNLOAD): verify the "
                    "certificate and the envelope, open `wrapped_key`, check the key "
                    "commitment, decrypt the chunks, parse the padded stream: the result is "
                    "`image`. Every intermediate value is given.",
                    std::move(vectors));
}

// ---- thumbnails: v2 envelopes ----

// The JPEG the vectors seal: a JPEG's first bytes (SOI, APP0) and last (EOI) around filler.
// The vectors check the crypto and the encoding, not a JPEG decoder.
Bytes vector_jpeg(std::size_t size) {
    Bytes jpeg(size);
    for (std::size_t i = 0; i < size; ++i)
        jpeg[i] = static_cast<std::uint8_t>(i * 13 + 5);
    jpeg[0] = 0xff, jpeg[1] = 0xd8, jpeg[2] = 0xff, jpeg[3] = 0xe0;
    jpeg[size - 2] = 0xff, jpeg[size - 1] = 0xd9;
    return jpeg;
}

Json thumbnails(const World& world) {
    Json vectors = Json::array();
    const Person& alice = world.alice;
    auto add = [&](std::string name, const Bytes& encoded, const Bytes& signature,
                   const SecretBytes& content_key, std::optional<ErrorCode> error,
                   const Bytes* jpeg = nullptr) {
        Json vector = {{"name", std::move(name)},
                       {"error", code(error)},
                       {"ca_verify_key", hex(world.ca.public_key)},
                       {"now", kNow},
                       {"owner_certificate", hex(encode_certificate(alice.certificate))},
                       {"envelope", hex(encoded)},
                       {"signature", hex(signature)},
                       {"content_key", hex(content_key.view())}};
        if (jpeg) {
            auto envelope = decode_envelope(encoded);
            Bytes subkey(32);
            crypto_kdf_derive_from_key(subkey.data(), subkey.size(), 1, "imgthumb",
                                       content_key.data());
            vector["fields"] = envelope_fields(*envelope);
            vector["fields"]["thumbnail"] = hex(envelope->thumbnail);
            vector["signed_message"] = hex(signed_message(kEnvelopeV2SigningContext, encoded));
            vector["thumbnail_key"] = hex(subkey);
            vector["thumbnail_nonce"] = hex(ByteView(envelope->thumbnail).first(24));
            vector["thumbnail_jpeg"] = hex(*jpeg);
        }
        vectors.push_back(std::move(vector));
    };
    auto signed_by_alice = [&](const Bytes& encoded) {
        return sign_envelope(encoded, alice.sign.secret_key);
    };
    auto with_thumbnail = [](SealedImage& sealed, const Bytes& jpeg) {
        sealed.envelope.v = kEnvelopeWithThumbnailVersion;
        sealed.envelope.thumbnail = *seal_thumbnail(sealed.content_key, jpeg);
        return encode_envelope(sealed.envelope);
    };
    const Bytes small = vector_jpeg(600);
    const Bytes block = vector_jpeg(4096);  // one byte too many for one block: two
    SealedImage escrow = seal_image(alice, "meadow.png", 1024, 2500);
    const Bytes escrow_bytes = with_thumbnail(escrow, small);
    add("an escrow v2 envelope with a 600-byte thumbnail", escrow_bytes,
        signed_by_alice(escrow_bytes), escrow.content_key, std::nullopt, &small);
    SealedImage shared = seal_image(alice, "for-bob-v2", 4096, 9000, {"alice", "bob"});
    const Bytes shared_bytes = with_thumbnail(shared, block);
    add("an end-to-end v2 envelope with a 4096-byte thumbnail (two pad blocks)", shared_bytes,
        signed_by_alice(shared_bytes), shared.content_key, std::nullopt, &block);

    Bytes tampered = escrow_bytes;
    tampered[tampered.size() - 100] ^= 0x01;
    add("a byte of the thumbnail box changed after signing", tampered,
        signed_by_alice(escrow_bytes), escrow.content_key, ErrorCode::BAD_SIGNATURE);
    add("signed under the v1 context", escrow_bytes,
        sign(kEnvelopeSigningContext, escrow_bytes, alice.sign.secret_key), escrow.content_key,
        ErrorCode::BAD_SIGNATURE);
    {
        Envelope cut = escrow.envelope;
        cut.thumbnail.pop_back();  // not nonce + k * 4096 + tag
        const Bytes bytes = encode_envelope(cut);
        add("a thumbnail box one byte short of a box size", bytes, signed_by_alice(bytes),
            escrow.content_key, ErrorCode::BAD_REQUEST);
        Bytes fourteen = encode_envelope(escrow.envelope);
        fourteen.resize(fourteen.size() - escrow.envelope.thumbnail.size() - 3);  // bin 16
        fourteen[0] = 0x9e;
        add("version 2 with 14 fields (signed as sent)", fourteen, signed_by_alice(fourteen),
            escrow.content_key, ErrorCode::BAD_REQUEST);
        Envelope empty = escrow.envelope;
        empty.thumbnail.clear();
        const Bytes empty_bytes = encode_envelope(empty);
        add("version 2 with an empty thumbnail", empty_bytes, signed_by_alice(empty_bytes),
            escrow.content_key, ErrorCode::BAD_REQUEST);
    }
    {
        // Signed by alice, well formed, but the box is not sealed under this image's key.
        SealedImage other = seal_image(alice, "meadow.png", 1024, 2500);
        Envelope swapped = escrow.envelope;
        swapped.thumbnail = *seal_thumbnail(other.content_key, small);
        const Bytes bytes = encode_envelope(swapped);
        add("a thumbnail sealed under another image's key", bytes, signed_by_alice(bytes),
            escrow.content_key, ErrorCode::INTEGRITY);
        Envelope html = escrow.envelope;
        html.thumbnail = *seal_thumbnail(escrow.content_key, to_bytes("<html><script>"));
        const Bytes html_bytes = encode_envelope(html);
        add("a thumbnail that is not a JPEG", html_bytes, signed_by_alice(html_bytes),
            escrow.content_key, ErrorCode::INTEGRITY);
    }
    return document("thumbnail",
                    "v2 envelopes, which carry the image's thumbnail (CRYPTO.md, "
                    "\"Thumbnails\"). Check: the owner certificate against ca_verify_key at "
                    "now, then verify_envelope (the signature over `envelope` under "
                    "\"imgshare/envelope/v2\", the decoding and every rule, owner and serial), "
                    "then the key commitment of `content_key`, then open the thumbnail box "
                    "with the subkey crypto_kdf_derive_from_key(32, 1, \"imgthumb\", "
                    "content_key): XChaCha20-Poly1305 with the box's first 24 bytes as nonce, "
                    "sodium_unpad with 4096-byte blocks, and the JPEG must start FF D8 FF. "
                    "The result is `thumbnail_jpeg`.",
                    std::move(vectors));
}

// ---- signed standings ----

Json standings(const World& world) {
    Json vectors = Json::array();
    const Certificate& alice = world.alice.certificate;
    auto add = [&](std::string name, const Bytes& standing, std::optional<ErrorCode> error,
                   std::optional<bool> revoked, const Bytes& message = {}) {
        Json vector = {{"name", std::move(name)},
                       {"error", code(error)},
                       {"ca_verify_key", hex(world.ca.public_key)},
                       {"username", alice.username},
                       {"serial", alice.serial},
                       {"now", kNow},
                       {"standing", hex(standing)}};
        if (revoked) vector["revoked"] = *revoked;
        if (!message.empty()) vector["message"] = hex(message);
        vectors.push_back(std::move(vector));
    };
    auto stated = [&](bool revoked, std::int64_t at, std::string_view username = "alice",
                      std::uint64_t serial = 7) {
        return make_standing(username, serial, revoked, at, world.ca.secret_key);
    };
    // [1, "alice", 7, revoked, kNow]: 0x95 01 a5 "alice" 07 c2|c3 ce 6b49d200
    auto message = [](bool revoked) {
        Bytes bytes{0x95, 0x01, 0xa5, 'a', 'l', 'i', 'c', 'e', 0x07,
                    static_cast<std::uint8_t>(revoked ? 0xc3 : 0xc2), 0xce};
        for (int shift = 24; shift >= 0; shift -= 8) {
            bytes.push_back(static_cast<std::uint8_t>(kNow >> shift));
        }
        return bytes;
    };
    add("alice stands: not revoked", stated(false, kNow), std::nullopt, false, message(false));
    add("alice is revoked", stated(true, kNow), std::nullopt, true, message(true));
    add("stated exactly 600 s before now", stated(false, kNow - 600), std::nullopt, false);
    add("stated 300 s after now (clock skew)", stated(false, kNow + 300), std::nullopt, false);
    add("stated 601 s before now: replayed", stated(false, kNow - 601), ErrorCode::STALE, {});
    add("stated 301 s after now", stated(false, kNow + 301), ErrorCode::STALE, {});
    Bytes flipped = stated(true, kNow);
    flipped[9] = 0xc2;  // revoked true -> false, the CA's signature kept
    add("revoked flipped to false after signing", flipped, ErrorCode::BAD_SIGNATURE, {});
    add("no standing at all", {}, ErrorCode::BAD_SIGNATURE, {});
    add("a standing for bob", stated(false, kNow, "bob"), ErrorCode::BAD_SIGNATURE, {});
    add("a standing for alice's certificate serial 6", stated(false, kNow, "alice", 6),
        ErrorCode::BAD_SIGNATURE, {});
    add("signed by another CA",
        make_standing("alice", 7, false, kNow, world.other_ca.secret_key),
        ErrorCode::BAD_SIGNATURE, {});
    {
        Bytes under_invite = message(false);
        Bytes signature = sign("imgshare/invite/v1", under_invite, world.ca.secret_key);
        under_invite[0] = 0x96;
        under_invite.push_back(0xc4);
        under_invite.push_back(64);
        under_invite.insert(under_invite.end(), signature.begin(), signature.end());
        add("signed by the CA under another context", under_invite, ErrorCode::BAD_SIGNATURE, {});
    }
    Bytes good = stated(false, kNow);
    add("truncated by one byte", Bytes(good.begin(), good.end() - 1), ErrorCode::BAD_SIGNATURE,
        {});
    Bytes wide = good;  // the serial 7 written as uint8 (cc 07): not canonical
    wide.insert(wide.begin() + 8, 0xcc);
    add("the serial written as uint8 (not canonical)", wide, ErrorCode::BAD_SIGNATURE, {});
    return document("standing",
                    "GET_CERT's `standing` (PROTOCOL.md, GET_CERT; CRYPTO.md, \"Signatures\"): "
                    "the canonical array [1, username, serial, revoked, stated_at, signature]. "
                    "Check, for the certificate of `username` and `serial` the reply carries: it "
                    "decodes canonically and its signature by ca_verify_key over "
                    "\"imgshare/standing/v1\" 0x00 and `message` ([1, username, serial, revoked, "
                    "stated_at]) verifies, and it names that username and serial (else "
                    "BAD_SIGNATURE); stated_at is at least now - 600 and at most now + 300 "
                    "(else STALE). The result is `revoked`.",
                    std::move(vectors));
}


// ---- the certificate log ----

Json certificate_log(const World& world) {
    using namespace transparency;
    // Drawn after every other file's keys, so theirs stay as they were.
    const SigningKeyPair log = generate_signing_keys();
    const SigningKeyPair other_log = generate_signing_keys();
    Json vectors = Json::array();
    const Bytes alice = encode_certificate(world.alice.certificate);
    const Bytes bob = encode_certificate(world.bob.certificate);
    // The log: alice's certificate, bob's, alice revoked, alice's name released, then bob again.
    const std::vector<Bytes> entries{encode_certificate_entry(alice), encode_certificate_entry(bob),
                                     encode_revocation_entry("alice", world.alice.certificate.serial,
                                                             kNow - 60),
                                     encode_release_entry("alice", world.alice.certificate.serial,
                                                          kNow - 30),
                                     encode_certificate_entry(bob)};
    MerkleTree tree;
    for (std::size_t i = 0; i < entries.size(); ++i) {
        tree.append(entries[i]);
        const auto leaf = leaf_hash(entries[i]);
        vectors.push_back({{"name", "entry " + std::to_string(i) + ": its leaf hash"},
                           {"error", nullptr},
                           {"entry", hex(entries[i])},
                           {"leaf_hash", hex(ByteView(leaf.data(), leaf.size()))},
                           {"root_of_first", hex(ByteView(tree.root().data(), 32))},
                           {"size", tree.size()}});
    }
    const auto head = [&](std::uint64_t size, const SigningKeyPair& keys) {
        return make_tree_head(size, tree.root(size), kNow, keys.secret_key);
    };
    const auto hashes = [](const std::vector<MerkleHash>& path) {
        Json out = Json::array();
        for (const auto& hash : path)
            out.push_back(hex(ByteView(hash.data(), hash.size())));
        return out;
    };
    auto inclusion = [&](std::string name, const Bytes& certificate, std::uint64_t index,
                         const Bytes& tree_head, const std::vector<MerkleHash>& path,
                         std::optional<ErrorCode> error) {
        vectors.push_back({{"name", std::move(name)},
                           {"error", code(error)},
                           {"check", "inclusion"},
                           {"log_verify_key", hex(log.public_key)},
                           {"certificate", hex(certificate)},
                           {"index", index},
                           {"tree_head", hex(tree_head)},
                           {"inclusion", hashes(path)}});
    };
    inclusion("bob's certificate, entry 1 of 5", bob, 1, head(5, log), tree.inclusion_proof(1, 5),
              std::nullopt);
    inclusion("alice's certificate, entry 0 of 2", alice, 0, head(2, log),
              tree.inclusion_proof(0, 2), std::nullopt);
    inclusion("bob's certificate, its later entry 4 of 5", bob, 4, head(5, log),
              tree.inclusion_proof(4, 5), std::nullopt);
    inclusion("alice's certificate with bob's proof", alice, 1, head(5, log),
              tree.inclusion_proof(1, 5), ErrorCode::NOT_LOGGED);
    inclusion("bob's proof at another index", bob, 0, head(5, log), tree.inclusion_proof(1, 5),
              ErrorCode::NOT_LOGGED);
    inclusion("no tree head", bob, 1, {}, tree.inclusion_proof(1, 5), ErrorCode::NOT_LOGGED);
    inclusion("an index past the head", bob, 5, head(5, log), tree.inclusion_proof(1, 5),
              ErrorCode::NOT_LOGGED);
    inclusion("a head signed by another log", bob, 1, head(5, other_log),
              tree.inclusion_proof(1, 5), ErrorCode::BAD_SIGNATURE);
    auto consistency = [&](std::string name, const Bytes& seen, const Bytes& newer,
                           const std::vector<MerkleHash>& path, std::optional<ErrorCode> error) {
        vectors.push_back({{"name", std::move(name)},
                           {"error", code(error)},
                           {"check", "consistency"},
                           {"log_verify_key", hex(log.public_key)},
                           {"seen_tree_head", hex(seen)},
                           {"new_tree_head", hex(newer)},
                           {"consistency", hashes(path)}});
    };
    for (std::uint64_t first = 1; first < 5; ++first) {
        consistency("the head of 5 extends the one of " + std::to_string(first), head(first, log),
                    head(5, log), tree.consistency_proof(first, 5), std::nullopt);
    }
    consistency("the same head", head(3, log), head(3, log), {}, std::nullopt);
    consistency("a smaller head after a larger one", head(4, log), head(3, log), {},
                ErrorCode::LOG_INCONSISTENT);
    consistency("the proof of another pair of sizes", head(2, log), head(5, log),
                tree.consistency_proof(3, 5), ErrorCode::LOG_INCONSISTENT);
    {
        MerkleTree forked;  // entry 0 changed: alice's certificate issued to other keys
        Certificate impostor = world.alice.certificate;
        impostor.sign_pk = world.bob.sign.public_key;
        forked.append(encode_certificate_entry(encode_certificate(impostor)));
        for (std::size_t i = 1; i < entries.size(); ++i)
            forked.append(entries[i]);
        consistency("a log whose entry 0 changed", head(3, log),
                    make_tree_head(5, forked.root(), kNow, log.secret_key),
                    forked.consistency_proof(3, 5), ErrorCode::LOG_INCONSISTENT);
        consistency("the same size, another root", head(5, log),
                    make_tree_head(5, forked.root(), kNow, log.secret_key), {},
                    ErrorCode::LOG_INCONSISTENT);
    }
    {
        // Witnesses' cosignatures of the head of 5 (drawn last, so every key above stays).
        const SigningKeyPair witness_a = generate_signing_keys();
        const SigningKeyPair witness_b = generate_signing_keys();
        const SigningKeyPair stranger = generate_signing_keys();
        const Bytes five = head(5, log);
        const auto five_head = decode_tree_head(five).value();
        const auto cosign = [&](const SigningKeyPair& witness, const TreeHead& of) {
            return make_cosignature(log.public_key, of, kNow + 5, witness.public_key,
                                    witness.secret_key);
        };
        const Bytes by_a = cosign(witness_a, five_head), by_b = cosign(witness_b, five_head);
        const Bytes of_four = cosign(witness_b, decode_tree_head(head(4, log)).value());
        auto witnessed = [&](std::string name, std::vector<Bytes> cosignatures,
                             std::vector<Bytes> witness_keys, std::size_t quorum,
                             std::optional<ErrorCode> error) {
            Json listed = Json::array(), keys = Json::array();
            for (const auto& cosignature : cosignatures) listed.push_back(hex(cosignature));
            for (const auto& key : witness_keys) keys.push_back(hex(key));
            vectors.push_back({{"name", std::move(name)},
                               {"error", code(error)},
                               {"check", "witnessed"},
                               {"log_verify_key", hex(log.public_key)},
                               {"tree_head", hex(five)},
                               {"cosignatures", std::move(listed)},
                               {"witness_keys", std::move(keys)},
                               {"quorum", quorum}});
        };
        const std::vector<Bytes> both{witness_a.public_key, witness_b.public_key};
        witnessed("one listed witness of two cosigned, quorum 1", {by_a}, both, 1, std::nullopt);
        witnessed("both cosigned, quorum 2", {by_b, by_a}, both, 2, std::nullopt);
        witnessed("no witnesses listed, quorum 0", {}, {}, 0, std::nullopt);
        witnessed("no cosignature, quorum 1", {}, both, 1, ErrorCode::NOT_WITNESSED);
        witnessed("the same witness twice, quorum 2", {by_a, by_a}, both, 2,
                  ErrorCode::NOT_WITNESSED);
        witnessed("a witness the list does not name", {cosign(stranger, five_head)}, both, 1,
                  ErrorCode::NOT_WITNESSED);
        witnessed("a cosignature of the head of 4", {by_a, of_four}, both, 2,
                  ErrorCode::NOT_WITNESSED);
        witnessed("a cosignature of the same tree under another log's key",
                  {make_cosignature(other_log.public_key, five_head, kNow + 5,
                                    witness_a.public_key, witness_a.secret_key)},
                  both, 1, ErrorCode::NOT_WITNESSED);
    }
    return document(
        "certificate_log",
        "The certificate log (TRANSPARENCY.md; RFC 9162 §2.1 hashing: leaf SHA-256(0x00 || "
        "entry), node SHA-256(0x01 || left || right)). Vectors without `check`: `entry`'s leaf "
        "hash, and the root of the log's first `size` entries. `check: inclusion`: the tree "
        "head (canonical [1, size, root, timestamp, signature], signed by log_verify_key "
        "under \"imgshare/tree-head/v1\", else BAD_SIGNATURE) must have the leaf of the entry "
        "[1, \"certificate\", certificate] at `index` by `inclusion` (RFC 9162 §2.1.3.2), else "
        "NOT_LOGGED. `check: consistency`: both heads verify; the new one must not be smaller, "
        "must have the same root at the same size, and `consistency` must prove it extends the "
        "seen one (§2.1.4.2), else LOG_INCONSISTENT. `check: witnessed`: `tree_head` verifies, "
        "and at least `quorum` different keys of `witness_keys` cosigned it among "
        "`cosignatures` (each the canonical [1, witness_key, timestamp, signature], the "
        "Ed25519 signature by witness_key under \"imgshare/cosignature/v1\" over [1, "
        "log_verify_key, size, root, timestamp]; one that does not verify, or names a key not "
        "listed, counts for nothing), else NOT_WITNESSED.",
        std::move(vectors));
}

std::vector<std::pair<std::string, Json>> every_document() {
    World world;
    std::vector<std::pair<std::string, Json>> out;
    out.emplace_back("keys", keys(world));
    out.emplace_back("certificate", certificates(world));
    out.emplace_back("registration", registrations(world));
    out.emplace_back("envelope", envelopes(world));
    out.emplace_back("padded_stream", padded_streams());
    out.emplace_back("chunk_stream", chunk_streams());
    out.emplace_back("sealed_key", sealed_keys(world));
    out.emplace_back("post", posts(world));
    out.emplace_back("thumbnail", thumbnails(world));  // the earlier draws stay as they were
    out.emplace_back("standing", standings(world));
    out.emplace_back("certificate_log", certificate_log(world));
    return out;
}

int usage() {
    std::cerr << "usage: make_test_vectors write|check DIR\n"
                 "  write: writes DIR/<kind>.json for every kind of vector\n"
                 "  check: exits 1, naming the file, unless DIR holds exactly what write "
                 "would write\n";
    return 2;
}

}  // namespace
}  // namespace imgshare::vectors

int main(int argc, char** argv) {
    using namespace imgshare::vectors;
    if (randombytes_set_implementation(&deterministic_source) != 0 || sodium_init() < 0) {
        std::cerr << "make_test_vectors: cannot start libsodium with the fixed source\n";
        return 1;
    }
    if (argc != 3) return usage();
    const std::string mode = argv[1];
    const std::filesystem::path directory = argv[2];
    if (mode != "write" && mode != "check") return usage();
    std::size_t count = 0;
    int stale = 0;
    for (const auto& [kind, document] : every_document()) {
        count += document.at("vectors").size();
        const auto path = directory / (kind + ".json");
        const std::string text = text_of(document);
        if (mode == "write") {
            std::ofstream out(path, std::ios::binary | std::ios::trunc);
            out << text;
            if (!out) {
                std::cerr << "make_test_vectors: cannot write " << path << "\n";
                return 1;
            }
        } else if (!std::filesystem::exists(path) || read_text(path) != text) {
            std::cerr << "make_test_vectors: " << path
                      << " is not what the generator writes; run `make_test_vectors write "
                      << directory.string() << "` and commit the result\n";
            stale = 1;
        }
    }
    std::cout << (mode == "write" ? "wrote " : "checked ") << count << " vectors in "
              << directory.string() << "\n";
    return stale;
}
