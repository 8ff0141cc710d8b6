// librados' side of a Watch (rados_watch.h): receives a notify on a librados thread, hands
// its payload to the owner's callback, then acknowledges it; reports a lost watch. Used by
// rados_pool.cpp and rados_watch.cpp only. No exception from a callback reaches librados.
#pragma once

#include <functional>
#include <string>

#include <rados/librados.hpp>

#include "common/bytes.h"
#include "common/error.h"

namespace imgshare::storage::rados {

class WatchReceiver final : public librados::WatchCtx2 {
public:
    // `io` must outlive this receiver (the Watch owns both).
    WatchReceiver(librados::IoCtx& io, std::string object,
                  std::function<void(ByteView)> on_notify, std::function<void(const Error&)> on_error)
        : io_(io), object_(std::move(object)), on_notify_(std::move(on_notify)),
          on_error_(std::move(on_error)) {}

    void handle_notify(std::uint64_t notify_id, std::uint64_t cookie, std::uint64_t notifier_id,
                       librados::bufferlist& payload) override;
    void handle_error(std::uint64_t cookie, int error) override;

private:
    librados::IoCtx& io_;
    std::string object_;
    std::function<void(ByteView)> on_notify_;
    std::function<void(const Error&)> on_error_;
};

}  // namespace imgshare::storage::rados
