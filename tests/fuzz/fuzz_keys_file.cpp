// Fuzz target: open_user_keys, a user's sealed key file read from disk,
// opened with the fixed passphrase the seeds are sealed with.
//
// The file chooses its own KDF cost within bounds (opslimit up to
// kMaxKdfOpsLimit, memlimit up to kMaxKdfMemLimit = 256 MiB); a legitimate
// but expensive memlimit would make each run take a second, so inputs
// declaring a memlimit in (kCheapMemLimit, kMaxKdfMemLimit] are skipped.
// Values beyond the bounds are NOT skipped: the code must refuse them before
// deriving anything, and if it did not, the fuzzer would report a timeout.
// Properties: failures are BAD_REQUEST or BAD_PASSPHRASE only (INTERNAL would
// mean the KDF ran out of memory); keys that open are consistent pairs.
#include <msgpack.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/keys_file.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

using namespace imgshare;

constexpr std::uint64_t kCheapMemLimit = 1024 * 1024;

// True if the outer map declares an allowed but slow memlimit. Parsed more permissively than
// open_user_keys parses, so whatever it accepts is seen here first.
bool declares_slow_kdf(ByteView file) {
    const msgpack::unpack_limit permissive(/*array=*/16, /*map=*/16, /*str=*/64, /*bin=*/1024,
                                           /*ext=*/0, /*depth=*/4);
    try {
        std::size_t offset = 0;
        const msgpack::object_handle handle =
            msgpack::unpack(reinterpret_cast<const char*>(file.data()), file.size(), offset,
                            nullptr, nullptr, permissive);
        const msgpack::object& root = handle.get();
        if (root.type != msgpack::type::MAP) return false;
        for (std::uint32_t i = 0; i < root.via.map.size; ++i) {
            const msgpack::object_kv& entry = root.via.map.ptr[i];
            if (entry.key.type != msgpack::type::STR ||
                entry.val.type != msgpack::type::POSITIVE_INTEGER)
                continue;
            const std::string_view name(entry.key.via.str.ptr, entry.key.via.str.size);
            const std::uint64_t value = entry.val.via.u64;
            if (name == "memlimit" && value > kCheapMemLimit && value <= kMaxKdfMemLimit)
                return true;
        }
    } catch (const std::exception&) {
        // Malformed for us, so malformed for open_user_keys too: cheap to refuse.
    }
    return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const ByteView file(data, size);
    if (declares_slow_kdf(file)) return 0;
    auto keys = open_user_keys(file, fuzz::kFixedPassphrase, "fuzz keys file");
    if (!keys) {
        fuzz::require(keys.error().code == ErrorCode::BAD_REQUEST ||
                          keys.error().code == ErrorCode::BAD_PASSPHRASE,
                      "open_user_keys fails with BAD_REQUEST or BAD_PASSPHRASE");
        return 0;
    }
    fuzz::require(signing_public_key_of(keys->sign.secret_key) == keys->sign.public_key &&
                      box_public_key_of(keys->box.secret_key) == keys->box.public_key &&
                      box_public_key_of(keys->curve.secret_key) == keys->curve.public_key,
                  "opened keys are consistent pairs");
    return 0;
}
