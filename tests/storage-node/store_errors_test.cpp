#include "storage-node/store_errors.h"

#include <gtest/gtest.h>

namespace imgshare::storage {
namespace {

// As RocksDB's POSIX file system words a failed append (env/io_posix.h).
const char* const kFailedAppend = "While appending to file: /srv/imgshare/storage/db/000012.log";

void expect_no_server_path(const Error& error) {
    EXPECT_EQ(error.message.find('/'), std::string::npos) << error.message;
    EXPECT_EQ(error.message.find("000012"), std::string::npos) << error.message;
}

TEST(StoreErrorsTest, AFullDiskIsStorageFullWithoutAPath) {
    auto error = client_error(rocksdb::Status::NoSpace(kFailedAppend, "No space left on device"),
                              "write");
    EXPECT_EQ(error.code, ErrorCode::STORAGE_FULL);
    EXPECT_NE(error.message.find("disk is full"), std::string::npos) << error.message;
    expect_no_server_path(error);
}

TEST(StoreErrorsTest, AStoppedDatabaseRefusingALaterWriteIsStorageFullToo) {
    // After the stop RocksDB answers every write with the background error, severity attached.
    rocksdb::Status stop(rocksdb::Status::NoSpace(kFailedAppend, "No space left on device"),
                         rocksdb::Status::Severity::kHardError);
    EXPECT_TRUE(is_disk_full(stop));
    EXPECT_EQ(client_error(stop, "sync").code, ErrorCode::STORAGE_FULL);
    EXPECT_TRUE(is_disk_full(rocksdb::Status::SpaceLimit("max allowed space reached")));
}

TEST(StoreErrorsTest, OtherIoFailuresAreIoErrorsAndTheRestInternalNeitherWithAPath) {
    auto io = client_error(rocksdb::Status::IOError(kFailedAppend, "Input/output error"), "write");
    EXPECT_EQ(io.code, ErrorCode::IO_ERROR);
    EXPECT_NE(io.message.find("could not write"), std::string::npos) << io.message;
    expect_no_server_path(io);
    EXPECT_FALSE(is_disk_full(rocksdb::Status::IOError(kFailedAppend, "Input/output error")));

    auto corrupt = client_error(rocksdb::Status::Corruption(kFailedAppend, "bad block"), "read");
    EXPECT_EQ(corrupt.code, ErrorCode::INTERNAL);
    expect_no_server_path(corrupt);
}

}  // namespace
}  // namespace imgshare::storage
