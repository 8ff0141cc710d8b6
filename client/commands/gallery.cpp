// imgshare gallery [--port P] [--no-open]: the local web page of docs/GALLERY.md. Unlocks the
// keys once, serves on 127.0.0.1 until SIGINT/SIGTERM, prints the URL (with its secret token:
// for the user's eyes, never a log) and opens it where there is a desktop.
#include <fcntl.h>
#include <malloc.h>
#include <spawn.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdlib>
#include <memory>
#include <thread>

#include <fmt/format.h>

#include "client/commands/command.h"
#include "client/gallery/gallery_server.h"
#include "client/gallery/image_cache.h"
#include "client/gallery_images.h"
#include "client/output.h"

extern char** environ;

namespace imgshare::client {
namespace {

struct GalleryOptions {
    int port = 0;
    bool no_open = false;
    std::size_t cache_mib = gallery::kDefaultImageCacheBytes >> 20;
    std::int64_t log_check_seconds = 60;
};

bool has_desktop() {
    for (const char* variable : {"DISPLAY", "WAYLAND_DISPLAY"}) {
        const char* value = std::getenv(variable);
        if (value != nullptr && *value != '\0') return true;
    }
    return false;
}

// xdg-open URL, not waited for beyond its own start: a failure only means the user opens
// the printed URL by hand.
void open_in_browser(const std::string& url, std::ostream& err) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    std::string program = "xdg-open";
    char* argv[] = {program.data(), const_cast<char*>(url.c_str()), nullptr};
    pid_t pid = 0;
    int failed = posix_spawnp(&pid, "xdg-open", &actions, nullptr, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    if (failed != 0) {
        err << "gallery: could not run xdg-open; open the URL above in your browser\n";
        return;
    }
    int status = 0;
    ::waitpid(pid, &status, 0);  // xdg-open hands the URL over and exits
}

Result<void> run_gallery(const GalleryOptions& options, const CommandContext& context) {
    // Decrypted images are large and come and go with the cache: a fixed mmap threshold keeps
    // each in its own mapping, given back to the system when it leaves, instead of glibc's
    // sliding threshold moving them into heaps that keep their peak (docs/BENCHMARKS.md).
    ::mallopt(M_MMAP_THRESHOLD, 1 << 20);
    // Two heaps, not one per busy server thread (up to 8 per core): each keeps what it freed up
    // to the trim threshold, and with 32 MiB of cache that was 91-100 MiB at peak against 68
    // with two, the page fetching all 200 images 6 or 16 at a time (docs/BENCHMARKS.md).
    ::mallopt(M_ARENA_MAX, 2);
    auto session = Session::open(context.options, context.stop);
    if (!session) return std::unexpected(session.error());
    auto identity = (*session)->unlock();
    if (!identity) return std::unexpected(identity.error());
    auto images = GalleryImages::open(**session, std::move(*identity), context.err,
                                      options.cache_mib << 20,
                                      std::chrono::seconds(options.log_check_seconds));
    if (!images) return std::unexpected(images.error());
    auto server = gallery::GalleryServer::start(options.port, **images);
    if (!server) return std::unexpected(server.error());
    const std::string url = (*server)->url();
    if (context.options.json) {
        print_json_line(context.out, {{"url", url}, {"port", (*server)->port()}});
    } else {
        print_line(context.out, fmt::format("gallery at {} (Ctrl-C stops it)", url));
    }
    if (!options.no_open && has_desktop()) open_in_browser(url, context.err);
    // The stop flag is set by SIGINT/SIGTERM; the server's threads do the work meanwhile.
    while (!context.stop.load()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    server->reset();  // stops serving before the images' connection goes
    if (!context.options.json) print_line(context.out, "gallery stopped");
    return {};
}

}  // namespace

CommandAction define_gallery(CLI::App& command) {
    auto options = std::make_shared<GalleryOptions>();
    command.add_option("--port", options->port, "Port on 127.0.0.1 (default: a free one)")
        ->check(CLI::Range(0, 65535));
    command.add_flag("--no-open", options->no_open, "Do not open the page in a browser");
    command.add_option("--cache-mib", options->cache_mib,
                       "Decrypted images kept in memory, in MiB (default 256)")
        ->check(CLI::Range(1, 4096));
    command.add_option("--log-check", options->log_check_seconds,
                       "Seconds between checks of the certificate log for certificates in your "
                       "name with keys that are not yours (0: never); a finding is printed as "
                       "error: IMPERSONATION: … and shown at the top of the page")
        ->check(CLI::Range(0, 86'400))
        ->capture_default_str();
    command.footer(
        "Serves a page of the images you may read on 127.0.0.1 only, each shown only after "
        "every check of `download` passed (docs/GALLERY.md).\n"
        "Output: gallery at http://127.0.0.1:PORT/?token=TOKEN (Ctrl-C stops it); the token "
        "is a secret for this run: do not share the URL.\n"
        "--json: {\"url\":…,\"port\":…}");
    return [options](const CommandContext& context) { return run_gallery(*options, context); };
}

}  // namespace imgshare::client
