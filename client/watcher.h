// The watcher behind `imgshare watch` and `imgshare-watch`: tells the user
// about every new image they may read, once, in feed order, across restarts.
//
// It subscribes (SUB, CURVE) to the `image` topic and its own `user.<me>/`
// topic, then catches up with LIST from the last feed position it has seen
// (kept in HOME/state, written atomically after each image), then follows
// events. Events are hints (DESIGN.md §7): one at or below the last position
// is a duplicate and skipped; one beyond the next position means events were
// lost, so it catches up with LIST instead, which the event's image is part
// of. It also catches up after every (re)connection to the event socket and
// once a minute.
//
// Promises: each image is reported exactly once per home (no duplicates, no
// gaps), with --download fetched and verified into the download directory
// under its checked name (never outside it, never over an existing file).
// Failures of one download are reported on `err` and do not stop the watcher;
// network failures are retried; errors that retrying cannot fix (not
// registered, revoked, state file unwritable) end run() with that error.
// Every `log_check_interval` it also reads what was appended to the certificate log and
// reports each certificate for the user's name with other keys, once, loudly:
// `error: IMPERSONATION: …` on err (and an IMPERSONATION object with --json); a log that
// does not extend what this home saw is reported as LOG_INCONSISTENT. Neither ends it.
#pragma once

#include <zmq.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <ostream>

#include "client/broker_connection.h"
#include "client/handshake_monitor.h"
#include "client/log_audit.h"
#include "client/session.h"
#include "common/error.h"
#include "common/protocol/messages.h"

namespace imgshare::client {

struct WatchOptions {
    std::optional<std::filesystem::path> download_dir;
    bool json = false;
    // How often the certificate log is checked for certificates of my name with other keys
    // (client/log_audit.h); 0: never.
    std::chrono::seconds log_check_interval{60};
};

class Watcher {
  public:
    // `session` must outlive the watcher; `identity` is the unlocked user.
    Watcher(Session& session, Identity identity, WatchOptions options, std::ostream& out,
            std::ostream& err);
    Watcher(const Watcher&) = delete;
    Watcher& operator=(const Watcher&) = delete;
    ~Watcher();

    // Until the session's stop flag is set (then success) or an error retrying cannot fix.
    [[nodiscard]] Result<void> run();

  private:
    [[nodiscard]] Result<void> catch_up();
    [[nodiscard]] Result<void> receive_events(bool& gap);
    [[nodiscard]] Result<void> report(const ImageEvent& image);
    void download(const ImageEvent& image);
    // One check of the certificate log; what it finds is reported on err_ (and out_ with
    // --json), never ends the watcher.
    void check_log();

    Session& session_;
    Identity identity_;
    WatchOptions options_;
    std::ostream& out_;
    std::ostream& err_;
    std::unique_ptr<BrokerConnection> requests_;
    zmq::context_t context_{1};
    zmq::socket_t events_;
    std::unique_ptr<HandshakeMonitor> monitor_;
    std::uint64_t last_seq_ = 0;
    LogMonitor log_monitor_;
};

}  // namespace imgshare::client
