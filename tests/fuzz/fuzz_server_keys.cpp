// Fuzz target: a server's key files (server_keys.h), read from a real file: a secret key in
// hex (load_secret_key) and a list of allowed CURVE public keys in Z85 (read_public_key_list).
// The whole input is each file's content.
// Properties: failures are CONFIG only; a loaded secret key has the size asked for and is
// the hex the file holds; every allowed key is 32 bytes and appears, in Z85, in the file.
#include <sodium.h>

#include <cctype>
#include <cstddef>
#include <cstdint>
#include <string>

#include "common/crypto/keys.h"
#include "common/server_keys.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

using namespace imgshare;

constexpr std::size_t kKeySize = 32;

void check_secret_key(const std::filesystem::path& dir, std::string_view text) {
    auto secret = load_secret_key(dir, "fuzz", kKeySize);
    if (!secret) {
        fuzz::require(secret.error().code == ErrorCode::CONFIG, "key files fail with CONFIG");
        return;
    }
    fuzz::require(secret->size() == kKeySize, "a loaded key has the size asked for");
    std::string hex(kKeySize * 2 + 1, '\0');
    sodium_bin2hex(hex.data(), hex.size(), secret->data(), secret->size());
    hex.pop_back();
    std::string lower(text.substr(0, kKeySize * 2));
    for (char& c : lower)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    fuzz::require(lower == hex, "the key is the hex the file holds");
}

void check_key_list(const std::filesystem::path& file, std::string_view text) {
    auto keys = read_public_key_list({}, file.string());
    if (!keys) {
        fuzz::require(keys.error().code == ErrorCode::CONFIG, "key lists fail with CONFIG");
        return;
    }
    for (const Bytes& key : *keys) {
        fuzz::require(key.size() == 32, "allowed keys are 32 bytes");
        fuzz::require(text.find(z85_encode(key)) != std::string_view::npos,
                      "an allowed key appears in the file");
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const testing::ScratchDir dir{fuzz::scratch_parent()};
    const ByteView input(data, size);
    fuzz::write_whole_file(dir / "fuzz.key", input);
    check_secret_key(dir.path(), as_string(input));
    fuzz::write_whole_file(dir / "allowed_keys", input);
    check_key_list(dir / "allowed_keys", as_string(input));
    return 0;
}
