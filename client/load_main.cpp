// imgshare-load: the load generator (client/load/). This file only prepares the process.
#include <unistd.h>

#include <iostream>

#include "client/load/load_command_line.h"
#include "common/process.h"

int main(int argc, char** argv) {
    imgshare::tune_allocator();
    imgshare::disable_core_dumps();
    auto& stop = imgshare::install_stop_signals();
    const bool live = ::isatty(STDOUT_FILENO) == 1;
    return imgshare::client::load::run_imgshare_load(argc, argv, std::cout, std::cerr, live, stop);
}
