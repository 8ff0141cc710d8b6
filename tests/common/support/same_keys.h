// Test helper: two users' key sets are the same, public and secret halves alike (secrets
// compared in constant time through SecretBytes::equals, never printed).
#pragma once

#include <gtest/gtest.h>

#include "common/keys_file.h"

namespace imgshare::test {

inline void expect_same_keys(const UserKeys& a, const UserKeys& b) {
    EXPECT_EQ(a.sign.public_key, b.sign.public_key);
    EXPECT_TRUE(a.sign.secret_key.equals(b.sign.secret_key));
    EXPECT_EQ(a.box.public_key, b.box.public_key);
    EXPECT_TRUE(a.box.secret_key.equals(b.box.secret_key));
    EXPECT_EQ(a.curve.public_key, b.curve.public_key);
    EXPECT_TRUE(a.curve.secret_key.equals(b.curve.secret_key));
}

}  // namespace imgshare::test
