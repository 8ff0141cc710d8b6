// Time as a seam: services and certificate checks ask a Clock, so unit tests
// can move time without sleeping. Integration tests use SystemClock.
#pragma once

#include <chrono>
#include <cstdint>

namespace imgshare {

class Clock {
  public:
    virtual ~Clock() = default;
    // Seconds since the Unix epoch (certificate validity, created_at).
    [[nodiscard]] virtual std::int64_t now_seconds() const = 0;
    // Monotonic milliseconds (time-outs, heartbeats, expiry of pending uploads).
    [[nodiscard]] virtual std::int64_t monotonic_ms() const = 0;
};

class SystemClock final : public Clock {
  public:
    [[nodiscard]] std::int64_t now_seconds() const override {
        using namespace std::chrono;
        return duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
    }
    [[nodiscard]] std::int64_t monotonic_ms() const override {
        using namespace std::chrono;
        return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
    }
};

// A clock tests move by hand.
class ManualClock final : public Clock {
  public:
    explicit ManualClock(std::int64_t seconds = 1'700'000'000) : seconds_(seconds) {}
    [[nodiscard]] std::int64_t now_seconds() const override { return seconds_; }
    [[nodiscard]] std::int64_t monotonic_ms() const override { return monotonic_ms_; }
    void advance_seconds(std::int64_t seconds) {
        seconds_ += seconds;
        monotonic_ms_ += seconds * 1000;
    }
    void advance_ms(std::int64_t ms) { monotonic_ms_ += ms; }

  private:
    std::int64_t seconds_;
    std::int64_t monotonic_ms_ = 0;
};

}  // namespace imgshare
