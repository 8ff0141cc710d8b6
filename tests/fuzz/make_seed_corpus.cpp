// Writes the seed corpus of every fuzz target: real encoded instances of every
// message, header, reply and event, certificates, envelopes, a keys file,
// trust and config files, and encrypted chunk streams, each laid out as its
// target reads it (fuzz_support.h), into <dir>/<target>/<name>.
//
//   make_seed_corpus DIR
//
// Signatures, MACs and the keys file use the fixed keys of fuzz_support.h, so
// unmutated seeds pass every check and the fuzzer starts behind them.
#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "common/certificate.h"
#include "common/config_file.h"
#include "common/crypto/chunk_stream.h"
#include "common/crypto/sealed_box.h"
#include "common/crypto/sha256.h"
#include "common/crypto/thumbnail_box.h"
#include "common/deletion.h"
#include "common/envelope.h"
#include "common/keys_file.h"
#include "common/protocol/codec.h"
#include "common/protocol/event.h"
#include "common/registration.h"
#include "common/renewal.h"
#include "common/standing.h"
#include "common/transparency/log_check.h"
#include "common/transparency/cosignature.h"
#include "common/transparency/log_entry.h"
#include "common/trust_file.h"
#include "common/wrap_key.h"
#include "tests/fuzz/fuzz_support.h"
#include "tests/fuzz/seed_writer.h"

