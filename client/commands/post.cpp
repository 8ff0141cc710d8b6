// imgshare post FILE [--name NAME] [--to USERS]: encrypt and sign an image here, then
// upload it with its content key sealed to the server's wrapping key (server-escrow mode),
// or with --to, sealed to each recipient and to the owner (end-to-end mode: no server can
// open it). The image is encrypted twice, never written: once to hash and sign it, once
// as it is sent (image_sealer.h). The post (its envelope, and its content key sealed to
// me) is kept in the home until it commits (kept_posts.h): the same command run again
// after any failure resumes it from the unchanged image, or reports the commit it had.
#include <memory>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "client/commands/command.h"
#include "client/image_post.h"
#include "client/image_type.h"
#include "client/output.h"
#include "client/recipients.h"
#include "common/duration.h"
#include "common/image_name.h"

namespace imgshare::client {
namespace {

struct PostOptions {
    std::string file;
    std::string name;
    std::string to;           // e2e recipients, comma-separated
    bool end_to_end = false;  // --to was given (even empty: never fall back to escrow)
    std::string expires;      // a duration, e.g. 7d
    std::uint32_t max_downloads = 0;
};

Result<void> run_post(const PostOptions& options, const CommandContext& context) {
    // Everything about the file is settled before anything is sent.
    auto type = image_type_of_file(options.file);
    if (!type) return std::unexpected(type.error());
    PostWanted wanted{
        options.name.empty()
            ? image_name_from_file_name(std::filesystem::path(options.file).filename().string())
            : options.name,
        std::string(content_type_of(*type)), std::nullopt};
    if (auto ok = check_image_name(wanted.name); !ok) return ok;
    if (!options.expires.empty()) {
        auto seconds = parse_duration_seconds(options.expires);
        if (!seconds) {
            return fail(ErrorCode::BAD_REQUEST, "--expires: " + seconds.error().message);
        }
        wanted.expires_in_seconds = *seconds;
    }
    wanted.max_downloads = options.max_downloads;
    if (options.end_to_end) {
        auto parsed = parse_recipient_list(options.to);
        if (!parsed) return std::unexpected(parsed.error());
        wanted.recipients = std::move(*parsed);
    }

    auto session = Session::open(context.options, context.stop);
    if (!session) return std::unexpected(session.error());
    auto identity = (*session)->unlock();
    if (!identity) return std::unexpected(identity.error());
    auto connection = (*session)->connect(identity->keys.curve);
    auto posted = post_image(**session, *identity, *connection, options.file, wanted);
    if (!posted) return std::unexpected(posted.error());
    const auto& committed = posted->committed;

    // The readers as signed, not as the server says.
    const bool end_to_end = posted->envelope.mode == kEndToEndMode;
    const auto& readers = posted->envelope.recipients;
    if (context.options.json) {
        nlohmann::json line{{"name", committed.name},
                            {"seq", committed.seq},
                            {"size", committed.size},
                            {"mode", printable(committed.mode)}};
        if (end_to_end) line["recipients"] = readers;
        if (posted->envelope.expires_at != 0) line["expires_at"] = posted->envelope.expires_at;
        if (posted->envelope.max_downloads != 0) {
            line["max_downloads"] = posted->envelope.max_downloads;
        }
        print_json_line(context.out, line);
    } else if (end_to_end) {
        print_line(context.out, fmt::format("posted {} (seq {}) end-to-end for {}",
                                            committed.name, committed.seq,
                                            fmt::join(readers, ",")));
    } else {
        print_line(context.out, fmt::format("posted {} (seq {})", committed.name, committed.seq));
    }
    if (!context.options.json && posted->envelope.expires_at != 0) {
        print_line(context.out,
                   fmt::format("  expires {}", format_utc(posted->envelope.expires_at)));
    }
    if (!context.options.json && posted->envelope.max_downloads != 0) {
        print_line(context.out, fmt::format("  served for {} complete downloads at most",
                                            posted->envelope.max_downloads));
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
    command.add_option("--expires", options->expires,
                       "Stop serving it after this long, e.g. 90m, 12h, 7d (signed into the "
                       "envelope; the storage node then removes it and frees its space, and may "
                       "refuse a time beyond its --max-expiry)");
    command.add_option("--max-downloads", options->max_downloads,
                       "Serve at most this many complete downloads (yours included), then remove "
                       "it; signed into the envelope")
        ->check(CLI::Range(1u, 1'000'000u));
    command.footer(
        "Refuses a file that is not an image (by its first bytes) before sending anything. "
        "Encrypts in chunks and hashes the ciphertext (nothing is written), signs the envelope, "
        "seals the content key to the server's wrapping key, then encrypts the image again as "
        "it uploads. Leave the file unchanged until the post is done.\n"
        "Interrupted? Run the same command again (same file, unchanged, and the same --name and "
        "--to): the post (envelope, and its key sealed to you) is kept in HOME/uploads until the "
        "storage node acknowledges it, so the upload resumes from the first chunk the node "
        "lacks, and a post that had in fact been committed "
        "reports its original `posted NAME (seq N)` instead of NAME_TAKEN (for 30 days). "
        "Another image under a pending post's name is refused until that post is finished or "
        "abandoned (imgshare uploads --abandon ID). A post the node refuses for good "
        "(NAME_TAKEN, INTEGRITY, a bad or expired certificate, …) is forgotten, and so is one "
        "over your quota (QUOTA_EXCEEDED, refused before any chunk is sent, with the figures: "
        "see imgshare usage; delete an image, then post again).\n"
        "With --to: fetches each recipient's certificate and verifies it with the pinned CA key "
        "first (an unknown, revoked or expired recipient stops the post before anything is "
        "sent); the envelope lists the recipients and you; the key is sealed to each of you "
        "alone.\n"
        "Output: posted NAME (seq N)\n"
        "  with --to: posted NAME (seq N) end-to-end for READER,READER,...\n"
        "  with --expires, a second line: expires YYYY-MM-DDTHH:MM:SSZ\n"
        "  with --max-downloads, a line: served for N complete downloads at most\n"
        "--json: {\"name\":…,\"seq\":…,\"size\":…,\"mode\":…} (+ \"recipients\" with --to, "
        "\"expires_at\" with --expires, \"max_downloads\" with --max-downloads)");
    return [options, to](const CommandContext& context) {
        options->end_to_end = to->count() > 0;
        return run_post(*options, context);
    };
}

}  // namespace imgshare::client
