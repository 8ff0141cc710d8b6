// The newest entries of the event feed (seq -> image name), kept in memory.
//
// Watchers and clients list from near the head of the feed, and opening a
// RocksDB iterator per LIST grew with the memtables and level-0 files it
// merged. The tail holds the last `capacity` entries of an unbroken run of
// seqs; a LIST that starts inside it is answered without touching RocksDB.
// Promises: covers(seq) only when every feed entry from seq to the newest is
// held, in order, exactly as written to the feed family.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>

namespace imgshare::storage {

class FeedTail {
  public:
    // A tail of a feed whose newest entry is `last_seq` (0: empty); it holds
    // nothing yet, so it covers only what comes after last_seq.
    FeedTail(std::uint64_t last_seq, std::size_t capacity);

    // Records the entry written under `seq` once its batch is written. A seq
    // that does not follow the newest held (which no commit makes) restarts
    // the tail at `seq`, so a gap is never papered over.
    void append(std::uint64_t seq, std::string_view name);

    // The newest seq appended, or the start's last_seq before any append: the
    // feed's head, which the catalog numbers the next commit after.
    [[nodiscard]] std::uint64_t last_seq() const { return first_seq_ + names_.size() - 1; }

    // Whether every entry with a seq >= `first` is held.
    [[nodiscard]] bool covers(std::uint64_t first) const { return first >= first_seq_; }

    // Calls visit(seq, name) for each held entry from `first` on, in order,
    // until it returns false. Precondition: covers(first).
    template <class Visitor>
    void visit_from(std::uint64_t first, Visitor&& visit) const {
        for (std::uint64_t seq = first; seq < first_seq_ + names_.size(); ++seq) {
            if (!visit(seq, std::string_view(names_[seq - first_seq_]))) return;
        }
    }

  private:
    std::size_t capacity_;
    std::uint64_t first_seq_;  // the seq of names_.front(), or the next seq when empty
    std::deque<std::string> names_;
};

}  // namespace imgshare::storage
