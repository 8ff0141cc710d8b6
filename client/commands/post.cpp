// imgshare post FILE [--name NAME] [--to USERS]: encrypt and sign an image here, then
// upload it with its content key sealed to the server's wrapping key (server-escrow mode),
// or with --to, sealed to each recipient and to the owner (end-to-end mode: no server can
// open it).
#include <memory>
#include <optional>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "client/commands/command.h"
#include "client/image_sealer.h"
#include "client/image_type.h"
#include "client/image_upload.h"
#include "client/output.h"
#include "client/recipients.h"
#include "common/clock.h"
#include "common/crypto/sealed_box.h"
#include "common/image_name.h"
#include "common/protocol/limits.h"

namespace imgshare::client {
namespace {

struct PostOptions {
    std::string file;
    std::string name;
    std::string to;           // e2e recipients, comma-separated
    bool end_to_end = false;  // --to was given (even empty: never fall back to escrow)
};

// Who may read the image and how its key travels, settled before anything is sealed.
struct KeyWrapping {
    std::string mode;
    Bytes escrow_wrap_key;             // escrow: the server's wrap key
    std::vector<Certificate> readers;  // e2e: every reader, owner included, sorted by name
};

// `recipients`: nullopt for escrow, else the parsed --to list.
Result<KeyWrapping> key_wrapping(std::optional<std::vector<std::string>> recipients,
                                 BrokerConnection& connection, const TrustAnchors& trust,
                                 const Certificate& me) {
    if (!recipients) {
        auto wrap_key = fetch_escrow_wrap_key(connection, trust);
        if (!wrap_key) return std::unexpected(wrap_key.error());
        return KeyWrapping{std::string(kEscrowMode), std::move(*wrap_key), {}};
    }
    auto readers = with_owner(std::move(*recipients), me.username);
    if (readers.size() > kMaxRecipients) {
        return fail(ErrorCode::BAD_REQUEST,
                    fmt::format("an image has at most {} readers, you included", kMaxRecipients));
    }
    // Every certificate is verified before a byte is sealed or sent: an unknown, revoked or
    // expired recipient stops the post here.
    auto certificates = fetch_reader_certificates(connection, trust.ca_verify_key, me, readers,
                                                  SystemClock().now_seconds());
    if (!certificates) return std::unexpected(certificates.error());
    return KeyWrapping{std::string(kEndToEndMode), {}, std::move(*certificates)};
}

std::vector<std::string> names_of(const std::vector<Certificate>& readers) {
    std::vector<std::string> names;
    for (const auto& reader : readers)
        names.push_back(reader.username);
    return names;
}

Result<void> run_post(const PostOptions& options, const CommandContext& context) {
    // Everything about the file is settled before anything is sent.
    auto type = image_type_of_file(options.file);
    if (!type) return std::unexpected(type.error());
    std::string name =
        options.name.empty()
            ? image_name_from_file_name(std::filesystem::path(options.file).filename().string())
            : options.name;
    if (auto ok = check_image_name(name); !ok) return ok;
    std::optional<std::vector<std::string>> recipients;
    if (options.end_to_end) {
        auto parsed = parse_recipient_list(options.to);
        if (!parsed) return std::unexpected(parsed.error());
        recipients = std::move(*parsed);
    }

    auto session = Session::open(context.options, context.stop);
    if (!session) return std::unexpected(session.error());
    auto identity = (*session)->unlock();
    if (!identity) return std::unexpected(identity.error());
    auto connection = (*session)->connect(identity->keys.curve);
    auto wrapping = key_wrapping(std::move(recipients), *connection, (*session)->trust(),
                                 identity->certificate);
    if (!wrapping) return std::unexpected(wrapping.error());
    const bool end_to_end = wrapping->mode == kEndToEndMode;

    SealParameters parameters{name,
                              identity->certificate,
                              identity->keys.sign.secret_key,
                              std::string(content_type_of(*type)),
                              wrapping->mode,
                              names_of(wrapping->readers),
                              SystemClock().now_seconds(),
                              static_cast<std::uint32_t>(kDefaultChunkSize)};
    auto sealed = seal_image(options.file, parameters, (*session)->home().dir());
    if (!sealed) return std::unexpected(sealed.error());
    PostBeginRequest begin{encode_certificate(identity->certificate),
                           sealed->encoded_envelope,
                           sealed->signature,
                           {},
                           {}};
    if (end_to_end) {
        begin.grants = seal_grants(sealed->content_key, wrapping->readers);
    } else {
        begin.wrapped_key = seal(sealed->content_key.view(), wrapping->escrow_wrap_key);
    }
    auto committed = upload_image(*connection, *sealed, begin);
    if (!committed) return std::unexpected(committed.error());
    if (context.options.json) {
        nlohmann::json line{{"name", committed->name},
                            {"seq", committed->seq},
                            {"size", committed->size},
                            {"mode", printable(committed->mode)}};
        if (end_to_end) line["recipients"] = sealed->envelope.recipients;
        print_json_line(context.out, line);
    } else if (end_to_end) {
        print_line(context.out,
                   fmt::format("posted {} (seq {}) end-to-end for {}", committed->name,
                               committed->seq, fmt::join(sealed->envelope.recipients, ",")));
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
    auto* to =
        command.add_option("--to", options->to,
                           "End-to-end: only these users (comma-separated, e.g. bob,carol) and you "
                           "can ever read it; no server can");
    command.footer(
        "Refuses a file that is not an image (by its first bytes) before sending anything. "
        "Encrypts in chunks to a temporary file in the home, signs the envelope, seals the "
        "content key to the server's wrapping key and uploads.\n"
        "With --to: fetches each recipient's certificate and verifies it with the pinned CA key "
        "first (an unknown, revoked or expired recipient stops the post before anything is "
        "sent); the envelope lists the recipients and you; the key is sealed to each of you "
        "alone.\n"
        "Output: posted NAME (seq N)\n"
        "  with --to: posted NAME (seq N) end-to-end for READER,READER,...\n"
        "--json: {\"name\":…,\"seq\":…,\"size\":…,\"mode\":…} (+ \"recipients\" with --to)");
    return [options, to](const CommandContext& context) {
        options->end_to_end = to->count() > 0;
        return run_post(*options, context);
    };
}

}  // namespace imgshare::client
