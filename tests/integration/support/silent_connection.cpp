#include "tests/integration/support/silent_connection.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>

namespace imgshare::testing {

SilentConnection::SilentConnection(const std::string& endpoint)
    : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port =
        htons(static_cast<std::uint16_t>(std::stoi(endpoint.substr(endpoint.rfind(':') + 1))));
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    fcntl(fd_, F_SETFL, O_NONBLOCK);
}

SilentConnection::~SilentConnection() {
    ::close(fd_);
}

bool SilentConnection::closed_by_peer() {
    char buffer[256];
    while (true) {
        auto n = ::recv(fd_, buffer, sizeof buffer, 0);
        if (n > 0) continue;  // what the peer said before closing
        if (n == 0) return true;
        return errno != EAGAIN && errno != EWOULDBLOCK;
    }
}

}  // namespace imgshare::testing
