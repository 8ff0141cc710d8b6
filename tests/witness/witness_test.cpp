// The witness's rule and state: it cosigns a head of its log only if that head extends the
// last one it cosigned, keeps that head across restarts, and refuses a split view — another
// root at a size it cosigned — with LOG_INCONSISTENT, however the request is dressed.
#include "witness/witness.h"

#include <gtest/gtest.h>

#include <fstream>

#include "common/transparency/cosignature.h"
#include "common/transparency/log_check.h"
#include "common/transparency/log_entry.h"
#include "common/transparency/merkle_tree.h"
#include "tests/common/scratch_dir.h"

namespace imgshare::witness {
namespace {

using transparency::MerkleTree;

// A log of its own: entries, its tree and its key, with heads and proofs as the CA makes them.
struct TestLog {
    SigningKeyPair key = generate_signing_keys();
    MerkleTree tree;
    void grow(int entries, std::string_view tag = "e") {
        for (int i = 0; i < entries; ++i) {
            const std::string entry = std::string(tag) + std::to_string(tree.size());
            tree.append(as_bytes(entry));
        }
    }
    Bytes head(std::int64_t at = 1'750'000'000) const {
        return transparency::make_tree_head(tree.size(), tree.root(tree.size()), at,
                                            key.secret_key);
    }
    AddCheckpointRequest request(std::uint64_t old_size) const {
        AddCheckpointRequest request{old_size, {}, head()};
        if (old_size > 0 && old_size < tree.size()) {
            request.consistency =
                transparency::wire_hashes(tree.consistency_proof(old_size, tree.size()));
        }
        return request;
    }
};

SigningKeyPair copy_of(const SigningKeyPair& keys) {
    return SigningKeyPair{keys.public_key, SecretBytes::copy_of(keys.secret_key.view())};
}

class WitnessTest : public ::testing::Test {
  protected:
    Witness open() {
        auto witness = Witness::open(dir_.path(), log_.key.public_key, copy_of(keys_));
        EXPECT_TRUE(witness) << witness.error().message;
        return std::move(*witness);
    }
    void expect_cosigned(Witness& witness, const AddCheckpointRequest& request) {
        auto reply = witness.add_checkpoint(request, 1'750'000'100);
        ASSERT_TRUE(reply) << reply.error().message;
        auto head = transparency::decode_tree_head(request.tree_head).value();
        auto cosignature =
            transparency::verify_cosignature(reply->cosignature, log_.key.public_key, head);
        ASSERT_TRUE(cosignature) << cosignature.error().message;
        EXPECT_EQ(cosignature->witness_key, keys_.public_key);
    }
    ErrorCode refusal(Witness& witness, const AddCheckpointRequest& request) {
        auto reply = witness.add_checkpoint(request, 1'750'000'100);
        EXPECT_FALSE(reply);
        return reply ? ErrorCode::INTERNAL : reply.error().code;
    }

    imgshare::testing::ScratchDir dir_;
    TestLog log_;
    SigningKeyPair keys_ = generate_signing_keys();
};

TEST_F(WitnessTest, ItCosignsTheFirstHeadAndEachThatExtendsIt) {
    auto witness = open();
    EXPECT_EQ(witness.state().size, 0u);
    log_.grow(3);
    expect_cosigned(witness, log_.request(0));
    EXPECT_EQ(witness.state().size, 3u);
    log_.grow(5);
    expect_cosigned(witness, log_.request(3));
    EXPECT_EQ(witness.state().size, 8u);
    EXPECT_EQ(witness.state().tree_head, log_.head());
    // The same head again (a CA asking after a restart): cosigned, nothing changes.
    expect_cosigned(witness, log_.request(8));
    EXPECT_EQ(witness.state().size, 8u);
}

TEST_F(WitnessTest, ASplitViewIsRefusedAtTheSizeItCosignedAndAfterIt) {
    auto witness = open();
    log_.grow(4);
    expect_cosigned(witness, log_.request(0));
    // Another log of the same size under the same key: the view shown to someone else.
    TestLog other;
    other.key = SigningKeyPair{log_.key.public_key, SecretBytes::copy_of(log_.key.secret_key.view())};
    other.grow(4, "forked");
    EXPECT_EQ(refusal(witness, other.request(4)), ErrorCode::LOG_INCONSISTENT);
    // ... nor can it be grown past the witness with a proof from the witness's size.
    other.grow(2, "forked");
    EXPECT_EQ(refusal(witness, other.request(4)), ErrorCode::LOG_INCONSISTENT);
    // A smaller head (the log rolled back) is refused too.
    TestLog smaller;
    smaller.key = SigningKeyPair{log_.key.public_key, SecretBytes::copy_of(log_.key.secret_key.view())};
    smaller.grow(2);
    EXPECT_EQ(refusal(witness, smaller.request(4)), ErrorCode::LOG_INCONSISTENT);
    // The witness still holds what it cosigned.
    EXPECT_EQ(witness.state().size, 4u);
    EXPECT_EQ(witness.state().tree_head, log_.head());
}

TEST_F(WitnessTest, AnotherSizeThanItsOwnOrAHeadTheLogDidNotSignIsRefused) {
    auto witness = open();
    log_.grow(4);
    expect_cosigned(witness, log_.request(0));
    log_.grow(2);
    EXPECT_EQ(refusal(witness, log_.request(2)), ErrorCode::BAD_REQUEST);
    EXPECT_EQ(refusal(witness, log_.request(0)), ErrorCode::BAD_REQUEST);
    // A head signed by another key than the log's.
    auto forged = log_.request(4);
    MerkleTree& tree = log_.tree;
    forged.tree_head = transparency::make_tree_head(tree.size(), tree.root(tree.size()), 1,
                                                    generate_signing_keys().secret_key);
    EXPECT_EQ(refusal(witness, forged), ErrorCode::BAD_SIGNATURE);
    EXPECT_EQ(refusal(witness, AddCheckpointRequest{4, {}, Bytes{1, 2, 3}}),
              ErrorCode::BAD_REQUEST);
    // A consistency proof that does not prove it.
    auto broken = log_.request(4);
    ASSERT_FALSE(broken.consistency.empty());
    broken.consistency.front()[0] ^= 1;
    EXPECT_EQ(refusal(witness, broken), ErrorCode::LOG_INCONSISTENT);
    expect_cosigned(witness, log_.request(4));
}

TEST_F(WitnessTest, WhatItCosignedOutlivesARestartAndStillBindsIt) {
    {
        auto witness = open();
        log_.grow(4);
        expect_cosigned(witness, log_.request(0));
    }
    auto witness = open();
    EXPECT_EQ(witness.state().size, 4u);
    TestLog other;
    other.key = SigningKeyPair{log_.key.public_key, SecretBytes::copy_of(log_.key.secret_key.view())};
    other.grow(4, "forked");
    EXPECT_EQ(refusal(witness, other.request(4)), ErrorCode::LOG_INCONSISTENT);
    EXPECT_EQ(refusal(witness, other.request(0)), ErrorCode::BAD_REQUEST);
}

TEST_F(WitnessTest, AStateFileOfAnotherLogOrNotItsOwnStopsTheStart) {
    {
        auto witness = open();
        log_.grow(4);
        expect_cosigned(witness, log_.request(0));
    }
    auto another_log =
        Witness::open(dir_.path(), generate_signing_keys().public_key, copy_of(keys_));
    ASSERT_FALSE(another_log);
    EXPECT_EQ(another_log.error().code, ErrorCode::CONFIG);
    EXPECT_NE(another_log.error().message.find("use another data directory for another log"),
              std::string::npos)
        << another_log.error().message;
    // Another witness's keys on this state: its cosignature is not theirs.
    auto another_witness = Witness::open(dir_.path(), log_.key.public_key, generate_signing_keys());
    ASSERT_FALSE(another_witness);
    EXPECT_EQ(another_witness.error().code, ErrorCode::CONFIG);
    // A changed head.
    {
        std::ofstream(dir_.path() / "witnessed", std::ios::app) << "tree_head = 00\n";
    }
    auto changed = Witness::open(dir_.path(), log_.key.public_key, copy_of(keys_));
    ASSERT_FALSE(changed);
    EXPECT_EQ(changed.error().code, ErrorCode::CONFIG);
}

}  // namespace
}  // namespace imgshare::witness
