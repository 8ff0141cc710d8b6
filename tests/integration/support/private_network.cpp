#include "tests/integration/support/private_network.h"

#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace imgshare::testing {
namespace {

std::string why(const std::string& what) {
    return what + ": " + std::strerror(errno);
}

// `ip link set lo up`, without needing `ip`.
bool bring_loopback_up() {
    int socket_fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (socket_fd < 0) return false;
    ifreq request{};
    std::strncpy(request.ifr_name, "lo", IFNAMSIZ - 1);
    bool up = ioctl(socket_fd, SIOCGIFFLAGS, &request) == 0;
    request.ifr_flags = static_cast<short>(request.ifr_flags | IFF_UP);
    up = up && ioctl(socket_fd, SIOCSIFFLAGS, &request) == 0;
    ::close(socket_fd);
    return up;
}

}  // namespace

std::expected<PrivateNetwork, std::string> PrivateNetwork::enter() {
    // The thread's own namespace (unshare changes only the calling thread's).
    int original = ::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    if (original < 0) return std::unexpected(why("cannot open /proc/thread-self/ns/net"));
    PrivateNetwork network(original);
    if (::unshare(CLONE_NEWNET) != 0) {
        return std::unexpected(why(
            "a private network namespace needs root (CAP_SYS_ADMIN), as CI runs the suite; "
            "unshare(CLONE_NEWNET)"));
    }
    if (!bring_loopback_up()) return std::unexpected(why("cannot bring lo up in the namespace"));
    return network;
}

PrivateNetwork::PrivateNetwork(PrivateNetwork&& other) noexcept : original_(other.original_) {
    other.original_ = -1;
}

PrivateNetwork::~PrivateNetwork() {
    if (original_ < 0) return;
    // Back to the machine's network; the private one ends with its last process.
    (void)::setns(original_, CLONE_NEWNET);
    ::close(original_);
}

}  // namespace imgshare::testing
