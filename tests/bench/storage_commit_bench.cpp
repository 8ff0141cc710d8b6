// The storage node's post path on the RocksDB backend in a temporary directory, handlers called
// directly (no network): a whole 100 KiB post (POST_BEGIN checks, one chunk stored,
// POST_COMMIT's digest check and one synced batch), the commit alone, and the floor under
// every commit: one small synced write. Items/s (and bytes/s for whole posts).
// The directory is under $TMPDIR (default /tmp): point it at the disk the node would use.
//   build/bin/storage_commit_bench --benchmark_min_time=2
#include <benchmark/benchmark.h>

#include <filesystem>
#include <optional>
#include <stdexcept>
#include <vector>

#include "common/certificate.h"
#include "common/clock.h"
#include "common/crypto/chunk_stream.h"
#include "common/crypto/sealed_box.h"
#include "common/crypto/sha256.h"
#include "common/envelope.h"
#include "storage-node/image_store.h"
#include "storage-node/rocksdb_backend.h"
#include "storage-node/storage_service.h"
#include "tests/common/scratch_dir.h"

namespace imgshare::storage {
namespace {

constexpr std::uint64_t kImageBytes = 100 * 1024;

struct Post {
    PostBeginRequest begin;
    Bytes chunk;
};

// A CA, an owner and the server's wrapping key, producing valid escrow posts of one chunk.
class Poster {
  public:
    explicit Poster(std::int64_t now) : now_(now) {
        Certificate fields;
        fields.serial = 1;
        fields.username = "load-000";
        fields.sign_pk = owner_.public_key;
        fields.box_pk = generate_box_keys().public_key;
        fields.curve_pk = generate_curve_keys().public_key;
        fields.not_before = now - 60;
        fields.not_after = now + 86400;
        fields.issuer = "bench-ca";
        certificate_ = encode_certificate(issue_certificate(fields, ca_.secret_key));
    }

    const Bytes& ca_verify_key() const { return ca_.public_key; }

    Post make(const std::string& name) const {
        auto key = generate_content_key();
        ChunkEncryptor encryptor(key);
        Envelope envelope;
        envelope.name = name;
        envelope.owner = "load-000";
        envelope.owner_serial = 1;
        envelope.mode = std::string(kEscrowMode);
        envelope.content_type = "image/png";
        envelope.padded_size = kImageBytes;
        envelope.chunk_size = kDefaultChunkSize;
        envelope.chunk_count = 1;
        envelope.stream_header = encryptor.header();
        envelope.key_commitment = key_commitment(key);
        envelope.created_at = now_;
        Post post;
        post.chunk = encryptor.encrypt(Bytes(kImageBytes, 0x42), true);
        envelope.ciphertext_sha256 = sha256(post.chunk);
        post.begin.certificate = certificate_;
        post.begin.envelope = encode_envelope(envelope);
        post.begin.signature = sign_envelope(post.begin.envelope, owner_.secret_key);
        post.begin.wrapped_key = seal(key.view(), wrap_.public_key);
        return post;
    }

  private:
    std::int64_t now_;
    SigningKeyPair ca_ = generate_signing_keys();
    SigningKeyPair owner_ = generate_signing_keys();
    BoxKeyPair wrap_ = generate_box_keys();
    Bytes certificate_;
};

// A storage node's database and service in a temporary directory.
struct Node {
    testing::ScratchDir dir;
    ManualClock clock;
    Poster poster{clock.now_seconds()};
    std::optional<RocksDbBackend> backend;
    std::optional<StorageService> service;
    std::uint64_t next_name = 0;

    Node() {
        backend.emplace(RocksDbBackend::open(dir.path() / "db").value());
        StorageConfig config;
        config.ca_verify_key = poster.ca_verify_key();
        config.max_pending_uploads_per_user = 64;  // a burst is begun before it is committed
        service.emplace(StorageService::open(*backend, clock, config).value());
    }

    Post next_post() { return poster.make("bench-" + std::to_string(next_name++)); }

