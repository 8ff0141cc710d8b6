// The primitive limit under the large post: a 3-hop CURVE relay on loopback
// with no imgshare code in it. A client DEALER sends 256 KiB messages, a
// window of them in flight, to a ROUTER (the broker's place), which relays
// each to a DEALER worker (the service's place) and relays its short reply
// back. Each party has its own ZeroMQ context and I/O thread, as separate
// processes would. bytes/s is what one client moves one way: the ceiling for
// the post path's relaying before any encryption, hashing or storing.
//   build/bin/relay_bench --benchmark_min_time=3
#include <benchmark/benchmark.h>
#include <zmq.h>

#include <array>
#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include <zmq.hpp>

namespace imgshare {
namespace {

struct CurveKeys {
    std::array<char, 41> public_key{};
    std::array<char, 41> secret_key{};
    CurveKeys() { zmq_curve_keypair(public_key.data(), secret_key.data()); }
};

void make_server(zmq::socket_t& socket, const CurveKeys& keys) {
    socket.set(zmq::sockopt::curve_server, 1);
    socket.set(zmq::sockopt::curve_secretkey, keys.secret_key.data());
    socket.set(zmq::sockopt::sndhwm, 0);
    socket.set(zmq::sockopt::rcvhwm, 0);
}

void make_client(zmq::socket_t& socket, const CurveKeys& own, const CurveKeys& server) {
    socket.set(zmq::sockopt::curve_serverkey, server.public_key.data());
    socket.set(zmq::sockopt::curve_publickey, own.public_key.data());
    socket.set(zmq::sockopt::curve_secretkey, own.secret_key.data());
    socket.set(zmq::sockopt::sndhwm, 0);
    socket.set(zmq::sockopt::rcvhwm, 0);
}

std::string bound_endpoint(zmq::socket_t& socket) {
    socket.bind("tcp://127.0.0.1:*");
    return socket.get(zmq::sockopt::last_endpoint);
}

// The broker's place: frontend messages [client, body] go to the worker as
// [worker, client, body]; the worker's [worker, client, reply] go back.
class Relay {
  public:
    Relay() {
        make_server(frontend_, broker_keys);
        make_server(backend_, broker_keys);
        frontend_endpoint = bound_endpoint(frontend_);
        backend_endpoint = bound_endpoint(backend_);
        thread_ = std::thread([this] { run(); });
    }
    ~Relay() {
        stop_ = true;
        thread_.join();
    }

    CurveKeys broker_keys;
    std::string frontend_endpoint;
    std::string backend_endpoint;

  private:
    void run() {
        std::vector<zmq::pollitem_t> items{{frontend_.handle(), 0, ZMQ_POLLIN, 0},
                                           {backend_.handle(), 0, ZMQ_POLLIN, 0}};
        std::vector<zmq::message_t> parts;
        zmq::message_t worker;
        while (!stop_) {
            zmq::poll(items, std::chrono::milliseconds(50));
            if (items[1].revents & ZMQ_POLLIN) {
                while (receive_all(backend_, parts)) {
                    if (worker.size() == 0) worker.copy(parts[0]);
                    send_all(frontend_, parts, 1);  // [client, reply]
                }
            }
            if ((items[0].revents & ZMQ_POLLIN) && worker.size() > 0) {
                while (receive_all(frontend_, parts)) {
                    zmq::message_t to(worker.data(), worker.size());
                    backend_.send(to, zmq::send_flags::sndmore);
                    send_all(backend_, parts, 0);  // [worker, client, body]
                }
            }
        }
    }

    static bool receive_all(zmq::socket_t& socket, std::vector<zmq::message_t>& parts) {
        parts.clear();
        do {
            zmq::message_t part;
            if (!socket.recv(part, zmq::recv_flags::dontwait)) return false;
            parts.push_back(std::move(part));
        } while (parts.back().more());
        return true;
    }

    static void send_all(zmq::socket_t& socket, std::vector<zmq::message_t>& parts,
                         std::size_t from) {
        for (std::size_t i = from; i < parts.size(); ++i) {
            socket.send(parts[i],
                        i + 1 < parts.size() ? zmq::send_flags::sndmore : zmq::send_flags::none);
        }
    }

    zmq::context_t context_{1};
    zmq::socket_t frontend_{context_, zmq::socket_type::router};
    zmq::socket_t backend_{context_, zmq::socket_type::router};
    std::atomic<bool> stop_ = false;
    std::thread thread_;
};

// The service's place: says hello, then answers every [client, body] with
// [client, "ok"].
class Worker {
  public:
    explicit Worker(const Relay& relay) {
        make_client(socket_, keys_, relay.broker_keys);
        socket_.connect(relay.backend_endpoint);
        socket_.send(zmq::str_buffer("hello"), zmq::send_flags::none);
        thread_ = std::thread([this] { run(); });
    }
    ~Worker() {
        stop_ = true;
        thread_.join();
    }

  private:
    void run() {
        socket_.set(zmq::sockopt::rcvtimeo, 50);
        while (!stop_) {
            zmq::message_t client, body;
            if (!socket_.recv(client)) continue;
            if (!socket_.recv(body)) continue;
            socket_.send(client, zmq::send_flags::sndmore);
            socket_.send(zmq::str_buffer("ok"), zmq::send_flags::none);
        }
    }

    CurveKeys keys_;
    zmq::context_t context_{1};
    zmq::socket_t socket_{context_, zmq::socket_type::dealer};
    std::atomic<bool> stop_ = false;
    std::thread thread_;
};

void BM_CurveRelay(benchmark::State& state) {
    const auto message_bytes = static_cast<std::size_t>(state.range(0));
    const auto window = static_cast<int>(state.range(1));
    Relay relay;
    Worker worker(relay);
    CurveKeys keys;
    zmq::context_t context(1);
    zmq::socket_t client(context, zmq::socket_type::dealer);
    make_client(client, keys, relay.broker_keys);
    client.connect(relay.frontend_endpoint);
    std::string body(message_bytes, 'x');
    auto round_trip = [&] {
        for (int i = 0; i < window; ++i)
            client.send(zmq::buffer(body), zmq::send_flags::none);
        for (int i = 0; i < window; ++i) {
            zmq::message_t reply;
            (void)client.recv(reply);
        }
    };
    // The worker says hello once its link is up; until then the relay holds requests.
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    round_trip();
    for (auto _ : state) {
        round_trip();
    }
    state.SetBytesProcessed(state.iterations() * window * static_cast<std::int64_t>(message_bytes));
    state.SetItemsProcessed(state.iterations() * window);
}
// 8 in flight is the client's chunk window (client/image_upload.h); 64 small
// ones in flight is the LIST row's window.
BENCHMARK(BM_CurveRelay)
    ->Args({256 << 10, 8})
    ->Args({256 << 10, 16})
    ->Args({64, 64})
    ->UseRealTime();

}  // namespace
}  // namespace imgshare

BENCHMARK_MAIN();
