// imgshare delete NAME: the owner deletes one of their images, by a statement signed with
// their own key; every reader it had is told (IMAGE_DELETED).
#include <memory>

#include <fmt/format.h>

#include "client/commands/command.h"
#include "client/image_delete.h"
#include "client/output.h"
#include "common/clock.h"
#include "common/image_name.h"

namespace imgshare::client {
namespace {

Result<void> run_delete(const std::string& name, const CommandContext& context) {
    if (auto ok = check_image_name(name); !ok) return ok;
    auto session = Session::open(context.options, context.stop);
    if (!session) return std::unexpected(session.error());
    auto identity = (*session)->unlock();
    if (!identity) return std::unexpected(identity.error());
    auto connection = (*session)->connect(identity->keys.curve);
    auto deleted =
        delete_image(*connection, DeleteParameters{*identity, name, SystemClock().now_seconds()});
    if (!deleted) return std::unexpected(deleted.error());
    if (context.options.json) {
        print_json_line(context.out, {{"name", printable(deleted->name)},
                                      {"deleted", true},
                                      {"seq", deleted->seq},
                                      {"mode", deleted->mode}});
    } else {
        print_line(context.out, fmt::format("deleted {} (seq {}); copies already "
                                            "downloaded cannot be recalled",
                                            printable(deleted->name), deleted->seq));
    }
    return {};
}

}  // namespace

CommandAction define_delete(CLI::App& command) {
    auto name = std::make_shared<std::string>();
    command.add_option("NAME", *name, "An image you posted")->required();
    command.footer(
        "Only the image's owner may delete it: the storage node deletes an image only on a "
        "statement signed with the key it was posted with, naming the image, its owner and "
        "the post (a later post under the same name is not touched), dated now (good for 5 "
        "minutes). The image, its readers' keys and its chunks go at once: LIST no longer "
        "shows it, downloads get NOT_FOUND, its space is given back, and the name may be "
        "posted again. Everyone it was announced to is told (IMAGE_DELETED; `watch` prints "
        "it). Copies already downloaded cannot be recalled.\n"
        "Output: deleted NAME (seq N, the deletion's feed position); copies already downloaded "
        "cannot be recalled\n"
        "--json: {\"name\":…,\"deleted\":true,\"seq\":…,\"mode\":…}");
    return [name](const CommandContext& context) { return run_delete(*name, context); };
}

}  // namespace imgshare::client
