// imgshare download NAME [-o PATH]: fetch, verify and decrypt an image; the file appears
// only when every check has passed.
#include <memory>

#include <fmt/format.h>

#include "client/commands/command.h"
#include "client/image_download.h"
#include "client/output.h"
#include "common/clock.h"
#include "common/image_name.h"

namespace imgshare::client {
namespace {

struct DownloadOptions {
    std::string name;
    std::string output;
};

Result<void> run_download(const DownloadOptions& options, const CommandContext& context) {
    if (auto ok = check_image_name(options.name); !ok) return ok;
    auto session = Session::open(context.options, context.stop);
    if (!session) return std::unexpected(session.error());
    auto identity = (*session)->unlock();
    if (!identity) return std::unexpected(identity.error());
    auto connection = (*session)->connect(identity->keys.curve);
    OpenParameters parameters{(*session)->trust().ca_verify_key, identity->keys.box, options.name,
                              SystemClock().now_seconds()};
    DownloadTarget target{".", std::nullopt};
    std::error_code error;
    if (!options.output.empty() && std::filesystem::is_directory(options.output, error)) {
        target.directory = options.output;  // -o DIR: DIR/NAME.EXT
    } else if (!options.output.empty()) {
        target.file = options.output;
    }
    auto downloaded = download_image(*connection, parameters, target);
    if (!downloaded) return std::unexpected(downloaded.error());
    if (context.options.json) {
        print_json_line(context.out, {{"name", downloaded->name},
                                      {"owner", downloaded->owner},
                                      {"path", downloaded->path.string()},
                                      {"size", downloaded->size},
                                      {"verified", true}});
    } else {
        print_line(context.out,
                   fmt::format("downloaded {} from {} to {} (verified)", downloaded->name,
                               downloaded->owner, downloaded->path.string()));
    }
    return {};
}

}  // namespace

CommandAction define_download(CLI::App& command) {
    auto options = std::make_shared<DownloadOptions>();
    command.add_option("NAME", options->name, "The image's name")->required();
    command.add_option("-o,--output", options->output,
                       "Where to write the image: a file path, or a directory for DIR/NAME.EXT "
                       "(default: ./NAME.EXT, EXT from its type)");
    command.footer(
        "Verifies the owner's certificate, the envelope's signature and name, the key, every "
        "chunk, the ciphertext's and the image's SHA-256; writes to a temporary file and moves "
        "it into place only then. Never overwrites an existing file.\n"
        "Output: downloaded NAME from OWNER to PATH (verified)\n"
        "--json: {\"name\":…,\"owner\":…,\"path\":…,\"size\":…,\"verified\":true}");
    return [options](const CommandContext& context) { return run_download(*options, context); };
}

}  // namespace imgshare::client
