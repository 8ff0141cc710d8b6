#include "common/crypto/sodium_init.h"

#include <sodium.h>

#include <mutex>
#include <stdexcept>

namespace imgshare {

void ensure_sodium() {
    static std::once_flag once;
    std::call_once(once, [] {
        // sodium_init returns 1 when already initialised (by another library): still fine.
        if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
    });
}

}  // namespace imgshare
