#include "common/crypto/sha256.h"

#include <openssl/evp.h>

#include <new>
#include <stdexcept>

namespace imgshare {
namespace {

// OpenSSL fails only when it cannot allocate or its provider is missing: a
// broken installation, not bad input.
void require(int ok, const char* what) {
    if (ok != 1) throw std::runtime_error(std::string("OpenSSL SHA-256: ") + what + " failed");
}

}  // namespace

void Sha256::FreeContext::operator()(evp_md_ctx_st* context) const noexcept {
    EVP_MD_CTX_free(context);
}

Sha256::Sha256() : context_(EVP_MD_CTX_new()) {
    if (!context_) throw std::bad_alloc();
    require(EVP_DigestInit_ex(context_.get(), EVP_sha256(), nullptr), "init");
}

Sha256::Sha256(const Sha256& other) : context_(EVP_MD_CTX_new()), finished_(other.finished_) {
    if (!context_) throw std::bad_alloc();
    if (finished_) return;  // unusable either way; OpenSSL need not copy a spent state
    require(EVP_MD_CTX_copy_ex(context_.get(), other.context_.get()), "copy");
}

Sha256& Sha256::operator=(const Sha256& other) {
    if (this != &other) *this = Sha256(other);
    return *this;
}

Sha256::~Sha256() = default;

void Sha256::update(ByteView data) {
    if (finished_) throw std::logic_error("Sha256::update after finish");
    require(EVP_DigestUpdate(context_.get(), data.data(), data.size()), "update");
}

Bytes Sha256::finish() {
    if (finished_) throw std::logic_error("Sha256::finish called twice");
    finished_ = true;
    Bytes digest(kSha256Size);
    unsigned int size = 0;
    require(EVP_DigestFinal_ex(context_.get(), digest.data(), &size), "final");
    if (size != kSha256Size) throw std::runtime_error("OpenSSL SHA-256: unexpected digest size");
    return digest;
}

Bytes sha256(ByteView data) {
    Bytes digest(kSha256Size);
    unsigned int size = 0;
    require(EVP_Digest(data.data(), data.size(), digest.data(), &size, EVP_sha256(), nullptr),
            "digest");
    return digest;
}

}  // namespace imgshare
