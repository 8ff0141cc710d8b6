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
    const std::size_t index = images_.size();
    if (image.readers.empty()) for_everyone_.push_back(index);
    for (const auto& reader : image.readers)
        by_reader_[reader].push_back(index);
    images_.push_back(std::move(image));
}

std::optional<ImageToFetch> PostedImages::pick(std::uint64_t random,
                                               const std::string& reader) const {
    std::lock_guard lock(mutex_);
    auto mine = by_reader_.find(reader);
    const std::size_t own_count = mine == by_reader_.end() ? 0 : mine->second.size();
    const std::size_t total = for_everyone_.size() + own_count;
    if (total == 0) return std::nullopt;
    const std::size_t picked = random % total;
    const PostedImage& image = picked < for_everyone_.size()
                                   ? images_[for_everyone_[picked]]
                                   : images_[mine->second[picked - for_everyone_.size()]];
    return ImageToFetch{image.name, image.image_bytes};
}

std::size_t PostedImages::size() const {
    std::lock_guard lock(mutex_);
    return images_.size();
}

void CommitTimes::record(const std::string& name, std::int64_t acknowledged_ns,
                         std::uint64_t audience) {
    std::lock_guard lock(mutex_);
    if (times_.emplace(name, acknowledged_ns).second) expected_events_ += audience;
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

std::uint64_t CommitTimes::expected_events() const {
    std::lock_guard lock(mutex_);
    return expected_events_;
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
