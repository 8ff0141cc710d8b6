// `imgshare-storage run --backend NAME` on the real executable (storage-node/backend_choice.h):
// a backend this build does not have, or one without what it needs (rados without
// --ceph-conf), stops the node at start with a CONFIG error that says why, before any
// database is created.
#include <gtest/gtest.h>

#include "common/bytes.h"
#include "common/crypto/keys.h"
#include "tests/common/scratch_dir.h"
#include "tests/integration/support/process.h"

namespace imgshare::testing {
namespace {

// `run` with everything it needs but a broker that answers, and `backend`.
CommandResult run_storage_with_backend(const ScratchDir& dir, const std::string& backend) {
    return run_command({executable("imgshare-storage"), "run", "--data-dir", dir.path().string(),
                        "--broker", "tcp://127.0.0.1:" + std::to_string(free_port()),
                        "--broker-key", z85_encode(generate_curve_keys().public_key),
                        "--ca-key", to_hex(generate_signing_keys().public_key), "--backend",
                        backend});
}

TEST(StorageBackendFlagTest, ABackendThisBuildLacksStopsTheNodeAtStartSayingWhy) {
    ScratchDir dir;
    auto init = run_command({executable("imgshare-storage"), "init", "--data-dir", dir.path()});
    ASSERT_EQ(init.exit_code, 0) << init.err;

    auto rados = run_storage_with_backend(dir, "rados");
    EXPECT_EQ(rados.exit_code, 1);
    // Built with librados it needs a cluster; built without, it says it has none.
    const bool needs_cluster =
        rados.err.find("error: CONFIG: --backend rados needs --ceph-conf FILE and --pool NAME") !=
        std::string::npos;
    const bool lacks_rados =
        rados.err.find("error: CONFIG: --backend rados: this build has no Ceph RADOS backend") !=
        std::string::npos;
    EXPECT_TRUE(needs_cluster || lacks_rados) << rados.err;
    auto typo = run_storage_with_backend(dir, "rocksbd");
    EXPECT_EQ(typo.exit_code, 1);
    EXPECT_NE(typo.err.find("error: CONFIG: --backend rocksbd: no such storage backend"),
              std::string::npos)
        << typo.err;
    EXPECT_FALSE(std::filesystem::exists(dir.path() / "db"));
}

}  // namespace
}  // namespace imgshare::testing
