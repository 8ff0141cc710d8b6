// `imgshare-storage migrate --from-rocksdb DIR --to-rados …` with the real processes and a
// REAL Ceph cluster (IMGSHARE_CEPH_CONF; skipped without one): a RocksDB node's escrow and
// end-to-end images (one of many chunks), a share, and a pending upload, migrated into a
// fresh RADOS namespace (run again after a cut before its last write, it finishes); a RADOS
// node then serves the same LIST (same seqs), every image byte for byte, the pending upload
// resumes, and a migration into the finished namespace is refused.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "tests/integration/support/cluster.h"
#include "tests/integration/support/process.h"
#include "tests/integration/support/rados_nodes.h"
#include "tests/integration/support/wait.h"

namespace imgshare::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// Whether a line of `text` holds both `first` and `second`.
bool has_line_with(const std::string& text, const std::string& first, const std::string& second) {
    size_t start = 0;
    while (start < text.size()) {
        auto end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        const std::string_view line(text.data() + start, end - start);
        if (line.find(first) != std::string_view::npos &&
            line.find(second) != std::string_view::npos) {
            return true;
        }
        start = end + 1;
    }
    return false;
}

class RadosMigrationTest : public ::testing::Test {
  protected:
    void SetUp() override {
        if (!ceph_configured()) {
            GTEST_SKIP() << "no Ceph cluster: set IMGSHARE_CEPH_CONF (deploy/ceph.sh up)";
        }
        namespace_ = fresh_pool_namespace();
        cluster_ = std::make_unique<Cluster>();  // a RocksDB node, as installed by default
        alice_ = cluster_->new_user("alice");
        bob_ = cluster_->new_user("bob");
    }

    CommandResult migrate() {
        return run_command({executable("imgshare-storage"), "migrate", "--from-rocksdb",
                            cluster_->storage_dir().string(), "--to-rados", "--ceph-conf",
                            ceph_conf(), "--pool", ceph_pool(), "--ceph-user", ceph_user(),
                            "--pool-namespace", namespace_});
    }

    size_t chunks_received() const {
        return count_of(read_text(cluster_->storage_dir() / "protocol.log"),
                        "\"type\":\"POST_CHUNK\"");
    }

    std::string namespace_;
    std::unique_ptr<Cluster> cluster_;
    fs::path alice_, bob_;
    std::unique_ptr<Process> rados_node_;
};

