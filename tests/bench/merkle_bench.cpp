// The certificate log's proofs at the size issue #22 names: a tree of 1,000,000 entries,
// inclusion and consistency proofs made and verified at spread-out positions (goal: under
// 1 ms each). Beside them, one SHA-256 of a node (the unit every proof is made of).
#include <benchmark/benchmark.h>

#include "common/transparency/merkle_tree.h"

namespace imgshare::transparency {
namespace {

constexpr std::uint64_t kEntries = 1'000'000;

const MerkleTree& big_tree() {
    static const MerkleTree tree = [] {
        MerkleTree built;
        for (std::uint64_t i = 0; i < kEntries; ++i) {
            Bytes entry(200, static_cast<std::uint8_t>(i));  // about a certificate's size
            entry[0] = static_cast<std::uint8_t>(i >> 8);
            entry[1] = static_cast<std::uint8_t>(i >> 16);
            built.append(entry);
        }
        return built;
    }();
    return tree;
}

// Positions spread over the tree, the same on every run.
std::uint64_t position(std::uint64_t step, std::uint64_t size) {
    return (step * 2'654'435'761u) % size;
}

void BM_NodeHash(benchmark::State& state) {
    MerkleHash left{}, right{};
    for (auto _ : state) {
        left = node_hash(left, right);
        benchmark::DoNotOptimize(left);
    }
}
BENCHMARK(BM_NodeHash);

void BM_InclusionProofMakeAndVerify(benchmark::State& state) {
    const auto& tree = big_tree();
    const std::uint64_t size = kEntries - 3;  // not a power of two: the ragged right edge
    const MerkleHash root = tree.root(size);
    std::uint64_t step = 0;
    for (auto _ : state) {
        const std::uint64_t index = position(++step, size);
        auto path = tree.inclusion_proof(index, size);
        Bytes entry(200, static_cast<std::uint8_t>(index));
        entry[0] = static_cast<std::uint8_t>(index >> 8);
        entry[1] = static_cast<std::uint8_t>(index >> 16);
        if (!verify_inclusion(leaf_hash(entry), index, size, path, root)) {
            state.SkipWithError("an inclusion proof did not verify");
        }
    }
}
BENCHMARK(BM_InclusionProofMakeAndVerify)->Unit(benchmark::kMicrosecond);

void BM_ConsistencyProofMakeAndVerify(benchmark::State& state) {
    const auto& tree = big_tree();
    std::uint64_t step = 0;
    for (auto _ : state) {
        const std::uint64_t first = 1 + position(++step, kEntries - 1);
        const std::uint64_t second = first + (kEntries - first) / 2;
        state.PauseTiming();
        const MerkleHash first_root = tree.root(first);
        const MerkleHash second_root = tree.root(second);
        state.ResumeTiming();
        auto path = tree.consistency_proof(first, second);
        if (!verify_consistency(first, second, first_root, second_root, path)) {
            state.SkipWithError("a consistency proof did not verify");
        }
    }
}
BENCHMARK(BM_ConsistencyProofMakeAndVerify)->Unit(benchmark::kMicrosecond);

void BM_RootOfAnEarlierSize(benchmark::State& state) {
    const auto& tree = big_tree();
    std::uint64_t step = 0;
    for (auto _ : state)
        benchmark::DoNotOptimize(tree.root(1 + position(++step, kEntries - 1)));
}
BENCHMARK(BM_RootOfAnEarlierSize)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace imgshare::transparency

BENCHMARK_MAIN();
