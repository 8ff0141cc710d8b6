// imgshare uploads [--abandon ID]: my pending uploads, on the storage node and kept in
// this home (kept_posts.h), with how far each got and when the node drops it; --abandon
// ends one, on the node (freeing its place among my pending uploads and its space) and here.
#include <algorithm>
#include <memory>
#include <optional>

#include <fmt/format.h>

#include "client/commands/command.h"
#include "client/kept_posts.h"
#include "client/output.h"
#include "common/clock.h"
#include "common/duration.h"
#include "common/envelope.h"

namespace imgshare::client {
namespace {

// Where an upload can be finished from.
constexpr std::string_view kResumable = "resumable";  // pending on the node and kept here
constexpr std::string_view kElsewhere = "elsewhere";  // pending on the node, not kept here
constexpr std::string_view kNotBegun = "not-begun";   // kept here, not pending on the node

struct Row {
    std::string upload, name;
    std::uint64_t size = 0;
    std::optional<std::uint32_t> chunks_stored;  // unknown when not pending on the node
    std::uint32_t chunk_count = 0;
    std::int64_t age_s = 0;
    std::optional<std::int64_t> expires_in_s;
    std::string_view state;
};

std::string duration_text(std::int64_t seconds) {
    return format_duration(std::max<std::int64_t>(seconds, 0));
}

void print_row(std::ostream& out, const Row& row, bool json) {
    if (json) {
        nlohmann::json line{{"upload", row.upload},
                            {"name", printable(row.name)},
                            {"size", row.size},
                            {"chunks_stored", nullptr},
                            {"chunk_count", row.chunk_count},
                            {"age_s", row.age_s},
                            {"expires_in_s", nullptr},
                            {"state", row.state}};
        if (row.chunks_stored) line["chunks_stored"] = *row.chunks_stored;
        if (row.expires_in_s) line["expires_in_s"] = *row.expires_in_s;
        print_json_line(out, line);
        return;
    }
    print_line(out,
               fmt::format("{} {} {} {}/{} {} {} {}", row.upload, printable(row.name), row.size,
                           row.chunks_stored ? std::to_string(*row.chunks_stored) : "-",
                           row.chunk_count, duration_text(row.age_s),
                           row.expires_in_s ? duration_text(*row.expires_in_s) : "-", row.state));
}

// The node's pending uploads, then the pending posts kept here that it does not know.
std::vector<Row> rows_of(const UploadsReply& pending, const std::vector<KeptPost>& kept,
                         std::int64_t now) {
    std::vector<Row> rows;
    for (const auto& upload : pending.uploads) {
        bool here = std::ranges::any_of(
            kept, [&](const KeptPost& post) { return post.upload() == upload.upload; });
        rows.push_back(Row{upload.upload, upload.name, upload.size, upload.chunks_stored,
                           upload.chunk_count, now - upload.created_at, upload.expires_at - now,
                           here ? kResumable : kElsewhere});
    }
    for (const auto& post : kept) {
        const auto handle = post.upload();
        if (std::ranges::any_of(rows, [&](const Row& row) { return row.upload == handle; })) {
            continue;
        }
        auto envelope = post.envelope();
        if (!envelope) continue;  // damaged on disk: `post` of that name says so
        rows.push_back(Row{handle, envelope->name, envelope->padded_size, std::nullopt,
                           envelope->chunk_count, now - post.sealed_at, std::nullopt, kNotBegun});
    }
    return rows;
}

Result<void> abandon(const std::string& upload, BrokerConnection& connection,
                     const KeptPosts& kept, const CommandContext& context) {
    auto posts = kept.pending();
    if (!posts) return std::unexpected(posts.error());
    auto local = std::ranges::find_if(
        *posts, [&](const KeptPost& post) { return post.upload() == upload; });
    std::optional<std::string> local_name;
    if (local != posts->end()) {
        auto envelope = local->envelope();
        if (!envelope) return std::unexpected(envelope.error());
        local_name = envelope->name;
    }

    auto abandoned = connection.call<AbandonReply>(AbandonRequest{upload});
    std::string outcome;
    std::string name;
    if (abandoned) {
        name = abandoned->name;
        outcome = fmt::format("{} chunks removed", abandoned->chunks_stored);
    } else if (abandoned.error().code == ErrorCode::NOT_FOUND && local_name) {
        name = *local_name;
        outcome = "it was not pending on the storage node";
    } else {
        return std::unexpected(abandoned.error());
    }
    if (local_name) {
        if (auto forgotten = kept.forget(*local_name); !forgotten) return forgotten;
    }
    if (context.options.json) {
        print_json_line(context.out, nlohmann::json{{"abandoned", upload},
                                                    {"name", printable(name)},
                                                    {"chunks_removed", abandoned ? abandoned->chunks_stored : 0}});
    } else {
        print_line(context.out, fmt::format("abandoned {} {} ({})", upload, printable(name), outcome));
    }
    return {};
}

Result<void> run_uploads(const std::string& abandon_upload, const CommandContext& context) {
    auto session = Session::open(context.options, context.stop);
    if (!session) return std::unexpected(session.error());
    auto identity = (*session)->unlock();
    if (!identity) return std::unexpected(identity.error());
    KeptPosts kept((*session)->home().uploads_dir());
    auto connection = (*session)->connect(identity->keys.curve);
    if (!abandon_upload.empty()) return abandon(abandon_upload, *connection, kept, context);

    auto pending = connection->call<UploadsReply>(UploadsRequest{});
    if (!pending) return std::unexpected(pending.error());
    auto posts = kept.pending();
    if (!posts) return std::unexpected(posts.error());
    for (const auto& row : rows_of(*pending, *posts, SystemClock().now_seconds()))
        print_row(context.out, row, context.options.json);
    return {};
}

}  // namespace

CommandAction define_uploads(CLI::App& command) {
    auto abandon_upload = std::make_shared<std::string>();
    command.add_option("--abandon", *abandon_upload,
                       "End upload ID (the first column) now: the storage node removes its "
                       "chunks, and it no longer counts against your pending uploads; the post "
                       "kept in this home for it is forgotten");
    command.footer(
        "Pending uploads are posts begun and not yet committed. Each counts against your limit "
        "on the storage node (RATE_LIMITED: too many uploads pending) until it commits, is "
        "abandoned, or stays idle for the node's time-out (a restart of the node does not "
        "reset it).\n"
        "Output: one line per upload: ID NAME SIZE STORED/CHUNKS AGE EXPIRES_IN STATE\n"
        "  STATE: resumable (kept in this home: run the same `imgshare post` to finish it),\n"
        "  elsewhere (begun from another home: finish it there, or abandon it),\n"
        "  not-begun (kept here, not pending on the node: run the same post to send it;\n"
        "  STORED and EXPIRES_IN are then -). AGE and EXPIRES_IN as 90s, 5m, 2h.\n"
        "--abandon ID: abandoned ID NAME (N chunks removed)\n"
        "--json: one object per line with the keys upload, name, size, chunks_stored, "
        "chunk_count, age_s, expires_in_s (null when unknown), state; with --abandon "
        "{\"abandoned\":ID,\"name\":…,\"chunks_removed\":N}");
    return [abandon_upload](const CommandContext& context) {
        return run_uploads(*abandon_upload, context);
    };
}

}  // namespace imgshare::client
