// The test vectors' file format (docs/test-vectors/README.md): one JSON document per kind,
// {"format": "imgshare-test-vectors/1", "kind": K, "description": …, "vectors": [...]},
// each vector an object with a "name", "error" (a stable error code, or null when every
// check passes) and its inputs and intermediate values, binary ones as lower-case hex.
// Shared by the generator (make_test_vectors) and the checker (test_vectors_test).
#pragma once

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include "common/bytes.h"

namespace imgshare::vectors {

using Json = nlohmann::ordered_json;

inline constexpr std::string_view kFormat = "imgshare-test-vectors/1";

// The kinds, one file each (<kind>.json), in the order the generator writes them.
inline constexpr std::string_view kKinds[] = {"keys",          "certificate", "registration",
                                              "envelope",      "padded_stream",
                                              "chunk_stream",  "sealed_key",  "post",
                                              "standing",      "certificate_log"};

inline Bytes unhex(const Json& value) {
    auto bytes = from_hex(value.get<std::string>());
    if (!bytes) throw std::runtime_error("not hex: " + value.get<std::string>());
    return *bytes;
}

// The file's text exactly as the generator writes it (two-space indent, a final newline),
// so a check can compare bytes.
inline std::string text_of(const Json& document) {
    return document.dump(2) + "\n";
}

inline std::string read_text(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path.string());
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

inline Json read_document(const std::filesystem::path& path) {
    auto document = Json::parse(read_text(path));
    if (document.at("format") != kFormat) {
        throw std::runtime_error(path.string() + ": not " + std::string(kFormat));
    }
    return document;
}

}  // namespace imgshare::vectors