TEST_F(RadosMigrationTest, EveryImageShareAndPendingUploadMovesWithItsSeq) {
    auto escrow = cluster_->dir() / "escrow.png";
    auto e2e = cluster_->dir() / "e2e.png";
    auto pending = cluster_->dir() / "pending.png";
    write_large_image(escrow, 50'000, 3);
    write_large_image(e2e, (3u << 20) + 12'345, 4);  // 13 chunks
    write_large_image(pending, 24u << 20, 5);  // 96 chunks: still sending when it is cut
    ASSERT_EQ(cluster_->imgshare(alice_, {"post", escrow.string(), "--name", "escrow"}).exit_code,
              0);
    auto posted = cluster_->imgshare(alice_, {"post", e2e.string(), "--name", "e2e", "--to", "bob"});
    ASSERT_EQ(posted.exit_code, 0) << posted.err;
    auto carol = cluster_->new_user("carol");
    auto shared = cluster_->imgshare(alice_, {"share", "e2e", "--with", "carol"});
    ASSERT_EQ(shared.exit_code, 0) << shared.err;
    // The owner's controls move too: an expiry (its index) and a download already counted.
    auto limited = cluster_->imgshare(alice_, {"post", escrow.string(), "--name", "limited",
                                               "--expires", "1h", "--max-downloads", "3"});
    ASSERT_EQ(limited.exit_code, 0) << limited.err;
    ASSERT_TRUE(cluster_->download_matches(bob_, "limited", escrow));
    // A post cut after some chunks: pending at the node.
    {
        const auto before = chunks_received();
        Process cut({executable("imgshare"), "--home", alice_.string(), "post", pending.string(),
                     "--name", "pending"},
                    cluster_->dir() / "cut-post", cluster_->client_env());
        ASSERT_TRUE(wait_until([&] { return chunks_received() >= before + 4; }, 30s,
                               "chunks of the cut post at the node"))
            << cut.err();
        cut.kill_hard();
    }
    const auto bob_list = cluster_->imgshare(bob_, {"list"});
    const auto carol_list = cluster_->imgshare(carol, {"list"});
    ASSERT_EQ(bob_list.exit_code, 0) << bob_list.err;
    ASSERT_NE(carol_list.out.find("e2e"), std::string::npos) << carol_list.out;
    ASSERT_NE(bob_list.out.find("downloads-left=2"), std::string::npos) << bob_list.out;
    const auto usage = cluster_->imgshare(alice_, {"--json", "usage"});
    ASSERT_EQ(usage.exit_code, 0) << usage.err;
    ASSERT_NE(usage.out.find("\"images\":3,"), std::string::npos) << usage.out;
    cluster_->stop_storage();

    auto migrated = migrate();
    ASSERT_EQ(migrated.exit_code, 0) << migrated.err;
    std::cout << migrated.out;
    EXPECT_NE(migrated.out.find("migrated 3 images"), std::string::npos) << migrated.out;
    auto expiries = run_command({"/usr/bin/rados", "-c", ceph_conf(), "--id", ceph_user(), "-p",
                                 ceph_pool(), "-N", namespace_, "listomapkeys", "expiries"});
    EXPECT_NE(expiries.out.find(".limited"), std::string::npos) << expiries.out << expiries.err;
    EXPECT_NE(migrated.out.find("1 shares"), std::string::npos) << migrated.out;
    EXPECT_NE(migrated.out.find("1 pending uploads"), std::string::npos) << migrated.out;
    // A migration cut just before its last write (the feed's head, removed here with the
    // rados tool) is finished by running it again: the same writes, the same summary.
    auto cut = run_command({"/usr/bin/rados", "-c", ceph_conf(), "--id", ceph_user(), "-p",
                            ceph_pool(), "-N", namespace_, "rmomapkey", "feed", "head"});
    ASSERT_EQ(cut.exit_code, 0) << cut.err;
    auto rerun = migrate();
    ASSERT_EQ(rerun.exit_code, 0) << rerun.err;
    EXPECT_EQ(rerun.out, migrated.out);
    // Finished, it refuses.
    auto again = migrate();
    EXPECT_TRUE(has_error(again, "CONFIG")) << again.err;
    EXPECT_NE(again.err.find("already holds images"), std::string::npos) << again.err;

    // A RADOS node on the migrated namespace serves all of it, the feed as it was.
    ASSERT_TRUE(start_extra_storage_node(*cluster_, "storage-rados",
                                         rados_storage_flags(namespace_), rados_node_));
    auto bob_after = cluster_->imgshare(bob_, {"list"});
    auto carol_after = cluster_->imgshare(carol, {"list"});
    EXPECT_EQ(bob_after.out, bob_list.out);
    EXPECT_EQ(carol_after.out, carol_list.out);
    // Alice's usage moved with her images (the index keys ride the feed) and her upload.
    EXPECT_EQ(cluster_->imgshare(alice_, {"--json", "usage"}).out, usage.out);
    EXPECT_TRUE(cluster_->download_matches(bob_, "escrow", escrow));
    EXPECT_TRUE(cluster_->download_matches(bob_, "e2e", e2e));
    EXPECT_TRUE(cluster_->download_matches(carol, "e2e", e2e));
    EXPECT_TRUE(cluster_->download_matches(alice_, "e2e", e2e));
    // Its count went with it: two more downloads, then none (bob's list above showed 2 left).
    EXPECT_TRUE(cluster_->download_matches(bob_, "limited", escrow));
    EXPECT_TRUE(cluster_->download_matches(bob_, "limited", escrow));
    EXPECT_FALSE(cluster_->download_matches(bob_, "limited", escrow));
    // The pending upload moved too: the same post again resumes it and commits.
    // ("resumable": pending on the node and kept in this home; not migrated, it would be
    // "not-begun" and the post below would send every chunk again.)
    auto uploads = cluster_->imgshare(alice_, {"uploads"});
    ASSERT_EQ(uploads.exit_code, 0) << uploads.err;
    EXPECT_TRUE(has_line_with(uploads.out, " pending ", "resumable")) << uploads.out;
    auto resumed = cluster_->imgshare(alice_, {"post", pending.string(), "--name", "pending"});
    ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
    EXPECT_TRUE(cluster_->download_matches(bob_, "pending", pending));
}

TEST_F(RadosMigrationTest, ADirectoryWithoutAStoreIsRefusedClearly) {
    auto result = run_command({executable("imgshare-storage"), "migrate", "--from-rocksdb",
                               (cluster_->dir() / "nothing-here").string(), "--to-rados",
                               "--ceph-conf", ceph_conf(), "--pool", ceph_pool(),
                               "--pool-namespace", namespace_});
    EXPECT_TRUE(has_error(result, "CONFIG")) << result.err;
    EXPECT_NE(result.err.find("no storage node's store"), std::string::npos) << result.err;
}

}  // namespace
}  // namespace imgshare::testing
