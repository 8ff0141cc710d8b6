// The RADOS backend as the parameterised storage suites run it: on the REAL Ceph cluster named
// by IMGSHARE_CEPH_CONF (pool IMGSHARE_CEPH_POOL, default imgshare; client
// IMGSHARE_CEPH_USER, default imgshare), never a mock, and not at all without one.
//
// Isolation is cheap: one connection for the whole test program, and each test's store is a
// RADOS namespace of its own, named after its scratch directory (and this process), so a
// reopen in the same test finds what it left and no two tests ever see each other's objects.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <optional>
#include <string>

#include "storage-node/rados/rados_connection.h"
#include "storage-node/rados_backend.h"
#include "storage-node/rados_objects.h"
#include "tests/storage-node/backend_under_test.h"

namespace imgshare::storage::testing {

class RadosProbe final : public BackendProbe {
  public:
    explicit RadosProbe(RadosBackend& backend) : pool_(&backend.pool()), backend_(&backend) {}

    std::size_t images() override { return objects("img.").size(); }
    std::size_t feed_entries() override {
        std::size_t found = 0;
        auto visited = backend_->visit_feed(0, [&](std::uint64_t, std::string_view) {
            ++found;
            return true;
        });
        EXPECT_TRUE(visited.has_value());
        return found;
    }
    std::size_t chunks(std::optional<UploadId> upload) override {
        return objects(upload ? "chk." + upload->text() + "." : "chk.").size();
    }
    std::size_t upload_state(std::optional<UploadId> upload) override {
        std::size_t found = 0;
        for (const auto& object : objects(upload ? rados_layout::upload_object(*upload) : "up.")) {
            auto page = pool_->omap_get_after(object, "", 1u << 20);
            EXPECT_TRUE(page.has_value());
            if (!page) continue;
            for (const auto& [key, value] : page->values) {
                if (key == rados_layout::kSessionKey ||
                    key.starts_with(rados_layout::kNotePrefix)) {
                    ++found;
                }
            }
        }
        return found;
    }
    void lose_chunk(const UploadId& upload, std::uint32_t index) override {
        auto removed = pool_->remove(rados_layout::chunk_object(upload, index));
        ASSERT_TRUE(removed.has_value()) << describe(removed.error());
    }
    void lose_chunk_note(const UploadId& upload, std::uint32_t index) override {
        auto removed =
            pool_->omap_remove(rados_layout::upload_object(upload), {rados_layout::note_key(index)});
        ASSERT_TRUE(removed.has_value()) << describe(removed.error());
    }
    void damage_image(std::string_view name, std::string_view bytes) override {
        auto written = pool_->write_full(rados_layout::image_object(name),
                                         ByteView(reinterpret_cast<const std::uint8_t*>(bytes.data()),
                                                  bytes.size()));
        ASSERT_TRUE(written.has_value()) << describe(written.error());
    }

    bool cut_commit_after_staging(const CommitRecord& commit) override {
        auto upload = UploadId::from_key(as_string(commit.record.upload)).value();
        if (commit.only_chunk) {
            auto written = pool_->write_full(rados_layout::chunk_object(upload, 0), *commit.only_chunk);
            EXPECT_TRUE(written.has_value()) << describe(written.error());
        } else {
            const auto& name = commit.record.name;
            auto noted = pool_->omap_set(rados_layout::upload_object(upload),
                                         {{std::string(rados_layout::kCommittingKey),
                                           Bytes(name.begin(), name.end())}});
            EXPECT_TRUE(noted.has_value()) << describe(noted.error());
        }
        ImageRecord record = commit.record;
        record.seq = 0;
        rados::ObjectWrite stage;
        stage.create_exclusive = true;
        stage.omap_set.emplace(
            rados_layout::stage_key(0),
            rados_layout::encode_staged(rados_layout::StagedChange{encode_record(record),
                                                                   commit.grants}));
        auto staged = pool_->write(rados_layout::image_object(commit.record.name), stage);
        EXPECT_TRUE(staged.has_value()) << describe(staged.error());
        return true;
    }

  private:
    std::vector<std::string> objects(const std::string& prefix) {
        auto listed = pool_->list_objects(prefix);
        EXPECT_TRUE(listed.has_value()) << describe(listed.error());
        return listed.value_or(std::vector<std::string>{});
    }

    const rados::RadosPool* pool_;
    RadosBackend* backend_;
};

inline std::string rados_test_setting(const char* name, const char* fallback) {
    const char* value = std::getenv(name);
    return value != nullptr && *value != '\0' ? value : fallback;
}

// The connection every RADOS test of this program shares (connecting takes a while).
inline const rados::RadosConnection* rados_test_connection() {
    static const std::optional<rados::RadosConnection> connection = [] {
        rados::ConnectOptions options;
        options.conf_file = rados_test_setting("IMGSHARE_CEPH_CONF", "");
        options.user = rados_test_setting("IMGSHARE_CEPH_USER", "imgshare");
        auto connected = rados::RadosConnection::connect(options);
        EXPECT_TRUE(connected.has_value()) << describe(connected.error());
        return connected ? std::optional(std::move(*connected)) : std::nullopt;
    }();
    return connection ? &*connection : nullptr;
}

// The RADOS namespace of the store in `dir`: unique to this process and that directory.
inline std::string rados_test_namespace(const std::filesystem::path& dir) {
    static const std::string run =
        std::to_string(::getpid()) + "." +
        std::to_string(std::chrono::system_clock::now().time_since_epoch().count());
    return "storage." + run + "." + dir.filename().string();
}

inline std::optional<BackendUnderTest> rados_under_test() {
    if (rados_test_setting("IMGSHARE_CEPH_CONF", "").empty()) return std::nullopt;
    return BackendUnderTest{
        "rados", [](const std::filesystem::path& dir) {
            const auto* connection = rados_test_connection();
            if (connection == nullptr) return OpenedBackend{};
            auto opened = RadosBackend::open(*connection,
                                             rados_test_setting("IMGSHARE_CEPH_POOL", "imgshare"),
                                             rados_test_namespace(dir));
            EXPECT_TRUE(opened.has_value()) << describe(opened.error());
            if (!opened) return OpenedBackend{};
            auto probe = std::make_unique<RadosProbe>(**opened);
            return OpenedBackend{std::move(*opened), std::move(probe)};
        },
        true};
}

}  // namespace imgshare::storage::testing
