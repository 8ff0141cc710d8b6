// Cosignatures: a witness's signature binds the log, the size and the root; a reader counts
// only listed witnesses, each once, and requires its quorum (NOT_WITNESSED otherwise).
#include "common/transparency/cosignature.h"

#include <gtest/gtest.h>

#include "common/crypto/keys.h"

namespace imgshare::transparency {
namespace {

struct Log {
    SigningKeyPair key = generate_signing_keys();
    TreeHead head_of(std::uint64_t size, std::uint8_t fill) const {
        MerkleHash root;
        root.fill(fill);
        return decode_tree_head(make_tree_head(size, root, 1'750'000'000, key.secret_key)).value();
    }
};

Bytes cosign(const SigningKeyPair& witness, const Bytes& log_key, const TreeHead& head) {
    return make_cosignature(log_key, head, 1'750'000'010, witness.public_key, witness.secret_key);
}

TEST(CosignatureTest, AWitnessesCosignatureVerifiesForThatHeadOfThatLogOnly) {
    Log log;
    auto witness = generate_signing_keys();
    auto head = log.head_of(5, 7);
    auto encoded = cosign(witness, log.key.public_key, head);
    EXPECT_LE(encoded.size(), kMaxCosignatureBytes);
    auto checked = verify_cosignature(encoded, log.key.public_key, head);
    ASSERT_TRUE(checked) << checked.error().message;
    EXPECT_EQ(checked->witness_key, witness.public_key);
    EXPECT_EQ(checked->timestamp, 1'750'000'010);
    // Another size, another root, another log: the same cosignature proves nothing.
    for (const auto& [log_key, other] :
         std::vector<std::pair<Bytes, TreeHead>>{{log.key.public_key, log.head_of(6, 7)},
                                                 {log.key.public_key, log.head_of(5, 8)},
                                                 {generate_signing_keys().public_key, head}}) {
        auto refused = verify_cosignature(encoded, log_key, other);
        ASSERT_FALSE(refused);
        EXPECT_EQ(refused.error().code, ErrorCode::BAD_SIGNATURE);
    }
}

TEST(CosignatureTest, AnotherWitnessesKeyInTheCosignatureIsBadSignature) {
    Log log;
    auto witness = generate_signing_keys();
    auto head = log.head_of(5, 7);
    auto encoded = cosign(witness, log.key.public_key, head);
    auto decoded = decode_cosignature(encoded).value();
    // Claimed by another witness: its key in place of the signer's.
    auto other = generate_signing_keys();
    Bytes claimed = make_cosignature(log.key.public_key, head, decoded.timestamp, other.public_key,
                                     witness.secret_key);
    auto refused = verify_cosignature(claimed, log.key.public_key, head);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::BAD_SIGNATURE);
}

TEST(CosignatureTest, AnythingButACanonicalCosignatureIsBadRequest) {
    Log log;
    auto encoded = cosign(generate_signing_keys(), log.key.public_key, log.head_of(5, 7));
    for (const Bytes& bad : {Bytes{}, Bytes(encoded.begin(), encoded.end() - 1),
                             Bytes(kMaxCosignatureBytes + 1, 0x94), Bytes{0x94, 1, 2, 3, 4}}) {
        auto decoded = decode_cosignature(bad);
        ASSERT_FALSE(decoded);
        EXPECT_EQ(decoded.error().code, ErrorCode::BAD_REQUEST);
    }
}

TEST(CosignatureTest, AReaderCountsEachListedWitnessOnceAndRequiresItsQuorum) {
    Log log;
    auto head = log.head_of(5, 7);
    auto a = generate_signing_keys(), b = generate_signing_keys(), stranger = generate_signing_keys();
    WitnessPolicy policy{{a.public_key, b.public_key}, 2};
    const auto& key = log.key.public_key;
    const auto by_a = cosign(a, key, head), by_b = cosign(b, key, head);

    EXPECT_EQ(count_witnesses(std::vector<Bytes>{by_a, by_b}, key, head, policy), 2u);
    EXPECT_TRUE(check_witnessed(std::vector<Bytes>{by_a, by_b}, key, head, policy));
    // The same witness twice, a stranger, a cosignature of another head, garbage: one each.
    for (const auto& cosignatures : std::vector<std::vector<Bytes>>{
             {by_a, by_a},
             {by_a, cosign(stranger, key, head)},
             {by_a, cosign(b, key, log.head_of(5, 8))},
             {by_a, Bytes{1, 2, 3}},
             {by_a}}) {
        EXPECT_EQ(count_witnesses(cosignatures, key, head, policy), 1u);
        auto refused = check_witnessed(cosignatures, key, head, policy);
        ASSERT_FALSE(refused);
        EXPECT_EQ(refused.error().code, ErrorCode::NOT_WITNESSED);
        EXPECT_NE(refused.error().message.find("cosigned by 1 of the trust file's witnesses, and "
                                               "2 are required"),
                  std::string::npos)
            << refused.error().message;
    }
    // A quorum of 1 is met by either; no witnesses at all need none.
    policy.quorum = 1;
    EXPECT_TRUE(check_witnessed(std::vector<Bytes>{by_b}, key, head, policy));
    EXPECT_TRUE(check_witnessed({}, key, head, WitnessPolicy{}));
    auto none = check_witnessed({}, key, head, policy);
    ASSERT_FALSE(none);
    EXPECT_EQ(none.error().code, ErrorCode::NOT_WITNESSED);
}

}  // namespace
}  // namespace imgshare::transparency
