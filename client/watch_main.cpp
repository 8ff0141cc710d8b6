// imgshare-watch: the subscribe-only watcher, the same code as `imgshare watch`.
#include <iostream>

#include "client/entry_points.h"
#include "common/process.h"

int main(int argc, char** argv) {
    imgshare::tune_allocator();
    imgshare::disable_core_dumps();
    auto& stop = imgshare::install_stop_signals();
    return imgshare::client::run_imgshare_watch(argc, argv, std::cout, std::cerr, stop);
}
