// The floor under the broker's memory per idle connection (issue #27): what libzmq 4.3 alone
// keeps resident for one idle CURVE connection to a ROUTER, with no imgshare code.
//
//   idle_link_memory_peer [--connections 5000] [--zap on|off]
//
// The parent is the server, set up as the broker's clients socket is: a context with two
// I/O threads, a CURVE ROUTER with the broker's socket options (common/net/socket_options.h:
// heartbeats, limits, ZAP enforced), and (with --zap on, the default) a ZAP handler that
// admits every key, so each connection also gets libzmq's per-session pipe to the ZAP
// handler, as in the broker. A forked child opens the connections (its own process, so
// that only the server's memory is counted), each sending one request the server answers,
// and then holds them. The parent reports its resident memory (VmRSS) before and with all
// of them connected, as one JSON object:
//   {"connections":N,"zap":true,"rss_before_kib":..,"rss_connected_kib":..,"kib_per_connection":..}
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zmq.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <zmq.hpp>

#include "common/net/socket_options.h"

namespace imgshare {
namespace {

long resident_kib() {
    std::ifstream status("/proc/self/status");
    for (std::string line; std::getline(status, line);)
        if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
    return -1;
}

struct CurveKeys {
    std::array<char, 41> public_key{};
    std::array<char, 41> secret_key{};
    CurveKeys() { zmq_curve_keypair(public_key.data(), secret_key.data()); }
    std::array<std::uint8_t, 32> secret_bytes() const {
        std::array<std::uint8_t, 32> bytes{};
        zmq_z85_decode(bytes.data(), secret_key.data());
        return bytes;
    }
};

// Admits every key (ZAP status 200), as the broker's handler admits a registered user's.
void admit_everyone(zmq::context_t& context) {
    zmq::socket_t handler(context, zmq::socket_type::rep);
    handler.bind("inproc://zeromq.zap.01");
    for (;;) {
        std::vector<zmq::message_t> request;
        do {
            zmq::message_t part;
            if (!handler.recv(part)) return;
            request.push_back(std::move(part));
        } while (handler.get(zmq::sockopt::rcvmore));
        if (request.size() < 2) continue;
        handler.send(zmq::str_buffer("1.0"), zmq::send_flags::sndmore);
        handler.send(request[1], zmq::send_flags::sndmore);  // the request id
        handler.send(zmq::str_buffer("200"), zmq::send_flags::sndmore);
        handler.send(zmq::str_buffer("OK"), zmq::send_flags::sndmore);
        handler.send(zmq::str_buffer("user:peer"), zmq::send_flags::sndmore);
        handler.send(zmq::message_t(), zmq::send_flags::none);
    }
}

// The child: `count` idle CURVE DEALERs, each with one request answered, held until killed.
// They connect a hundred at a time, each batch answered before the next, as imgshare-load's
// idle clients do (a burst of thousands of handshakes leaves the server more heap).
[[noreturn]] void hold_connections(const std::string& endpoint, const std::string& server_key, int count) {
    constexpr int kBatch = 100;
    zmq::context_t context(1);
    context.set(zmq::ctxopt::max_sockets, count + 16);
    const CurveKeys keys;
    std::vector<zmq::socket_t> sockets;
    sockets.reserve(static_cast<std::size_t>(count));
    for (int first = 0; first < count; first += kBatch) {
        const int last = std::min(count, first + kBatch);
        for (int i = first; i < last; ++i) {
            auto& socket = sockets.emplace_back(context, zmq::socket_type::dealer);
            net::harden_peer_socket(socket, net::Liveness::Client);
            socket.set(zmq::sockopt::curve_serverkey, server_key);
            socket.set(zmq::sockopt::curve_publickey, keys.public_key.data());
            socket.set(zmq::sockopt::curve_secretkey, keys.secret_key.data());
            socket.connect(endpoint);
            socket.send(zmq::str_buffer("hello"), zmq::send_flags::none);
        }
        for (int i = first; i < last; ++i) {
            zmq::message_t reply;
            (void)sockets[static_cast<std::size_t>(i)].recv(reply);
        }
    }
    for (;;) pause();
}

}  // namespace
}  // namespace imgshare

int main(int argc, char** argv) {
    using namespace imgshare;
    int connections = 5000;
    bool zap = true;
    for (int i = 1; i < argc; ++i) {
        const std::string_view flag = argv[i];
        if (flag == "--connections" && i + 1 < argc) {
            connections = std::atoi(argv[++i]);
        } else if (flag == "--zap" && i + 1 < argc) {
            zap = std::string_view(argv[++i]) != "off";
        } else {
            std::fprintf(stderr, "usage: idle_link_memory_peer [--connections N] [--zap on|off]\n");
            return 2;
        }
    }
    if (connections < 1 || connections > 60000) {
        std::fprintf(stderr, "idle_link_memory_peer: --connections must be 1..60000\n");
        return 2;
    }
    rlimit files{};
    getrlimit(RLIMIT_NOFILE, &files);
    files.rlim_cur = files.rlim_max;
    setrlimit(RLIMIT_NOFILE, &files);

    zmq::context_t context(2);
    context.set(zmq::ctxopt::max_sockets, connections + 16);
    std::jthread handler;
    if (zap) handler = std::jthread([&context] { admit_everyone(context); });
    const CurveKeys server_keys;
    zmq::socket_t router(context, zmq::socket_type::router);
    net::harden_peer_socket(router, net::Liveness::ClientFacing);
    const auto secret = server_keys.secret_bytes();
    if (zap) {
        net::make_curve_server(router, secret, "imgshare");
    } else {
        router.set(zmq::sockopt::curve_server, 1);
        router.set(zmq::sockopt::curve_secretkey, server_keys.secret_key.data());
    }
    router.bind("tcp://127.0.0.1:0");
    const std::string endpoint = router.get(zmq::sockopt::last_endpoint);
    // Give the handler its bind before the first handshake asks for it.
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    const long before = resident_kib();

    const pid_t child = fork();
    if (child == 0) hold_connections(endpoint, server_keys.public_key.data(), connections);

    int answered = 0;
    while (answered < connections) {
        zmq::pollitem_t item{router.handle(), 0, ZMQ_POLLIN, 0};
        if (zmq::poll(&item, 1, std::chrono::seconds(30)) == 0) break;  // the child gave up
        zmq::message_t id, body;
        if (!router.recv(id) || !router.recv(body)) break;
        router.send(id, zmq::send_flags::sndmore);
        router.send(zmq::str_buffer("ok"), zmq::send_flags::none);
        ++answered;
    }
    const long connected = resident_kib();
    kill(child, SIGKILL);
    waitpid(child, nullptr, 0);
    std::printf("{\"connections\":%d,\"zap\":%s,\"rss_before_kib\":%ld,\"rss_connected_kib\":%ld,"
                "\"kib_per_connection\":%.1f}\n",
                answered, zap ? "true" : "false", before, connected,
                answered ? static_cast<double>(connected - before) / answered : 0.0);
    std::fflush(stdout);
    // The ZAP handler blocks in recv; end the process without waiting for it.
    std::_Exit(answered == connections ? 0 : 1);
}
