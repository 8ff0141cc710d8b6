// Test helpers for the storage node: a test CA issuing real certificates,
// images encrypted and signed with common/, and a fixture holding a real
// storage backend (a RocksDB in a scratch directory) with a StorageService on
// a ManualClock.
//
// The handler suites are value-parameterised over the backends
// (backends_under_test(): one line per backend), so every backend passes the
// same tests and the two cannot drift apart. What only one backend does
// (RocksDB's log, blob files) is tested in that backend's own suite
// (rocksdb_backend_test.cpp).
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "common/certificate.h"
#include "common/clock.h"
#include "common/crypto/chunk_stream.h"
#include "common/crypto/keys.h"
#include "common/crypto/sealed_box.h"
#include "common/crypto/sha256.h"
#include "common/envelope.h"
#include "common/service/service_worker.h"
#include "storage-node/post_validation.h"
#include "storage-node/rocksdb_backend.h"
#include "storage-node/storage_keys.h"
#include "storage-node/storage_service.h"
#include "tests/common/scratch_dir.h"
#include "tests/storage-node/backend_under_test.h"
#ifdef IMGSHARE_WITH_RADOS
#include "tests/storage-node/rados_backend_under_test.h"
#endif

namespace imgshare::storage::testing {

struct TestUser {
    std::string name;
    SigningKeyPair sign = generate_signing_keys();
    BoxKeyPair box = generate_box_keys();
    Certificate certificate;
    Bytes encoded_certificate;
};

class TestCa {
  public:
    TestUser issue(const std::string& username, std::int64_t now) {
        TestUser user;
        user.name = username;
        Certificate fields;
        fields.serial = next_serial_++;
        fields.username = username;
        fields.sign_pk = user.sign.public_key;
        fields.box_pk = user.box.public_key;
        fields.curve_pk = generate_curve_keys().public_key;
        fields.not_before = now - 60;
        fields.not_after = now + 3600;
        fields.issuer = "test-ca";
        user.certificate = issue_certificate(fields, keys_.secret_key);
        user.encoded_certificate = encode_certificate(user.certificate);
        return user;
    }
    // `user`'s keys certified again, as RENEW does: a new serial, valid from `now` on.
    // Another CA's renew() is what a certificate not signed by this one looks like.
    Certificate renew(const TestUser& user, std::int64_t now) {
        Certificate fields = user.certificate;
        fields.serial = next_serial_++;
        fields.not_before = now - 60;
        fields.not_after = now + 3600;
        return issue_certificate(fields, keys_.secret_key);
    }
    [[nodiscard]] const Bytes& verify_key() const { return keys_.public_key; }

  private:
    SigningKeyPair keys_ = generate_signing_keys();
    std::uint64_t next_serial_ = 1;
};

struct ImageSpec {
    std::string name = "cat";
    std::string mode = std::string(kEscrowMode);
    std::vector<const TestUser*> recipients;  // e2e: the owner is added
    std::uint64_t padded_size = 3000;
    std::uint32_t chunk_size = 1024;
    std::int64_t expires_at = 0;      // the owner's signed controls (a v3 envelope)
    std::uint32_t max_downloads = 0;
};

inline ImageSpec named(std::string name) {
    ImageSpec spec;
    spec.name = std::move(name);
    return spec;
}

// An e2e image for `recipients` and its owner.
inline ImageSpec shared_with(std::string name, std::vector<const TestUser*> recipients) {
    ImageSpec spec = named(std::move(name));
    spec.mode = std::string(kEndToEndMode);
    spec.recipients = std::move(recipients);
    return spec;
}

struct TestImage {
    Envelope envelope;
    std::vector<Bytes> chunks;
    SecretBytes content_key;
    PostBeginRequest begin;  // ready to send
};

// Encrypts `spec.padded_size` bytes of a pattern, signs the envelope with the
// owner's key and seals the content key (escrow: to `server_wrap_key`).
inline TestImage make_image(const TestUser& owner, const ImageSpec& spec, ByteView server_wrap_key,
                            std::int64_t now) {
    TestImage image;
    image.content_key = generate_content_key();
    ChunkEncryptor encryptor(image.content_key);
    auto& envelope = image.envelope;
    envelope.name = spec.name;
    envelope.owner = owner.name;
    envelope.owner_serial = owner.certificate.serial;
    envelope.mode = spec.mode;
    envelope.content_type = "image/png";
    envelope.padded_size = spec.padded_size;
    envelope.chunk_size = spec.chunk_size;
    envelope.chunk_count =
        static_cast<std::uint32_t>((spec.padded_size + spec.chunk_size - 1) / spec.chunk_size);
    envelope.stream_header = encryptor.header();
    envelope.key_commitment = key_commitment(image.content_key);
    envelope.created_at = now;
    envelope.expires_at = spec.expires_at;
    envelope.max_downloads = spec.max_downloads;
    envelope.v = envelope_version_for(envelope);
    Sha256 digest;
    for (std::uint32_t index = 0; index < envelope.chunk_count; ++index) {
        Bytes plaintext(chunk_plaintext_size(envelope, index),
                        static_cast<std::uint8_t>(index * 7 + spec.name.size()));
        image.chunks.push_back(encryptor.encrypt(plaintext, index + 1 == envelope.chunk_count));
        digest.update(image.chunks.back());
    }
    envelope.ciphertext_sha256 = digest.finish();

    std::vector<const TestUser*> holders = spec.recipients;
    if (spec.mode == kEndToEndMode) holders.push_back(&owner);
    std::sort(holders.begin(), holders.end(),
              [](const TestUser* a, const TestUser* b) { return a->name < b->name; });
    for (const auto* holder : holders) {
        envelope.recipients.push_back(holder->name);
        image.begin.grants.push_back(
            Grant{holder->name, seal(image.content_key.view(), holder->box.public_key)});
    }
    if (spec.mode == kEscrowMode) {
        image.begin.wrapped_key = seal(image.content_key.view(), server_wrap_key);
    }
    image.begin.certificate = owner.encoded_certificate;
    image.begin.envelope = encode_envelope(envelope);
    image.begin.signature = sign_envelope(image.begin.envelope, owner.sign.secret_key);
    return image;
}

inline service::RequestContext as_user(const std::string& user, ByteView payload = {}) {
    return service::RequestContext{UserPeer{user}, payload};
}

// Every peer the broker may stamp that is not a registered user: storage serves none.
inline std::vector<PeerIdentity> not_users() {
    auto key = generate_curve_keys().public_key;
    return {AnonymousPeer{key}, UnconfirmedPeer{key}, ServicePeer{std::string(kCaService), key},
            ServicePeer{std::string(kStorageService), key}, BrokerPeer{}};
}

template <class T>
void expect_error(const Result<T>& result, ErrorCode code) {
    ASSERT_FALSE(result.has_value()) << "expected " << to_string(code);
    EXPECT_EQ(result.error().code, code) << describe(result.error());
}

class RocksDbProbe final : public BackendProbe {
  public:
    explicit RocksDbProbe(RocksDbBackend& backend) : store_(&backend.store()) {}

