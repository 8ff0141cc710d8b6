// SecretBytes: the owner of secret material (private keys, content keys,
// derived keys, decrypted key files).
//
// Promises: the bytes are wiped (sodium_memzero) when the owner is destroyed
// or assigned over, and a moved-from SecretBytes is empty. Memory is locked
// against swapping when the RLIMIT_MEMLOCK budget allows (silently not,
// otherwise). It cannot be copied by accident, printed or hex-encoded; the
// only copy is the explicit copy_of(). Comparison is constant time.
#pragma once

#include <cstddef>
#include <cstdint>

#include "common/bytes.h"

namespace imgshare {

class SecretBytes {
  public:
    // Empty (size 0).
    SecretBytes() = default;
    // n zero bytes.
    explicit SecretBytes(std::size_t n);
    // A new owner of a copy of `bytes`. The caller remains responsible for its own copy.
    [[nodiscard]] static SecretBytes copy_of(ByteView bytes);

    SecretBytes(const SecretBytes&) = delete;
    SecretBytes& operator=(const SecretBytes&) = delete;
    SecretBytes(SecretBytes&& other) noexcept;
    SecretBytes& operator=(SecretBytes&& other) noexcept;
    ~SecretBytes();

    [[nodiscard]] std::uint8_t* data() { return data_; }
    [[nodiscard]] const std::uint8_t* data() const { return data_; }
    [[nodiscard]] std::size_t size() const { return size_; }
    [[nodiscard]] bool empty() const { return size_ == 0; }
    [[nodiscard]] ByteView view() const { return {data_, size_}; }

    // Same size and same bytes; the time taken depends on the size only.
    [[nodiscard]] bool equals(const SecretBytes& other) const;

  private:
    void release() noexcept;

    std::uint8_t* data_ = nullptr;
    std::size_t size_ = 0;
    bool locked_ = false;
};

}  // namespace imgshare
