// A storage node whose disk fills up, on a real small file system (a tmpfs of
// 16 MiB mounted over its data directory): a post that cannot be stored gets
// STORAGE_FULL naming no server path; listing and downloading go on; the node
// says so once in its operational log; once space is freed it takes posts
// again by itself, within 10 s and without a restart; and every image it
// acknowledged downloads byte for byte.
//
// Mounting needs root (CAP_SYS_ADMIN): elsewhere the test is skipped.
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <sys/statvfs.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tests/integration/support/cluster.h"
#include "tests/integration/support/wait.h"

namespace imgshare::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr std::uintmax_t kFileSystemBytes = 16u << 20;

// A tmpfs of kFileSystemBytes mounted over `dir`, keeping the files `dir` held
// (the node's keys). Detached when destroyed, even if a process still uses it.
class SmallFileSystem {
  public:
    explicit SmallFileSystem(fs::path dir) : dir_(std::move(dir)) {
        auto kept = dir_.parent_path() / (dir_.filename().string() + ".before-mount");
        fs::rename(dir_, kept);
        fs::create_directory(dir_);
        auto options = "size=" + std::to_string(kFileSystemBytes) + ",mode=0700";
        if (::mount("tmpfs", dir_.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, options.c_str()) != 0) {
            error_ = std::strerror(errno);
            fs::remove(dir_);
            fs::rename(kept, dir_);
            return;
        }
        mounted_ = true;
        for (const auto& entry : fs::directory_iterator(kept))
            fs::copy(entry.path(), dir_ / entry.path().filename(), fs::copy_options::recursive);
    }
    ~SmallFileSystem() {
        if (mounted_) ::umount2(dir_.c_str(), MNT_DETACH);
    }
    SmallFileSystem(const SmallFileSystem&) = delete;
    SmallFileSystem& operator=(const SmallFileSystem&) = delete;

    [[nodiscard]] bool mounted() const { return mounted_; }
    [[nodiscard]] const std::string& error() const { return error_; }

    [[nodiscard]] std::uintmax_t free_bytes() const {
        struct statvfs info {};
        if (::statvfs(dir_.c_str(), &info) != 0) return 0;
        return static_cast<std::uintmax_t>(info.f_bavail) * info.f_frsize;
    }

    // A file of zeros that leaves about `left` bytes free.
    void fill_leaving(std::uintmax_t left, const std::string& name) {
        std::ofstream filler(dir_ / name, std::ios::binary);
        std::vector<char> block(64 * 1024, 0);
        auto to_write = free_bytes() > left ? free_bytes() - left : 0;
        for (std::uintmax_t written = 0; written < to_write; written += block.size())
            filler.write(block.data(), static_cast<std::streamsize>(block.size()));
    }

  private:
    fs::path dir_;
    bool mounted_ = false;
    std::string error_;
};

// The storage node's own text in a client's "error: CODE: message (the client's advice)".
std::string server_message(const std::string& client_error) {
    auto begin = client_error.find(": ", client_error.find("error: ") + 7);
    auto end = client_error.find(" (the sealed post is kept");
    if (begin == std::string::npos) return client_error;
    return client_error.substr(begin + 2, end == std::string::npos ? end : end - begin - 2);
}

TEST(DiskFullTest, AFullDiskRefusesPostsWithoutPathsAndHealsOnceSpaceIsFreed) {
    ClusterOptions options;
    options.start_storage = false;
    Cluster cluster(options);
    SmallFileSystem disk(cluster.storage_dir());
    if (!disk.mounted()) {
        GTEST_SKIP() << "cannot mount a tmpfs for the storage node's data (" << disk.error()
                     << "): this test needs root";
    }
    ASSERT_TRUE(cluster.start_storage());
    auto alice = cluster.new_user("alice");
    auto bob = cluster.new_user("bob");

    // Images of four chunks, as most posts are: chunks, a commit, a sync.
    std::vector<std::pair<std::string, fs::path>> acknowledged;
    auto image = [&](int i) {
        auto path = cluster.dir() / ("image-" + std::to_string(i) + ".png");
        if (!fs::exists(path)) write_large_image(path, 1u << 20, static_cast<unsigned>(i + 1));
        return path;
    };
    auto post = [&](int i) {
        auto name = "image-" + std::to_string(i);
        auto result = cluster.imgshare(alice, {"post", image(i).string(), "--name", name});
        if (result.exit_code == 0) acknowledged.emplace_back(name, image(i));
        return result;
    };
    ASSERT_EQ(post(0).exit_code, 0);

    disk.fill_leaving(3u << 20, "filler");
    CommandResult refused;
    int next = 1;
    for (; next < 12; ++next) {
        refused = post(next);
        if (refused.exit_code != 0) break;
    }
    ASSERT_TRUE(has_error(refused, "STORAGE_FULL")) << refused.err;
    EXPECT_EQ(server_message(refused.err).find('/'), std::string::npos) << refused.err;
    // Refused again, and the node says so once, not once per request.
    auto again = cluster.imgshare(alice, {"post", cluster.small_png("small.png").string()});
    EXPECT_TRUE(has_error(again, "STORAGE_FULL")) << again.err;
    EXPECT_EQ(count_of(cluster.storage()->err(), "the disk is full"), 1u)
        << cluster.storage()->err();

    // Reads go on while the disk is full.
    auto listed = cluster.imgshare(bob, {"list"});
    ASSERT_EQ(listed.exit_code, 0) << listed.err;
    for (const auto& [name, original] : acknowledged)
        EXPECT_NE(listed.out.find(name), std::string::npos) << name << " in\n" << listed.out;
    EXPECT_TRUE(cluster.download_matches(bob, acknowledged.front().first,
                                         acknowledged.front().second));

    // Space is freed: the same post (resumed from the home) goes through by itself.
    auto readies = cluster.ready_count("storage");
    fs::remove(cluster.storage_dir() / "filler");
    EXPECT_TRUE(wait_until([&] { return post(next).exit_code == 0; }, 10s,
                           "the refused post to be taken once space was freed", 100ms));
    EXPECT_TRUE(cluster.storage()->running());
    EXPECT_EQ(cluster.ready_count("storage"), readies) << "the storage node restarted";
    EXPECT_TRUE(cluster.storage()->wait_for_err("database: writable again", 5s));

    for (const auto& [name, original] : acknowledged)
        EXPECT_TRUE(cluster.download_matches(bob, name, original)) << name;
    cluster.stop_storage();
}

}  // namespace
}  // namespace imgshare::testing
