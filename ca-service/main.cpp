// imgshare-ca: the certificate authority service. `init` creates its keys,
// `show` prints their public halves, `run` serves CA requests through the broker,
// `revoke` revokes a user and `reissue` gives an expired one a new certificate (each through
// the running CA when there is one), `release` frees a revoked name for a new registration,
// `invite` prints a one-time registration token.
// common/service/server_main.h: the command line every server shares.
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <zmq.hpp>

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <vector>
#include <iostream>
#include <string>

#include "ca-service/admin_channel.h"
#include "ca-service/ca_keys.h"
#include "ca-service/certificate_authority.h"
#include "ca-service/witness_link.h"
#include "ca-service/registry.h"
#include "ca-service/reissue.h"
#include "ca-service/release.h"
#include "ca-service/revocation.h"
#include "common/clock.h"
#include "common/duration.h"
#include "common/invitation.h"
#include "common/registration.h"
#include "common/protocol/messages.h"
#include "common/service/server_main.h"
#include "common/service/service_worker.h"
#include "common/service/worker_flags.h"

using namespace imgshare;
namespace fs = std::filesystem;

namespace {

struct Options {
    service::WorkerFlags worker{std::string(kCaService)};
    std::string validity = format_duration(ca::kDefaultValiditySeconds);
    std::string registration = "open";
    std::string username;  // revoke, reissue, release
    std::string reissue_validity;  // reissue; empty: the running CA's (365d without one)
    std::string admin_log_file;    // revoke, reissue, release: the protocol log when no CA runs
    std::string invite_name;  // invite
    std::string invite_expires = "7d";
    std::vector<std::string> witnesses;  // ENDPOINT,KEY
    std::int64_t witness_timeout_ms = 1000;
};

void add_run_flags(CLI::App& run, Options& options) {
    options.worker.add_to(run);
    run.add_option("--validity", options.validity,
                   "How long certificates issued from now on are valid (REGISTER and RENEW): "
                   "90s, 30m, 12h, 365d; at most 3650d. Existing certificates keep theirs.")
        ->capture_default_str();
    run.add_option("--registration", options.registration,
                   "Who may register: 'open' (anyone with the trust file: the demo's default) or "
                   "'invite' (only with a token from 'imgshare-ca invite', each good once: "
                   "recommended for real use)")
        ->check(CLI::IsMember({"open", "invite"}))
        ->capture_default_str();
    run.add_option("--witness", options.witnesses,
                   "A witness of the certificate log, as ENDPOINT,KEY (tcp://host:port and its "
                   "witness_public_key from 'imgshare-witness show'); repeat for each. Every "
                   "checkpoint of the log is sent to each for its cosignature "
                   "(docs/TRANSPARENCY.md)");
    run.add_option("--witness-timeout-ms", options.witness_timeout_ms,
                   "How long the CA waits for a witness's cosignature before it goes on "
                   "without it (and asks it again 5 s later)")
        ->check(CLI::Range(10, 60'000))
        ->capture_default_str();
}

// At least a second (tests use seconds) and at most ten years.
Result<std::int64_t> validity_seconds(const std::string& text) {
    constexpr std::int64_t kMaxValiditySeconds = 3650LL * 86'400;
    auto seconds = parse_duration_seconds(text);
    if (!seconds) return fail(ErrorCode::CONFIG, "--validity: " + seconds.error().message);
    if (*seconds > kMaxValiditySeconds) {
        return fail(ErrorCode::CONFIG, "--validity: at most 3650d");
    }
    return seconds;
}

Result<void> serve(const Options& options, const service::RunContext& context) {
    auto validity = validity_seconds(options.validity);
    if (!validity) return std::unexpected(validity.error());
    std::vector<ca::WitnessAddress> witness_addresses;
    for (const auto& text : options.witnesses) {
        auto address = ca::parse_witness_address(text);
        if (!address) return std::unexpected(address.error());
        witness_addresses.push_back(std::move(*address));
    }
    auto keys = ca::load_ca_keys(context.data_dir());
    if (!keys) return std::unexpected(keys.error());
    // The worker takes the CURVE pair; the authority uses only the signing and wrap keys.
    auto config = options.worker.config(std::move(keys->service));
    if (!config) return std::unexpected(config.error());
    auto registry = ca::Registry::open(ca::registry_path(context.data_dir()));
    if (!registry) return std::unexpected(registry.error());
    // Bound only while this process holds the registry's lock, so the socket is ours.
    auto admin = ca::AdminServer::bind(context.data_dir());
    if (!admin) return std::unexpected(admin.error());
    ProtocolLog log = context.open_protocol_log();

    SystemClock clock;
    const auto registration =
        options.registration == "invite" ? ca::Registration::Invite : ca::Registration::Open;
    // Before the authority, whose witness links' sockets must close before it terminates.
    zmq::context_t witness_context;
    ca::CertificateAuthority authority(*keys, *registry, clock, *validity, registration);
    for (const auto& address : witness_addresses) {
        authority.checkpoints().add_witness(std::make_unique<ca::WitnessLink>(
            witness_context, address, std::chrono::milliseconds(options.witness_timeout_ms), log));
    }
    const std::string broker = config->broker_endpoint;
    service::ServiceWorker worker(std::move(*config), log, clock);
    ca::install_handlers(worker, authority);
    worker.on_tick([&authority] { authority.checkpoints().tick(); });
    ca::serve_admin_commands(ca::RunningCa{worker, *registry, authority, clock}, **admin, log);
    spdlog::info("serving as the CA through {} (certificates valid for {}, registration {}, "
                 "{} witness(es) of the certificate log)",
                 broker, format_duration(*validity), options.registration, witness_addresses.size());
    worker.run(context.stop());
    spdlog::info("stopped");
    return {};
}

// Prints what an operator's command did.
Result<void> print_done(const Result<std::string>& done, std::ostream& out) {
    if (!done) return std::unexpected(done.error());
    out << *done << "\n";
    return {};
}

Result<void> revoke(const Options& options, const fs::path& data_dir, std::ostream& out) {
    SystemClock clock;
    return print_done(
        ca::revoke_command(data_dir, options.username, clock, options.admin_log_file), out);
}

Result<void> reissue(const Options& options, const fs::path& data_dir, std::ostream& out) {
    std::optional<std::int64_t> validity;
    if (!options.reissue_validity.empty()) {
        auto seconds = validity_seconds(options.reissue_validity);
        if (!seconds) return std::unexpected(seconds.error());
        validity = *seconds;
    }
    SystemClock clock;
    return print_done(ca::reissue_command(data_dir, options.username, validity, clock,
                                          options.admin_log_file),
                      out);
}

Result<void> release(const Options& options, const fs::path& data_dir, std::ostream& out) {
    SystemClock clock;
    return print_done(
        ca::release_command(data_dir, options.username, clock, options.admin_log_file), out);
}

// The operator's commands take the user's name, and the protocol log to write when no CA runs.
void add_admin_flags(CLI::App& command, Options& options, const std::string& what) {
    command.add_option("USERNAME", options.username, what)->required();
    command.add_option("--log-file", options.admin_log_file,
                       "The CA's protocol log, when no CA runs (default DATA_DIR/protocol.log; "
                       "give the --log-file of 'run' if it has one)");
}

// Prints a one-time invitation signed by the CA's key; needs no running CA.
Result<void> invite(const Options& options, const fs::path& data_dir, std::ostream& out) {
    if (!options.invite_name.empty()) {
        if (auto valid = check_username(options.invite_name); !valid) {
            return fail(ErrorCode::CONFIG, "--name: " + valid.error().message);
        }
    }
    auto lifetime = parse_duration_seconds(options.invite_expires);
    if (!lifetime || *lifetime <= 0) {
        return fail(ErrorCode::CONFIG, "--expires: a duration such as 90s, 30m, 12h or 7d");
    }
    auto keys = ca::load_ca_keys(data_dir);
    if (!keys) return std::unexpected(keys.error());
    SystemClock clock;
    out << make_invitation(options.invite_name, clock.now_seconds() + *lifetime,
                           keys->signing.secret_key)
        << "\n";
    return {};
}

Result<std::string> init_keys(const fs::path& data_dir) {
    auto keys = ca::init_ca_keys(data_dir);
    if (!keys) return std::unexpected(keys.error());
    return ca::format_public_keys(*keys);
}

Result<std::string> show_keys(const fs::path& data_dir) {
    auto keys = ca::load_ca_keys(data_dir);
    if (!keys) return std::unexpected(keys.error());
    return ca::format_public_keys(ca::public_keys_of(*keys));
}

}  // namespace

int main(int argc, char** argv) {
    Options options;
    service::ServerProgram program{
        .name = "imgshare-ca",
        .description =
            "imgshare-ca: the certificate authority. Issues and looks up user certificates "
            "and re-wraps escrowed content keys, serving through the broker.",
        .keys = {init_keys, show_keys},
        .init = {"Create the CA's signing key, the server's key-wrapping key, the service's "
                 "CURVE key and the certificate log's signing key in the data directory, and "
                 "print their public halves as "
                 "'key = value' lines. Refuses to replace an existing CA.",
                 "Directory for the CA's keys (made 0700)"},
        .show = {"Print the public keys of an existing CA as 'key = value' lines "
                 "(ca_verify_key, wrap_public_key, service_public_key, log_verify_key)",
                 "The CA's data directory"},
        .run = {"Serve CA requests through the broker until SIGTERM",
                "The CA's data directory (keys, registry)"},
        .add_run_flags = [&](CLI::App& run) { add_run_flags(run, options); },
        .serve = [&](const service::RunContext& context) { return serve(options, context); },
        .extra_commands = {{
            .name = "revoke",
            .text = {"Revoke USERNAME's certificate for good: the broker refuses their key and "
                     "their requests at once, clients refuse their images. Through the running "
                     "CA's admin socket (DATA_DIR/admin.sock) when it runs, else in the registry "
                     "directly. Revoking twice changes nothing.",
                     "The CA's data directory"},
            .add_flags =
                [&](CLI::App& command) { add_admin_flags(command, options, "The user to revoke"); },
            .action = [&](const fs::path& data_dir,
                          std::ostream& out) { return revoke(options, data_dir, out); },
        }, {
            .name = "reissue",
            .text = {"Give USERNAME, whose certificate has expired, a new one for the same name "
                     "and keys (a new serial, a new validity); the user then runs 'imgshare "
                     "renew' to pick it up. Refused for a certificate still valid (the user "
                     "renews it), a revoked user (never undone) and an unknown one. Through the "
                     "running CA's admin socket (DATA_DIR/admin.sock) when it runs, else in the "
                     "registry directly; logged in the CA's protocol log.",
                     "The CA's data directory"},
            .add_flags =
                [&](CLI::App& command) {
                    add_admin_flags(command, options, "The user whose certificate to reissue");
                    command.add_option("--validity", options.reissue_validity,
                                       "How long the new certificate is valid: 90s, 30m, 12h, "
                                       "365d; at most 3650d (default: the running CA's "
                                       "--validity, 365d when no CA runs)");
                },
            .action = [&](const fs::path& data_dir,
                          std::ostream& out) { return reissue(options, data_dir, out); },
        }, {
            .name = "release",
            .text = {"Free the name of a revoked USERNAME for a new registration with new keys. "
                     "The revoked certificate is kept as retired and its keys stay revoked for "
                     "good: the broker and the CA refuse them, and no new registration may use "
                     "them. Refused for a name that is not revoked. Through the running CA's "
                     "admin socket when it runs, else in the registry directly; logged in the "
                     "CA's protocol log.",
                     "The CA's data directory"},
            .add_flags =
                [&](CLI::App& command) {
                    add_admin_flags(command, options, "The revoked user whose name to free");
                },
            .action = [&](const fs::path& data_dir,
                          std::ostream& out) { return release(options, data_dir, out); },
        }, {
            .name = "invite",
            .text = {"Print a one-time invitation token for a CA run with --registration "
                     "invite. Hand it to one person, who registers with 'imgshare register NAME "
                     "--invite TOKEN'. Signed with the CA's key: needs no running CA.",
                     "The CA's data directory"},
            .add_flags =
                [&](CLI::App& command) {
                    command.add_option("--name", options.invite_name,
                                       "The only username the token registers (default: any "
                                       "free name)");
                    command.add_option("--expires", options.invite_expires,
                                       "How long the token is good for: 90s, 30m, 12h, 7d")
                        ->capture_default_str();
                },
            .action = [&](const fs::path& data_dir,
                          std::ostream& out) { return invite(options, data_dir, out); },
        }},
    };
    return service::run_server_main(argc, argv, program);
}
