// imgshare share NAME --with USERS | --revoke USERS: the owner of an end-to-end image lets
// more users read it (each new reader gets a grant sealed here and is notified), or takes
// readers back (their grants are erased; what they downloaded already stays theirs).
#include <memory>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "client/commands/command.h"
#include "client/image_share.h"
#include "client/output.h"
#include "client/recipients.h"
#include "common/clock.h"
#include "common/image_name.h"

namespace imgshare::client {
namespace {

struct ShareOptions {
    std::string name;
    std::string with;
    std::string revoke;
};

constexpr std::string_view kNoRecall =
    "copies they downloaded before cannot be recalled; they can no longer download it";

Result<void> run_share(const ShareOptions& options, const CommandContext& context) {
    if (auto ok = check_image_name(options.name); !ok) return ok;
    if (options.with.empty() == options.revoke.empty()) {
        return fail(ErrorCode::BAD_REQUEST, "give either --with USERS or --revoke USERS");
    }
    std::vector<std::string> readers;
    std::vector<std::string> revoked;
    auto parsed = parse_recipient_list(options.with.empty() ? options.revoke : options.with);
    if (!parsed) return std::unexpected(parsed.error());
    (options.with.empty() ? revoked : readers) = std::move(*parsed);
    auto session = Session::open(context.options, context.stop);
    if (!session) return std::unexpected(session.error());
    auto identity = (*session)->unlock();
    if (!identity) return std::unexpected(identity.error());
    auto connection = (*session)->connect(identity->keys.curve);
    auto shared = share_image(*connection,
                              ShareParameters{(*session)->trust().ca_verify_key, *identity,
                                              options.name, std::move(readers),
                                              SystemClock().now_seconds(), std::move(revoked)});
    if (!shared) return std::unexpected(shared.error());
    if (context.options.json) {
        print_json_line(context.out, {{"name", options.name},
                                      {"added", shared->added},
                                      {"removed", shared->removed},
                                      {"recipients", shared->recipients},
                                      {"seq", shared->seq}});
    } else if (!options.revoke.empty()) {
        if (shared->removed.empty()) {
            print_line(context.out, fmt::format("none of them reads {} (readers {})", options.name,
                                                fmt::join(shared->recipients, ",")));
        } else {
            print_line(context.out,
                       fmt::format("revoked {} from {} (readers {}; seq {})",
                                   fmt::join(shared->removed, ","), options.name,
                                   fmt::join(shared->recipients, ","), shared->seq));
            print_line(context.out, fmt::format("note: {}", kNoRecall));
        }
    } else if (shared->added.empty()) {
        print_line(context.out, fmt::format("{} is already shared with all of them (readers {})",
                                            options.name, fmt::join(shared->recipients, ",")));
    } else {
        print_line(context.out, fmt::format("shared {} with {} (readers {}; seq {})", options.name,
                                            fmt::join(shared->added, ","),
                                            fmt::join(shared->recipients, ","), shared->seq));
    }
    return {};
}

}  // namespace

CommandAction define_share(CLI::App& command) {
    auto options = std::make_shared<ShareOptions>();
    command.add_option("NAME", options->name, "An end-to-end image you posted")->required();
    auto* with = command.add_option("--with", options->with,
                                    "The users to add, comma-separated (e.g. dave)");
    command.add_option("--revoke", options->revoke,
                       "The readers to take back, comma-separated: their grants are erased and "
                       "their later downloads get NOT_FOUND (what they downloaded already "
                       "cannot be recalled)")
        ->excludes(with);
    command.footer(
        "Only the image's owner may share it. Fetches your own grant (no image bytes), checks "
        "it as any reader would, verifies each new reader's certificate with the pinned CA key "
        "(an unknown, revoked or expired user stops it before anything is sent), seals the "
        "content key to each, signs the envelope again with the new recipient list under its "
        "next revision (so no older list can be replayed) and sends it. Each new reader is "
        "notified (NEW_IMAGE); each revoked one hears IMAGE_DELETED.\n"
        "Output: shared NAME with USER,... (readers READER,...; seq N)\n"
        "  or, when all of them read it already: NAME is already shared with all of them "
        "(readers READER,...)\n"
        "  --revoke: revoked USER,... from NAME (readers READER,...; seq N), then a note that "
        "copies already downloaded cannot be recalled; or: none of them reads NAME (readers "
        "READER,...)\n"
        "--json: {\"name\":…,\"added\":[…],\"removed\":[…],\"recipients\":[…],\"seq\":…}");
    return [options](const CommandContext& context) { return run_share(*options, context); };
}

}  // namespace imgshare::client
