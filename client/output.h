// How the client shows things: stable text lines on stdout (documented in each
// command's --help), JSON lines with --json, progress on stderr only when
// stderr is a terminal.
//
// Text that came from the network (names, owners) is shown through
// printable(), so a hostile server cannot send terminal escape sequences to
// the user's screen.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace imgshare::client {

// "2026-11-23T20:10:13Z" (UTC).
[[nodiscard]] std::string format_utc(std::int64_t seconds);

// A size for people: "512 B", "12.3 MiB", "100 MiB" (binary units; one decimal unless
// exact).
[[nodiscard]] std::string format_size(std::uint64_t bytes);

// `text` with every byte outside printable ASCII replaced by '?'.
[[nodiscard]] std::string printable(std::string_view text);

// One line, then flush (a reader at the other end of a pipe sees it at once).
void print_line(std::ostream& out, std::string_view line);
// One compact JSON object per line; invalid UTF-8 is replaced, never thrown on.
void print_json_line(std::ostream& out, const nlohmann::json& value);

// "posted 12/40 chunks" on one refreshed stderr line, only if stderr is a terminal.
class TransferProgress {
  public:
    TransferProgress(std::string label, std::uint32_t total);
    TransferProgress(const TransferProgress&) = delete;
    TransferProgress& operator=(const TransferProgress&) = delete;
    ~TransferProgress();

    void update(std::uint32_t done);

  private:
    std::string label_;
    std::uint32_t total_;
    bool shown_;
};

}  // namespace imgshare::client
