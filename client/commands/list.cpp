// imgshare list [--after SEQ]: the images I may read, in feed order, page by page.
#include <memory>

#include <fmt/format.h>

#include "client/commands/command.h"
#include "client/output.h"

namespace imgshare::client {
namespace {

void print_summary(std::ostream& out, const ImageSummary& image, bool json) {
    if (json) {
        print_json_line(out, {{"seq", image.seq},
                              {"name", printable(image.name)},
                              {"owner", printable(image.owner)},
                              {"size", image.size},
                              {"created_at", format_utc(image.created_at)},
                              {"mode", printable(image.mode)}});
        return;
    }
    print_line(out, fmt::format("{} {} {} {} {} {}", image.seq, printable(image.name),
                                printable(image.owner), image.size, format_utc(image.created_at),
                                printable(image.mode)));
}

Result<void> run_list(std::uint64_t after, const CommandContext& context) {
    auto session = Session::open(context.options, context.stop);
    if (!session) return std::unexpected(session.error());
    auto identity = (*session)->unlock();
    if (!identity) return std::unexpected(identity.error());
    auto connection = (*session)->connect(identity->keys.curve);
    while (true) {
        auto page = connection->call<ListReply>(ListRequest{after, kMaxListLimit});
        if (!page) return std::unexpected(page.error());
        for (const auto& image : page->items)
            print_summary(context.out, image, context.options.json);
        // A page that moves the position nowhere is the end (whatever its size).
        if (page->items.empty() || page->last_seq <= after) return {};
        after = page->last_seq;
    }
}

}  // namespace

CommandAction define_list(CLI::App& command) {
    auto after = std::make_shared<std::uint64_t>(0);
    command.add_option("--after", *after, "Only images after this feed position (seq)")
        ->check(CLI::NonNegativeNumber);
    command.footer(
        "Output: one line per image: SEQ NAME OWNER SIZE CREATED_AT MODE\n"
        "  (SIZE: stored bytes, padded; CREATED_AT: UTC, YYYY-MM-DDTHH:MM:SSZ; MODE: escrow|e2e)\n"
        "--json: one object per line with the keys seq, name, owner, size, created_at, mode");
    return [after](const CommandContext& context) { return run_list(*after, context); };
}

}  // namespace imgshare::client
