// A write to one RADOS object begun and not yet waited for (RadosPool::begin_write_full):
// several of them are in flight together, where synchronous writes wait a round trip each.
// Move-only. Destroying it waits for the write first (librados uses its buffer and
// completion until then), so none outlives what it writes from; wait() gives its result.
#pragma once

#include <memory>
#include <string>

#include <rados/librados_fwd.hpp>

#include "common/bytes.h"
#include "common/error.h"

namespace imgshare::storage::rados {

class WriteInFlight {
public:
    // Begins replacing `object`'s data with a copy of `data` on `io` (RadosPool's).
    [[nodiscard]] static Result<WriteInFlight> write_full(librados::IoCtx& io,
                                                          const std::string& object,
                                                          ByteView data);

    WriteInFlight(WriteInFlight&&) noexcept;
    WriteInFlight& operator=(WriteInFlight&&) noexcept;
    WriteInFlight(const WriteInFlight&) = delete;
    WriteInFlight& operator=(const WriteInFlight&) = delete;
    ~WriteInFlight();

    // Waits until the cluster acknowledged the write (or refused it): the result the
    // synchronous write would have had (rados_errors.h). Once only; INTERNAL after that.
    [[nodiscard]] Result<void> wait();

private:
    struct State;
    explicit WriteInFlight(std::unique_ptr<State> state);

    std::unique_ptr<State> state_;
};

}  // namespace imgshare::storage::rados
