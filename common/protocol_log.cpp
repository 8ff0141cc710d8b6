#include "common/protocol_log.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <mutex>
#include <stdexcept>
#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "common/binary_summary.h"
#include "common/frame_summary.h"
#include "common/json_text.h"

namespace imgshare {
namespace {

constexpr std::size_t kMaxShownPeerBytes = 256;
constexpr std::size_t kMaxShownExtraFrames = 16;

// "2026-11-23T20:10:13.123Z" appended to `out`. The part up to the second is
// formatted once per second per thread: gmtime and a format per line were a
// tenth of the broker's log work.
void append_utc_timestamp(std::string& out) {
    using namespace std::chrono;
    struct SecondText {
        std::int64_t second = -1;
        std::string text;  // "2026-11-23T20:10:13."
    };
    thread_local SecondText last;
    auto since_epoch = duration_cast<milliseconds>(system_clock::now().time_since_epoch());
    const std::int64_t second = since_epoch.count() / 1000;
    const auto millis = static_cast<int>(since_epoch.count() % 1000);
    if (second != last.second) {
        std::time_t seconds = static_cast<std::time_t>(second);
        std::tm parts{};
        ::gmtime_r(&seconds, &parts);
        last.text =
            fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.", parts.tm_year + 1900,
                        parts.tm_mon + 1, parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec);
        last.second = second;
    }
    out.append(last.text);
    out.push_back(static_cast<char>('0' + millis / 100));
    out.push_back(static_cast<char>('0' + millis / 10 % 10));
    out.push_back(static_cast<char>('0' + millis % 10));
    out.push_back('Z');
}

// The broker logs every relayed body twice, received and sent, with the same
// bytes: rendering is a pure function of the bytes, so the last rendering on
// this thread is reused when the next body is byte-for-byte the same. Bodies
// over 64 KiB are not kept (a compare would cost more than it saves).
class LastBodyRendering {
  public:
    void append(std::string& out, ByteView body) {
        if (body.size() > kMaxKeptBytes) {
            append_msgpack_frame_summary(out, body);
            return;
        }
        if (valid_ && body.size() == bytes_.size() &&
            std::equal(body.begin(), body.end(), bytes_.begin())) {
            out.append(text_);
            return;
        }
        valid_ = false;
        text_.clear();
        append_msgpack_frame_summary(text_, body);
        bytes_.assign(body.begin(), body.end());
        valid_ = true;
        out.append(text_);
    }

  private:
    static constexpr std::size_t kMaxKeptBytes = 64 * 1024;
    std::vector<std::uint8_t> bytes_;
    std::string text_;
    bool valid_ = false;
};

void append_body_summary(std::string& out, ByteView body) {
    thread_local LastBodyRendering last;
    last.append(out, body);
}

void append_field(std::string& out, std::string_view name) {
    out.append(",\"");
    out.append(name);
    out.append("\":");
}

// One JSON line, written directly (frame_summary.h): keys in the documented order.
std::string render_line(std::string_view process_name, Direction direction, std::string_view peer,
                        std::span<const ByteView> frames) {
    std::string line;
    line.reserve(512);
    line.append(R"({"time":")");
    append_utc_timestamp(line);
    line.append(R"(","process":)");
    append_json_string(line, process_name);
    line.append(R"(,"direction":")");
    line.append(to_string(direction));
    line.append(R"(","peer":)");
    append_json_string(line, peer.substr(0, kMaxShownPeerBytes));
    line.push_back(',');
    if (frames.empty()) {
        line.append(R"("type":null,"id":null)");
    } else {
        append_header_summary(line, frames[0]);
    }
    if (frames.size() > 1) {
        append_field(line, "fields");
        append_body_summary(line, frames[1]);
    }
    if (frames.size() > 2) {
        append_field(line, "payload");
        append_payload_summary(line, frames[2]);
    }
    if (frames.size() > 3) {
        append_field(line, "extra_frames");
        line.push_back('[');
        auto shown = std::min(frames.size() - 3, kMaxShownExtraFrames);
        for (std::size_t i = 0; i < shown; ++i) {
            if (i > 0) line.push_back(',');
            append_binary_summary(line, frames[3 + i]);
        }
        line.push_back(']');
        append_field(line, "frame_count");
        line.append(std::to_string(frames.size()));
    }
    line.push_back('}');
    return line;
}

}  // namespace

