#include "storage-node/rados/rados_watch.h"

#include <rados/librados.hpp>

#include "storage-node/rados/buffer_copy.h"
#include "storage-node/rados/rados_errors.h"
#include "storage-node/rados/watch_receiver.h"

namespace imgshare::storage::rados {

void WatchReceiver::handle_notify(std::uint64_t notify_id, std::uint64_t cookie,
                                  std::uint64_t /*notifier_id*/, librados::bufferlist& payload) {
    try {
        const Bytes bytes = to_bytes(payload);
        if (on_notify_) {
            on_notify_(bytes);
        }
    } catch (...) {
        // The owner's callback failing must not take librados' thread down; the notify is
        // still acknowledged, so the notifier does not wait for its timeout.
    }
    librados::bufferlist no_reply;
    io_.notify_ack(object_, notify_id, cookie, no_reply);
}

void WatchReceiver::handle_error(std::uint64_t /*cookie*/, int error) {
    try {
        if (on_error_) {
            on_error_(rados_error(error, "watch"));
        }
    } catch (...) {
        // As above: nothing may unwind into librados.
    }
}

Watch::Watch(std::shared_ptr<librados::Rados> rados, std::unique_ptr<librados::IoCtx> io,
             std::unique_ptr<WatchReceiver> receiver, std::uint64_t handle)
    : rados_(std::move(rados)), io_(std::move(io)), receiver_(std::move(receiver)),
      handle_(handle) {}

Watch::Watch(Watch&& other) noexcept
    : rados_(std::move(other.rados_)), io_(std::move(other.io_)),
      receiver_(std::move(other.receiver_)), handle_(std::exchange(other.handle_, 0)) {}

Watch& Watch::operator=(Watch&& other) noexcept {
    if (this != &other) {
        end();
        rados_ = std::move(other.rados_);
        io_ = std::move(other.io_);
        receiver_ = std::move(other.receiver_);
        handle_ = std::exchange(other.handle_, 0);
    }
    return *this;
}

Watch::~Watch() { end(); }

void Watch::end() {
    if (!io_ || !receiver_) {
        return;
    }
    // unwatch2 stops new callbacks; watch_flush waits for any still running, so the
    // receiver (and what its callbacks captured) can go.
    (void)io_->unwatch2(handle_);
    (void)rados_->watch_flush();
    receiver_.reset();
    io_.reset();
}

Result<void> Watch::check() const {
    return guarded("watch", [&]() -> Result<void> {
        if (!io_) {
            return fail(ErrorCode::INTERNAL, "storage cluster: watch: moved from");
        }
        if (int r = io_->watch_check(handle_); r < 0) {
            return std::unexpected(rados_error(r, "watch"));
        }
        return {};
    });
}

}  // namespace imgshare::storage::rados
