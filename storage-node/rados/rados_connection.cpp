#include "storage-node/rados/rados_connection.h"

#include <string>

#include <rados/librados.hpp>

#include "storage-node/rados/buffer_copy.h"
#include "storage-node/rados/rados_errors.h"

namespace imgshare::storage::rados {

namespace {

// librados' handle, shut down when the last pool or watch using it is gone.
std::shared_ptr<librados::Rados> new_handle() {
    return std::shared_ptr<librados::Rados>(new librados::Rados(), [](librados::Rados* rados) {
        rados->shutdown();
        delete rados;
    });
}

}  // namespace

Result<RadosConnection> RadosConnection::connect(const ConnectOptions& options) {
    return guarded("connect", [&]() -> Result<RadosConnection> {
        if (options.op_timeout.count() <= 0 || options.mount_timeout.count() <= 0) {
            return fail(ErrorCode::CONFIG, "storage cluster: timeouts must be positive");
        }
        auto rados = new_handle();
        const std::string name = "client." + options.user;
        if (int r = rados->init2(name.c_str(), "ceph", 0); r < 0) {
            return fail(ErrorCode::CONFIG, "storage cluster: bad client name");
        }
        if (int r = rados->conf_read_file(options.conf_file.c_str()); r < 0) {
            return fail(ErrorCode::CONFIG,
                        "storage cluster: cannot read the Ceph configuration file (--ceph-conf)");
        }
        const std::string op_timeout = std::to_string(options.op_timeout.count());
        const std::string mount_timeout = std::to_string(options.mount_timeout.count());
        // Set after the file, so that the file cannot lift them back to "wait forever".
        for (const auto& [option, value] : {std::pair{"rados_osd_op_timeout", &op_timeout},
                                            std::pair{"rados_mon_op_timeout", &op_timeout},
                                            std::pair{"client_mount_timeout", &mount_timeout}}) {
            if (int r = rados->conf_set(option, value->c_str()); r < 0) {
                return std::unexpected(rados_error(r, "configure"));
            }
        }
        if (int r = rados->connect(); r < 0) {
            if (r == -ENOENT || r == -EINVAL) {
                // No key for this user in the keyring, or no monitor named in the file.
                return fail(ErrorCode::CONFIG,
                            "storage cluster: connect: no key for the Ceph user or no monitor "
                            "in the configuration");
            }
            return std::unexpected(rados_error(r, "connect"));
        }
        return RadosConnection(std::move(rados));
    });
}

Result<RadosPool> RadosConnection::open_pool(std::string_view name,
                                             std::string_view object_namespace) const {
    return guarded("open pool", [&]() -> Result<RadosPool> {
        auto io = std::make_unique<librados::IoCtx>();
        const std::string pool(name);
        if (int r = rados_->ioctx_create(pool.c_str(), *io); r < 0) {
            if (r == -ENOENT) {
                return fail(ErrorCode::CONFIG, "storage cluster: no such pool (--pool)");
            }
            return std::unexpected(rados_error(r, "open pool"));
        }
        io->set_namespace(std::string(object_namespace));
        return RadosPool(rados_, std::move(io));
    });
}

std::uint64_t RadosConnection::instance_id() const { return rados_->get_instance_id(); }

}  // namespace imgshare::storage::rados
