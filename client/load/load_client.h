// One simulated user of a load run: its own BrokerConnection, a pool of
// posts sealed before the clock starts, and a stream of operations drawn
// from the mix (or a fixed number of them), each timed on the monotonic
// clock from its first request to its last, checked reply.
//
// What one operation is:
//   post      POST_BEGIN, the chunks (window in flight), POST_COMMIT,
//             acknowledged durable; sealing is not in it (see `seal`);
//   download  DOWNLOAD and the chunks (window in flight) of an image this run
//             posted that this user may read (all escrow images, the end-to-end
//             images it is a reader of), verified like `imgshare download` when
//             --verify says so;
//   list      LIST {after_seq: just below the newest feed position seen,
//             limit: 100}; consecutive lists are pipelined up to the window
//             (one at a time with a rate);
//   seal      the client's own work for a post (read, pad, encrypt, hash,
//             sign, wrap the key for the server or seal a grant to each
//             reader): done for the pool before the clock, and
//             during the run only when the pool runs out.
// With a rate, operations start on a fixed schedule (the client's share of
// the rate); one that starts late because the previous one overran is timed
// from when it was sent, not from its slot. A failed operation is counted by
// its error code and the client goes on; operations cut short by the stop
// flag are not counted at all.
#pragma once

#include <cstdint>
#include <deque>
#include <filesystem>
#include <memory>
#include <optional>
#include <random>
#include <span>
#include <vector>

#include "client/broker_connection.h"
#include "client/load/image_bodies.h"
#include "client/load/load_network.h"
#include "client/load/load_options.h"
#include "client/load/load_stats.h"
#include "client/load/load_users.h"
#include "client/load/prepared_post.h"
#include "client/load/run_state.h"

namespace imgshare::client::load {

// LIST pages ask for this many entries.
constexpr std::uint32_t kListLimit = 100;
// and start this far below the newest feed position seen (a watcher catching up).
constexpr std::uint64_t kListBehindHead = 10;

struct ClientStats {
    OperationStats post, download, list, seal;
    std::uint64_t verified_downloads = 0;
    std::uint64_t unverified_downloads = 0;
    std::uint64_t pre_sealed = 0;
    std::uint64_t sealed_during_run = 0;
    std::uint64_t setup_posts = 0;

    void merge(const ClientStats& other);
};

// What every client of a run shares; all must outlive the clients.
struct ClientSetup {
    const LoadOptions& options;
    const LoadNetwork& network;
    RunState& run;
    const ImageBodies& bodies;
    ByteView escrow_wrap_key;
    std::span<const LoadUser> users;  // every load user of the run: the e2e recipients' pool
};

// With --e2e-recipients R, client `client`'s posts are for the R load users after it
// (wrapping around `user_count`), and for itself.
[[nodiscard]] std::vector<std::size_t> reader_indices(std::size_t client, std::size_t recipients,
                                                      std::size_t user_count);

class LoadClient {
  public:
    LoadClient(std::size_t index, const LoadUser& user, const ClientSetup& setup,
               std::filesystem::path scratch_dir);
    LoadClient(const LoadClient&) = delete;
    LoadClient& operator=(const LoadClient&) = delete;

    // Before the clock: connects (one LIST proves the connection), fetches and verifies the
    // certificates of its end-to-end readers (as `imgshare post --to` does), plans `operations`
    // operations (nullopt: as many as time allows), seals posts for the pool within
    // `pre_seal_bytes`, and posts one setup image when `seed` (downloads need something to
    // fetch). Any failure here stops the run.
    [[nodiscard]] Result<void> prepare(std::optional<std::uint64_t> operations,
                                       std::uint64_t pre_seal_bytes, bool seed);

    // The measured part: the planned operations, or operations until `deadline_ns`.
    void run(std::int64_t deadline_ns);

    [[nodiscard]] const ClientStats& stats() const { return stats_; }

  private:
    [[nodiscard]] std::optional<Operation> peek(std::int64_t deadline_ns);
    void advance() { held_.reset(); }
    // Waits for the next slot of the schedule (with a rate); false if stopped meanwhile.
    [[nodiscard]] bool pace();
    [[nodiscard]] Result<PreparedPost> seal(std::string name);
    void post();
    void download();
    void lists(std::size_t count);
    void count_error(OperationStats& stats, const Error& error);

    std::size_t index_;
    const LoadUser& user_;
    const ClientSetup& setup_;
    std::filesystem::path scratch_dir_;
    std::unique_ptr<BrokerConnection> connection_;
    std::mt19937_64 random_;
    std::optional<std::deque<Operation>> plan_;  // with a count; drawn as we go otherwise
    std::optional<Operation> held_;              // drawn, not yet done
    std::vector<Certificate> readers_;           // end-to-end, owner included; empty for escrow
    std::uint64_t audience_ = 0;                 // subscribers told of each post
    std::deque<PreparedPost> pool_;
    std::uint64_t posts_named_ = 0;
    std::uint64_t downloads_ = 0;
    std::int64_t interval_ns_ = 0;  // between operation starts, with a rate
    std::int64_t next_start_ns_ = 0;
    ClientStats stats_;
};

}  // namespace imgshare::client::load
