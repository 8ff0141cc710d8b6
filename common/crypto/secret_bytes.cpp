#include "common/crypto/secret_bytes.h"

#include <sodium.h>

#include <cstring>
#include <utility>

#include "common/crypto/sodium_init.h"

namespace imgshare {

SecretBytes::SecretBytes(std::size_t n) {
    ensure_sodium();
    if (n == 0) return;
    data_ = new std::uint8_t[n]();
    size_ = n;
    // Best effort: locking fails when RLIMIT_MEMLOCK is small, and mlock works on whole pages
    // that other allocations may share. The wipe on release is the guarantee; this only
    // keeps the bytes out of swap when it can.
    locked_ = sodium_mlock(data_, size_) == 0;
}

SecretBytes SecretBytes::copy_of(ByteView bytes) {
    SecretBytes secret(bytes.size());
    if (!bytes.empty()) std::memcpy(secret.data_, bytes.data(), bytes.size());
    return secret;
}

SecretBytes::SecretBytes(SecretBytes&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      locked_(std::exchange(other.locked_, false)) {}

SecretBytes& SecretBytes::operator=(SecretBytes&& other) noexcept {
    if (this != &other) {
        release();
        data_ = std::exchange(other.data_, nullptr);
        size_ = std::exchange(other.size_, 0);
        locked_ = std::exchange(other.locked_, false);
    }
    return *this;
}

SecretBytes::~SecretBytes() {
    release();
}

void SecretBytes::release() noexcept {
    if (data_ == nullptr) return;
    sodium_memzero(data_, size_);
    if (locked_) sodium_munlock(data_, size_);
    delete[] data_;
    data_ = nullptr;
    size_ = 0;
    locked_ = false;
}

bool SecretBytes::equals(const SecretBytes& other) const {
    if (size_ != other.size_) return false;
    if (size_ == 0) return true;
    return sodium_memcmp(data_, other.data_, size_) == 0;
}

}  // namespace imgshare
