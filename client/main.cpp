// imgshare: the command-line client. Every command is in commands/, listed in
// command_table.cpp; this file only prepares the process.
#include <iostream>

#include "client/entry_points.h"
#include "common/process.h"

int main(int argc, char** argv) {
    imgshare::tune_allocator();
    imgshare::disable_core_dumps();
    auto& stop = imgshare::install_stop_signals();
    return imgshare::client::run_imgshare(argc, argv, std::cout, std::cerr, stop);
}