namespace {

using namespace imgshare;
namespace fs = std::filesystem;

using fuzz::expect_valid;
using fuzz::SeedWriter;

// A user with deterministic keys: pattern seeds every key pair.
struct User {
    std::string name;
    std::uint64_t serial;
    SigningKeyPair sign;
    BoxKeyPair box;
    Bytes curve_pk;
    Bytes certificate;
};

BoxKeyPair fixed_box_keys(std::uint8_t pattern) {
    std::uint8_t seed[crypto_box_SEEDBYTES];
    std::fill(std::begin(seed), std::end(seed), pattern);
    BoxKeyPair keys{Bytes(crypto_box_PUBLICKEYBYTES), SecretBytes(crypto_box_SECRETKEYBYTES)};
    crypto_box_seed_keypair(keys.public_key.data(), keys.secret_key.data(), seed);
    return keys;
}

User make_user(std::string name, std::uint64_t serial, std::uint8_t pattern,
               const SigningKeyPair& ca) {
    User user{std::move(name),
              serial,
              fuzz::fixed_signing_keys(pattern),
              fixed_box_keys(pattern),
              fixed_box_keys(static_cast<std::uint8_t>(pattern + 1)).public_key,
              {}};
    Certificate fields;
    fields.serial = serial;
    fields.username = user.name;
    fields.sign_pk = user.sign.public_key;
    fields.box_pk = user.box.public_key;
    fields.curve_pk = user.curve_pk;
    fields.not_before = fuzz::kFixedNow - 3600;
    fields.not_after = fuzz::kFixedNow + 365 * 24 * 3600;
    fields.issuer = "imgshare-ca";
    user.certificate = encode_certificate(issue_certificate(std::move(fields), ca.secret_key));
    return user;
}

// An encrypted image under the fixed content key: the stream and its envelope.
struct Image {
    Bytes stream_header;
    std::vector<Bytes> chunks;
    Bytes envelope;
    Bytes signature;
};

Image make_image(const User& owner, const std::string& name, std::vector<std::string> recipients,
                 std::size_t plaintext_size) {
    const SecretBytes key = fuzz::fixed_content_key();
    ChunkEncryptor encryptor(key);
    Image image;
    image.stream_header = encryptor.header();
    constexpr std::size_t kChunk = kMinChunkSize;  // the envelope's smallest chunk size
    Bytes all_ciphertext;
    for (std::size_t offset = 0; offset < plaintext_size; offset += kChunk) {
        const std::size_t length = std::min(kChunk, plaintext_size - offset);
        const Bytes plaintext(length, static_cast<std::uint8_t>('a' + offset / kChunk));
        image.chunks.push_back(encryptor.encrypt(plaintext, offset + length == plaintext_size));
        all_ciphertext.insert(all_ciphertext.end(), image.chunks.back().begin(),
                              image.chunks.back().end());
    }
    Envelope envelope;
    envelope.name = name;
    envelope.owner = owner.name;
    envelope.owner_serial = owner.serial;
    envelope.mode = recipients.empty() ? std::string(kEscrowMode) : std::string(kEndToEndMode);
    envelope.content_type = "image/png";
    envelope.padded_size = plaintext_size;
    envelope.chunk_size = kChunk;
    envelope.chunk_count = static_cast<std::uint32_t>(image.chunks.size());
    envelope.stream_header = image.stream_header;
    envelope.ciphertext_sha256 = sha256(all_ciphertext);
    envelope.key_commitment = key_commitment(key);
    envelope.created_at = fuzz::kFixedNow;
    envelope.recipients = std::move(recipients);
    image.envelope = encode_envelope(envelope);
    image.signature = sign_envelope(image.envelope, owner.sign.secret_key);
    return image;
}

Bytes sealed_content_key(ByteView recipient_box_pk) {
    return seal(fuzz::fixed_content_key().view(), recipient_box_pk);
}

void write_message(SeedWriter& seeds, const std::string& name, const Frames& frames) {
    const Bytes input = fuzz::join_frames(frames);
    expect_valid(decode_request(std::span<const Bytes>(fuzz::split_frames(input))), name);
    seeds.write("fuzz_request", name, input);
    seeds.write("fuzz_header", name, frames[0]);
    seeds.write("fuzz_protocol_log", name + ".header", frames[0]);
    seeds.write("fuzz_protocol_log", name + ".body", frames[1]);
}

void write_requests(SeedWriter& seeds, const User& alice, const User& bob, const Image& escrow,
                    const Image& e2e) {
    const std::string upload = "5f0c2a9e3b7d41c8a6e2f19d0b4c7a31";
    RegisterRequest registration{
        alice.name, alice.sign.public_key, alice.box.public_key, alice.curve_pk, {}, {}};
    registration.proof =
        make_registration_proof(alice.name, alice.sign.public_key, alice.box.public_key,
                                alice.curve_pk, alice.sign.secret_key);
    const PostBeginRequest escrow_begin{alice.certificate,
                                        escrow.envelope,
                                        escrow.signature,
                                        sealed_content_key(bob.box.public_key),
                                        {}};
    const std::vector<Grant> grants = {{"alice", sealed_content_key(alice.box.public_key)},
                                       {"bob", sealed_content_key(bob.box.public_key)}};
    const PostBeginRequest e2e_begin{alice.certificate, e2e.envelope, e2e.signature, {}, grants};

    write_message(seeds, "CA_INFO", encode(CaInfoRequest{}, 1));
    write_message(seeds, "REGISTER", encode(registration, 2));
    write_message(seeds, "GET_CERT", encode(GetCertRequest{"bob"}, 3));
    write_message(seeds, "POST_BEGIN.escrow", encode(escrow_begin, 4));
    write_message(seeds, "POST_BEGIN.e2e", encode(e2e_begin, 5, std::string("alice")));
    write_message(seeds, "POST_CHUNK", encode(PostChunkRequest{upload, 0}, 6, {}, e2e.chunks[0]));
    write_message(seeds, "POST_CHUNK.user",
                  encode(PostChunkRequest{upload, 2}, 7, std::string("alice"), e2e.chunks[2]));
    write_message(seeds, "POST_COMMIT", encode(PostCommitRequest{upload}, 8));
    write_message(seeds, "POST_IMAGE",
                  encode(PostImageRequest{escrow_begin}, 20, {}, escrow.chunks[0]));
    write_message(seeds, "LIST", encode(ListRequest{41, 100}, 9));
    write_message(seeds, "DOWNLOAD", encode(DownloadRequest{"holiday.png"}, 10));
    write_message(seeds, "GET_CHUNK", encode(GetChunkRequest{"holiday.png", 2}, 11));
    write_message(
        seeds, "SHARE",
        encode(ShareRequest{"holiday.png", e2e.envelope, e2e.signature, grants, alice.certificate},
               12));
    write_message(seeds, "LOOKUP_CURVE_KEY", encode(LookupCurveKeyRequest{bob.curve_pk}, 13));
    write_message(seeds, "REWRAP",
                  encode(RewrapRequest{sealed_content_key(bob.box.public_key), "bob"}, 14,
                         std::string("broker")));
    write_message(seeds, "READY", encode(ReadyMessage{std::string(kStorageService), "node-1"}, 15));
    write_message(seeds, "HEARTBEAT", encode(HeartbeatMessage{}, 16));
    write_message(seeds, "DISCONNECT", encode(DisconnectMessage{}, 17));
    const Bytes ca_key = fuzz::fixed_ca_keys().public_key;
    auto alice_certificate = decode_certificate(alice.certificate);
    expect_valid(alice_certificate, "alice's certificate");
    const RenewRequest renewal{
        alice.name, alice.serial, fuzz::kFixedNow,
        make_renewal_proof(ca_key, *alice_certificate, fuzz::kFixedNow, alice.sign.secret_key)};
    write_message(seeds, "RENEW", encode(renewal, 18));
    write_message(seeds, "USER_REVOKED", encode(UserRevokedMessage{"mallory"}, 19));
    write_message(seeds, "USER_RELEASED",
                  encode(UserReleasedMessage{"mallory", Bytes(32, 7)}, 20));
    write_message(seeds, "UPLOADS", encode(UploadsRequest{}, 21));
    write_message(seeds, "ABANDON", encode(AbandonRequest{upload}, 22));
    seeds.write("fuzz_deletion", "deletion",
                make_deletion("holiday.png", alice.name, e2e.envelope, fuzz::kFixedNow,
                              alice.sign.secret_key));
    write_message(seeds, "DELETE",
                  encode(DeleteRequest{"holiday.png",
                                       make_deletion("holiday.png", alice.name, e2e.envelope,
                                                     fuzz::kFixedNow, alice.sign.secret_key)},
                         23));
    write_message(seeds, "USAGE", encode(UsageRequest{}, 24));
}

// fuzz_reply reads [reply type index][frames]; the indices follow its kReplyCheckers.
void write_reply_frames(SeedWriter& seeds, std::uint8_t index, const std::string& name,
                        const Frames& frames) {
    Bytes input{index};
    const Bytes joined = fuzz::join_frames(frames);
    input.insert(input.end(), joined.begin(), joined.end());
    seeds.write("fuzz_reply", name, input);
    seeds.write("fuzz_header", "reply." + name, frames[0]);
    seeds.write("fuzz_protocol_log", "reply." + name, frames[1]);
}

template <class R>
void write_reply(SeedWriter& seeds, std::uint8_t index, const std::string& name, const R& reply,
                 ByteView payload = {}) {
    const Frames frames = encode_ok(reply, index, payload);
    expect_valid(decode_reply_message<R>(std::span<const Bytes>(frames)), name);
    write_reply_frames(seeds, index, name, frames);
}

void write_replies(SeedWriter& seeds, const User& alice, const User& bob, const Image& e2e) {
    const ImageSummary summary{"holiday.png", "alice", 42, 3000, fuzz::kFixedNow, "e2e"};
    const auto ca_keys = fuzz::fixed_ca_keys();
    write_reply(seeds, 0, "CA_INFO",
                CaInfoReply{ca_keys.public_key, bob.box.public_key,
                            sign_wrap_key(bob.box.public_key, ca_keys.secret_key)});
    // A log of alice's and bob's certificates, as the CA proves them (signed with the CA's key
    // for the seed: the decoder checks no signature).
    transparency::MerkleTree tree;
    tree.append(transparency::encode_certificate_entry(alice.certificate));
    tree.append(transparency::encode_certificate_entry(bob.certificate));
    const auto proof_of = [&](std::uint64_t index) {
        return LogProof{index,
                        transparency::make_tree_head(2, tree.root(), fuzz::kFixedNow,
                                                     ca_keys.secret_key),
                        transparency::wire_hashes(tree.inclusion_proof(index, 2)),
                        transparency::wire_hashes(tree.consistency_proof(1, 2))};
    };
    write_reply(seeds, 1, "REGISTER", RegisterReply{alice.certificate, proof_of(0)});
    write_reply(seeds, 2, "GET_CERT",
                GetCertReply{bob.certificate,
                             make_standing("bob", bob.serial, false, fuzz::kFixedNow,
                                           ca_keys.secret_key),
                             proof_of(1)});
    write_reply(seeds, 3, "LOOKUP_CURVE_KEY",
                LookupCurveKeyReply{"bob", true, fuzz::kFixedNow + 86400});
    write_reply(seeds, 4, "REWRAP", RewrapReply{sealed_content_key(alice.box.public_key)});
    write_reply(seeds, 5, "POST_BEGIN", PostBeginReply{"5f0c2a9e", 1});
    write_reply(seeds, 6, "POST_CHUNK", PostChunkReply{2});
    write_reply(seeds, 7, "POST_COMMIT",
                PostCommitReply{
                    "holiday.png", "alice", 42, 3000, fuzz::kFixedNow, "e2e", {"alice", "bob"}});
    write_reply(seeds, 8, "LIST", ListReply{{summary, summary}, 42, true});
    write_reply(seeds, 9, "DOWNLOAD",
                DownloadReply{alice.certificate, e2e.envelope, e2e.signature,
                              sealed_content_key(bob.box.public_key), "e2e"},
                e2e.chunks[0]);
    write_reply(seeds, 10, "GET_CHUNK", GetChunkReply{1}, e2e.chunks[1]);
    write_reply(seeds, 11, "SHARE", ShareReply{{"alice", "bob", "carol"}});
    write_reply(seeds, 12, "RENEW", RenewReply{alice.certificate, proof_of(0)});
    write_reply_frames(seeds, 9, "ERROR.NOT_FOUND",
                       encode_error(Error{ErrorCode::NOT_FOUND, "no image holiday.png"}, 13));
    write_reply_frames(seeds, 5, "ERROR.TOO_LARGE",
                       encode_error(Error{ErrorCode::TOO_LARGE, "image over the limit"}, 14));

    ImageEvent event;
    static_cast<ImageSummary&>(event) = summary;
    for (const auto& [name, topic] :
         {std::pair<std::string, std::string>{"image", kImageTopic}, {"user", user_topic("bob")}}) {
        const Frames frames = encode_event(event, topic);
        expect_valid(decode_event(frames), "event " + name);
        seeds.write("fuzz_event", name, fuzz::join_frames(frames));
    }
    event.event = std::string(kImageDeletedEvent);
    const Frames deleted = encode_event(event, kImageTopic);
    expect_valid(decode_event(deleted), "event deleted");
    seeds.write("fuzz_event", "deleted", fuzz::join_frames(deleted));
}

void write_certificates_and_envelopes(SeedWriter& seeds, const User& alice, const User& bob,
                                      const Image& escrow, const Image& e2e) {
    const Bytes ca_key = fuzz::fixed_ca_keys().public_key;
    for (const User* user : {&alice, &bob}) {
        auto certificate = decode_certificate(user->certificate);
        expect_valid(certificate, user->name);
        expect_valid(verify_certificate(*certificate, ca_key, fuzz::kFixedNow), user->name);
        seeds.write("fuzz_certificate", user->name, user->certificate);
    }
    seeds.write("fuzz_protocol_log", "certificate", alice.certificate);
    for (bool revoked : {false, true}) {
        seeds.write("fuzz_standing", revoked ? "revoked" : "standing",
                    make_standing("alice", 1, revoked, fuzz::kFixedNow,
                                  fuzz::fixed_ca_keys().secret_key));
    }
    seeds.write("fuzz_log", "certificate-entry", transparency::encode_certificate_entry(alice.certificate));
    seeds.write("fuzz_log", "revocation-entry", transparency::encode_revocation_entry("bob", 2, fuzz::kFixedNow));
    seeds.write("fuzz_log", "release-entry", transparency::encode_release_entry("bob", 2, fuzz::kFixedNow));
    {
        transparency::MerkleTree tree;
        tree.append(transparency::encode_certificate_entry(alice.certificate));
        seeds.write("fuzz_log", "tree-head",
                    transparency::make_tree_head(1, tree.root(), fuzz::kFixedNow,
                                                 fuzz::fixed_ca_keys().secret_key));
        // A witness's cosignature of the empty log's head (what fuzz_log checks it against).
        const auto& witness = fuzz::fixed_ca_keys();
        const transparency::TreeHead nothing{0, transparency::empty_root(), 0, {}};
        seeds.write("fuzz_log", "cosignature",
                    transparency::make_cosignature(witness.public_key, nothing, fuzz::kFixedNow,
                                                   witness.public_key, witness.secret_key));
    }
    for (const auto& [name, image] :
         {std::pair<std::string, const Image*>{"escrow", &escrow}, {"e2e", &e2e}}) {
        expect_valid(decode_envelope(image->envelope), "envelope " + name);
        seeds.write("fuzz_envelope", name, image->envelope);
    }
    {
        // A v2 envelope: the image's thumbnail, sealed under its content key (the decoder
        // checks the box's size; the client opens it).
        Envelope thumbnailed = *decode_envelope(escrow.envelope);
        thumbnailed.thumbnail =
            seal_thumbnail(fuzz::fixed_content_key(), to_bytes("a thumbnail's JPEG")).value();
        thumbnailed.v = envelope_version_for(thumbnailed);
        const Bytes encoded = encode_envelope(thumbnailed);
        expect_valid(decode_envelope(encoded), "envelope escrow-v2");
        seeds.write("fuzz_envelope", "escrow-v2", encoded);
    }
    {
        // A v3 envelope: the owner's controls (a share's revision, an expiry, a limit).
        Envelope controlled = *decode_envelope(e2e.envelope);
        controlled.revision = 1;
        controlled.expires_at = fuzz::kFixedNow + 3600;
        controlled.max_downloads = 3;
        controlled.v = envelope_version_for(controlled);
        const Bytes encoded = encode_envelope(controlled);
        expect_valid(decode_envelope(encoded), "envelope e2e-v3");
        seeds.write("fuzz_envelope", "e2e-v3", encoded);
    }
    seeds.write("fuzz_protocol_log", "envelope", e2e.envelope);
}

void write_key_and_trust_files(SeedWriter& seeds, const User& alice) {
    const Bytes keys_file =
        seal_user_keys(generate_user_keys(), fuzz::kFixedPassphrase, KdfStrength::TestOnlyMinimum)
            .value();
    expect_valid(open_user_keys(keys_file, fuzz::kFixedPassphrase, "seed"), "keys file");
    seeds.write("fuzz_keys_file", "test-only-minimum", keys_file);
    seeds.write("fuzz_protocol_log", "keys-file", keys_file);

    TrustAnchors anchors{fuzz::fixed_ca_keys().public_key, alice.curve_pk, std::nullopt,
                         fuzz::fixed_ca_keys().public_key};
    const std::string keys_only = format_trust(anchors);
    anchors.broker_endpoint = Endpoint{"127.0.0.1", 7400};
    const std::string with_endpoint = format_trust(anchors);
    anchors.broker_endpoint = Endpoint{"::1", 7400};
    const std::string ipv6 = "# handed out of band\r\n\n" + format_trust(anchors);
    for (const auto& [name, text] : {std::pair<std::string, std::string>{"keys-only", keys_only},
                                     {"with-endpoint", with_endpoint},
                                     {"ipv6", ipv6}}) {
        expect_valid(parse_trust(text, name), "trust file " + name);
        seeds.write("fuzz_trust_file", name, text);
    }

    const std::string service =
        "# imgshare-storage\n"
        "broker_endpoint = tcp://broker.example:7402\n"
        "data_dir = /var/lib/imgshare/storage-1\n"
        "\tnode_id=node-1   \n"
        "upload_timeout_seconds = 600\n"
        "allowed_keys = rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7#\r\n";
    expect_valid(parse_key_values(service, "service"), "config service");
    seeds.write("fuzz_config", "service", service);
    seeds.write("fuzz_config", "trust", with_endpoint);
    for (const auto& [name, text] :
         {std::pair<std::string, std::string>{"endpoint", "tcp://127.0.0.1:7400"},
          {"endpoint-ipv6", "tcp://[::1]:7401"},
          {"endpoint-name", "tcp://broker.example:7400"}}) {
        expect_valid(parse_endpoint(text), name);
        seeds.write("fuzz_config", name, text);
    }
    expect_valid(parse_bind_endpoint("tcp://*:7402"), "bind");
    seeds.write("fuzz_config", "bind", "tcp://*:7402");
}

// Streams under the fixed key: 3 chunks ending in FINAL; one FINAL chunk; an empty FINAL
// chunk after data.
void write_chunk_streams(SeedWriter& seeds) {
    const SecretBytes key = fuzz::fixed_content_key();
    const std::vector<std::pair<std::string, std::vector<std::size_t>>> streams = {
        {"three-chunks", {200, 64, 10}}, {"one-chunk", {9}}, {"empty-final", {100, 0}}};
    for (const auto& [name, sizes] : streams) {
        ChunkEncryptor encryptor(key);
        std::vector<Bytes> chunks;
        for (std::size_t i = 0; i < sizes.size(); ++i) {
            chunks.push_back(encryptor.encrypt(Bytes(sizes[i], static_cast<std::uint8_t>('a' + i)),
                                               i + 1 == sizes.size()));
        }
        const Bytes input = fuzz::join_chunk_stream(encryptor.header(), chunks);
        const fuzz::ChunkStreamInput split = fuzz::split_chunk_stream(input);
        auto decryptor = ChunkDecryptor::create(key, split.header);
        expect_valid(decryptor, name);
        for (const ByteView chunk : split.chunks)
            expect_valid(decryptor->decrypt(chunk), name);
        expect_valid(decryptor->finish(), name);
        seeds.write("fuzz_chunk_decoder", name, input);
    }
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s DIR\n", argv[0]);
        return 2;
    }
    try {
        const SigningKeyPair ca = fuzz::fixed_ca_keys();
        const User alice = make_user("alice", 1, 0xa1, ca);  // fuzz_envelope's owner
        const User bob = make_user("bob", 2, 0xb0, ca);
        const Image escrow = make_image(alice, "holiday.png", {}, 1000);
        const Image e2e = make_image(alice, "holiday.png", {"alice", "bob"}, 3000);
        SeedWriter seeds(argv[1]);
        write_requests(seeds, alice, bob, escrow, e2e);
        write_replies(seeds, alice, bob, e2e);
        write_certificates_and_envelopes(seeds, alice, bob, escrow, e2e);
        write_key_and_trust_files(seeds, alice);
        write_chunk_streams(seeds);
        fuzz::write_client_seeds(seeds);
        fuzz::write_storage_seeds(seeds, alice.certificate, e2e.envelope, e2e.signature);
        fuzz::write_server_key_seeds(seeds);
        std::printf("wrote %d seeds under %s\n", seeds.count(), argv[1]);
        return 0;
    } catch (const std::exception& error) {
        std::fprintf(stderr, "make_seed_corpus: %s\n", error.what());
        return 1;
    }
}
