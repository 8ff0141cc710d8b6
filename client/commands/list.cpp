// imgshare list [--after SEQ]: the images I may read, in feed order, page by page, with
// their mode and, for end-to-end images, their readers.
#include <memory>

#include <fmt/format.h>

#include "client/commands/command.h"
#include "client/image_listing.h"
#include "client/output.h"

namespace imgshare::client {
namespace {

// "alice,bob" for an e2e image's readers (as the storage node lists them; the signed list
// is checked on download).
std::string readers_of(const std::vector<std::string>& recipients) {
    std::string joined;
    for (const auto& recipient : recipients) {
        if (!joined.empty()) joined += ',';
        joined += printable(recipient);
    }
    return joined;
}

void print_summary(std::ostream& out, const ImageSummary& image, bool json) {
    if (json) {
        print_json_line(out, listed_image_json(image));
        return;
    }
    std::string line =
        fmt::format("{} {} {} {} {} {}", image.seq, printable(image.name), printable(image.owner),
                    image.size, format_utc(image.created_at), printable(image.mode));
    if (image.recipients) line += " " + readers_of(*image.recipients);
    if (image.expires_at) line += " expires=" + format_utc(*image.expires_at);
    if (image.downloads_left) line += fmt::format(" downloads-left={}", *image.downloads_left);
    print_line(out, line);
}

Result<void> run_list(std::uint64_t after, const CommandContext& context) {
    auto session = Session::open(context.options, context.stop);
    if (!session) return std::unexpected(session.error());
    auto identity = (*session)->unlock();
    if (!identity) return std::unexpected(identity.error());
    auto connection = (*session)->connect(identity->keys.curve);
    return for_each_listed_image(*connection, after, [&](const ImageSummary& image) {
        print_summary(context.out, image, context.options.json);
    });
}

}  // namespace

CommandAction define_list(CLI::App& command) {
    auto after = std::make_shared<std::uint64_t>(0);
    command.add_option("--after", *after, "Only images after this feed position (seq)")
        ->check(CLI::NonNegativeNumber);
    command.footer(
        "Output: one line per image: SEQ NAME OWNER SIZE CREATED_AT MODE [READERS] "
        "[expires=TIME] [downloads-left=N]\n"
        "  (SIZE: stored bytes, padded; CREATED_AT: UTC, YYYY-MM-DDTHH:MM:SSZ; MODE: escrow|e2e;\n"
        "  READERS, e2e only: the recipients, owner included, comma-separated; expires=, for an\n"
        "  image that expires: when, UTC; downloads-left=, for one posted with --max-downloads)\n"
        "An e2e image shared with you later is listed at the position of that share.\n"
        "--json: one object per line with the keys seq, name, owner, size, created_at, mode "
        "(+ recipients, an array, for e2e; + expires_at and downloads_left when they apply)");
    return [after](const CommandContext& context) { return run_list(*after, context); };
}

}  // namespace imgshare::client
