#include "storage-node/rados/write_in_flight.h"

#include <rados/librados.hpp>

#include "storage-node/rados/buffer_copy.h"
#include "storage-node/rados/rados_errors.h"

namespace imgshare::storage::rados {

struct WriteInFlight::State {
    librados::AioCompletion* completion = nullptr;
    librados::bufferlist data;  // the write's bytes, kept until it ended
    bool started = false;
    bool waited = false;

    State() = default;
    State(const State&) = delete;
    State& operator=(const State&) = delete;
    ~State() {
        if (completion == nullptr) return;
        if (started && !waited) completion->wait_for_complete();
        completion->release();
    }
};

Result<WriteInFlight> WriteInFlight::write_full(librados::IoCtx& io, const std::string& object,
                                                ByteView data) {
    return guarded("write", [&]() -> Result<WriteInFlight> {
        auto state = std::make_unique<State>();
        state->data = to_bufferlist(data);
        state->completion = librados::Rados::aio_create_completion();
        if (int r = io.aio_write_full(object, state->completion, state->data); r < 0) {
            return std::unexpected(rados_error(r, "write"));
        }
        state->started = true;
        return WriteInFlight(std::move(state));
    });
}

WriteInFlight::WriteInFlight(std::unique_ptr<State> state) : state_(std::move(state)) {}
WriteInFlight::WriteInFlight(WriteInFlight&&) noexcept = default;
WriteInFlight& WriteInFlight::operator=(WriteInFlight&&) noexcept = default;
WriteInFlight::~WriteInFlight() = default;

Result<void> WriteInFlight::wait() {
    if (!state_ || state_->waited) {
        return fail(ErrorCode::INTERNAL, "storage cluster: write: waited for twice");
    }
    state_->completion->wait_for_complete();
    state_->waited = true;
    if (const int r = state_->completion->get_return_value(); r < 0) {
        return std::unexpected(rados_error(r, "write"));
    }
    return {};
}

}  // namespace imgshare::storage::rados
