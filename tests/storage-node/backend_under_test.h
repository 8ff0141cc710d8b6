// What the parameterised storage suites know of a backend under test: how to open it (fresh,
// or again over what an earlier open left) and a probe below the seam that counts what is
// stored and leaves what a crash or a damaged disk leaves. One implementation per backend:
// storage_test_support.h (RocksDB), rados_backend_under_test.h (RADOS).
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "storage-node/storage_backend.h"
#include "storage-node/storage_keys.h"

namespace imgshare::storage::testing {

// What a test may see and do inside a backend's store, below the seam: count
// what is kept, and leave what a crash or a damaged disk leaves.
class BackendProbe {
  public:
    virtual ~BackendProbe() = default;
    [[nodiscard]] virtual std::size_t images() = 0;
    [[nodiscard]] virtual std::size_t feed_entries() = 0;
    // Chunks stored, of `upload` or of every upload.
    [[nodiscard]] virtual std::size_t chunks(std::optional<UploadId> upload = std::nullopt) = 0;
    // What is kept of pending upload `upload` (or of every one): its session and one note per
    // chunk stored.
    [[nodiscard]] virtual std::size_t upload_state(
        std::optional<UploadId> upload = std::nullopt) = 0;
    // A crash that lost chunk `index` of `upload` and kept its note.
    virtual void lose_chunk(const UploadId& upload, std::uint32_t index) = 0;
    // A crash that kept chunk `index` of `upload` and lost its note.
    virtual void lose_chunk_note(const UploadId& upload, std::uint32_t index) = 0;
    // The record of `name` replaced by `bytes` behind the node's back.
    virtual void damage_image(std::string_view name, std::string_view bytes) = 0;
    // What a node killed in the middle of commit(`commit`) leaves, where a commit has a
    // middle: true when it left something (RADOS: its chunk and its staged change, nothing
    // visible yet), false when a commit is one write and a cut one leaves nothing (RocksDB).
    virtual bool cut_commit_after_staging(const CommitRecord& commit) = 0;
};

struct OpenedBackend {
    std::unique_ptr<StorageBackend> backend;
    std::unique_ptr<BackendProbe> probe;
};

// One backend the parameterised suites run against: its name (the test's
// suffix) and how to open it, fresh or again, in a scratch directory.
struct BackendUnderTest {
    std::string name;
    std::function<OpenedBackend(const std::filesystem::path& dir)> open;
    // Whether several storage nodes can serve one store at once (each with its own caches).
    bool shared_by_nodes = false;
};

// A commit of image `name` from the upload named by `upload_seed` (escrow unless grants are
// given); its seq is deliberately wrong: the backend assigns it.
inline CommitRecord commit_of(const std::string& name, const std::string& upload_seed,
                              std::vector<Grant> grants = {}) {
    auto upload = UploadId::of(to_bytes(upload_seed), to_bytes("signature"));
    ImageRecord record;
    record.name = name;
    record.owner = "alice";
    record.upload = to_bytes(upload.key());
    record.mode = grants.empty() ? std::string(kEscrowMode) : std::string(kEndToEndMode);
    record.chunk_count = 1;
    record.seq = 99;
    return CommitRecord{std::move(record), std::move(grants), std::nullopt};
}

inline void PrintTo(const BackendUnderTest& backend, std::ostream* out) {
    *out << backend.name;
}

}  // namespace imgshare::storage::testing
