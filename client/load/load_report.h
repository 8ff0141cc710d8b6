// How a load run's figures are shown: a text table per operation (what a
// person reads), one JSON object (--json, what deploy/bench.sh reads), and
// the live progress line while the clients run.
//
// Units: MB/s are 10^6 bytes of image per second (the image's own length,
// not its padded ciphertext), latencies are milliseconds, rates are
// successful operations per second of the measured phase. The JSON always
// carries every field, zero when nothing was measured, and states which
// verification was done ("verify") and how many downloads it covered.
#pragma once

#include <atomic>
#include <cstdint>
#include <ostream>
#include <string>

#include <nlohmann/json.hpp>

#include "client/load/load_run.h"

namespace imgshare::client::load {

[[nodiscard]] nlohmann::ordered_json report_json(const LoadResult& result);
[[nodiscard]] std::string report_text(const LoadResult& result);

// "  12 s  post 1234 (102/s)  download 5000 (410/s)  list 300 (25/s)  errors 0"
[[nodiscard]] std::string progress_line(const LiveCounters& counters, double elapsed_s);

}  // namespace imgshare::client::load
