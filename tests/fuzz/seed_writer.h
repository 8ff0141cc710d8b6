// How make_seed_corpus writes seeds: one file per seed under <dir>/<target>/, and every seed
// checked against the decoder its target feeds it to, so a seed never starts the fuzzer in
// front of the checks it is meant to get past.
#pragma once

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#include "common/bytes.h"
#include "common/error.h"

namespace imgshare::fuzz {

inline void expect_valid(bool valid, const std::string& seed, const std::string& problem = "") {
    if (!valid) throw std::runtime_error("seed " + seed + " is refused by its target " + problem);
}

template <class T>
void expect_valid(const Result<T>& result, const std::string& seed) {
    expect_valid(result.has_value(), seed, result ? "" : describe(result.error()));
}

class SeedWriter {
  public:
    explicit SeedWriter(std::filesystem::path root) : root_(std::move(root)) {}

    void write(const std::string& target, const std::string& name, ByteView bytes) {
        std::filesystem::create_directories(root_ / target);
        std::ofstream out(root_ / target / name, std::ios::binary | std::ios::trunc);
        out.write(reinterpret_cast<const char*>(bytes.data()),
                  static_cast<std::streamsize>(bytes.size()));
        if (!out) throw std::runtime_error("cannot write seed " + target + "/" + name);
        ++count_;
    }
    void write(const std::string& target, const std::string& name, std::string_view text) {
        write(target, name, as_bytes(text));
    }
    [[nodiscard]] int count() const { return count_; }

  private:
    std::filesystem::path root_;
    int count_ = 0;
};

// Seeds of the targets outside common/ (client, storage node, server key files):
// seeds_outside_common.cpp.
void write_client_seeds(SeedWriter& seeds);
void write_storage_seeds(SeedWriter& seeds, ByteView certificate, ByteView envelope,
                         ByteView signature);
void write_server_key_seeds(SeedWriter& seeds);

}  // namespace imgshare::fuzz
