#include "tests/integration/support/signed_requests.h"

#include <sodium.h>

#include <algorithm>
#include <stdexcept>

#include "common/crypto/chunk_stream.h"
#include "common/crypto/sealed_box.h"
#include "common/crypto/sha256.h"
#include "common/envelope.h"
#include "common/keystore.h"
#include "common/protocol/msgpack_writer.h"
#include "common/registration.h"

namespace imgshare::testing {
namespace {

constexpr std::uint32_t kChunkSize = 4096;

Bytes random_bytes(std::size_t size) {
    Bytes out(size);
    randombytes_buf(out.data(), out.size());
    return out;
}

// Encrypts `chunk_count` chunks of random plaintext and signs an envelope describing them.
HandMadeImage seal_image(const TestUser& owner, Envelope envelope, std::uint32_t chunk_count) {
    HandMadeImage image;
    image.content_key = generate_content_key();
    ChunkEncryptor encryptor(image.content_key);
    Sha256 digest;
    for (std::uint32_t i = 0; i < chunk_count; ++i) {
        image.chunks.push_back(encryptor.encrypt(random_bytes(kChunkSize), i + 1 == chunk_count));
        digest.update(image.chunks.back());
    }
    envelope.owner = owner.certificate.username;
    envelope.owner_serial = owner.certificate.serial;
    envelope.content_type = "image/png";
    envelope.padded_size = std::uint64_t{kChunkSize} * chunk_count;
    envelope.chunk_size = kChunkSize;
    envelope.chunk_count = chunk_count;
    envelope.stream_header = encryptor.header();
    envelope.ciphertext_sha256 = digest.finish();
    envelope.key_commitment = key_commitment(image.content_key);
    envelope.created_at = owner.certificate.not_before;  // within what a node accepts
    image.begin.certificate = encode_certificate(owner.certificate);
    image.begin.envelope = encode_envelope(envelope);
    image.begin.signature = sign_envelope(image.begin.envelope, owner.keys.sign.secret_key);
    return image;
}

}  // namespace

TestUser load_user(const std::filesystem::path& home) {
    Keystore keystore(home);
    auto keys = keystore.load(kTestPassphrase);
    auto certificate = keystore.load_certificate();
    if (!keys || !certificate)
        throw std::runtime_error("cannot load the keystore in " + home.string());
    return TestUser{std::move(*keys), std::move(*certificate)};
}

RegisterRequest registration_of(const UserKeys& keys, const std::string& username) {
    RegisterRequest request;
    request.username = username;
    request.sign_pk = keys.sign.public_key;
    request.box_pk = keys.box.public_key;
    request.curve_pk = keys.curve.public_key;
    request.proof = make_registration_proof(username, request.sign_pk, request.box_pk,
                                            request.curve_pk, keys.sign.secret_key);
    return request;
}

TestUser register_user(Cluster& cluster, const std::string& username) {
    auto keys = generate_user_keys();
    RawClient client(cluster.client_endpoint(), cluster.broker_public_key(), keys.curve);
    auto reply = client.call(encode(registration_of(keys, username), 1));
    if (!reply) throw std::runtime_error("REGISTER " + username + ": no reply");
    auto registered = decode_reply<RegisterReply>(*reply);
    if (!registered)
        throw std::runtime_error("REGISTER " + username + ": " + registered.error().message);
    auto certificate = decode_certificate(registered->certificate);
    if (!certificate) throw std::runtime_error("REGISTER " + username + ": bad certificate");
    return TestUser{std::move(keys), std::move(*certificate)};
}

Bytes wrap_public_key(Cluster& cluster) {
    RawClient anyone(cluster.client_endpoint(), cluster.broker_public_key());
    auto reply = anyone.call(encode(CaInfoRequest{}, 1));
    if (!reply) throw std::runtime_error("CA_INFO: no reply");
    auto info = decode_reply<CaInfoReply>(*reply);
    if (!info) throw std::runtime_error("CA_INFO: " + info.error().message);
    return info->wrap_public_key;
}

HandMadeImage escrow_image(const TestUser& owner, const std::string& name, const Bytes& wrap_key,
                           std::uint32_t chunk_count) {
    Envelope envelope;
    envelope.name = name;
    envelope.mode = std::string(kEscrowMode);
    auto image = seal_image(owner, std::move(envelope), chunk_count);
    image.begin.wrapped_key = seal(image.content_key.view(), wrap_key);
    return image;
}

HandMadeImage end_to_end_image(const TestUser& owner, const std::string& name,
                               const std::vector<Certificate>& recipients,
                               std::uint32_t chunk_count) {
    std::vector<Certificate> everyone = recipients;
    auto is_owner = [&](const Certificate& c) { return c.username == owner.certificate.username; };
    if (std::none_of(everyone.begin(), everyone.end(), is_owner)) {
        everyone.push_back(owner.certificate);
    }
    std::sort(everyone.begin(), everyone.end(),
              [](const Certificate& a, const Certificate& b) { return a.username < b.username; });
    Envelope envelope;
    envelope.name = name;
    envelope.mode = std::string(kEndToEndMode);
    for (const auto& recipient : everyone)
        envelope.recipients.push_back(recipient.username);
    auto image = seal_image(owner, std::move(envelope), chunk_count);
    for (const auto& recipient : everyone) {
        image.begin.grants.push_back(
            Grant{recipient.username, seal(image.content_key.view(), recipient.box_pk)});
    }
    return image;
}

Exchange post_image(RawClient& client, const HandMadeImage& image, std::uint64_t first_id) {
    Exchange exchange;
    auto id = first_id;
    auto send = [&](Frames request) -> const std::optional<Frames>& {
        exchange.requests.push_back(std::move(request));
        exchange.replies.push_back(client.call(exchange.requests.back()));
        return exchange.replies.back();
    };
    const auto& begun_frames = send(encode(image.begin, id++));
    if (!begun_frames) return exchange;
    auto begun = decode_reply<PostBeginReply>(*begun_frames);
    if (!begun) return exchange;
    for (std::uint32_t index = 0; index < image.chunks.size(); ++index) {
        const auto& stored =
            send(encode(PostChunkRequest{begun->upload, index}, id++, {}, image.chunks[index]));
        if (!stored || error_code_of(*stored)) return exchange;
    }
    send(encode(PostCommitRequest{begun->upload}, id++));
    return exchange;
}

Frames with_extra_fields(Frames frames,
                         const std::vector<std::pair<std::string, std::string>>& extra) {
    const Bytes& body = frames.at(1);
    std::size_t entries = 0, header_size = 0;
    if (!body.empty() && (body[0] & 0xf0) == 0x80) {
        entries = body[0] & 0x0f;
        header_size = 1;
    } else if (body.size() >= 3 && body[0] == 0xde) {
        entries = (std::size_t{body[1]} << 8) | body[2];
        header_size = 3;
    } else {
        throw std::invalid_argument("with_extra_fields: the body is not a map");
    }
    MsgpackWriter writer;
    writer.map(entries + extra.size());
    auto rebuilt = writer.take();
    rebuilt.insert(rebuilt.end(), body.begin() + static_cast<std::ptrdiff_t>(header_size),
                   body.end());
    for (const auto& [key, value] : extra) {
        writer.string(key);
        writer.string(value);
    }
    auto tail = writer.take();
    rebuilt.insert(rebuilt.end(), tail.begin(), tail.end());
    frames[1] = std::move(rebuilt);
    return frames;
}

}  // namespace imgshare::testing
