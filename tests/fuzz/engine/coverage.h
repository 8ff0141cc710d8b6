// Edge coverage for the built-in fuzzing engine, fed by GCC's
// -fsanitize-coverage=trace-pc instrumentation.
//
// Every basic block of instrumented code calls __sanitizer_cov_trace_pc(); the
// callback (coverage.cpp) counts the edge from the previous block into a
// fixed map, AFL style (hash of two block addresses; collisions only blur the
// picture, they never hide a crash). The engine clears the map before each
// input and reads it afterwards. Single-threaded: targets run inputs on one
// thread.
#pragma once

#include <cstddef>
#include <cstdint>

namespace imgshare::fuzz {

inline constexpr std::size_t kCoverageMapSize = 1 << 16;

// The hit counts of the current input, indexed by edge hash.
std::uint8_t* coverage_map();

// Zeroes the map and forgets the previous block: call before each input.
void reset_coverage();

}  // namespace imgshare::fuzz
