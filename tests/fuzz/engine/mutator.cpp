#include "tests/fuzz/engine/mutator.h"

#include <algorithm>
#include <array>
#include <iterator>
#include <string_view>

namespace imgshare::fuzz {
namespace {

// msgpack markers: nil, false, true, bin8/16/32, uint8..64, int8..64, str8/16/32,
// array16/32, map16/32, and the fixmap/fixarray/fixstr ranges' first and last.
constexpr std::array<std::uint8_t, 27> kMsgpackMarkers = {
    0xc0, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xcc, 0xcd, 0xce, 0xcf, 0xd0, 0xd1, 0xd2, 0xd3,
    0xd9, 0xda, 0xdb, 0xdc, 0xdd, 0xde, 0xdf, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf};

// Values at the edges of integer ranges, where bounds checks go wrong.
constexpr std::array<std::uint64_t, 16> kInterestingIntegers = {
    0,      1,      2,       0x7f,       0x80,       0xff,       0x100,       0x7fff,
    0x8000, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff, 0x100000000, 0xffffffffffffffff};

// The punctuation of the text formats (config and trust files, endpoints).
constexpr std::string_view kTextBytes = "=#\n\r\t :/[]*.-_09aAzZ";

}  // namespace

void Mutator::mutate(Input& input, std::size_t max_length, const std::vector<Input>& corpus) {
    const std::size_t rounds = 1 + below(5);
    for (std::size_t round = 0; round < rounds; ++round)
        mutate_once(input, max_length, corpus);
    if (input.size() > max_length) input.resize(max_length);
}

void Mutator::mutate_once(Input& input, std::size_t max_length, const std::vector<Input>& corpus) {
    if (input.empty()) {
        insert_bytes(input, max_length);
        return;
    }
    switch (below(10)) {
        case 0:  // flip one bit
            input[below(input.size())] ^= static_cast<std::uint8_t>(1u << below(8));
            break;
        case 1:  // change one byte
            input[below(input.size())] = interesting_byte();
            break;
        case 2:
            erase_range(input);
            break;
        case 3:
            insert_bytes(input, max_length);
            break;
        case 4:
            overwrite_integer(input);
            break;
        case 5:
            copy_range(input, max_length);
            break;
        case 6:
            splice(input, max_length, corpus);
            break;
        case 7:  // truncate
            input.resize(below(input.size()));
            break;
        case 8: {  // shuffle a few neighbouring bytes
            const std::size_t start = below(input.size());
            const std::size_t length = std::min<std::size_t>(1 + below(8), input.size() - start);
            std::shuffle(input.begin() + static_cast<std::ptrdiff_t>(start),
                         input.begin() + static_cast<std::ptrdiff_t>(start + length), random_);
            break;
        }
        default: {  // add or subtract a little from one byte (lengths, counts)
            auto& byte = input[below(input.size())];
            byte = static_cast<std::uint8_t>(byte + below(33) - 16);
            break;
        }
    }
}

void Mutator::erase_range(Input& input) {
    const std::size_t start = below(input.size());
    const std::size_t length = 1 + below(std::min<std::size_t>(input.size() - start, 64));
    const auto first = input.begin() + static_cast<std::ptrdiff_t>(start);
    input.erase(first, first + static_cast<std::ptrdiff_t>(length));
}

void Mutator::insert_bytes(Input& input, std::size_t max_length) {
    if (input.size() >= max_length) return;
    const std::size_t room = max_length - input.size();
    const std::size_t at = below(input.size() + 1);
    const auto position = input.begin() + static_cast<std::ptrdiff_t>(at);
    if (below(2) == 0) {  // a run of one byte
        const std::size_t count = std::min<std::size_t>(1 + below(32), room);
        input.insert(position, count, interesting_byte());
    } else {  // a few random bytes
        const std::size_t count = std::min<std::size_t>(1 + below(4), room);
        Input bytes(count);
        for (auto& byte : bytes)
            byte = static_cast<std::uint8_t>(random_());
        input.insert(position, bytes.begin(), bytes.end());
    }
}

void Mutator::overwrite_integer(Input& input) {
    static constexpr std::array<std::size_t, 4> kWidths = {1, 2, 4, 8};
    const std::size_t width = kWidths[below(kWidths.size())];
    if (input.size() < width) return;
    std::uint64_t value = kInterestingIntegers[below(kInterestingIntegers.size())];
    if (below(4) == 0) value += below(5) - 2;
    const std::size_t at = below(input.size() - width + 1);
    const bool big_endian = below(4) != 0;  // msgpack is big-endian
    for (std::size_t i = 0; i < width; ++i) {
        const std::size_t shift = 8 * (big_endian ? width - 1 - i : i);
        input[at + i] = static_cast<std::uint8_t>(value >> shift);
    }
}

void Mutator::copy_range(Input& input, std::size_t max_length) {
    const std::size_t from = below(input.size());
    const std::size_t length = 1 + below(std::min<std::size_t>(input.size() - from, 128));
    const Input part(input.begin() + static_cast<std::ptrdiff_t>(from),
                     input.begin() + static_cast<std::ptrdiff_t>(from + length));
    const std::size_t to = below(input.size());
    if (below(2) == 0 && input.size() + length <= max_length) {
        input.insert(input.begin() + static_cast<std::ptrdiff_t>(to), part.begin(), part.end());
    } else {
        const std::size_t count = std::min(length, input.size() - to);
        std::copy_n(part.begin(), count, input.begin() + static_cast<std::ptrdiff_t>(to));
    }
}

void Mutator::splice(Input& input, std::size_t max_length, const std::vector<Input>& corpus) {
    if (corpus.empty()) return;
    const Input& other = corpus[below(corpus.size())];
    if (other.empty()) return;
    if (below(2) == 0) {  // crossover: our head, the other's tail
        const std::size_t cut = below(input.size() + 1);
        const std::size_t other_cut = below(other.size());
        input.resize(cut);
        input.insert(input.end(), other.begin() + static_cast<std::ptrdiff_t>(other_cut),
                     other.end());
    } else {  // insert a piece of the other input
        const std::size_t from = below(other.size());
        const std::size_t length = 1 + below(std::min<std::size_t>(other.size() - from, 256));
        if (input.size() + length > max_length) return;
        const auto first = other.begin() + static_cast<std::ptrdiff_t>(from);
        input.insert(input.begin() + static_cast<std::ptrdiff_t>(below(input.size() + 1)), first,
                     first + static_cast<std::ptrdiff_t>(length));
    }
}

std::uint8_t Mutator::interesting_byte() {
    switch (below(4)) {
        case 0:
            return kMsgpackMarkers[below(kMsgpackMarkers.size())];
        case 1:
            return static_cast<std::uint8_t>(kTextBytes[below(kTextBytes.size())]);
        case 2:
            return static_cast<std::uint8_t>(kInterestingIntegers[below(6)]);
        default:
            return static_cast<std::uint8_t>(random_());
    }
}

}  // namespace imgshare::fuzz
