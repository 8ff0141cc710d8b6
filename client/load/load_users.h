// The load run's own users, load-000, load-001, …: registered once through
// the real REGISTER flow (proof of possession, the CA's certificate checked
// against the pinned CA key and against what was sent), then cached under
// USERS_DIR/<name>/ in the keystore layout (common/keystore.h), so a later
// run against the same cluster unlocks them instead of registering again.
//
// Promises: a user is returned only with a certificate that the pinned CA
// issued for exactly its keys and that is valid now. A cached certificate
// from another CA (the cluster was recreated) is BAD_SIGNATURE with advice
// to use a fresh directory. A user left without a certificate by an
// interrupted run registers again with the keys it holds. The keystores are
// sealed under $IMGSHARE_PASSPHRASE with the client's usual key derivation
// (IMGSHARE_TEST_FAST_KDF=1 makes hundreds of users quick to set up).
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "client/load/load_network.h"
#include "common/certificate.h"
#include "common/error.h"
#include "common/keys_file.h"

namespace imgshare::client::load {

struct LoadUser {
    std::string username;
    UserKeys keys;
    Certificate certificate;
};

struct UserSetupReport {
    std::size_t registered = 0;  // by this run
    std::size_t reused = 0;      // from an earlier run
};

// "load-000" … "load-999", "load-1000" …
[[nodiscard]] std::string load_username(std::size_t index);

// The first `count` load users, registering those not yet cached. Errors: the passphrase's
// (BAD_PASSPHRASE), the keystore's, the CA's (e.g. NAME_TAKEN when another directory
// registered the name), BAD_SIGNATURE for a certificate not from the pinned CA.
[[nodiscard]] Result<std::vector<LoadUser>> prepare_load_users(
    const std::filesystem::path& users_dir, std::size_t count, const LoadNetwork& network,
    UserSetupReport& report);

}  // namespace imgshare::client::load
