#include "tests/integration/support/handshake_flood.h"

#include <pthread.h>
#include <sched.h>
#include <sys/resource.h>
#include <zmq.h>

#include <cstring>
#include <vector>

#include <zmq.hpp>

#include "tests/integration/support/raw_client.h"

namespace imgshare::testing {

HandshakeFlood::HandshakeFlood(int port, Bytes broker_public_key, std::string source, int wave,
                               int waves, std::chrono::seconds wave_timeout, Cpu cpu)
    : thread_([this, port, key = std::move(broker_public_key), source = std::move(source), wave,
               waves, wave_timeout, cpu](const std::stop_token& stop) {
          run(port, key, source, wave, waves, wave_timeout, cpu, stop);
      }) {}

void HandshakeFlood::run(int port, const Bytes& broker_public_key, const std::string& source,
                         int wave, int waves, std::chrono::seconds wave_timeout, Cpu cpu,
                         const std::stop_token& stop) {
    using SteadyClock = std::chrono::steady_clock;
    // On a shared 2-core machine the flood's own CURVE work would otherwise count against
    // the broker.
    setpriority(PRIO_PROCESS, 0, 19);  // this thread, and the context's threads below
    if (cpu == Cpu::Idle) {
        sched_param none{};
        pthread_setschedparam(pthread_self(), SCHED_IDLE, &none);
    }
    // Each socket holds a descriptor or two: more than the usual soft limit of 1,024.
    rlimit files{};
    getrlimit(RLIMIT_NOFILE, &files);
    files.rlim_cur = files.rlim_max;
    setrlimit(RLIMIT_NOFILE, &files);
    zmq::context_t context(1);
    // Three per connection (the DEALER, its monitor's, ours), and a closed wave's go only
    // when the context's reaper gets to them.
    context.set(zmq::ctxopt::max_sockets, 8 * wave + 64);
    auto endpoint = "tcp://" + source + ":0;127.0.0.1:" + std::to_string(port);
    for (int opened = 0; !stop.stop_requested() && (waves == 0 || opened < wave * waves);
         opened += wave) {
        std::vector<zmq::socket_t> sockets, monitors;
        for (int i = 0; i < wave; ++i) {
            // Monitored before it connects, so no handshake goes unseen.
            auto socket = stranger_socket(context, broker_public_key);
            auto monitor_endpoint = "inproc://flood-" + std::to_string(opened + i);
            zmq_socket_monitor(socket.handle(), monitor_endpoint.c_str(),
                               ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH |
                                   ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL |
                                   ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL);
            zmq::socket_t monitor(context, zmq::socket_type::pair);
            monitor.connect(monitor_endpoint);
            socket.connect(endpoint);
            sockets.push_back(std::move(socket));
            monitors.push_back(std::move(monitor));
            opened_ += 1;
        }
        std::vector<bool> ended(wave, false);
        int left = wave;
        auto deadline = SteadyClock::now() + wave_timeout;
        while (left > 0 && SteadyClock::now() < deadline && !stop.stop_requested()) {
            std::vector<zmq::pollitem_t> items;
            for (auto& monitor : monitors)
                items.push_back({monitor.handle(), 0, ZMQ_POLLIN, 0});
            zmq::poll(items.data(), items.size(), std::chrono::milliseconds(100));
            for (int i = 0; i < wave; ++i) {
                if (!(items[i].revents & ZMQ_POLLIN)) continue;
                zmq::message_t event, address;
                while (monitors[i].recv(event, zmq::recv_flags::dontwait)) {
                    (void)monitors[i].recv(address);  // [event id, value][endpoint]
                    if (ended[i]) continue;
                    ended[i] = true;
                    --left;
                    std::uint16_t id = 0;
                    std::memcpy(&id, event.data(), sizeof id);
                    (id == ZMQ_EVENT_HANDSHAKE_SUCCEEDED ? admitted_ : refused_) += 1;
                }
            }
        }
        for (auto& socket : sockets)
            zmq_socket_monitor(socket.handle(), nullptr, 0);
    }
    done_ = true;
}

}  // namespace imgshare::testing