    bool cut_commit_after_staging(const CommitRecord&) override { return false; }
    std::size_t images() override { return count(Family::images, ""); }
    std::size_t feed_entries() override { return count(Family::feed, ""); }
    std::size_t chunks(std::optional<UploadId> upload) override {
        return count(Family::chunks, upload ? upload->key() : "");
    }
    std::size_t upload_state(std::optional<UploadId> upload) override {
        return count(Family::uploads, upload ? upload->key() : "");
    }
    void lose_chunk(const UploadId& upload, std::uint32_t index) override {
        auto batch = store_->batch();
        batch.erase(Family::chunks, chunk_key(upload, index));
        write(std::move(batch));
    }
    void lose_chunk_note(const UploadId& upload, std::uint32_t index) override {
        auto batch = store_->batch();
        batch.erase(Family::uploads, chunk_key(upload, index));
        write(std::move(batch));
    }
    void damage_image(std::string_view name, std::string_view bytes) override {
        auto batch = store_->batch();
        batch.put(Family::images, name, bytes);
        write(std::move(batch));
    }

  private:
    std::size_t count(Family family, std::string_view prefix) {
        std::size_t found = 0;
        auto scanned = store_->scan(family, prefix, prefix_end(prefix),
                                    [&](std::string_view, ByteView) {
                                        ++found;
                                        return true;
                                    });
        EXPECT_TRUE(scanned.has_value());
        return found;
    }
    void write(Batch batch) {
        auto written = store_->write(std::move(batch), Durability::Synced);
        ASSERT_TRUE(written.has_value()) << describe(written.error());
    }

    ImageStore* store_;
};

inline BackendUnderTest rocksdb_under_test() {
    return {"rocksdb", [](const std::filesystem::path& dir) {
                auto opened = RocksDbBackend::open(dir / "db");
                EXPECT_TRUE(opened.has_value()) << describe(opened.error());
                if (!opened) return OpenedBackend{};
                auto backend = std::make_unique<RocksDbBackend>(std::move(*opened));
                auto probe = std::make_unique<RocksDbProbe>(*backend);
                return OpenedBackend{std::move(backend), std::move(probe)};
            }};
}

// Every backend the handler suites run against. A new backend is one line here. RADOS
// joins when a cluster is named (IMGSHARE_CEPH_CONF; deploy/test.sh starts one).
inline std::vector<BackendUnderTest> backends_under_test() {
    std::vector<BackendUnderTest> backends = {rocksdb_under_test()};
#ifdef IMGSHARE_WITH_RADOS
    if (auto rados = rados_under_test()) backends.push_back(std::move(*rados));
#endif
    return backends;
}

// For INSTANTIATE_TEST_SUITE_P(Backends, Suite, on_every_backend(), backend_name).
inline auto on_every_backend() {
    return ::testing::ValuesIn(backends_under_test());
}
// For the cases of several nodes over one store, each with its own caches: the backends
// that allow it (RADOS, when a cluster is named), none otherwise; the suite then also needs
// GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST.
inline auto on_every_shared_backend() {
    std::vector<BackendUnderTest> shared;
    for (auto& backend : backends_under_test()) {
        if (backend.shared_by_nodes) shared.push_back(std::move(backend));
    }
    return ::testing::ValuesIn(shared);
}
inline std::string backend_name(const ::testing::TestParamInfo<BackendUnderTest>& info) {
    return info.param.name;
}

// A StorageService over one backend; StorageTest runs it over each.
class StorageFixture : public ::testing::Test {
  protected:
    explicit StorageFixture(BackendUnderTest backend) : backend_under_test_(std::move(backend)) {}

