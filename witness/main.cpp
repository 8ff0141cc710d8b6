// imgshare-witness: a certificate log witness (docs/TRANSPARENCY.md, "Witnesses"), run by
// someone other than the CA's operator. `init` makes its keys, `show` prints their public
// halves, `run` cosigns the log's tree heads that extend the last one it cosigned.
// common/service/server_main.h: the command line every server shares.
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>
#include <zmq.hpp>

#include <string>

#include "common/clock.h"
#include "common/crypto/keys.h"
#include "common/endpoint.h"
#include "common/service/server_main.h"
#include "witness/witness.h"
#include "witness/witness_keys.h"
#include "witness/witness_server.h"

using namespace imgshare;

namespace {

struct Options {
    std::string bind = "tcp://127.0.0.1:7460";
    std::string log_verify_key;
};

void add_run_flags(CLI::App& run, Options& options) {
    run.add_option("--bind", options.bind,
                   "Where the CA's log reaches this witness (tcp://host:port; * for every "
                   "interface)")
        ->capture_default_str();
    run.add_option("--log-verify-key", options.log_verify_key,
                   "The certificate log's Ed25519 key (hex: 'log_verify_key' of 'imgshare-ca "
                   "show' and of the trust file): the one log this witness cosigns")
        ->required();
}

Result<void> serve(const Options& options, const service::RunContext& context) {
    auto endpoint = parse_bind_endpoint(options.bind);
    if (!endpoint) return fail(ErrorCode::CONFIG, "--bind: " + endpoint.error().message);
    auto log_key = from_hex(options.log_verify_key);
    if (!log_key || !check_public_key(*log_key, KeyKind::Signing)) {
        return fail(ErrorCode::CONFIG, "--log-verify-key: not an Ed25519 public key in hex "
                                       "(64 characters)");
    }
    auto keys = witness::load_witness_keys(context.data_dir());
    if (!keys) return std::unexpected(keys.error());
    auto state = witness::Witness::open(context.data_dir(), *log_key, std::move(keys->signing));
    if (!state) return std::unexpected(state.error());
    ProtocolLog log = context.open_protocol_log();
    SystemClock clock;
    zmq::context_t zmq_context;
    witness::WitnessServer server(zmq_context, endpoint->to_string(), keys->curve, *state, log,
                                  clock);
    spdlog::info("witnessing the certificate log of key {} on {} (cosigned so far: {} entries)",
                 options.log_verify_key, endpoint->to_string(), state->state().size);
    server.run(context.stop());
    spdlog::info("stopped");
    return {};
}

}  // namespace

int main(int argc, char** argv) {
    Options options;
    service::ServerProgram program{
        .name = "imgshare-witness",
        .description =
            "imgshare-witness: a witness of the certificate log. Cosigns each tree head the "
            "CA's log sends it only if that head extends the last one it cosigned, so that the "
            "log cannot show different users different views (docs/TRANSPARENCY.md). Run it "
            "apart from the CA, by someone else.",
        .keys = {witness::init_witness_keys,
                 [](const std::filesystem::path& data_dir) -> Result<std::string> {
                     auto keys = witness::load_witness_keys(data_dir);
                     if (!keys) return std::unexpected(keys.error());
                     return witness::format_public_keys(*keys);
                 }},
        .init = {"Create the witness's signing key and its socket's CURVE key, and print their "
                 "public halves: witness_key (for users' trust files) and witness_public_key "
                 "(for the CA's --witness). Refuses to replace an existing witness.",
                 "Directory for the witness's keys and state (made 0700)"},
        .show = {"Print the public keys of an existing witness (witness_key, "
                 "witness_public_key)",
                 "The witness's data directory"},
        .run = {"Cosign the certificate log's tree heads until SIGTERM",
                "The witness's data directory (keys, the last head it cosigned)"},
        .add_run_flags = [&](CLI::App& run) { add_run_flags(run, options); },
        .serve = [&](const service::RunContext& context) { return serve(options, context); },
        .extra_commands = {},
    };
    return service::run_server_main(argc, argv, program);
}
