#include "common/transparency/log_check.h"

#include <fmt/format.h>

#include <algorithm>

#include "common/transparency/log_entry.h"

namespace imgshare::transparency {

std::optional<std::vector<MerkleHash>> merkle_hashes(std::span<const Bytes> hashes) {
    if (hashes.size() > kMaxProofHashes) return std::nullopt;
    std::vector<MerkleHash> out(hashes.size());
    for (std::size_t i = 0; i < hashes.size(); ++i) {
        if (hashes[i].size() != out[i].size()) return std::nullopt;
        std::copy(hashes[i].begin(), hashes[i].end(), out[i].begin());
    }
    return out;
}

std::vector<Bytes> wire_hashes(std::span<const MerkleHash> path) {
    std::vector<Bytes> out;
    out.reserve(path.size());
    for (const auto& hash : path)
        out.emplace_back(hash.begin(), hash.end());
    return out;
}

Result<TreeHead> check_certificate_logged(ByteView encoded_certificate, std::uint64_t index,
                                          ByteView tree_head, std::span<const Bytes> inclusion,
                                          ByteView log_verify_key) {
    if (tree_head.empty()) {
        return fail(ErrorCode::NOT_LOGGED,
                    "the certificate came without a tree head of the certificate log");
    }
    auto head = verify_tree_head(tree_head, log_verify_key);
    if (!head) return std::unexpected(head.error());
    auto path = merkle_hashes(inclusion);
    const auto leaf = leaf_hash(encode_certificate_entry(encoded_certificate));
    if (!path || index >= head->size ||
        !verify_inclusion(leaf, index, head->size, *path, head->root)) {
        return fail(ErrorCode::NOT_LOGGED,
                    fmt::format("the certificate is not proved to be entry {} of the certificate "
                                "log of {} entries: the CA may have issued it out of sight",
                                index, head->size));
    }
    return head;
}

Result<void> check_extends(const TreeHead& seen, const TreeHead& newer,
                           std::span<const Bytes> consistency) {
    const auto inconsistent = [&](std::string_view why) {
        return fail(ErrorCode::LOG_INCONSISTENT,
                    fmt::format("the certificate log of {} entries does not extend the one of {} "
                                "entries seen before ({}): it dropped or changed an entry, or "
                                "shows another view",
                                newer.size, seen.size, why));
    };
    if (newer.size < seen.size) return inconsistent("it is smaller");
    if (seen.size == 0) return {};
    // The same size: the same tree exactly when the roots are equal, whatever proof came along.
    if (newer.size == seen.size) {
        if (newer.root != seen.root) return inconsistent("another root");
        return {};
    }
    auto path = merkle_hashes(consistency);
    if (!path) return inconsistent("its proof is malformed");
    if (!verify_consistency(seen.size, newer.size, seen.root, newer.root, *path)) {
        return inconsistent("the proof fails");
    }
    return {};
}

}  // namespace imgshare::transparency
