#include "storage-node/rados/rados_errors.h"

#include <cerrno>
#include <cstring>
#include <string>

namespace imgshare::storage::rados {

namespace {

// librados says EBLOCKLISTED; glibc has no such name, Ceph defines it as ESHUTDOWN's value.
constexpr int kBlocklisted = ESHUTDOWN;

}  // namespace

Error rados_error(int result, std::string_view what) {
    const int code = result < 0 ? -result : result;
    const std::string operation = "storage cluster: " + std::string(what);
    switch (code) {
        case ETIMEDOUT:
            return {ErrorCode::SERVICE_UNAVAILABLE,
                    operation + ": storage cluster did not answer in time; try again"};
        case ENOTCONN:
        case kBlocklisted:
        case ECONNREFUSED:
            return {ErrorCode::SERVICE_UNAVAILABLE,
                    operation + ": storage cluster is not reachable; try again"};
        case ENOSPC:
        case EDQUOT:
            return {ErrorCode::STORAGE_FULL,
                    operation + ": storage cluster is full; try again once space is freed"};
        case ENOENT:
            return {ErrorCode::NOT_FOUND, operation + ": no such object"};
        case EFBIG:
        case E2BIG:
            return {ErrorCode::TOO_LARGE, operation + ": object too large for the cluster"};
        case EMSGSIZE:  // one write above the OSDs' osd_max_write_size
            return {ErrorCode::TOO_LARGE, operation + ": write too large for the cluster"};
        case EACCES:
        case EPERM:
            return {ErrorCode::CONFIG,
                    operation + ": refused by the cluster (check the client's key and caps)"};
        default:
            return {ErrorCode::IO_ERROR, operation + ": " + std::strerror(code)};
    }
}

bool is_retryable(const Error& error) {
    return error.code == ErrorCode::SERVICE_UNAVAILABLE || error.code == ErrorCode::STORAGE_FULL;
}

}  // namespace imgshare::storage::rados
