#include "storage-node/feed_tail.h"

namespace imgshare::storage {

FeedTail::FeedTail(std::uint64_t last_seq, std::size_t capacity)
    : capacity_(capacity), first_seq_(last_seq + 1) {}

void FeedTail::append(std::uint64_t seq, std::string_view name) {
    if (seq != first_seq_ + names_.size()) {
        names_.clear();
        first_seq_ = seq;
    }
    names_.emplace_back(name);
    if (names_.size() > capacity_) {
        names_.pop_front();
        ++first_seq_;
    }
}

}  // namespace imgshare::storage
