#include "storage-node/rados/rados_pool.h"

#include <cerrno>
#include <climits>
#include <memory>
#include <utility>

#include <rados/librados.hpp>

#include "storage-node/rados/buffer_copy.h"
#include "storage-node/rados/rados_errors.h"
#include "storage-node/rados/watch_receiver.h"

namespace imgshare::storage::rados {

namespace {

std::map<std::string, librados::bufferlist> to_bufferlists(const OmapValues& values) {
    std::map<std::string, librados::bufferlist> out;
    for (const auto& [key, value] : values) {
        out.emplace(key, to_bufferlist(value));
    }
    return out;
}

OmapValues to_values(const std::map<std::string, librados::bufferlist>& lists) {
    OmapValues out;
    for (const auto& [key, list] : lists) {
        out.emplace(key, to_bytes(list));
    }
    return out;
}

// omap_cmp assertions that each key holds exactly its value.
std::map<std::string, std::pair<librados::bufferlist, int>> equal_to(const OmapValues& values) {
    std::map<std::string, std::pair<librados::bufferlist, int>> out;
    for (const auto& [key, value] : values) {
        out.emplace(key, std::pair{to_bufferlist(value), LIBRADOS_CMPXATTR_OP_EQ});
    }
    return out;
}

Result<void> checked(int result, std::string_view what) {
    if (result < 0) {
        return std::unexpected(rados_error(result, what));
    }
    return {};
}

}  // namespace

RadosPool::RadosPool(std::shared_ptr<librados::Rados> rados, std::unique_ptr<librados::IoCtx> io)
    : rados_(std::move(rados)), io_(std::move(io)) {}
RadosPool::RadosPool(RadosPool&&) noexcept = default;
RadosPool& RadosPool::operator=(RadosPool&&) noexcept = default;
RadosPool::~RadosPool() = default;

Result<void> RadosPool::write_full(const std::string& object, ByteView data) const {
    return guarded("write", [&]() -> Result<void> {
        auto list = to_bufferlist(data);
        return checked(io_->write_full(object, list), "write");
    });
}

Result<WriteInFlight> RadosPool::begin_write_full(const std::string& object,
                                                  ByteView data) const {
    return WriteInFlight::write_full(*io_, object, data);
}

Result<Bytes> RadosPool::read(const std::string& object) const {
    // A length of 0 reads the whole object.
    return read(object, 0, 0);
}

Result<Bytes> RadosPool::read(const std::string& object, std::uint64_t offset,
                              std::uint64_t length) const {
    return guarded("read", [&]() -> Result<Bytes> {
        if (length > INT_MAX) {
            return fail(ErrorCode::TOO_LARGE, "storage cluster: read: range too long");
        }
        librados::bufferlist list;
        if (int r = io_->read(object, list, static_cast<std::size_t>(length), offset); r < 0) {
            return std::unexpected(rados_error(r, "read"));
        }
        return to_bytes(list);
    });
}

std::vector<Result<Bytes>> RadosPool::read_each(const std::vector<std::string>& objects) const {
    std::vector<Result<Bytes>> out;
    out.reserve(objects.size());
    if (objects.size() > kMaxReadEach) {
        out.assign(objects.size(),
                   fail(ErrorCode::INTERNAL, "storage cluster: read: too many at once"));
        return out;
    }
    // One read in flight. librados writes into `data` and `result` until it completes, so
    // it is waited for before it goes, however this function is left.
    struct InFlight {
        librados::AioCompletion* completion = nullptr;
        librados::bufferlist data;
        int result = 0;
        int started = -EINVAL;
        InFlight() = default;
        InFlight(const InFlight&) = delete;
        InFlight& operator=(const InFlight&) = delete;
        ~InFlight() {
            if (completion == nullptr) return;
            if (started >= 0) completion->wait_for_complete();
            completion->release();
        }
    };
    auto reads = std::make_unique<InFlight[]>(objects.size());
    auto waited = guarded("read", [&]() -> Result<void> {
        for (std::size_t i = 0; i < objects.size(); ++i) {
            auto& read = reads[i];
            read.completion = librados::Rados::aio_create_completion();
            librados::ObjectReadOperation op;
            op.read(0, 0, &read.data, &read.result);  // a length of 0 reads the whole object
            read.started = io_->aio_operate(objects[i], read.completion, &op, nullptr);
        }
        for (std::size_t i = 0; i < objects.size(); ++i) {
            auto& read = reads[i];
            if (read.started < 0) continue;
            read.completion->wait_for_complete();
            read.started = read.completion->get_return_value();
            if (read.started >= 0 && read.result < 0) read.started = read.result;
        }
        return {};
    });
    for (std::size_t i = 0; i < objects.size(); ++i) {
        if (!waited) {
            out.push_back(std::unexpected(waited.error()));
        } else if (reads[i].started < 0) {
            out.push_back(std::unexpected(rados_error(reads[i].started, "read")));
        } else {
            out.push_back(to_bytes(reads[i].data));
        }
    }
    return out;
}

Result<void> RadosPool::remove(const std::string& object) const {
    return guarded("remove", [&] { return checked(io_->remove(object), "remove"); });
}

Result<ObjectStat> RadosPool::stat(const std::string& object) const {
    return guarded("stat", [&]() -> Result<ObjectStat> {
        ObjectStat stat;
        if (int r = io_->stat(object, &stat.size, &stat.modified); r < 0) {
            return std::unexpected(rados_error(r, "stat"));
        }
        return stat;
    });
}

Result<std::vector<std::string>> RadosPool::list_objects(const std::string& prefix) const {
    return guarded("list", [&]() -> Result<std::vector<std::string>> {
        std::vector<std::string> names;
        for (auto it = io_->nobjects_begin(); it != io_->nobjects_end(); ++it) {
            if (it->get_oid().starts_with(prefix)) names.push_back(it->get_oid());
        }
        return names;
    });
}

Result<WriteOutcome> RadosPool::write(const std::string& object, const ObjectWrite& write) const {
    return guarded("write", [&]() -> Result<WriteOutcome> {
        librados::ObjectWriteOperation op;
        if (write.create_exclusive) {
            op.create(true);
        }
        int comparison = 0;
        if (!write.omap_equals.empty()) {
            op.omap_cmp(equal_to(write.omap_equals), &comparison);
        }
        if (write.data) {
            op.write_full(to_bufferlist(*write.data));
        }
        if (!write.omap_set.empty()) {
            op.omap_set(to_bufferlists(write.omap_set));
        }
        if (!write.omap_remove.empty()) {
            op.omap_rm_keys(write.omap_remove);
        }
        if (write.remove_object) {
            op.remove();
        }
        const int r = io_->operate(object, &op);
        if (r == -EEXIST && write.create_exclusive) {
            return WriteOutcome::AlreadyExists;
        }
        if (r == -ECANCELED) {
            return WriteOutcome::ComparisonFailed;
        }
        if (r < 0) {
            return std::unexpected(rados_error(r, "write"));
        }
        return WriteOutcome::Done;
    });
}

Result<OmapValues> RadosPool::omap_get(const std::string& object,
                                       const std::set<std::string>& keys) const {
    return guarded("omap read", [&]() -> Result<OmapValues> {
        librados::ObjectReadOperation op;
        std::map<std::string, librados::bufferlist> found;
        int result = 0;
        op.omap_get_vals_by_keys(keys, &found, &result);
        if (int r = io_->operate(object, &op, nullptr); r < 0) {
            return std::unexpected(rados_error(r, "omap read"));
        }
        return to_values(found);
    });
}

Result<OmapPage> RadosPool::omap_get_after(const std::string& object, const std::string& after,
                                           std::uint64_t limit) const {
    return guarded("omap read", [&]() -> Result<OmapPage> {
        librados::ObjectReadOperation op;
        std::map<std::string, librados::bufferlist> found;
        OmapPage page;
        int result = 0;
        op.omap_get_vals2(after, limit, &found, &page.more, &result);
        if (int r = io_->operate(object, &op, nullptr); r < 0) {
            return std::unexpected(rados_error(r, "omap read"));
        }
        page.values = to_values(found);
        return page;
    });
}

Result<DataAndOmap> RadosPool::read_with_omap(const std::string& object,
                                             const std::string& prefix,
                                             std::uint64_t limit) const {
    return guarded("read", [&]() -> Result<DataAndOmap> {
        librados::ObjectReadOperation op;
        librados::bufferlist data;
        std::map<std::string, librados::bufferlist> found;
        DataAndOmap out;
        int data_result = 0;
        int omap_result = 0;
        op.read(0, 0, &data, &data_result);  // a length of 0 reads the whole object
        op.omap_get_vals2("", prefix, limit, &found, &out.omap.more, &omap_result);
        if (int r = io_->operate(object, &op, nullptr); r < 0) {
            return std::unexpected(rados_error(r, "read"));
        }
        if (data_result < 0) return std::unexpected(rados_error(data_result, "read"));
        if (omap_result < 0) return std::unexpected(rados_error(omap_result, "omap read"));
        out.data = to_bytes(data);
        out.omap.values = to_values(found);
        return out;
    });
}

Result<void> RadosPool::omap_set(const std::string& object, const OmapValues& values) const {
    return guarded("omap write", [&] {
        return checked(io_->omap_set(object, to_bufferlists(values)), "omap write");
    });
}

Result<void> RadosPool::omap_remove(const std::string& object,
                                    const std::set<std::string>& keys) const {
    return guarded("omap remove", [&] {
        return checked(io_->omap_rm_keys(object, keys), "omap remove");
    });
}

Result<bool> RadosPool::compare_and_swap(const std::string& object, const std::string& key,
                                         ByteView expected, ByteView desired) const {
    ObjectWrite swap;
    swap.omap_equals.emplace(key, Bytes(expected.begin(), expected.end()));
    swap.omap_set.emplace(key, Bytes(desired.begin(), desired.end()));
    auto outcome = write(object, swap);
    if (!outcome) {
        return std::unexpected(outcome.error());
    }
    return *outcome == WriteOutcome::Done;
}

Result<Watch> RadosPool::watch(const std::string& object,
                               std::function<void(ByteView payload)> on_notify,
                               std::function<void(const Error&)> on_error) const {
    return guarded("watch", [&]() -> Result<Watch> {
        auto io = std::make_unique<librados::IoCtx>(*io_);
        auto receiver = std::make_unique<WatchReceiver>(*io, object, std::move(on_notify),
                                                        std::move(on_error));
        std::uint64_t handle = 0;
        if (int r = io->watch2(object, &handle, receiver.get()); r < 0) {
            return std::unexpected(rados_error(r, "watch"));
        }
        return Watch(rados_, std::move(io), std::move(receiver), handle);
    });
}

Result<NotifyResult> RadosPool::notify(const std::string& object, ByteView payload,
                                       std::chrono::milliseconds timeout) const {
    return guarded("notify", [&]() -> Result<NotifyResult> {
        auto list = to_bufferlist(payload);
        librados::bufferlist reply;
        const int r = io_->notify2(object, list, static_cast<std::uint64_t>(timeout.count()), &reply);
        // A watcher that did not acknowledge in time makes the whole notify -ETIMEDOUT, with
        // the reply still saying who answered; without a reply the cluster did not answer.
        if (r < 0 && (r != -ETIMEDOUT || reply.length() == 0)) {
            return std::unexpected(rados_error(r, "notify"));
        }
        std::vector<librados::notify_ack_t> acks;
        std::vector<librados::notify_timeout_t> timeouts;
        io_->decode_notify_response(reply, &acks, &timeouts);
        return NotifyResult{acks.size(), timeouts.size()};
    });
}

}  // namespace imgshare::storage::rados
