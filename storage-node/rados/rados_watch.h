// A watch on one RADOS object (RadosPool::watch): while it lives, every notify sent to the
// object reaches its callback. Move-only; destroying it ends the watch and waits until no
// callback of it is running, so what the callback captured may be destroyed right after.
// Hence a Watch must never be destroyed from a callback (its own or another watch's of the
// same connection): that wait would never end.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <rados/librados_fwd.hpp>

#include "common/bytes.h"
#include "common/error.h"

namespace imgshare::storage::rados {

class WatchReceiver;

class Watch {
public:
    Watch(std::shared_ptr<librados::Rados> rados, std::unique_ptr<librados::IoCtx> io,
          std::unique_ptr<WatchReceiver> receiver, std::uint64_t handle);
    Watch(Watch&&) noexcept;
    Watch& operator=(Watch&&) noexcept;
    Watch(const Watch&) = delete;
    Watch& operator=(const Watch&) = delete;
    ~Watch();

    // OK while the cluster still holds the watch; SERVICE_UNAVAILABLE or NOT_FOUND once it
    // was lost (then notifies may have been missed).
    [[nodiscard]] Result<void> check() const;

private:
    void end();

    std::shared_ptr<librados::Rados> rados_;
    std::unique_ptr<librados::IoCtx> io_;
    std::unique_ptr<WatchReceiver> receiver_;
    std::uint64_t handle_ = 0;
};

}  // namespace imgshare::storage::rados
