// The C++ implementation against every committed test vector (docs/test-vectors/): each
// vector's checks, run as docs/test-vectors/README.md tells any implementation to run them,
// must end as its "error" says (null: every check passes and every intermediate value is
// reproduced). The directory comes from IMGSHARE_TEST_VECTORS (ctest sets it); without it the
// tests fail, never pass vacuously.
#include <gtest/gtest.h>
#include <sodium.h>

#include <cstdlib>

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
#include "common/transparency/tree_head.h"
#include "tests/vectors/support/vector_file.h"

namespace imgshare::vectors {
namespace {

// A JSON string as std::string: clang 19 finds `std::string == json` ambiguous (C++20's
// reversed candidates), so the string expectations compare strings.
std::string as_text(const Json& value) { return value.get<std::string>(); }

Json load(std::string_view kind) {
    const char* directory = std::getenv("IMGSHARE_TEST_VECTORS");
    if (directory == nullptr) {
        throw std::runtime_error("IMGSHARE_TEST_VECTORS is not set (ctest sets it to "
                                 "docs/test-vectors)");
    }
    auto document = read_document(std::filesystem::path(directory) / (std::string(kind) + ".json"));
    if (document.at("kind") != kind) throw std::runtime_error("wrong kind in " + std::string(kind));
    return document;
}

// The outcome a vector expects: nullopt for success.
std::optional<ErrorCode> expected(const Json& vector) {
    if (vector.at("error").is_null()) return std::nullopt;
    auto code = error_code_from_string(vector.at("error").get<std::string>());
    if (!code) throw std::runtime_error("unknown error code in a vector");
    return code;
}

template <class T>
std::optional<ErrorCode> outcome(const Result<T>& result) {
    return result ? std::nullopt : std::optional(result.error().code);
}

std::string code_name(std::optional<ErrorCode> code) {
    return code ? std::string(to_string(*code)) : "success";
}

#define EXPECT_OUTCOME(vector, actual) \
    EXPECT_EQ(code_name(actual), code_name(expected(vector))) << (vector).at("name")

SecretBytes secret(const Json& value) {
    return SecretBytes::copy_of(unhex(value));
}

TEST(TestVectorsTest, EveryKindIsThereAndThereAreAtLeastAHundred) {
    std::size_t count = 0;
    for (auto kind : kKinds) {
        auto document = load(kind);
        EXPECT_EQ(document.at("format"), kFormat);
        for (const auto& vector : document.at("vectors")) {
            EXPECT_TRUE(vector.contains("name") && vector.contains("error"));
            ++count;
        }
    }
    EXPECT_GE(count, 100u);
}

TEST(TestVectorsTest, Keys) {
    const Json document = load("keys");  // alive for the whole loop
    for (const auto& vector : document.at("vectors")) {
        const Bytes public_key = unhex(vector.at("public_key"));
        const auto kind = vector.at("key_kind") == "signing" ? KeyKind::Signing : KeyKind::Box;
        EXPECT_OUTCOME(vector, outcome(check_public_key(public_key, kind)));
        if (vector.contains("secret_key")) {
            auto derived = kind == KeyKind::Signing
                               ? signing_public_key_of(secret(vector.at("secret_key")))
                               : box_public_key_of(secret(vector.at("secret_key")));
            ASSERT_TRUE(derived.has_value()) << vector.at("name");
            EXPECT_EQ(to_hex(*derived), as_text(vector.at("public_key"))) << vector.at("name");
        }
    }
}

TEST(TestVectorsTest, Certificates) {
    const Json document = load("certificate");  // alive for the whole loop
    for (const auto& vector : document.at("vectors")) {
        auto certificate = decode_certificate(unhex(vector.at("certificate")));
        if (!certificate) {
            EXPECT_OUTCOME(vector, outcome(certificate));
            continue;
        }
        EXPECT_OUTCOME(vector, outcome(verify_certificate(*certificate,
                                                          unhex(vector.at("ca_verify_key")),
                                                          vector.at("now").get<std::int64_t>())));
        if (vector.contains("signed_bytes")) {
            EXPECT_EQ(to_hex(certificate_signed_bytes(*certificate)), as_text(vector.at("signed_bytes")));
            EXPECT_EQ(to_hex(certificate->signature), as_text(vector.at("signature")));
            EXPECT_EQ(certificate->username, as_text(vector.at("fields").at("username")));
            EXPECT_EQ(certificate->serial, vector.at("fields").at("serial"));
            EXPECT_EQ(certificate->not_after, vector.at("fields").at("not_after"));
            Bytes message = to_bytes("imgshare/certificate/v1");
            message.push_back(0);
            auto signed_bytes = certificate_signed_bytes(*certificate);
            message.insert(message.end(), signed_bytes.begin(), signed_bytes.end());
            EXPECT_EQ(to_hex(message), as_text(vector.at("signed_message")));
        }
    }
}

TEST(TestVectorsTest, Standings) {
    const Json document = load("standing");  // alive for the whole loop
    for (const auto& vector : document.at("vectors")) {
        Certificate certificate;
        certificate.username = as_text(vector.at("username"));
        certificate.serial = vector.at("serial").get<std::uint64_t>();
        auto revoked = check_standing(unhex(vector.at("standing")), certificate,
                                      unhex(vector.at("ca_verify_key")),
                                      vector.at("now").get<std::int64_t>());
        EXPECT_OUTCOME(vector, outcome(revoked));
        if (revoked && vector.contains("revoked")) {
            EXPECT_EQ(*revoked, vector.at("revoked").get<bool>()) << vector.at("name");
        }
        if (vector.contains("message")) {
            auto decoded = decode_standing(unhex(vector.at("standing")));
            ASSERT_TRUE(decoded.has_value()) << vector.at("name");
            Bytes signed_part = unhex(vector.at("standing"));
            signed_part.resize(signed_part.size() - 66);  // the bin 64 signature (c4 40 ...)
            signed_part[0] = 0x95;
            EXPECT_EQ(to_hex(signed_part), as_text(vector.at("message"))) << vector.at("name");
            EXPECT_TRUE(verify("imgshare/standing/v1", unhex(vector.at("message")),
                               decoded->signature, unhex(vector.at("ca_verify_key"))))
                << vector.at("name");
        }
    }
}

TEST(TestVectorsTest, CertificateLog) {
    using namespace transparency;
    const Json document = load("certificate_log");  // alive for the whole loop
    const auto hashes = [](const Json& list) {
        std::vector<Bytes> out;
        for (const auto& item : list)
            out.push_back(unhex(item));
        return out;
    };
    MerkleTree tree;
    for (const auto& vector : document.at("vectors")) {
        if (!vector.contains("check")) {
            const Bytes entry = unhex(vector.at("entry"));
            const auto leaf = leaf_hash(entry);
            EXPECT_EQ(to_hex(ByteView(leaf.data(), 32)), as_text(vector.at("leaf_hash")));
            tree.append(entry);
            EXPECT_EQ(tree.size(), vector.at("size").get<std::uint64_t>());
            EXPECT_EQ(to_hex(ByteView(tree.root().data(), 32)), as_text(vector.at("root_of_first")))
                << vector.at("name");
            continue;
        }
        const Bytes key = unhex(vector.at("log_verify_key"));
        if (vector.at("check") == "inclusion") {
            EXPECT_OUTCOME(vector, outcome(check_certificate_logged(
                                       unhex(vector.at("certificate")),
                                       vector.at("index").get<std::uint64_t>(),
                                       unhex(vector.at("tree_head")),
                                       hashes(vector.at("inclusion")), key)));
            continue;
        }
        if (vector.at("check") == "witnessed") {
            auto head = verify_tree_head(unhex(vector.at("tree_head")), key);
            ASSERT_TRUE(head) << vector.at("name");
            WitnessPolicy policy{hashes(vector.at("witness_keys")),
                                 vector.at("quorum").get<std::size_t>()};
            EXPECT_OUTCOME(vector, outcome(check_witnessed(hashes(vector.at("cosignatures")), key,
                                                           *head, policy)));
            continue;
        }
        auto seen = verify_tree_head(unhex(vector.at("seen_tree_head")), key);
        auto newer = verify_tree_head(unhex(vector.at("new_tree_head")), key);
        ASSERT_TRUE(seen && newer) << vector.at("name");
        EXPECT_OUTCOME(vector, outcome(check_extends(*seen, *newer, hashes(vector.at("consistency")))));
    }
}

TEST(TestVectorsTest, RegistrationProofs) {
    const Json document = load("registration");  // alive for the whole loop
    for (const auto& vector : document.at("vectors")) {
        const auto username = vector.at("username").get<std::string>();
        const Bytes sign_pk = unhex(vector.at("sign_pk"));
        const Bytes box_pk = unhex(vector.at("box_pk"));
        const Bytes curve_pk = unhex(vector.at("curve_pk"));
        EXPECT_OUTCOME(vector, outcome(check_registration_proof(username, sign_pk, box_pk,
                                                                curve_pk,
                                                                unhex(vector.at("proof")))));
        if (vector.contains("message")) {
            EXPECT_EQ(to_hex(registration_proof_message(username, sign_pk, box_pk, curve_pk)),
                      as_text(vector.at("message")));
        }
    }
}

TEST(TestVectorsTest, Envelopes) {
    const Json document = load("envelope");  // alive for the whole loop
    for (const auto& vector : document.at("vectors")) {
        auto owner = decode_certificate(unhex(vector.at("owner_certificate")));
        ASSERT_TRUE(owner.has_value());
        ASSERT_TRUE(verify_certificate(*owner, unhex(vector.at("ca_verify_key")),
                                       vector.at("now").get<std::int64_t>()));
        const Bytes encoded = unhex(vector.at("envelope"));
        auto envelope = verify_envelope(encoded, unhex(vector.at("signature")), *owner);
        EXPECT_OUTCOME(vector, outcome(envelope));
        if (envelope && vector.contains("fields")) {
            const auto& fields = vector.at("fields");
            EXPECT_EQ(envelope->name, as_text(fields.at("name")));
            EXPECT_EQ(envelope->content_type, as_text(fields.at("content_type")));
            EXPECT_EQ(envelope->padded_size, fields.at("padded_size"));
            EXPECT_EQ(envelope->chunk_count, fields.at("chunk_count"));
            EXPECT_EQ(to_hex(envelope->ciphertext_sha256), as_text(fields.at("ciphertext_sha256")));
            EXPECT_EQ(envelope->recipients,
                      fields.at("recipients").get<std::vector<std::string>>());
            EXPECT_EQ(encode_envelope(*envelope), encoded);
            EXPECT_EQ(envelope->revision, fields.value("revision", std::uint64_t{0}));
            EXPECT_EQ(envelope->expires_at, fields.value("expires_at", std::int64_t{0}));
            EXPECT_EQ(envelope->max_downloads, fields.value("max_downloads", std::uint32_t{0}));
            Bytes message = to_bytes(envelope_signing_context(encoded));
            message.push_back(0);
            message.insert(message.end(), encoded.begin(), encoded.end());
            EXPECT_EQ(to_hex(message), as_text(vector.at("signed_message")));
        }
    }
}

// A v2 envelope's checks, then the thumbnail box: the JPEG, or the first error.
Result<Bytes> open_vector_thumbnail(const Json& vector) {
    auto owner = decode_certificate(unhex(vector.at("owner_certificate")));
    if (!owner) return std::unexpected(owner.error());
    auto envelope = verify_envelope(unhex(vector.at("envelope")), unhex(vector.at("signature")),
                                    *owner);
    if (!envelope) return std::unexpected(envelope.error());
    auto key = SecretBytes::copy_of(unhex(vector.at("content_key")));
    if (auto ok = check_key_commitment(key, envelope->key_commitment); !ok) {
        return std::unexpected(ok.error());
    }
    return open_thumbnail(key, envelope->thumbnail);
}

TEST(TestVectorsTest, Thumbnails) {
    const Json document = load("thumbnail");
    for (const auto& vector : document.at("vectors")) {
        auto jpeg = open_vector_thumbnail(vector);
        EXPECT_OUTCOME(vector, outcome(jpeg));
        if (!jpeg || !vector.contains("thumbnail_jpeg")) continue;
        EXPECT_EQ(to_hex(*jpeg), as_text(vector.at("thumbnail_jpeg")));
        const Bytes encoded = unhex(vector.at("envelope"));
        auto envelope = decode_envelope(encoded);
        ASSERT_TRUE(envelope.has_value());
        EXPECT_EQ(envelope->v, 2u);
        EXPECT_EQ(to_hex(envelope->thumbnail), as_text(vector.at("fields").at("thumbnail")));
        EXPECT_EQ(encode_envelope(*envelope), encoded);
        Bytes message = to_bytes(kEnvelopeV2SigningContext);
        message.push_back(0);
        message.insert(message.end(), encoded.begin(), encoded.end());
        EXPECT_EQ(to_hex(message), as_text(vector.at("signed_message")));
        // The subkey as the description derives it.
        auto key = SecretBytes::copy_of(unhex(vector.at("content_key")));
        Bytes subkey(32);
        crypto_kdf_derive_from_key(subkey.data(), subkey.size(), 1, "imgthumb", key.data());
        EXPECT_EQ(to_hex(subkey), as_text(vector.at("thumbnail_key")));
    }
}

// The image bytes of a padded stream, or the parser's error.
Result<Bytes> parse_padded(const Bytes& stream, std::uint64_t padded_size) {
    client::PaddedStreamParser parser(padded_size);
    Bytes image;
    auto part = parser.consume(stream);
    if (!part) return std::unexpected(part.error());
    image.assign(part->begin(), part->end());
    if (auto done = parser.finish(); !done) return std::unexpected(done.error());
    return image;
}

TEST(TestVectorsTest, PaddedStreams) {
    const Json document = load("padded_stream");  // alive for the whole loop
    for (const auto& vector : document.at("vectors")) {
        const auto padded_size = vector.at("padded_size").get<std::uint64_t>();
        auto image = parse_padded(unhex(vector.at("stream")), padded_size);
        EXPECT_OUTCOME(vector, outcome(image));
        if (image && vector.contains("image")) {
            EXPECT_EQ(to_hex(*image), as_text(vector.at("image"))) << vector.at("name");
            EXPECT_EQ(client::padded_size_for(image->size()), padded_size) << vector.at("name");
        }
    }
}

// Every chunk decrypted in order, then FINAL required; the plaintexts or the first error.
Result<std::vector<Bytes>> decrypt_stream(const SecretBytes& key, const Bytes& header,
                                          const Bytes& commitment, const Json& chunks) {
    if (auto committed = check_key_commitment(key, commitment); !committed) {
        return std::unexpected(committed.error());
    }
    auto decryptor = ChunkDecryptor::create(key, header);
    if (!decryptor) return std::unexpected(decryptor.error());
    std::vector<Bytes> plaintexts;
    for (const auto& chunk : chunks) {
        auto plaintext = decryptor->decrypt(unhex(chunk));
        if (!plaintext) return std::unexpected(plaintext.error());
        plaintexts.push_back(std::move(*plaintext));
    }
    if (auto finished = decryptor->finish(); !finished) return std::unexpected(finished.error());
    return plaintexts;
}

TEST(TestVectorsTest, ChunkStreams) {
    const Json document = load("chunk_stream");  // alive for the whole loop
    for (const auto& vector : document.at("vectors")) {
        auto key = secret(vector.at("content_key"));
        auto plaintexts = decrypt_stream(key, unhex(vector.at("stream_header")),
                                         unhex(vector.at("key_commitment")), vector.at("chunks"));
        EXPECT_OUTCOME(vector, outcome(plaintexts));
        if (!plaintexts) continue;
        EXPECT_EQ(to_hex(key_commitment(key)), as_text(vector.at("key_commitment")));
        if (vector.contains("plaintexts")) {
            ASSERT_EQ(plaintexts->size(), vector.at("plaintexts").size());
            Sha256 digest;
            for (std::size_t i = 0; i < plaintexts->size(); ++i) {
                EXPECT_EQ(to_hex((*plaintexts)[i]), as_text(vector.at("plaintexts")[i]));
                digest.update(unhex(vector.at("chunks")[i]));
            }
            EXPECT_EQ(to_hex(digest.finish()), as_text(vector.at("ciphertext_sha256")));
        }
    }
}

TEST(TestVectorsTest, SealedKeys) {
    const Json document = load("sealed_key");  // alive for the whole loop
    for (const auto& vector : document.at("vectors")) {
        BoxKeyPair opener{unhex(vector.at("box_pk")), secret(vector.at("box_sk"))};
        auto opened = unseal(unhex(vector.at("sealed")), opener);
        EXPECT_OUTCOME(vector, outcome(opened));
        if (opened) {
            EXPECT_EQ(to_hex(opened->view()), as_text(vector.at("content_key")));
        }
    }
}

TEST(TestVectorsTest, WholePostsAsAReaderMeetsThem) {
    const Json document = load("post");  // alive for the whole loop
    for (const auto& vector : document.at("vectors")) {
        SCOPED_TRACE(vector.at("name").get<std::string>());
        auto owner = decode_certificate(unhex(vector.at("owner_certificate")));
        ASSERT_TRUE(owner.has_value());
        ASSERT_TRUE(verify_certificate(*owner, unhex(vector.at("ca_verify_key")),
                                       vector.at("now").get<std::int64_t>()));
        auto envelope =
            verify_envelope(unhex(vector.at("envelope")), unhex(vector.at("signature")), *owner);
        ASSERT_TRUE(envelope.has_value()) << envelope.error().message;
        BoxKeyPair reader{unhex(vector.at("reader_box_pk")), secret(vector.at("reader_box_sk"))};
        auto key = unseal(unhex(vector.at("wrapped_key")), reader);
        ASSERT_TRUE(key.has_value());
        EXPECT_EQ(to_hex(key->view()), as_text(vector.at("content_key")));
        const auto& chunks = vector.at("chunks");
        ASSERT_EQ(chunks.size(), envelope->chunk_count);
        Sha256 digest;
        for (std::uint32_t index = 0; index < envelope->chunk_count; ++index) {
            const Bytes chunk = unhex(chunks[index]);
            EXPECT_EQ(chunk.size(), chunk_ciphertext_size(*envelope, index));
            digest.update(chunk);
        }
        EXPECT_EQ(digest.finish(), envelope->ciphertext_sha256);
        auto plaintexts = decrypt_stream(*key, envelope->stream_header, envelope->key_commitment,
                                         vector.at("chunks"));
        ASSERT_TRUE(plaintexts.has_value()) << plaintexts.error().message;
        Bytes stream;
        for (const auto& plaintext : *plaintexts)
            stream.insert(stream.end(), plaintext.begin(), plaintext.end());
        EXPECT_EQ(to_hex(stream), as_text(vector.at("padded_stream")));
        auto image = parse_padded(stream, envelope->padded_size);
        ASSERT_TRUE(image.has_value()) << image.error().message;
        EXPECT_EQ(to_hex(*image), as_text(vector.at("image")));
        if (envelope->mode == kEndToEndMode) {
            EXPECT_TRUE(std::binary_search(envelope->recipients.begin(),
                                           envelope->recipients.end(),
                                           vector.at("reader").get<std::string>()));
        }
    }
}

}  // namespace
}  // namespace imgshare::vectors
