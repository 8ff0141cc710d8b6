// imgshare usage: what my images take on the storage node, as it counts them against my
// quota (padded sizes: what the node stores), my pending uploads beside them, and the quota.
#include <memory>
#include <string>

#include <fmt/format.h>

#include "client/commands/command.h"
#include "client/output.h"

namespace imgshare::client {
namespace {

std::string counted(std::uint64_t count, std::string_view thing) {
    return fmt::format("{} {}{}", count, thing, count == 1 ? "" : "s");
}

// "used 12.3 MiB in 7 images (+ 2.0 MiB in 1 pending upload) of 100 MiB quota"
std::string usage_line(const UsageReply& usage) {
    auto line = fmt::format("used {} in {}", format_size(usage.used_bytes),
                            counted(usage.images, "image"));
    if (usage.pending_uploads > 0) {
        line += fmt::format(" (+ {} in {})", format_size(usage.pending_bytes),
                            counted(usage.pending_uploads, "pending upload"));
    }
    if (usage.quota_bytes == 0) return line + ", no quota";
    return line + fmt::format(" of {} quota", format_size(usage.quota_bytes));
}

Result<void> run_usage(const CommandContext& context) {
    auto session = Session::open(context.options, context.stop);
    if (!session) return std::unexpected(session.error());
    auto identity = (*session)->unlock();
    if (!identity) return std::unexpected(identity.error());
    auto connection = (*session)->connect(identity->keys.curve);
    auto usage = connection->call<UsageReply>(UsageRequest{});
    if (!usage) return std::unexpected(usage.error());
    if (context.options.json) {
        print_json_line(context.out, {{"used_bytes", usage->used_bytes},
                                      {"images", usage->images},
                                      {"pending_bytes", usage->pending_bytes},
                                      {"pending_uploads", usage->pending_uploads},
                                      {"quota_bytes", usage->quota_bytes}});
    } else {
        print_line(context.out, usage_line(*usage));
    }
    return {};
}

}  // namespace

CommandAction define_usage(CLI::App& command) {
    command.footer(
        "Your images on the storage node, as it counts them against your quota: each at its "
        "padded size (what the node stores, a little more than the file), and your pending "
        "uploads (imgshare uploads) beside them. A post that would take you past the quota "
        "is refused before any of it is sent (QUOTA_EXCEEDED, with the figures); delete an "
        "image (imgshare delete) or abandon an upload (imgshare uploads --abandon) to make "
        "room.\n"
        "Output: used SIZE in N images [(+ SIZE in M pending uploads)] of SIZE quota "
        "(or: , no quota), sizes as 512 B, 12.3 MiB, 100 MiB\n"
        "--json: {\"used_bytes\":…,\"images\":…,\"pending_bytes\":…,\"pending_uploads\":…,"
        "\"quota_bytes\":… (0: no quota)}");
    return [](const CommandContext& context) { return run_usage(context); };
}

}  // namespace imgshare::client
