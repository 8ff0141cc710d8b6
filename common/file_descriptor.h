// An owned POSIX file descriptor: closed when it goes out of scope (RAII), never copied.
// -1 means none. close() is there for writers: it reports the write-back errors that a
// destructor would have to drop.
#pragma once

#include <unistd.h>

#include <utility>

namespace imgshare {

class FileDescriptor {
  public:
    explicit FileDescriptor(int fd) : fd_(fd) {}
    FileDescriptor(const FileDescriptor&) = delete;
    FileDescriptor& operator=(const FileDescriptor&) = delete;
    ~FileDescriptor() {
        if (fd_ >= 0) ::close(fd_);
    }
    [[nodiscard]] int get() const { return fd_; }
    [[nodiscard]] int close() { return ::close(std::exchange(fd_, -1)); }

  private:
    int fd_;
};

}  // namespace imgshare
