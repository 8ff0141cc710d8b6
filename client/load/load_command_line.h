// The `imgshare-load` command line: its flags (the surface of issue #6),
// their help, which says exactly what each figure measures, and the run.
//
// Exit status: 0 when the run completed (failed operations are counted in
// the report, not in the status), 1 when the setup failed (the error printed
// on stderr as "error: CODE: message"), 2 for a usage error.
#pragma once

#include <atomic>
#include <ostream>

namespace imgshare::client::load {

// `out` receives the report (text, or one JSON object with --json) and, when `live` is set
// (stdout is a terminal), the refreshed progress line; `err` the setup's progress and errors.
[[nodiscard]] int run_imgshare_load(int argc, const char* const* argv, std::ostream& out,
                                    std::ostream& err, bool live, const std::atomic<bool>& stop);

}  // namespace imgshare::client::load
