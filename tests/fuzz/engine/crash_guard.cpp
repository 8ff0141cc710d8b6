#include "tests/fuzz/engine/crash_guard.h"

#include <fcntl.h>
#include <sanitizer/common_interface_defs.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <thread>

namespace imgshare::fuzz {
namespace {

GuardOptions g_options;
std::atomic<const std::uint8_t*> g_input_data{nullptr};
std::atomic<std::size_t> g_input_size{0};
// Steady-clock milliseconds at which the current input started; 0 while idle.
std::atomic<std::int64_t> g_started_ms{0};
std::atomic_flag g_saved = ATOMIC_FLAG_INIT;

std::int64_t now_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

void write_all(int fd, const void* data, std::size_t size) {
    const auto* bytes = static_cast<const char*>(data);
    while (size > 0) {
        const ssize_t written = ::write(fd, bytes, size);
        if (written <= 0) return;
        bytes += written;
        size -= static_cast<std::size_t>(written);
    }
}

void say(const char* text) {
    write_all(STDERR_FILENO, text, std::strlen(text));
}

// Writes the current input as "<prefix><kind>-<hash>" and names the file on stderr, once.
// Async-signal-safe: no allocation, no stdio.
void save_current_input(const char* kind) {
    if (g_saved.test_and_set()) return;
    const std::uint8_t* data = g_input_data.load();
    const std::size_t size = g_input_size.load();
    if (!g_options.save_artifacts || (data == nullptr && size != 0)) return;

    std::uint64_t hash = 14695981039346656037ULL;  // FNV-1a: a name, not a defence
    for (std::size_t i = 0; i < size; ++i)
        hash = (hash ^ data[i]) * 1099511628211ULL;
    char path[4096];
    std::size_t used = 0;
    auto append = [&](const char* text) {
        for (; *text != '\0' && used + 1 < sizeof path; ++text)
            path[used++] = *text;
    };
    append(g_options.artifact_prefix.c_str());
    append(kind);
    append("-");
    char hex[17];
    for (int i = 0; i < 16; ++i)
        hex[i] = "0123456789abcdef"[(hash >> (60 - 4 * i)) & 0xf];
    hex[16] = '\0';
    append(hex);
    path[used] = '\0';

    const int fd = ::open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        say("==imgshare-fuzz== could not write the failing input to ");
        say(path);
        say("\n");
        return;
    }
    write_all(fd, data, size);
    ::close(fd);
    say("==imgshare-fuzz== ");
    say(kind);
    say(": Test unit written to ");
    say(path);
    say("\n");
}

void on_sanitizer_death() {
    save_current_input("crash");
}

void on_abort(int) {
    save_current_input("crash");
    ::signal(SIGABRT, SIG_DFL);
    ::raise(SIGABRT);
}

std::size_t resident_mb() {
    const int fd = ::open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    char text[128] = {};
    const ssize_t got = ::read(fd, text, sizeof text - 1);
    ::close(fd);
    if (got <= 0) return 0;
    unsigned long long total_pages = 0;
    unsigned long long resident_pages = 0;
    if (std::sscanf(text, "%llu %llu", &total_pages, &resident_pages) != 2) return 0;
    return static_cast<std::size_t>(
        resident_pages * static_cast<unsigned long long>(::sysconf(_SC_PAGESIZE)) >> 20);
}

[[noreturn]] void watchdog() {
    for (;;) {
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        const std::int64_t started = g_started_ms.load();
        if (started != 0 &&
            now_ms() - started > static_cast<std::int64_t>(g_options.timeout_seconds) * 1000) {
            std::fprintf(stderr, "==imgshare-fuzz== timeout: one input ran over %u s\n",
                         g_options.timeout_seconds);
            save_current_input("timeout");
            ::_exit(70);
        }
        if (g_options.rss_limit_mb != 0 && resident_mb() > g_options.rss_limit_mb) {
            std::fprintf(stderr, "==imgshare-fuzz== out of memory: resident size over %zu MB\n",
                         g_options.rss_limit_mb);
            save_current_input("oom");
            ::_exit(71);
        }
    }
}

}  // namespace

void install_crash_guard(GuardOptions options) {
    g_options = std::move(options);
    __sanitizer_set_death_callback(on_sanitizer_death);
    struct sigaction action {};
    action.sa_handler = on_abort;
    sigemptyset(&action.sa_mask);
    ::sigaction(SIGABRT, &action, nullptr);
    std::thread(watchdog).detach();
}

void input_started(const std::uint8_t* data, std::size_t size) {
    g_input_data.store(data);
    g_input_size.store(size);
    g_started_ms.store(now_ms());
}

void input_finished() {
    g_started_ms.store(0);
}

}  // namespace imgshare::fuzz

// Defaults for the sanitizers in every fuzz target (ASAN_OPTIONS / UBSAN_OPTIONS still win):
// every report ends in abort(), which on_abort() turns into a saved input; one allocation
// over 2 GiB from inputs of a few KiB is a bug in itself (libFuzzer's -malloc_limit_mb).
extern "C" const char* __asan_default_options() {
    return "abort_on_error=1:handle_abort=0:allocator_may_return_null=0:"
           "max_allocation_size_mb=2048:detect_leaks=1";
}

extern "C" const char* __ubsan_default_options() {
    return "halt_on_error=1:abort_on_error=1:print_stacktrace=1";
}
