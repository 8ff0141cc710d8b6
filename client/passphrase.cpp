#include "client/passphrase.h"

#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>

namespace imgshare::client {
namespace {

constexpr std::size_t kMaxPassphraseBytes = 1024;

// Echo off on the terminal for as long as it lives.
class EchoOff {
  public:
    EchoOff() : active_(::tcgetattr(STDIN_FILENO, &saved_) == 0) {
        if (!active_) return;
        termios quiet = saved_;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        quiet.c_lflag |= ICANON | ECHONL;
        active_ = ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
    }
    EchoOff(const EchoOff&) = delete;
    EchoOff& operator=(const EchoOff&) = delete;
    ~EchoOff() {
        if (active_) ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_);
    }

  private:
    termios saved_{};
    bool active_;
};

// One line from the terminal, without its newline; read byte by byte so nothing beyond the
// line is buffered anywhere.
Result<SecretBytes> prompt(std::string_view text) {
    std::fputs(std::string(text).c_str(), stderr);
    std::fflush(stderr);
    EchoOff echo_off;
    SecretBytes buffer(kMaxPassphraseBytes);
    std::size_t length = 0;
    while (true) {
        char c = 0;
        ssize_t n = ::read(STDIN_FILENO, &c, 1);
        if (n < 0 && errno == EINTR) {
            return fail(ErrorCode::BAD_PASSPHRASE, "interrupted while reading the passphrase");
        }
        if (n <= 0 || c == '\n') break;
        if (length == buffer.size()) {
            return fail(ErrorCode::BAD_PASSPHRASE, "the passphrase is too long");
        }
        buffer.data()[length++] = static_cast<std::uint8_t>(c);
    }
    return SecretBytes::copy_of(buffer.view().first(length));
}

}  // namespace

Result<SecretBytes> obtain_passphrase(PassphrasePurpose purpose) {
    if (const char* from_environment = std::getenv("IMGSHARE_PASSPHRASE")) {
        if (*from_environment == '\0') {
            return fail(ErrorCode::BAD_PASSPHRASE, "IMGSHARE_PASSPHRASE is empty");
        }
        return SecretBytes::copy_of(as_bytes(from_environment));
    }
    if (!::isatty(STDIN_FILENO)) {
        return fail(ErrorCode::BAD_PASSPHRASE,
                    "no passphrase: set IMGSHARE_PASSPHRASE or run on a terminal");
    }
    auto first = prompt(purpose == PassphrasePurpose::Create ? "New keystore passphrase: "
                                                             : "Keystore passphrase: ");
    if (!first) return first;
    if (first->empty()) return fail(ErrorCode::BAD_PASSPHRASE, "the passphrase is empty");
    if (purpose == PassphrasePurpose::Create) {
        auto again = prompt("Repeat the passphrase: ");
        if (!again) return again;
        if (!first->equals(*again)) {
            return fail(ErrorCode::BAD_PASSPHRASE, "the two passphrases differ");
        }
    }
    return first;
}

KdfStrength keystore_kdf_strength() {
    const char* fast = std::getenv("IMGSHARE_TEST_FAST_KDF");
    if (fast && std::string_view(fast) == "1") return KdfStrength::TestOnlyMinimum;
    return KdfStrength::Interactive;
}

}  // namespace imgshare::client
