// Helpers for the end-to-end tests: the fixture of three users and an image
// alice posts to some of them (a user's keys: support/signed_requests.h; the
// storage node's database: support/storage_database.h; a raw subscriber:
// support/subscriber.h).
#pragma once

#include <gtest/gtest.h>

#include <cstddef>
#include <filesystem>
#include <string>

#include "tests/integration/support/cluster_fixture.h"
#include "tests/integration/support/signed_requests.h"
#include "tests/integration/support/storage_database.h"

namespace imgshare::testing {

// The grant key of the storage node's `grants` family (storage-node/storage_keys.h).
inline std::string grant_key_of(const std::string& name, const std::string& recipient) {
    return name + std::string(1, '\0') + recipient;
}

// How many lines of `text` contain `needle`.
inline std::size_t count_lines_with(const std::string& text, const std::string& needle) {
    std::size_t count = 0;
    std::size_t at = 0;
    while (at < text.size()) {
        auto end = text.find('\n', at);
        if (end == std::string::npos) end = text.size();
        if (text.substr(at, end - at).find(needle) != std::string::npos) ++count;
        at = end + 1;
    }
    return count;
}

// Alice, bob and carol registered, and cat.png: `image_size` pseudo-random bytes
// (from `seed`) behind a PNG signature, for alice to post end to end.
class EndToEndUsersTest : public ClusterTest {
  protected:
    EndToEndUsersTest(std::size_t image_size, unsigned seed)
        : image_size_(image_size), seed_(seed) {}

    void SetUp() override {
        alice_ = cluster_.new_user("alice");
        bob_ = cluster_.new_user("bob");
        carol_ = cluster_.new_user("carol");
        image_ = cluster_.dir() / "cat.png";
        write_large_image(image_, image_size_, seed_);
    }

    // Alice posts the image as `name` for `recipients` ("bob,carol").
    CommandResult post_to(const std::string& name, const std::string& recipients) {
        return cluster_.imgshare(alice_,
                                 {"post", image_.string(), "--name", name, "--to", recipients});
    }

    std::filesystem::path alice_, bob_, carol_, image_;

  private:
    std::size_t image_size_;
    unsigned seed_;
};

}  // namespace imgshare::testing
