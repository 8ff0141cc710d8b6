#include "common/keys_file.h"

#include <fmt/format.h>

#include <array>
#include <cstring>
#include <stdexcept>

#include "common/crypto/sodium_init.h"
#include "common/msgpack_util.h"

namespace imgshare {
namespace {

constexpr std::string_view kFormat = "imgshare-keystore";
constexpr std::uint64_t kFormatVersion = 1;
constexpr std::string_view kKdfName = "argon2id13";

// Field names of the outer map, in the order they are written.
constexpr std::array<std::string_view, 8> kFieldNames = {
    "format", "version", "kdf", "opslimit", "memlimit", "salt", "nonce", "ciphertext"};
enum Field { kFormatField, kVersion, kKdf, kOpsLimit, kMemLimit, kSalt, kNonce, kCiphertext };

// [sign_pk, sign_sk, box_pk, box_sk, curve_pk, curve_sk]: an array header, then six bin8s
// (2-byte header each): five 32-byte keys and the 64-byte signing secret key.
static_assert(kBoxSecretKeySize == kPublicKeySize);
constexpr std::size_t kPlaintextSize = 1 + 5 * (2 + kPublicKeySize) + (2 + kSigningSecretKeySize);
constexpr std::size_t kCiphertextSize = kPlaintextSize + crypto_secretbox_MACBYTES;

const msgpack::unpack_limit kFileLimit(/*array=*/0, /*map=*/kFieldNames.size(), /*str=*/32,
                                       /*bin=*/512, /*ext=*/0, /*depth=*/2);
const msgpack::unpack_limit kPlaintextLimit(/*array=*/6, /*map=*/0, /*str=*/0, /*bin=*/64,
                                            /*ext=*/0, /*depth=*/2);

// A msgpack stream into a fixed SecretBytes: a growing buffer would leave unwiped copies of
// the secret keys behind in freed memory.
class SecretWriter {
  public:
    explicit SecretWriter(SecretBytes& buffer) : buffer_(buffer) {}
    void write(const char* data, std::size_t size) {
        if (size > buffer_.size() - used_) throw std::logic_error("keys plaintext overflow");
        std::memcpy(buffer_.data() + used_, data, size);
        used_ += size;
    }
    [[nodiscard]] std::size_t used() const { return used_; }

