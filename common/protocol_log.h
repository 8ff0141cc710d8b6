// The protocol log of a process (DESIGN.md §5): every message it sends,
// receives or publishes, one JSON object per line:
//
//   {"time":"2026-11-23T20:10:13.123Z","process":"imgshare-broker","direction":"received",
//    "peer":"alice","type":"POST_CHUNK","id":7,"fields":{...},
//    "payload":{"len":262144,"sha256":"ab12cd34ef567890"}}
//
// `type` and `id` come from the header frame (null when it lacks them); its
// other entries appear under "header", unless they are just {"v":1}.
// `fields` is the body frame rendered generically (frame_summary.h: binary
// values as length + short SHA-256, secret-named fields "[redacted]",
// undecodable frames marked as such), `payload` the raw third frame as
// length + short SHA-256, and any further frames under "extra_frames".
// The log never holds message bytes that are binary, so neither keys nor
// image content can be read back from it.
//
// With LogFlush::EveryLine each line is in the kernel's hands when record()
// returns, so a process stopped by SIGTERM or killed loses nothing it has
// recorded. With LogFlush::Batched lines wait in a buffer (written out when
// it passes 256 KiB) until flush(): a server's loop flushes before it waits
// for input, so a line is at most one burst of messages late, SIGTERM loses
// nothing, and SIGKILL loses at most the burst in progress. One write() per
// line, or per few lines with stdio's buffer, cost the servers more than
// relaying a small request (docs/BENCHMARKS.md). Written-out pages are handed
// back to the kernel from 4 MiB behind the end (appended_page_release.h).
// The file is rotated by size (rotating_file.h: FILE.1 … FILE.keep, no line
// split or lost at the switch), so the log and its parts never take more than
// max_bytes × (keep + 1). record() may be called from several threads at once.
#pragma once

#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "common/bytes.h"
#include "common/rotating_file.h"

namespace imgshare {

enum class Direction { Received, Sent, Published };

enum class LogFlush { EveryLine, Batched };

// "received", "sent", "published": the values of the "direction" field.
[[nodiscard]] std::string_view to_string(Direction direction);

class ProtocolLog {
  public:
    // Opens `file` for appending, creating it and its directories; the file
    // is made mode 0600 (an existing file is tightened to 0600), and so is each
    // new file after a rotation. Throws std::runtime_error when any of that
    // fails: a start-up failure.
    ProtocolLog(std::string process_name, const std::filesystem::path& file,
                LogFlush flush = LogFlush::EveryLine, LogRotation rotation = {});

    // A log that writes nothing, for tests and tools that opt out.
    [[nodiscard]] static ProtocolLog disabled();

    ProtocolLog(ProtocolLog&&) noexcept;
    ProtocolLog& operator=(ProtocolLog&&) noexcept;
    ProtocolLog(const ProtocolLog&) = delete;
    ProtocolLog& operator=(const ProtocolLog&) = delete;
    ~ProtocolLog();

    // `frames` is one wire message as ZeroMQ frames, without routing frames
    // or a topic: frame 0 the msgpack header {v, type, id, user?}, frame 1 the
    // msgpack body, optional frame 2 the raw payload. Any bytes are accepted.
    // `peer` is who the message came from or went to: the authenticated user
    // (User-Id), "anon:<key prefix>", a service name, "broker"; for a
    // published event, its topic. Never throws; a line that cannot be
    // written is reported on the operational log instead.
    void record(Direction direction, std::string_view peer,
                std::span<const ByteView> frames) noexcept;
    void record(Direction direction, std::string_view peer, std::span<const Bytes> frames) noexcept;

    // Hands buffered lines to the operating system (with EveryLine, record()
    // already did). Never throws.
    void flush() noexcept;

    [[nodiscard]] bool enabled() const noexcept { return file_ != nullptr; }

  private:
    class File;
    ProtocolLog() = default;

    std::string process_name_;
    std::unique_ptr<File> file_;
};

}  // namespace imgshare
