#include "witness/witness.h"

#include <fmt/format.h>

#include <system_error>

#include "common/config_file.h"
#include "common/file_io.h"
#include "common/text_file.h"
#include "common/transparency/cosignature.h"
#include "common/transparency/log_check.h"

namespace imgshare::witness {
namespace {

namespace fs = std::filesystem;
constexpr std::size_t kMaxStateBytes = 4096;
constexpr auto kStateFileMode = fs::perms::owner_read | fs::perms::owner_write;

}  // namespace

Result<Witness> Witness::open(const fs::path& data_dir, Bytes log_verify_key,
                              SigningKeyPair keys) {
    Witness witness(data_dir, std::move(log_verify_key), std::move(keys));
    if (auto loaded = witness.load(); !loaded) return std::unexpected(loaded.error());
    return witness;
}

Result<void> Witness::load() {
    std::error_code error;
    if (!fs::exists(state_path(), error)) return {};
    auto text = read_text_file(state_path(), kMaxStateBytes);
    if (!text) return std::unexpected(text.error());
    const auto source = state_path().string();
    auto entries = parse_key_values(*text, source);
    if (!entries) return std::unexpected(entries.error());
    std::optional<Bytes> log_key, tree_head, cosignature;
    for (const auto& entry : *entries) {
        auto value = from_hex(entry.value);
        if (!value) return fail_at(source, entry.line, entry.key + " is not hex");
        if (entry.key == "log_verify_key") {
            log_key = std::move(*value);
        } else if (entry.key == "tree_head") {
            tree_head = std::move(*value);
        } else if (entry.key == "cosignature") {
            cosignature = std::move(*value);
        } else {
            return fail_at(source, entry.line, fmt::format("unknown key '{}'", entry.key));
        }
    }
    if (!log_key || !tree_head || !cosignature) {
        return fail_at(source, 0, "needs log_verify_key, tree_head and cosignature");
    }
    if (*log_key != log_verify_key_) {
        return fail_at(source, 0,
                       "this witness witnesses the log of key " + to_hex(*log_key) +
                           ", not the --log-verify-key given: use another data directory for "
                           "another log");
    }
    auto head = transparency::verify_tree_head(*tree_head, log_verify_key_);
    if (!head) return fail_at(source, 0, "tree_head: " + head.error().message);
    auto cosigned = transparency::verify_cosignature(*cosignature, log_verify_key_, *head);
    if (!cosigned || cosigned->witness_key != keys_.public_key) {
        return fail_at(source, 0, "cosignature: not this witness's of that tree head");
    }
    last_ = Cosigned{*head, std::move(*tree_head), std::move(*cosignature)};
    return {};
}

Result<void> Witness::keep(ByteView tree_head, ByteView cosignature) {
    const std::string text = fmt::format(
        "# imgshare-witness: the newest tree head of this log that this witness cosigned.\n"
        "# It cosigns only heads that extend it. Never edit or remove this file.\n"
        "log_verify_key = {}\ntree_head = {}\ncosignature = {}\n",
        to_hex(log_verify_key_), to_hex(tree_head), to_hex(cosignature));
    return write_file_atomically(state_path(), as_bytes(text), kStateFileMode);
}

WitnessStateReply Witness::state() const {
    if (!last_) return WitnessStateReply{};
    return WitnessStateReply{last_->head.size, last_->tree_head, last_->cosignature};
}

Result<AddCheckpointReply> Witness::add_checkpoint(const AddCheckpointRequest& request,
                                                   std::int64_t now_seconds) {
    auto head = transparency::verify_tree_head(request.tree_head, log_verify_key_);
    if (!head) return std::unexpected(head.error());
    const std::uint64_t size = last_ ? last_->head.size : 0;
    if (request.old_size != size) {
        return fail(ErrorCode::BAD_REQUEST,
                    fmt::format("this witness cosigned the log at {} entries, not {}: ask "
                                "WITNESS_STATE and prove the head from there",
                                size, request.old_size));
    }
    if (last_) {
        if (auto extends = transparency::check_extends(last_->head, *head, request.consistency);
            !extends) {
            return std::unexpected(extends.error());
        }
    }
    auto cosignature = transparency::make_cosignature(log_verify_key_, *head, now_seconds,
                                                      keys_.public_key, keys_.secret_key);
    // Kept before it is answered; a head it already holds (the same size) changes nothing.
    if (!last_ || head->size > last_->head.size) {
        if (auto kept = keep(request.tree_head, cosignature); !kept) {
            return std::unexpected(kept.error());
        }
        last_ = Cosigned{*head, request.tree_head, cosignature};
    }
    return AddCheckpointReply{std::move(cosignature)};
}

}  // namespace imgshare::witness
