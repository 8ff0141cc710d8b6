#include "tests/fuzz/engine/coverage.h"

#include <cstring>

namespace {

alignas(64) std::uint8_t g_map[imgshare::fuzz::kCoverageMapSize];
std::uintptr_t g_previous_block = 0;

}  // namespace

// Called from every instrumented basic block, so it must stay tiny and must not itself be
// instrumented (this file is compiled without -fsanitize-coverage).
extern "C" __attribute__((no_sanitize_address, no_sanitize_undefined)) void
__sanitizer_cov_trace_pc() {
    auto block = reinterpret_cast<std::uintptr_t>(__builtin_return_address(0));
    // Fibonacci hashing spreads nearby addresses over the whole map.
    block = (block * 0x9E3779B97F4A7C15ULL) >> 48;
    auto& count = g_map[(block ^ g_previous_block) & (imgshare::fuzz::kCoverageMapSize - 1)];
    count = static_cast<std::uint8_t>(count + 1);
    // Shifted so that A->B and B->A are different edges, and A->A is not zero.
    g_previous_block = block >> 1;
}

namespace imgshare::fuzz {

std::uint8_t* coverage_map() {
    return g_map;
}

void reset_coverage() {
    std::memset(g_map, 0, sizeof g_map);
    g_previous_block = 0;
}

}  // namespace imgshare::fuzz
