// What a caller is told when a librados call fails: a stable code (common/error.h) and a
// message that names the operation only, never an object name, a path or a key.
//
// Promises, for `result` a negative errno as librados returns it:
//   -ETIMEDOUT (rados_osd_op_timeout or client_mount_timeout passed) and the cluster being
//     unreachable (-ENOTCONN, -ESHUTDOWN, -ECONNREFUSED, -EBLOCKLISTED) → SERVICE_UNAVAILABLE,
//     which a client may retry: "storage cluster did not answer in time; try again";
//   -ENOSPC, -EDQUOT → STORAGE_FULL (heals once space is freed);
//   -ENOENT → NOT_FOUND; -EFBIG, -E2BIG → TOO_LARGE (an object over osd_max_object_size);
//   -EACCES, -EPERM → CONFIG (the client's key or capabilities do not allow it);
//   anything else → IO_ERROR with strerror's text.
// Expected outcomes that are not failures (-EEXIST of an exclusive create, -ECANCELED of a
// failed comparison) are values of the operations themselves (rados_pool.h), not Errors.
#pragma once

#include <string_view>

#include "common/error.h"

namespace imgshare::storage::rados {

// The Error for `what` ("read", "write", "connect", …) having failed with `result` (< 0).
[[nodiscard]] Error rados_error(int result, std::string_view what);

// Whether `error` is one a caller may simply send again later (the cluster slow or away).
[[nodiscard]] bool is_retryable(const Error& error);

}  // namespace imgshare::storage::rados
