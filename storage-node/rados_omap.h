// Small helpers over a RADOS pool's omap and values, shared by the RADOS backend's files
// (rados_backend.cpp: images and the feed; rados_backend_uploads.cpp: pending uploads).
// Internal to storage-node/.
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include "common/error.h"
#include "storage-node/rados/rados_pool.h"
#include "storage-node/rados_objects.h"

namespace imgshare::storage::rados_omap {

// Omap keys read per round trip.
inline constexpr std::uint64_t kOmapPage = 512;

inline Bytes bytes_of(std::string_view text) {
    return Bytes(text.begin(), text.end());
}

inline std::string string_of(const Bytes& bytes) {
    return std::string(bytes.begin(), bytes.end());
}

inline bool is_not_found(const Error& error) {
    return error.code == ErrorCode::NOT_FOUND;
}

inline Result<std::uint64_t> decode_seq(const Bytes& bytes) {
    auto value = decode_u64(string_of(bytes));
    if (!value) return fail(ErrorCode::INTERNAL, "stored feed head is unreadable");
    return *value;
}

// Calls visit(key, value) on each omap key of `object` that starts with `prefix`, in order,
// until it returns false. A missing object has no keys.
template <class Visit>
Result<void> visit_omap(const rados::RadosPool& pool, const std::string& object,
                        std::string_view prefix, std::string after, Visit&& visit) {
    for (;;) {
        auto page = pool.omap_get_after(object, after, kOmapPage);
        if (!page) {
            if (is_not_found(page.error())) return {};
            return std::unexpected(std::move(page.error()));
        }
        for (const auto& [key, value] : page->values) {
            if (!key.starts_with(prefix)) return {};
            if (!visit(key, value)) return {};
            after = key;
        }
        if (!page->more || page->values.empty()) return {};
    }
}

}  // namespace imgshare::storage::rados_omap
