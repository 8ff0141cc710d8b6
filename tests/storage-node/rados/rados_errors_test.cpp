// storage-node/rados/rados_errors: each errno librados returns becomes its stable code, and
// no message carries the object's name.
#include "storage-node/rados/rados_errors.h"

#include <gtest/gtest.h>

#include <cerrno>

namespace imgshare::storage::rados {
namespace {

TEST(RadosErrorsTest, TimeoutIsRetryableServiceUnavailable) {
    const Error error = rados_error(-ETIMEDOUT, "read");
    EXPECT_EQ(error.code, ErrorCode::SERVICE_UNAVAILABLE);
    EXPECT_NE(error.message.find("did not answer in time"), std::string::npos) << error.message;
    EXPECT_TRUE(is_retryable(error));
}

TEST(RadosErrorsTest, EachErrnoHasItsCode) {
    EXPECT_EQ(rados_error(-ENOSPC, "write").code, ErrorCode::STORAGE_FULL);
    EXPECT_EQ(rados_error(-EDQUOT, "write").code, ErrorCode::STORAGE_FULL);
    EXPECT_EQ(rados_error(-ENOENT, "read").code, ErrorCode::NOT_FOUND);
    EXPECT_EQ(rados_error(-EFBIG, "write").code, ErrorCode::TOO_LARGE);
    EXPECT_EQ(rados_error(-EMSGSIZE, "write").code, ErrorCode::TOO_LARGE);
    EXPECT_EQ(rados_error(-EACCES, "write").code, ErrorCode::CONFIG);
    EXPECT_EQ(rados_error(-ENOTCONN, "read").code, ErrorCode::SERVICE_UNAVAILABLE);
    EXPECT_EQ(rados_error(-ESHUTDOWN, "read").code, ErrorCode::SERVICE_UNAVAILABLE);
    EXPECT_EQ(rados_error(-EIO, "read").code, ErrorCode::IO_ERROR);
    EXPECT_TRUE(is_retryable(rados_error(-ENOSPC, "write")));
    EXPECT_FALSE(is_retryable(rados_error(-ENOENT, "read")));
    EXPECT_FALSE(is_retryable(rados_error(-EIO, "read")));
}

TEST(RadosErrorsTest, MessageNamesTheOperationOnly) {
    const Error error = rados_error(-EIO, "omap read");
    EXPECT_EQ(error.message, "storage cluster: omap read: Input/output error");
}

}  // namespace
}  // namespace imgshare::storage::rados
