// client/gallery/image_cache: bounded in bytes, least recently used out, a deleted image forgotten.
#include "client/gallery/image_cache.h"

#include <gtest/gtest.h>

namespace imgshare::gallery {
namespace {

std::shared_ptr<const VerifiedImage> image_of_size(std::size_t size) {
    return std::make_shared<const VerifiedImage>(VerifiedImage{
        .bytes = Bytes(size, 0x42), .content_type = "image/png", .verification = {}});
}

TEST(ImageCacheTest, TheLeastRecentlyUsedGoesFirstAndTheBoundHolds) {
    ImageCache cache(100);
    cache.put("a", image_of_size(40));
    cache.put("b", image_of_size(40));
    ASSERT_NE(cache.find("a"), nullptr);  // a is now the most recently used
    cache.put("c", image_of_size(40));
    EXPECT_EQ(cache.find("b"), nullptr);
    EXPECT_NE(cache.find("a"), nullptr);
    EXPECT_NE(cache.find("c"), nullptr);
    EXPECT_EQ(cache.bytes(), 80u);
}

TEST(ImageCacheTest, AnImageLargerThanTheBoundIsNotKept) {
    ImageCache cache(100);
    cache.put("a", image_of_size(60));
    cache.put("huge", image_of_size(101));
    EXPECT_EQ(cache.find("huge"), nullptr);
    EXPECT_NE(cache.find("a"), nullptr);
}

TEST(ImageCacheTest, PuttingTheSameNameAgainReplacesIt) {
    ImageCache cache(100);
    cache.put("a", image_of_size(60));
    cache.put("a", image_of_size(30));
    EXPECT_EQ(cache.bytes(), 30u);
}

TEST(ImageCacheTest, AForgottenImageIsGoneAndItsBytesFreedAndTheOthersStay) {
    ImageCache cache(100);
    cache.put("a", image_of_size(60));
    cache.put("b", image_of_size(30));
    cache.forget("a");
    cache.forget("never-kept");
    EXPECT_EQ(cache.find("a"), nullptr);
    EXPECT_NE(cache.find("b"), nullptr);
    EXPECT_EQ(cache.bytes(), 30u);
    cache.put("c", image_of_size(70));  // fits: what "a" held was given back
    EXPECT_NE(cache.find("b"), nullptr);
    EXPECT_NE(cache.find("c"), nullptr);
}

TEST(ImageCacheTest, AnImageFetchedWhileSomethingWasForgottenIsNotKept) {
    ImageCache cache(100);
    const auto before = cache.forgets();
    cache.forget("a");  // a deletion heard while "a" was downloading
    cache.put_unless_forgotten("a", image_of_size(10), before);
    EXPECT_EQ(cache.find("a"), nullptr);
    cache.put_unless_forgotten("a", image_of_size(10), cache.forgets());
    EXPECT_NE(cache.find("a"), nullptr);
}

}  // namespace
}  // namespace imgshare::gallery
