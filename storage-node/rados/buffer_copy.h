// Copies between the project's bytes and librados' bufferlists, and the guard that keeps
// librados' exceptions (a bufferlist decode, an allocation) inside this directory. Used by
// the .cpp files of storage-node/rados only.
//
// Always a copy: librados' writes take the bufferlist's contents (claim_append), so a
// bufferlist handed to a write must never be one the caller uses again (CEPH.md).
#pragma once

#include <exception>
#include <string>
#include <string_view>
#include <utility>

#include <rados/librados.hpp>

#include "common/bytes.h"
#include "common/error.h"

namespace imgshare::storage::rados {

[[nodiscard]] inline librados::bufferlist to_bufferlist(ByteView data) {
    librados::bufferlist list;
    list.append(reinterpret_cast<const char*>(data.data()), static_cast<unsigned>(data.size()));
    return list;
}

[[nodiscard]] inline Bytes to_bytes(const librados::bufferlist& list) {
    Bytes out(list.length());
    if (!out.empty()) {
        auto it = list.cbegin();
        it.copy(list.length(), reinterpret_cast<char*>(out.data()));
    }
    return out;
}

// Runs `body` (returning a Result), turning any exception into INTERNAL for `what`.
template <typename Body>
[[nodiscard]] auto guarded(std::string_view what, Body&& body) -> decltype(body()) {
    try {
        return std::forward<Body>(body)();
    } catch (const std::exception& error) {
        return fail(ErrorCode::INTERNAL,
                    "storage cluster: " + std::string(what) + ": " + error.what());
    }
}

}  // namespace imgshare::storage::rados
