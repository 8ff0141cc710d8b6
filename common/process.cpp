#include "common/process.h"

#include <malloc.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include <csignal>

namespace imgshare {
namespace {

std::atomic<bool> g_stop_requested{false};

extern "C" void on_stop_signal(int) {
    g_stop_requested.store(true);
}

}  // namespace

void tune_allocator() {
    // 8 MiB: well above the largest message (~1 MiB frames) so they come from
    // the heap and are reused; free memory is returned once 32 MiB pile up.
    mallopt(M_MMAP_THRESHOLD, 8 * 1024 * 1024);
    mallopt(M_TRIM_THRESHOLD, 32 * 1024 * 1024);
}

std::atomic<bool>& install_stop_signals() {
    struct sigaction action {};
    action.sa_handler = on_stop_signal;
    sigemptyset(&action.sa_mask);
    sigaction(SIGTERM, &action, nullptr);
    sigaction(SIGINT, &action, nullptr);
    std::signal(SIGPIPE, SIG_IGN);
    return g_stop_requested;
}

void disable_core_dumps() {
    struct rlimit limit {
        0, 0
    };
    setrlimit(RLIMIT_CORE, &limit);
#if !defined(__SANITIZE_ADDRESS__)
    // LeakSanitizer ptrace-attaches to the process at exit, which this forbids.
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
#endif
}

}  // namespace imgshare