std::string_view to_string(Direction direction) {
    switch (direction) {
        case Direction::Received:
            return "received";
        case Direction::Sent:
            return "sent";
        case Direction::Published:
            return "published";
    }
    return "unknown";
}

// The open file and the lines not yet written to it.
class ProtocolLog::File {
  public:
    File(const std::filesystem::path& file, LogFlush flush, LogRotation rotation)
        // The log names users and images, which only the process's owner may read.
        : file_(file, 0600, rotation), flush_(flush) {}
    File(const File&) = delete;
    File& operator=(const File&) = delete;
    ~File() {
        try {
            write_out();
        } catch (...) {
            // A destructor must not throw; what could not be written is lost either way.
        }
    }

    void append(std::string_view line) {
        std::lock_guard lock(mutex_);
        pending_.append(line);
        pending_.push_back('\n');
        if (flush_ == LogFlush::EveryLine || pending_.size() >= kWriteAtBytes) write_out_locked();
    }

    void write_out() {
        std::lock_guard lock(mutex_);
        write_out_locked();
    }

  private:
    static constexpr std::size_t kWriteAtBytes = 256 * 1024;

    // On a failed write the lines are dropped, not kept: the buffer stays
    // bounded on a full disk. The operational log says so when losing starts
    // and when writing works again (with the bytes lost), not once per burst.
    void write_out_locked() {
        if (pending_.empty()) return;
        auto appended = file_.append(pending_);
        if (appended.bytes < pending_.size()) {
            if (lost_bytes_ == 0) {
                spdlog::error("protocol log: lines are being lost: {}",
                              std::strerror(appended.error));
            }
            lost_bytes_ += pending_.size() - appended.bytes;
        } else if (lost_bytes_ > 0) {
            spdlog::warn("protocol log: writing again; {} bytes of lines were lost", lost_bytes_);
            lost_bytes_ = 0;
        }
        pending_.clear();
        if (pending_.capacity() > 2 * kWriteAtBytes) pending_.shrink_to_fit();
    }

    RotatingFile file_;
    LogFlush flush_;
    std::mutex mutex_;
    std::string pending_;
    std::size_t lost_bytes_ = 0;  // since the last successful write
};

ProtocolLog::ProtocolLog(std::string process_name, const std::filesystem::path& file,
                         LogFlush flush, LogRotation rotation)
    : process_name_(std::move(process_name)) {
    try {
        file_ = std::make_unique<File>(file, flush, rotation);
    } catch (const std::exception& error) {
        throw std::runtime_error(
            fmt::format("protocol log '{}' unusable: {}", file.string(), error.what()));
    }
}

ProtocolLog ProtocolLog::disabled() {
    return ProtocolLog();
}

ProtocolLog::ProtocolLog(ProtocolLog&&) noexcept = default;
ProtocolLog& ProtocolLog::operator=(ProtocolLog&&) noexcept = default;
ProtocolLog::~ProtocolLog() = default;  // File's destructor writes what is pending

void ProtocolLog::record(Direction direction, std::string_view peer,
                         std::span<const ByteView> frames) noexcept {
    if (!file_) return;
    try {
        file_->append(render_line(process_name_, direction, peer, frames));
    } catch (const std::exception& error) {
        try {
            spdlog::error("protocol log: a {} message was not recorded: {}", to_string(direction),
                          error.what());
        } catch (...) {
            // Nowhere left to report to; the caller's work must go on.
        }
    } catch (...) {
        // As above: record() must not throw into the message loop.
    }
}

void ProtocolLog::record(Direction direction, std::string_view peer,
                         std::span<const Bytes> frames) noexcept {
    if (!file_) return;
    try {
        std::vector<ByteView> views(frames.begin(), frames.end());
        record(direction, peer, std::span<const ByteView>(views));
    } catch (...) {
        // Only the vector's allocation can fail here; see record() above.
    }
}

void ProtocolLog::flush() noexcept {
    if (!file_) return;
    try {
        file_->write_out();
    } catch (...) {
        // Only the lock or the error report can throw; the loop goes on.
    }
}

}  // namespace imgshare
