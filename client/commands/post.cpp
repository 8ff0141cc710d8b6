// imgshare post FILE [--name NAME]: encrypt and sign an image here, then upload it with
// its content key sealed to the server's wrapping key (server-escrow mode).
#include <memory>

#include <fmt/format.h>

#include "client/commands/command.h"
#include "client/image_sealer.h"
#include "client/image_type.h"
#include "client/image_upload.h"
#include "client/output.h"
#include "common/clock.h"
#include "common/crypto/sealed_box.h"
#include "common/image_name.h"

namespace imgshare::client {
namespace {

struct PostOptions {
    std::string file;
    std::string name;
};

Result<void> run_post(const PostOptions& options, const CommandContext& context) {
    // Everything about the file is settled before anything is sent.
    auto type = image_type_of_file(options.file);
    if (!type) return std::unexpected(type.error());
    std::string name =
        options.name.empty()
            ? image_name_from_file_name(std::filesystem::path(options.file).filename().string())
            : options.name;
    if (auto ok = check_image_name(name); !ok) return ok;

    auto session = Session::open(context.options, context.stop);
    if (!session) return std::unexpected(session.error());
    auto identity = (*session)->unlock();
    if (!identity) return std::unexpected(identity.error());
    auto connection = (*session)->connect(identity->keys.curve);
    auto wrap_key = fetch_escrow_wrap_key(*connection, (*session)->trust());
    if (!wrap_key) return std::unexpected(wrap_key.error());

    SealParameters parameters{name,
                              identity->certificate,
                              identity->keys.sign.secret_key,
                              std::string(content_type_of(*type)),
                              std::string(kEscrowMode),
                              {},
                              SystemClock().now_seconds(),
                              static_cast<std::uint32_t>(kDefaultChunkSize)};
    auto sealed = seal_image(options.file, parameters, (*session)->home().dir());
    if (!sealed) return std::unexpected(sealed.error());
    PostBeginRequest begin{encode_certificate(identity->certificate),
                           sealed->encoded_envelope,
                           sealed->signature,
                           seal(sealed->content_key.view(), *wrap_key),
                           {}};
    auto committed = upload_image(*connection, *sealed, begin);
    if (!committed) return std::unexpected(committed.error());
    if (context.options.json) {
        print_json_line(context.out, {{"name", committed->name},
                                      {"seq", committed->seq},
                                      {"size", committed->size},
                                      {"mode", printable(committed->mode)}});
    } else {
        print_line(context.out, fmt::format("posted {} (seq {})", committed->name, committed->seq));
    }
    return {};
}

}  // namespace

CommandAction define_post(CLI::App& command) {
    auto options = std::make_shared<PostOptions>();
    command.add_option("FILE", options->file, "A PNG, JPEG, GIF or WebP image")->required();
    command.add_option("--name", options->name,
                       "The image's name (default: from the file name); 1-128 of A-Z a-z 0-9 . _ "
                       "-, not starting with . or -");
    command.footer(
        "Refuses a file that is not an image (by its first bytes) before sending anything. "
        "Encrypts in chunks to a temporary file in the home, signs the envelope, seals the "
        "content key to the server's wrapping key and uploads.\n"
        "Output: posted NAME (seq N)\n"
        "--json: {\"name\":…,\"seq\":…,\"size\":…,\"mode\":…}");
    return [options](const CommandContext& context) { return run_post(*options, context); };
}

}  // namespace imgshare::client
