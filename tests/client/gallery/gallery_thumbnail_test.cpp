// The grid's thumbnails (GallerySource::thumbnail, client/thumbnail_download.h) with the real
// `imgshare post` and `imgshare gallery` of a real cluster: the thumbnail the command line
// sealed into the envelope is what the grid gets, as image/jpeg with nosniff; an image posted
// without one (it does not decode) gets the image itself; an end-to-end image's thumbnail
// reaches its readers only, and a share carries it to the new reader; a thumbnail changed on
// the node's disk is refused.
#include <gtest/gtest.h>
#include <httplib.h>
#include <turbojpeg.h>
#include <webp/encode.h>

#include <nlohmann/json.hpp>

#include "client/thumbnail_maker.h"
#include "common/envelope.h"
#include "common/file_io.h"
#include "tests/client/gallery/support/gallery_refusal.h"
#include "tests/integration/support/cluster_fixture.h"
#include "tests/integration/support/gallery_process.h"
#include "tests/integration/support/storage_database.h"

namespace imgshare::testing {
namespace {

namespace fs = std::filesystem;

// The width and height of a JPEG, {0, 0} if it is none.
std::pair<int, int> thumbnail_dimensions(const std::string& jpeg) {
    tjhandle handle = tjInitDecompress();
    int width = 0, height = 0, subsampling = 0, colorspace = 0;
    if (tjDecompressHeader3(handle, reinterpret_cast<const unsigned char*>(jpeg.data()),
                            jpeg.size(), &width, &height, &subsampling, &colorspace) != 0) {
        width = height = 0;
    }
    tjDestroy(handle);
    return {width, height};
}

class GalleryThumbnailTest : public ClusterTest {
  protected:
    void SetUp() override {
        alice_ = cluster_.new_user("alice");
        // A real 512-pixel-wide PNG of about 300 KiB (the gallery benchmark's kind).
        auto made = run_command({"/usr/bin/python3", IMGSHARE_MAKE_TEST_IMAGES,
                                 (cluster_.dir() / "images").string(), "1", "300", "300"});
        ASSERT_EQ(made.exit_code, 0) << made.err;
        image_ = cluster_.dir() / "images" / "image-000.png";
    }

    // GET `path` from `gallery` as its user's browser.
    static httplib::Result get(const GalleryProcess& gallery, const std::string& path) {
        httplib::Client http("127.0.0.1", gallery.port());
        return http.Get(path, {{"Host", "127.0.0.1:" + std::to_string(gallery.port())},
                               {"Cookie", "imgshare_gallery=" + gallery.token()}});
    }

    // The grid's thumbnail of `name`, left in `body`: image/jpeg with nosniff, exactly the
    // JPEG the poster's thumbnail maker makes of `file` (the same library).
    static void expect_the_makers_thumbnail(const GalleryProcess& gallery, const std::string& name,
                                            const fs::path& file, std::string_view content_type,
                                            std::string& body) {
        auto answer = get(gallery, "/api/images/" + name + "/thumbnail");
        ASSERT_TRUE(answer);
        ASSERT_EQ(answer->status, 200) << answer->body;
        EXPECT_EQ(answer->get_header_value("Content-Type"), "image/jpeg");
        EXPECT_EQ(answer->get_header_value("X-Content-Type-Options"), "nosniff");
        auto expected = client::make_thumbnail(file, content_type);
        ASSERT_TRUE(expected.has_value()) << expected.error().message;
        EXPECT_EQ(answer->body, std::string(expected->begin(), expected->end()));
        body = answer->body;
    }

