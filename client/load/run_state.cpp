#include "client/load/run_state.h"

#include <sodium.h>

#include "common/bytes.h"

namespace imgshare::client::load {

std::int64_t monotonic_ns() {
    using namespace std::chrono;
    return duration_cast<nanoseconds>(steady_clock::now().time_since_epoch()).count();
}

void PostedImages::add(PostedImage image) {
    std::lock_guard lock(mutex_);
    images_.push_back(std::move(image));
}

std::optional<PostedImage> PostedImages::pick(std::uint64_t random) const {
    std::lock_guard lock(mutex_);
    if (images_.empty()) return std::nullopt;
    return images_[random % images_.size()];
}

std::size_t PostedImages::size() const {
    std::lock_guard lock(mutex_);
    return images_.size();
}

void CommitTimes::record(const std::string& name, std::int64_t acknowledged_ns) {
    std::lock_guard lock(mutex_);
    times_.emplace(name, acknowledged_ns);
}

std::optional<std::int64_t> CommitTimes::find(const std::string& name) const {
    std::lock_guard lock(mutex_);
    auto found = times_.find(name);
    if (found == times_.end()) return std::nullopt;
    return found->second;
}

std::size_t CommitTimes::size() const {
    std::lock_guard lock(mutex_);
    return times_.size();
}

void RunState::saw_seq(std::uint64_t seq) {
    std::uint64_t head = feed_head.load();
    while (seq > head && !feed_head.compare_exchange_weak(head, seq)) {
    }
}

std::string RunState::measured_name(std::size_t client, std::uint64_t n) const {
    return name_prefix + "-c" + std::to_string(client) + "-" + std::to_string(n);
}

std::string RunState::setup_name(std::size_t client, std::uint64_t n) const {
    return name_prefix + "-s" + std::to_string(client) + "-" + std::to_string(n);
}

std::string new_run_prefix() {
    Bytes random(4);
    randombytes_buf(random.data(), random.size());
    return "ld" + to_hex(random);
}

}  // namespace imgshare::client::load
