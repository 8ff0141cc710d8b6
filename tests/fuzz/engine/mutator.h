// Input mutations for the built-in fuzzing engine: libFuzzer's basic set
// (bit flips, byte changes, insertions, erasures, truncations, copies,
// interesting integers, splices with other corpus inputs) plus msgpack type
// markers, because every decoder under test reads msgpack or text.
//
// Deterministic for a given seed and call sequence, so a run can be repeated
// with -seed=N.
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>
#include <vector>

namespace imgshare::fuzz {

using Input = std::vector<std::uint8_t>;

class Mutator {
  public:
    explicit Mutator(std::uint64_t seed) : random_(seed) {}

    // Applies 1..5 random mutations to `input`, leaving it at most `max_length` bytes long.
    // `corpus` supplies the other half of splices; it may be empty.
    void mutate(Input& input, std::size_t max_length, const std::vector<Input>& corpus);

    // A uniformly random index below `bound` (> 0).
    std::size_t below(std::size_t bound) { return random_() % bound; }

  private:
    void mutate_once(Input& input, std::size_t max_length, const std::vector<Input>& corpus);
    void erase_range(Input& input);
    void insert_bytes(Input& input, std::size_t max_length);
    void overwrite_integer(Input& input);
    void copy_range(Input& input, std::size_t max_length);
    void splice(Input& input, std::size_t max_length, const std::vector<Input>& corpus);
    std::uint8_t interesting_byte();

    std::mt19937_64 random_;
};

}  // namespace imgshare::fuzz