    fs::path alice_, image_;
};

TEST_F(GalleryThumbnailTest, TheThumbnailTheCommandLinePostedIsWhatTheGridGets) {
    auto posted = cluster_.imgshare(alice_, {"post", image_.string(), "--name", "wide"});
    ASSERT_EQ(posted.exit_code, 0) << posted.err;
    GalleryProcess gallery(cluster_, alice_, "alice");
    ASSERT_TRUE(gallery.started());
    std::string thumbnail;
    ASSERT_NO_FATAL_FAILURE(
        expect_the_makers_thumbnail(gallery, "wide", image_, "image/png", thumbnail));
    auto [width, height] = thumbnail_dimensions(thumbnail);
    EXPECT_EQ(width, 320);
    EXPECT_GT(height, 0);
    EXPECT_LT(height, 320);  // 512 wide, fewer rows: the width is the longer side
    // The image itself is still the original, byte for byte.
    auto full = get(gallery, "/api/images/wide");
    ASSERT_TRUE(full);
    ASSERT_EQ(full->status, 200);
    auto original = read_file(image_, 1 << 20);
    ASSERT_TRUE(original.has_value());
    EXPECT_EQ(full->body, std::string(original->begin(), original->end()));
}

TEST_F(GalleryThumbnailTest, AWebpGetsAJpegThumbnail) {
    // A 640 x 480 lossy WebP made here (libwebp): the grid gets the JPEG the maker makes.
    std::vector<std::uint8_t> rgb(640 * 480 * 3);
    for (std::size_t i = 0; i < rgb.size(); ++i)
        rgb[i] = static_cast<std::uint8_t>((i / 3 % 640) * 255 / 640 + (i % 3) * 40);
    std::uint8_t* encoded = nullptr;
    auto size = WebPEncodeRGB(rgb.data(), 640, 480, 640 * 3, 80, &encoded);
    ASSERT_GT(size, 0u);
    const fs::path webp = cluster_.dir() / "wide.webp";
    auto written = write_file_atomically(webp, Bytes(encoded, encoded + size),
                                         fs::perms::owner_read | fs::perms::owner_write);
    WebPFree(encoded);
    ASSERT_TRUE(written.has_value());
    auto posted = cluster_.imgshare(alice_, {"post", webp.string(), "--name", "webp"});
    ASSERT_EQ(posted.exit_code, 0) << posted.err;
    GalleryProcess gallery(cluster_, alice_, "alice");
    ASSERT_TRUE(gallery.started());
    std::string thumbnail;
    ASSERT_NO_FATAL_FAILURE(
        expect_the_makers_thumbnail(gallery, "webp", webp, "image/webp", thumbnail));
    EXPECT_EQ(thumbnail_dimensions(thumbnail), (std::pair{320, 240}));
}

TEST_F(GalleryThumbnailTest, AnImageThatDoesNotDecodeIsPostedWithoutOneAndShownWhole) {
    // What the crash test posts: a PNG signature and random bytes. The post must not fail.
    const fs::path noise = cluster_.dir() / "noise.png";
    write_large_image(noise, 20'000, 5);
    auto posted = cluster_.imgshare(alice_, {"post", noise.string(), "--name", "noise"});
    ASSERT_EQ(posted.exit_code, 0) << posted.err;
    GalleryProcess gallery(cluster_, alice_, "alice");
    ASSERT_TRUE(gallery.started());
    auto answer = get(gallery, "/api/images/noise/thumbnail");
    ASSERT_TRUE(answer);
    ASSERT_EQ(answer->status, 200) << answer->body;
    EXPECT_EQ(answer->get_header_value("Content-Type"), "image/png");
    auto original = read_file(noise, 1 << 20);
    ASSERT_TRUE(original.has_value());
    EXPECT_EQ(answer->body, std::string(original->begin(), original->end()));
}

TEST_F(GalleryThumbnailTest, AnEndToEndThumbnailReachesItsReadersOnly) {
    auto bob = cluster_.new_user("bob");
    auto carol = cluster_.new_user("carol");
    auto posted =
        cluster_.imgshare(alice_, {"post", image_.string(), "--name", "secret", "--to", "bob"});
    ASSERT_EQ(posted.exit_code, 0) << posted.err;
    GalleryProcess bobs(cluster_, bob, "bob");
    GalleryProcess carols(cluster_, carol, "carol");
    ASSERT_TRUE(bobs.started());
    ASSERT_TRUE(carols.started());
    auto expected = client::make_thumbnail(image_, "image/png");
    ASSERT_TRUE(expected.has_value());
    auto to_bob = get(bobs, "/api/images/secret/thumbnail");
    ASSERT_TRUE(to_bob);
    ASSERT_EQ(to_bob->status, 200) << to_bob->body;
    EXPECT_EQ(to_bob->body, std::string(expected->begin(), expected->end()));
    auto to_carol = get(carols, "/api/images/secret/thumbnail");
    ASSERT_TRUE(to_carol);
    EXPECT_NE(to_carol->status, 200);
    EXPECT_EQ(to_carol->get_header_value("Content-Type"), "application/json");
    EXPECT_FALSE(gallery_refusal_code(to_carol).empty()) << to_carol->body;
    EXPECT_EQ(to_carol->body.find(std::string(expected->begin(), expected->begin() + 16)),
              std::string::npos);

    // `share` re-signs the envelope with the thumbnail carried over unchanged: carol, now a
    // reader, gets the very same thumbnail.
    auto shared = cluster_.imgshare(alice_, {"share", "secret", "--with", "carol"});
    ASSERT_EQ(shared.exit_code, 0) << shared.err;
    auto after_share = get(carols, "/api/images/secret/thumbnail");
    ASSERT_TRUE(after_share);
    ASSERT_EQ(after_share->status, 200) << after_share->body;
    EXPECT_EQ(after_share->body, std::string(expected->begin(), expected->end()));
}

TEST_F(GalleryThumbnailTest, AThumbnailChangedOnTheNodesDiskIsRefused) {
    auto posted = cluster_.imgshare(alice_, {"post", image_.string(), "--name", "wide"});
    ASSERT_EQ(posted.exit_code, 0) << posted.err;
    cluster_.stop_storage();
    {
        StorageDatabase database(cluster_.storage_dir() / "db");
        auto record = database.image("wide");
        ASSERT_EQ(record.envelope[0], 0x9f);  // a v2 envelope: 15 fields
        record.envelope[record.envelope.size() - 50] ^= 0x01;  // in the thumbnail box
        database.put_image("wide", record);
    }
    ASSERT_TRUE(cluster_.start_storage());
    GalleryProcess gallery(cluster_, alice_, "alice");
    ASSERT_TRUE(gallery.started());
    auto answer = get(gallery, "/api/images/wide/thumbnail");
    ASSERT_TRUE(answer);
    EXPECT_EQ(answer->status, 422) << answer->body;
    EXPECT_EQ(gallery_refusal_code(answer), "BAD_SIGNATURE");
}

}  // namespace
}  // namespace imgshare::testing