    void SetUp() override {
        config_.ca_verify_key = ca_.verify_key();
        config_.upload_timeout_ms = 60'000;
        open();
    }

    void open() {
        auto opened = backend_under_test_.open(dir_.path());
        ASSERT_TRUE(opened.backend);
        backend_ = std::move(opened.backend);
        probe_ = std::move(opened.probe);
        auto service = StorageService::open(*backend_, clock_, config_);
        ASSERT_TRUE(service.has_value()) << describe(service.error());
        service_.emplace(std::move(*service));
    }

    // The node stopped: its service and backend closed.
    void close() {
        service_.reset();
        probe_.reset();
        backend_.reset();
    }

    void reopen() {
        close();
        open();
    }

    TestUser user(const std::string& name) { return ca_.issue(name, clock_.now_seconds()); }

    TestImage image(const TestUser& owner, ImageSpec spec = {}) {
        return make_image(owner, spec, server_wrap_.public_key, clock_.now_seconds());
    }

    StorageService& service() { return *service_; }

    Result<PostChunkReply> send_chunk(const TestUser& owner, const std::string& upload,
                                      std::uint32_t index, ByteView chunk) {
        return send_chunk_to(*service_, owner, upload, index, chunk);
    }
    // As the worker sends it: after the sync its group commit makes before any reply
    // leaves (ServiceWorker::on_durability), which settles a chunk write under way.
    static Result<PostChunkReply> send_chunk_to(StorageService& node, const TestUser& owner,
                                                const std::string& upload, std::uint32_t index,
                                                ByteView chunk) {
        auto reply = node.post_chunk(PostChunkRequest{upload, index}, as_user(owner.name, chunk));
        if (auto synced = node.make_durable(); !synced) return std::unexpected(synced.error());
        return reply;
    }

    // Begins the upload and sends every chunk (to `node`, default this test's service);
    // returns the upload handle.
    std::string upload_all(const TestUser& owner, const TestImage& image,
                           StorageService* node = nullptr) {
        auto& to = node ? *node : *service_;
        auto begun = to.post_begin(image.begin, as_user(owner.name));
        EXPECT_TRUE(begun.has_value()) << describe(begun.error());
        if (!begun) return {};
        for (std::uint32_t index = 0; index < image.chunks.size(); ++index) {
            auto sent = send_chunk_to(to, owner, begun->upload, index, image.chunks[index]);
            EXPECT_TRUE(sent.has_value()) << describe(sent.error());
        }
        return begun->upload;
    }

    // The whole post: begin, every chunk, commit (on `node`, default this test's service).
    PostCommitReply post(const TestUser& owner, const TestImage& image,
                         StorageService* node = nullptr) {
        auto& to = node ? *node : *service_;
        auto upload = upload_all(owner, image, &to);
        auto committed = to.post_commit(PostCommitRequest{upload}, as_user(owner.name));
        EXPECT_TRUE(committed.has_value()) << describe(committed.error());
        return committed.value_or(PostCommitReply{});
    }

    // Another storage node serving the same store as this test's service.
    StorageService another_node() {
        auto node = StorageService::open(*backend_, clock_, config_);
        EXPECT_TRUE(node.has_value()) << describe(node.error());
        return std::move(node.value());
    }

    BackendProbe& probe() { return *probe_; }

    imgshare::testing::ScratchDir dir_;
    ManualClock clock_;
    TestCa ca_;
    BoxKeyPair server_wrap_ = generate_box_keys();
    StorageConfig config_;
    BackendUnderTest backend_under_test_;
    std::unique_ptr<StorageBackend> backend_;
    std::unique_ptr<BackendProbe> probe_;
    std::optional<StorageService> service_;
};

// The handler suites' fixture: a StorageFixture on each backend under test.
class StorageTest : public StorageFixture,
                    public ::testing::WithParamInterface<BackendUnderTest> {
  protected:
    StorageTest() : StorageFixture(GetParam()) {}
};

}  // namespace imgshare::storage::testing
