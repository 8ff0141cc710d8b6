// A whole `imgshare-load` run: set up (users, image bodies, the pool of
// sealed posts, setup images, subscribers, idle clients), then the measured
// phase with one thread per client, then the notifications still on their
// way, then the figures. Nothing before the measured phase is in them.
#pragma once

#include <atomic>
#include <cstdint>
#include <ostream>

#include "client/load/load_client.h"
#include "client/load/load_options.h"
#include "client/load/load_users.h"
#include "client/load/subscribers.h"
#include "common/error.h"

namespace imgshare::client::load {

struct LoadResult {
    LoadOptions options;
    double elapsed_s = 0;  // the measured phase: first operation started to last one ended
    ClientStats clients;   // merged over every client
    UserSetupReport users;
    std::optional<NotificationResult> notifications;  // with --subscribers
    std::size_t idle_clients = 0;
    bool interrupted = false;
};

// Runs the load `options` describe. Setup progress goes to `progress` as lines; a live line
// on `live` is refreshed every second while the clients run if `live_line` is set. Errors
// of the setup (CONFIG, BAD_REQUEST, the network's and the CA's) stop the run; failures of
// measured operations are counted in the result instead.
[[nodiscard]] Result<LoadResult> run_load(const LoadOptions& options, const std::atomic<bool>& stop,
                                          std::ostream& progress, std::ostream& live,
                                          bool live_line);

}  // namespace imgshare::client::load
