#include "common/server_keys.h"

#include <sodium.h>

#include "common/file_io.h"
#include "common/keystore.h"

namespace imgshare {
namespace {

namespace fs = std::filesystem;

constexpr auto kPrivate = fs::perms::owner_read | fs::perms::owner_write;
constexpr auto kPublic = kPrivate | fs::perms::group_read | fs::perms::others_read;

fs::path key_path(const fs::path& dir, std::string_view name, std::string_view suffix) {
    return dir / (std::string(name) + std::string(suffix));
}

std::string trimmed(std::string_view text) {
    auto begin = text.find_first_not_of(" \t\r\n");
    if (begin == std::string_view::npos) return {};
    auto end = text.find_last_not_of(" \t\r\n");
    return std::string(text.substr(begin, end - begin + 1));
}

}  // namespace

Result<void> save_secret_key(const fs::path& dir, std::string_view name,
                             const SecretBytes& secret) {
    if (auto made = ensure_private_directory(dir); !made) return made;
    SecretBytes hex(secret.size() * 2 + 2);
    sodium_bin2hex(reinterpret_cast<char*>(hex.data()), hex.size(), secret.data(), secret.size());
    hex.data()[secret.size() * 2] = '\n';
    return write_file_atomically(key_path(dir, name, ".key"),
                                 ByteView(hex.data(), secret.size() * 2 + 1), kPrivate,
                                 ExistingFile::Refuse);
}

Result<SecretBytes> load_secret_key(const fs::path& dir, std::string_view name, size_t size) {
    auto path = key_path(dir, name, ".key");
    auto contents = read_file(path, 4096);
    if (!contents) {
        return fail(ErrorCode::CONFIG, "cannot read key file " + path.string() + " (run init?)");
    }
    SecretBytes text = SecretBytes::copy_of(*contents);
    sodium_memzero(contents->data(), contents->size());
    size_t length = text.size();
    while (length > 0 && (text.data()[length - 1] == '\n' || text.data()[length - 1] == '\r')) {
        --length;
    }
    SecretBytes secret(size);
    size_t written = 0;
    if (length != size * 2 ||
        sodium_hex2bin(secret.data(), secret.size(), reinterpret_cast<const char*>(text.data()),
                       length, nullptr, &written, nullptr) != 0 ||
        written != size) {
        return fail(ErrorCode::CONFIG, "key file " + path.string() + " does not hold a " +
                                           std::to_string(size) + "-byte key in hex");
    }
    return secret;
}

Result<void> save_public_key_text(const fs::path& dir, std::string_view name,
                                  std::string_view text) {
    std::string line = std::string(text) + "\n";
    return write_file_atomically(key_path(dir, name, ".pub"), as_bytes(line), kPublic,
                                 ExistingFile::Replace);
}

Result<Bytes> create_curve_key_files(const fs::path& dir, std::string_view name) {
    auto keys = generate_curve_keys();
    if (auto saved = save_secret_key(dir, name, keys.secret_key); !saved) {
        return std::unexpected(saved.error());
    }
    if (auto saved = save_public_key_text(dir, name, z85_encode(keys.public_key)); !saved) {
        return std::unexpected(saved.error());
    }
    return keys.public_key;
}

Result<CurveKeyPair> load_curve_key_files(const fs::path& dir, std::string_view name) {
    auto secret = load_secret_key(dir, name, 32);
    if (!secret) return std::unexpected(secret.error());
    auto public_key = box_public_key_of(*secret);
    if (!public_key) return std::unexpected(public_key.error());
    return CurveKeyPair{std::move(*public_key), std::move(*secret)};
}

Result<std::set<Bytes>> read_public_key_list(const std::vector<std::string>& keys,
                                             const std::string& file) {
    std::vector<std::string> texts = keys;
    if (!file.empty()) {
        auto contents = read_file(file, 1 << 20);
        if (!contents) return std::unexpected(contents.error());
        std::string_view all = as_string(*contents);
        size_t start = 0;
        while (start <= all.size()) {
            auto end = all.find('\n', start);
            if (end == std::string_view::npos) end = all.size();
            auto line = trimmed(all.substr(start, end - start));
            if (!line.empty() && line.front() != '#') texts.push_back(line);
            start = end + 1;
        }
    }
    std::set<Bytes> result;
    for (const auto& text : texts) {
        auto key = z85_decode(trimmed(text));
        if (!key) return fail(ErrorCode::CONFIG, "'" + text + "' is not a Z85 CURVE public key");
        result.insert(std::move(*key));
    }
    return result;
}

}  // namespace imgshare
