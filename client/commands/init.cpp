// imgshare init: set up a home directory with the broker's address and the trust file.
#include <memory>

#include <fmt/format.h>

#include "client/commands/command.h"
#include "client/output.h"
#include "common/text_file.h"

namespace imgshare::client {
namespace {

struct InitOptions {
    std::string broker;
    std::string events;
    std::string trust;
};

// --broker, else the trust file's broker_endpoint.
Result<Endpoint> broker_endpoint(const InitOptions& options) {
    if (!options.broker.empty()) return parse_endpoint(options.broker);
    auto trust = load_trust_file(options.trust);
    if (!trust) return std::unexpected(trust.error());
    if (!trust->broker_endpoint) {
        return fail(ErrorCode::CONFIG,
                    "give --broker: the trust file does not name the broker's endpoint");
    }
    return *trust->broker_endpoint;
}

Result<void> run_init(const InitOptions& options, const CommandContext& context) {
    auto home = home_of(context.options);
    if (!home) return std::unexpected(home.error());
    auto broker = broker_endpoint(options);
    if (!broker) return std::unexpected(broker.error());
    auto events =
        options.events.empty() ? default_events_endpoint(*broker) : parse_endpoint(options.events);
    if (!events) return std::unexpected(events.error());
    ClientConfig config{*broker, *events};
    if (auto ok = home->initialise(config, options.trust); !ok) return ok;
    if (context.options.json) {
        print_json_line(context.out, {{"home", home->dir().string()},
                                      {"broker", broker->to_string()},
                                      {"events", events->to_string()}});
    } else {
        print_line(context.out,
                   fmt::format("initialised {} (broker {}, events {})", home->dir().string(),
                               broker->to_string(), events->to_string()));
    }
    return {};
}

}  // namespace

CommandAction define_init(CLI::App& command) {
    auto options = std::make_shared<InitOptions>();
    command
        .add_option("--trust", options->trust,
                    "The trust file (CA verify key, broker key) from your administrator")
        ->required();
    command.add_option("--broker", options->broker,
                       "The broker's client endpoint, tcp://HOST:PORT (default: broker_endpoint "
                       "in the trust file)");
    command.add_option("--events", options->events,
                       "The broker's event endpoint (default: the broker's port + 1)");
    command.footer(
        "Creates the home directory (mode 0700) with its config and a copy of the trust file; "
        "never replaces an existing configuration.\n"
        "Output: initialised HOME (broker ENDPOINT, events ENDPOINT)\n"
        "--json: {\"home\":…,\"broker\":…,\"events\":…}");
    return [options](const CommandContext& context) { return run_init(*options, context); };
}

}  // namespace imgshare::client