  private:
    SecretBytes& buffer_;
    std::size_t used_ = 0;
};

struct KdfLimits {
    unsigned long long ops;
    std::size_t mem;
};

KdfLimits limits_for(KdfStrength strength) {
    switch (strength) {
        case KdfStrength::Interactive:
            // 4 passes over 32 MiB: costlier to attack than OWASP's Argon2id floor
            // (2 passes, 19 MiB), while the client stays under 64 MiB resident.
            return {4, 32u * 1024 * 1024};
        case KdfStrength::Moderate:
            return {crypto_pwhash_argon2id_OPSLIMIT_MODERATE,
                    crypto_pwhash_argon2id_MEMLIMIT_MODERATE};
        case KdfStrength::TestOnlyMinimum:
            return {crypto_pwhash_argon2id_OPSLIMIT_MIN, crypto_pwhash_argon2id_MEMLIMIT_MIN};
    }
    throw std::logic_error("unknown KdfStrength");
}

Result<SecretBytes> derive_file_key(std::string_view passphrase, ByteView salt, KdfLimits limits) {
    SecretBytes key(crypto_secretbox_KEYBYTES);
    if (crypto_pwhash(key.data(), key.size(), passphrase.data(), passphrase.size(), salt.data(),
                      limits.ops, limits.mem, crypto_pwhash_ALG_ARGON2ID13) != 0) {
        return fail(ErrorCode::INTERNAL, "passphrase key derivation failed (out of memory?)");
    }
    return key;
}

Result<void> check_key_pairs(const UserKeys& keys) {
    auto sign_pk = signing_public_key_of(keys.sign.secret_key);
    if (!sign_pk) return std::unexpected(std::move(sign_pk.error()));
    auto box_pk = box_public_key_of(keys.box.secret_key);
    if (!box_pk) return std::unexpected(std::move(box_pk.error()));
    auto curve_pk = box_public_key_of(keys.curve.secret_key);
    if (!curve_pk) return std::unexpected(std::move(curve_pk.error()));
    if (*sign_pk != keys.sign.public_key || *box_pk != keys.box.public_key ||
        *curve_pk != keys.curve.public_key) {
        return fail(ErrorCode::BAD_REQUEST, "a public key does not belong to its secret key");
    }
    return {};
}

SecretBytes encode_plaintext(const UserKeys& keys) {
    SecretBytes plaintext(kPlaintextSize);
    SecretWriter writer(plaintext);
    msgpack::packer<SecretWriter> packer(writer);
    packer.pack_array(6);
    msgpack_util::pack_bin(packer, keys.sign.public_key);
    msgpack_util::pack_bin(packer, keys.sign.secret_key.view());
    msgpack_util::pack_bin(packer, keys.box.public_key);
    msgpack_util::pack_bin(packer, keys.box.secret_key.view());
    msgpack_util::pack_bin(packer, keys.curve.public_key);
    msgpack_util::pack_bin(packer, keys.curve.secret_key.view());
    if (writer.used() != kPlaintextSize) throw std::logic_error("keys plaintext size mismatch");
    return plaintext;
}

Result<UserKeys> decode_plaintext(const SecretBytes& plaintext) {
    using namespace msgpack_util;
    // Strings reference `plaintext`, so no copy of a secret key is left in msgpack's zone.
    auto handle = unpack_bounded(plaintext.view(), kPlaintextLimit, "decrypted keys",
                                 StringStorage::ReferenceInput);
    if (!handle) return std::unexpected(std::move(handle.error()));
    auto fields = read_array(handle->get(), "keys", 6);
    if (!fields) return std::unexpected(std::move(fields.error()));
    const std::array<std::pair<std::string_view, std::size_t>, 6> shapes = {{
        {"sign_pk", kPublicKeySize},
        {"sign_sk", kSigningSecretKeySize},
        {"box_pk", kPublicKeySize},
        {"box_sk", kBoxSecretKeySize},
        {"curve_pk", kPublicKeySize},
        {"curve_sk", kBoxSecretKeySize},
    }};
    std::array<ByteView, 6> views;
    for (std::size_t i = 0; i < shapes.size(); ++i) {
        auto view = read_bin((*fields)[i], shapes[i].first, shapes[i].second, shapes[i].second);
        if (!view) return std::unexpected(std::move(view.error()));
        views[i] = *view;
    }
    UserKeys keys{
        SigningKeyPair{Bytes(views[0].begin(), views[0].end()), SecretBytes::copy_of(views[1])},
        BoxKeyPair{Bytes(views[2].begin(), views[2].end()), SecretBytes::copy_of(views[3])},
        CurveKeyPair{Bytes(views[4].begin(), views[4].end()), SecretBytes::copy_of(views[5])},
    };
    if (auto pairs_ok = check_key_pairs(keys); !pairs_ok) {
        return std::unexpected(std::move(pairs_ok.error()));
    }
    return keys;
}

// The outer map's values by field, each present exactly once; nothing else allowed.
Result<std::array<const msgpack::object*, kFieldNames.size()>> index_fields(
    const msgpack::object& map) {
    if (map.type != msgpack::type::MAP) return fail(ErrorCode::BAD_REQUEST, "not a msgpack map");
    std::array<const msgpack::object*, kFieldNames.size()> fields{};
    for (std::uint32_t i = 0; i < map.via.map.size; ++i) {
        const msgpack::object_kv& entry = map.via.map.ptr[i];
        if (entry.key.type != msgpack::type::STR) {
            return fail(ErrorCode::BAD_REQUEST, "a field name is not a string");
        }
        const std::string_view name(entry.key.via.str.ptr, entry.key.via.str.size);
        std::size_t index = 0;
        while (index < kFieldNames.size() && kFieldNames[index] != name)
            ++index;
        if (index == kFieldNames.size()) {
            return fail(ErrorCode::BAD_REQUEST, "unknown field");
        }
        if (fields[index] != nullptr) {
            return fail(ErrorCode::BAD_REQUEST, fmt::format("field '{}' appears twice", name));
        }
        fields[index] = &entry.val;
    }
    for (std::size_t index = 0; index < kFieldNames.size(); ++index) {
        if (fields[index] == nullptr) {
            return fail(ErrorCode::BAD_REQUEST,
                        fmt::format("field '{}' is missing", kFieldNames[index]));
        }
    }
    return fields;
}

struct SealedKeys {
    KdfLimits limits;
    ByteView salt;
    ByteView nonce;
    ByteView ciphertext;
};

// Every check that needs no passphrase; the views point into `handle`.
Result<SealedKeys> read_sealed_keys(const msgpack::object& root) {
    using namespace msgpack_util;
    auto fields = index_fields(root);
    if (!fields) return std::unexpected(std::move(fields.error()));
    const auto& field = *fields;

    auto format = read_string(*field[kFormatField], "format", 32);
    if (!format) return std::unexpected(std::move(format.error()));
    if (*format != kFormat) return fail(ErrorCode::BAD_REQUEST, "not an imgshare keystore");
    auto version = read_uint(*field[kVersion], "version");
    if (!version) return std::unexpected(std::move(version.error()));
    if (*version != kFormatVersion) {
        return fail(ErrorCode::BAD_REQUEST, fmt::format("unknown keystore version {}", *version));
    }
    auto kdf = read_string(*field[kKdf], "kdf", 32);
    if (!kdf) return std::unexpected(std::move(kdf.error()));
    if (*kdf != kKdfName) return fail(ErrorCode::BAD_REQUEST, "unknown key derivation function");

    auto ops = read_uint(*field[kOpsLimit], "opslimit");
    if (!ops) return std::unexpected(std::move(ops.error()));
    auto mem = read_uint(*field[kMemLimit], "memlimit");
    if (!mem) return std::unexpected(std::move(mem.error()));
    // A hostile file must not make us spend minutes or gigabytes before the passphrase check.
    if (*ops < crypto_pwhash_argon2id_OPSLIMIT_MIN || *ops > kMaxKdfOpsLimit) {
        return fail(ErrorCode::BAD_REQUEST, fmt::format("opslimit {} is out of bounds", *ops));
    }
    if (*mem < crypto_pwhash_argon2id_MEMLIMIT_MIN || *mem > kMaxKdfMemLimit) {
        return fail(ErrorCode::BAD_REQUEST, fmt::format("memlimit {} is out of bounds", *mem));
    }

    auto salt = read_bin(*field[kSalt], "salt", crypto_pwhash_SALTBYTES, crypto_pwhash_SALTBYTES);
    if (!salt) return std::unexpected(std::move(salt.error()));
    auto nonce =
        read_bin(*field[kNonce], "nonce", crypto_secretbox_NONCEBYTES, crypto_secretbox_NONCEBYTES);
    if (!nonce) return std::unexpected(std::move(nonce.error()));
    auto ciphertext = read_bin(*field[kCiphertext], "ciphertext", kCiphertextSize, kCiphertextSize);
    if (!ciphertext) return std::unexpected(std::move(ciphertext.error()));
    return SealedKeys{{*ops, static_cast<std::size_t>(*mem)}, *salt, *nonce, *ciphertext};
}

Error naming(std::string_view what, Error error) {
    error.message = fmt::format("{}: {}", what, error.message);
    return error;
}

}  // namespace

UserKeys generate_user_keys() {
    return {generate_signing_keys(), generate_box_keys(), generate_curve_keys()};
}

Result<Bytes> seal_user_keys(const UserKeys& keys, std::string_view passphrase,
                             KdfStrength strength) {
    ensure_sodium();
    if (passphrase.empty()) return fail(ErrorCode::BAD_REQUEST, "passphrase must not be empty");
    if (auto pairs_ok = check_key_pairs(keys); !pairs_ok) return std::unexpected(pairs_ok.error());

    const KdfLimits limits = limits_for(strength);
    Bytes salt(crypto_pwhash_SALTBYTES);
    Bytes nonce(crypto_secretbox_NONCEBYTES);
    randombytes_buf(salt.data(), salt.size());
    randombytes_buf(nonce.data(), nonce.size());
    auto file_key = derive_file_key(passphrase, salt, limits);
    if (!file_key) return std::unexpected(std::move(file_key.error()));

    const SecretBytes plaintext = encode_plaintext(keys);
    Bytes ciphertext(kCiphertextSize);
    crypto_secretbox_easy(ciphertext.data(), plaintext.data(), plaintext.size(), nonce.data(),
                          file_key->data());

    Bytes file;
    msgpack_util::BytesWriter writer(file);
    msgpack::packer<msgpack_util::BytesWriter> packer(writer);
    packer.pack_map(static_cast<std::uint32_t>(kFieldNames.size()));
    msgpack_util::pack_str(packer, kFieldNames[kFormatField]);
    msgpack_util::pack_str(packer, kFormat);
    msgpack_util::pack_str(packer, kFieldNames[kVersion]);
    packer.pack_uint64(kFormatVersion);
    msgpack_util::pack_str(packer, kFieldNames[kKdf]);
    msgpack_util::pack_str(packer, kKdfName);
    msgpack_util::pack_str(packer, kFieldNames[kOpsLimit]);
    packer.pack_uint64(limits.ops);
    msgpack_util::pack_str(packer, kFieldNames[kMemLimit]);
    packer.pack_uint64(limits.mem);
    msgpack_util::pack_str(packer, kFieldNames[kSalt]);
    msgpack_util::pack_bin(packer, salt);
    msgpack_util::pack_str(packer, kFieldNames[kNonce]);
    msgpack_util::pack_bin(packer, nonce);
    msgpack_util::pack_str(packer, kFieldNames[kCiphertext]);
    msgpack_util::pack_bin(packer, ciphertext);
    return file;
}

Result<UserKeys> open_user_keys(ByteView file, std::string_view passphrase, std::string_view what) {
    ensure_sodium();
    auto handle = msgpack_util::unpack_bounded(file, kFileLimit, what);
    if (!handle) return std::unexpected(std::move(handle.error()));
    auto sealed = read_sealed_keys(handle->get());
    if (!sealed) return std::unexpected(naming(what, std::move(sealed.error())));
    if (passphrase.empty()) {
        return fail(ErrorCode::BAD_PASSPHRASE, fmt::format("{}: empty passphrase", what));
    }

    auto file_key = derive_file_key(passphrase, sealed->salt, sealed->limits);
    if (!file_key) return std::unexpected(naming(what, std::move(file_key.error())));
    SecretBytes plaintext(kPlaintextSize);
    if (crypto_secretbox_open_easy(plaintext.data(), sealed->ciphertext.data(),
                                   sealed->ciphertext.size(), sealed->nonce.data(),
                                   file_key->data()) != 0) {
        return fail(ErrorCode::BAD_PASSPHRASE,
                    fmt::format("{}: wrong passphrase (or the file was altered)", what));
    }
    auto keys = decode_plaintext(plaintext);
    if (!keys) return std::unexpected(naming(what, std::move(keys.error())));
    return keys;
}

}  // namespace imgshare