    // POST_BEGIN and the chunk; the upload handle.
    std::string upload(const Post& post) {
        const service::RequestContext as_owner{UserPeer{"load-000"}, {}};
        auto begun = service->post_begin(post.begin, as_owner);
        if (!begun) throw std::runtime_error(begun.error().message);
        auto stored =
            service->post_chunk(PostChunkRequest{begun->upload, 0},
                                service::RequestContext{UserPeer{"load-000"}, post.chunk});
        if (!stored) throw std::runtime_error(stored.error().message);
        return begun->upload;
    }

    // POST_COMMIT, buffered; durable once sync() has run (the worker's group commit).
    void commit_buffered(const std::string& upload) {
        auto committed = service->post_commit(PostCommitRequest{upload},
                                              service::RequestContext{UserPeer{"load-000"}, {}});
        if (!committed) throw std::runtime_error(committed.error().message);
    }
    void sync() {
        if (auto synced = service->make_durable(); !synced) {
            throw std::runtime_error(synced.error().message);
        }
    }
    // A commit alone in its burst: one fsync of its own.
    void commit(const std::string& upload) {
        commit_buffered(upload);
        sync();
    }
};

void BM_StorageWholeSmallPost(benchmark::State& state) {
    Node node;
    for (auto _ : state) {
        state.PauseTiming();
        Post post = node.next_post();  // the client's sealing is not the node's work
        state.ResumeTiming();
        node.commit(node.upload(post));
    }
    state.SetItemsProcessed(state.iterations());
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(kImageBytes));
}
BENCHMARK(BM_StorageWholeSmallPost)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_StorageCommitOnly(benchmark::State& state) {
    Node node;
    for (auto _ : state) {
        state.PauseTiming();
        std::string upload = node.upload(node.next_post());
        state.ResumeTiming();
        node.commit(upload);
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_StorageCommitOnly)->Unit(benchmark::kMillisecond)->UseRealTime();

// A burst of `range(0)` commits made durable by one sync, as the worker does
// when they arrive together; items are commits.
void BM_StorageCommitsSharingOneSync(benchmark::State& state) {
    Node node;
    const auto burst = static_cast<std::size_t>(state.range(0));
    for (auto _ : state) {
        state.PauseTiming();
        std::vector<std::string> uploads;
        for (std::size_t i = 0; i < burst; ++i)
            uploads.push_back(node.upload(node.next_post()));
        state.ResumeTiming();
        for (const auto& upload : uploads)
            node.commit_buffered(upload);
        node.sync();
    }
    state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_StorageCommitsSharingOneSync)
    ->Arg(8)
    ->Arg(32)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// The floor under every commit: one small batch written with sync=true.
void BM_StoreSyncedWrite(benchmark::State& state) {
    testing::ScratchDir dir;
    auto store = ImageStore::open(dir.path() / "db").value();
    std::uint64_t key = 0;
    for (auto _ : state) {
        Batch batch = store.batch();
        batch.put(Family::meta, "bench-" + std::to_string(key++), std::string_view("x"));
        auto written = store.write(std::move(batch), Durability::Synced);
        if (!written) state.SkipWithError(written.error().message.c_str());
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_StoreSyncedWrite)->Unit(benchmark::kMillisecond)->UseRealTime();

// The same without sync: what group commit could approach per image.
void BM_StoreBufferedWrite(benchmark::State& state) {
    testing::ScratchDir dir;
    auto store = ImageStore::open(dir.path() / "db").value();
    std::uint64_t key = 0;
    for (auto _ : state) {
        Batch batch = store.batch();
        batch.put(Family::meta, "bench-" + std::to_string(key++), std::string_view("x"));
        auto written = store.write(std::move(batch), Durability::Buffered);
        if (!written) state.SkipWithError(written.error().message.c_str());
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_StoreBufferedWrite)->UseRealTime();

}  // namespace
}  // namespace imgshare::storage

BENCHMARK_MAIN();
