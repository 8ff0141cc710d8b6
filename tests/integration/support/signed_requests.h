// Correctly signed requests built by hand from a user's keys, for attack
// tests: a test can send them from the wrong connection, replay them, or
// change one thing and send them again. Nothing here checks what the services
// check; that is the point.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "common/certificate.h"
#include "common/crypto/secret_bytes.h"
#include "common/keys_file.h"
#include "common/protocol/codec.h"
#include "tests/integration/support/cluster.h"
#include "tests/integration/support/raw_client.h"

namespace imgshare::testing {

// The passphrase Cluster gives every client it runs.
inline constexpr std::string_view kTestPassphrase = "correct horse battery staple";

struct TestUser {
    UserKeys keys;
    Certificate certificate;
};

// The keys and certificate of a home registered by Cluster::new_user (throws if absent).
TestUser load_user(const std::filesystem::path& home);

// REGISTER for `username` with these keys, its proof signed by `keys.sign`.
RegisterRequest registration_of(const UserKeys& keys, const std::string& username);

// Fresh keys registered as `username` through the broker, without a home (throws if the
// CA refuses).
TestUser register_user(Cluster& cluster, const std::string& username);

// The server's key-wrapping public key, from CA_INFO.
Bytes wrap_public_key(Cluster& cluster);

// One image as its owner's client would upload it: POST_BEGIN and every ciphertext chunk.
// The plaintext is random (not a picture): for tests that never open it.
struct HandMadeImage {
    PostBeginRequest begin;
    std::vector<Bytes> chunks;
    SecretBytes content_key;
};

// An escrow image: the content key sealed to `wrap_key`.
HandMadeImage escrow_image(const TestUser& owner, const std::string& name, const Bytes& wrap_key,
                           std::uint32_t chunk_count = 1);
// An end-to-end image for `recipients` (certificates; the owner is added if missing).
HandMadeImage end_to_end_image(const TestUser& owner, const std::string& name,
                               const std::vector<Certificate>& recipients,
                               std::uint32_t chunk_count = 1);

// Every request of an upload (POST_BEGIN, each POST_CHUNK, POST_COMMIT) and the reply to
// each, in order, as sent and received on one connection.
struct Exchange {
    std::vector<Frames> requests;
    std::vector<std::optional<Frames>> replies;
};
// Uploads `image` on `client`, request ids from `first_id`; stops at the first refusal.
Exchange post_image(RawClient& client, const HandMadeImage& image, std::uint64_t first_id = 1);

// `frames` with `extra` string entries added to the body map (frame 1), for claims a
// client must not be able to make ("requester", "user", "owner").
Frames with_extra_fields(Frames frames,
                         const std::vector<std::pair<std::string, std::string>>& extra);

}  // namespace imgshare::testing
