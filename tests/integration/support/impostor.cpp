#include "tests/integration/support/impostor.h"

#include "ca-service/registry.h"
#include "common/keys_file.h"
#include "common/server_keys.h"

namespace imgshare::testing {

::testing::AssertionResult issue_impostor(Cluster& cluster, const std::string& username,
                                          Certificate& impostor) {
    auto signing_key = load_secret_key(cluster.ca_dir(), "ca_signing", 64);
    if (!signing_key) return ::testing::AssertionFailure() << signing_key.error().message;
    cluster.stop_ca();
    {
        auto registry = ca::Registry::open(ca::registry_path(cluster.ca_dir()));
        if (!registry) return ::testing::AssertionFailure() << registry.error().message;
        auto current = registry->certificate_of(username);
        if (!current || !*current) return ::testing::AssertionFailure() << "no " << username;
        auto decoded = decode_certificate(**current);
        if (!decoded) return ::testing::AssertionFailure() << decoded.error().message;
        impostor = *decoded;
        auto keys = generate_user_keys();
        impostor.serial = registry->next_serial().value();
        impostor.sign_pk = keys.sign.public_key;
        impostor.box_pk = keys.box.public_key;
        impostor.curve_pk = keys.curve.public_key;
        impostor = issue_certificate(impostor, *signing_key);
        if (auto stored = registry->reissue(username, **current, impostor.serial,
                                            encode_certificate(impostor));
            !stored) {
            return ::testing::AssertionFailure() << stored.error().message;
        }
    }
    return cluster.start_ca();
}

}  // namespace imgshare::testing
