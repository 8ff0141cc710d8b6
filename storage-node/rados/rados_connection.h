// A connection to a Ceph cluster (librados), and the pools opened over it.
//
// Promises: connect() waits at most mount_timeout for the monitors (librados waits 300 s by
// default) and sets rados_osd_op_timeout (and rados_mon_op_timeout), so no later operation waits longer than
// op_timeout for the OSDs: a hung or unreachable cluster is SERVICE_UNAVAILABLE
// (rados_errors.h), never a hung caller. No exception escapes. The connection shuts down
// when its last user is gone: every RadosPool and Watch made from it keeps it alive.
// Thread-safe: one connection serves every thread (librados is).
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include <rados/librados_fwd.hpp>

#include "common/error.h"
#include "storage-node/rados/rados_pool.h"


namespace imgshare::storage::rados {

struct ConnectOptions {
    std::string conf_file;           // a ceph.conf naming the monitors (deploy/ceph.sh writes one)
    std::string user = "imgshare";   // the client's id, without "client."; key from the conf's keyring
    std::chrono::seconds op_timeout{5};      // each OSD operation (rados_osd_op_timeout)
    std::chrono::seconds mount_timeout{10};  // connecting to the monitors (client_mount_timeout)
};

class RadosConnection {
public:
    // CONFIG for an unreadable conf file or an unknown user; SERVICE_UNAVAILABLE when the
    // monitors do not answer within mount_timeout. Messages name neither the file nor a key.
    [[nodiscard]] static Result<RadosConnection> connect(const ConnectOptions& options);

    // The pool `name` (CONFIG if it does not exist), its objects in `object_namespace`
    // ("" is the default namespace; tests use one of their own).
    [[nodiscard]] Result<RadosPool> open_pool(std::string_view name,
                                              std::string_view object_namespace = {}) const;

    // This client's global id (client.N), as a notify's sender is named to watchers.
    [[nodiscard]] std::uint64_t instance_id() const;

private:
    explicit RadosConnection(std::shared_ptr<librados::Rados> rados) : rados_(std::move(rados)) {}

    std::shared_ptr<librados::Rados> rados_;
};

}  // namespace imgshare::storage::rados
