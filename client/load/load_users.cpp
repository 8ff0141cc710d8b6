#include "client/load/load_users.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <optional>
#include <thread>

#include <fmt/format.h>

#include "client/passphrase.h"
#include "client/user_registration.h"
#include "common/clock.h"
#include "common/keystore.h"

namespace imgshare::client::load {
namespace {

// Registration waits on the CA far more than it computes: a few threads overlap the waits.
constexpr std::size_t kSetupThreads = 8;

struct Prepared {
    LoadUser user;
    bool registered = false;
};

// Registers `keys` (as `imgshare register` does) and keeps the certificate beside them.
Result<Prepared> register_and_keep(Keystore& keystore, const std::string& username, UserKeys keys,
                                   RegistrationAttempt attempt, const LoadNetwork& network) {
    auto certificate = register_keys([&] { return network.connect(keys.curve); }, username, keys,
                                     attempt, network.trust);
    if (!certificate) return std::unexpected(certificate.error());
    if (auto ok = keystore.save_certificate(*certificate); !ok) return std::unexpected(ok.error());
    return Prepared{LoadUser{username, std::move(keys), std::move(*certificate)}, true};
}

Result<Prepared> prepare_one(const std::filesystem::path& users_dir, const std::string& username,
                             const LoadNetwork& network, const SecretBytes& passphrase) {
    Keystore keystore(users_dir / username);
    const std::string_view secret = as_string(passphrase.view());
    if (keystore.exists()) {
        auto keys = keystore.load(secret);
        if (!keys) return std::unexpected(keys.error());
        if (auto cached = keystore.load_certificate(); cached) {
            if (auto ok = verify_certificate(*cached, network.trust.ca_verify_key,
                                             SystemClock().now_seconds());
                !ok) {
                return fail(ok.error().code,
                            fmt::format("the cached certificate of {} ({}): {}; was {} set up "
                                        "against another cluster? Use a fresh --home",
                                        username, keystore.dir().string(), ok.error().message,
                                        users_dir.parent_path().string()));
            }
            if (!certifies(*cached, username, *keys)) {
                return fail(ErrorCode::INTEGRITY,
                            fmt::format("the certificate in {} is not for the keys beside it",
                                        keystore.dir().string()));
            }
            return Prepared{LoadUser{username, std::move(*keys), std::move(*cached)}, false};
        } else if (cached.error().code != ErrorCode::NOT_FOUND) {
            return std::unexpected(cached.error());
        }
        return register_and_keep(keystore, username, std::move(*keys), RegistrationAttempt::Resumed,
                                 network);
    }
    UserKeys keys = generate_user_keys();
    if (auto ok = keystore.create(keys, secret, keystore_kdf_strength()); !ok) {
        return std::unexpected(ok.error());
    }
    return register_and_keep(keystore, username, std::move(keys), RegistrationAttempt::First,
                             network);
}

}  // namespace

std::string load_username(std::size_t index) {
    return fmt::format("load-{:03}", index);
}

Result<std::vector<LoadUser>> prepare_load_users(const std::filesystem::path& users_dir,
                                                 std::size_t count, const LoadNetwork& network,
                                                 UserSetupReport& report) {
    if (auto ok = ensure_private_directory(users_dir); !ok) return std::unexpected(ok.error());
    bool all_cached = true;
    for (std::size_t index = 0; index < count && all_cached; ++index) {
        all_cached = Keystore(users_dir / load_username(index)).exists();
    }
    auto passphrase =
        obtain_passphrase(all_cached ? PassphrasePurpose::Unlock : PassphrasePurpose::Create);
    if (!passphrase) return std::unexpected(passphrase.error());

    std::vector<std::optional<Prepared>> prepared(count);
    std::optional<Error> first_error;
    std::mutex error_mutex;
    std::atomic<std::size_t> next{0};
    auto work = [&] {
        for (std::size_t index = next++; index < count; index = next++) {
            if (network.stop.load()) return;
            auto one = prepare_one(users_dir, load_username(index), network, *passphrase);
            if (one) {
                prepared[index] = std::move(*one);
                continue;
            }
            std::lock_guard lock(error_mutex);
            if (!first_error) first_error = one.error();
            next = count;  // the others stop after their current user
        }
    };
    std::vector<std::jthread> threads;
    for (std::size_t i = 0; i < std::min(count, kSetupThreads); ++i)
        threads.emplace_back(work);
    threads.clear();  // joins
    if (first_error) return std::unexpected(*first_error);
    if (network.stop.load()) return fail(ErrorCode::INTERNAL, "interrupted");

    std::vector<LoadUser> users;
    users.reserve(count);
    for (auto& one : prepared) {
        ++(one->registered ? report.registered : report.reused);
        users.push_back(std::move(one->user));
    }
    return users;
}

}  // namespace imgshare::client::load
