// Which service workers are alive (Majordomo-style liveness): a worker is
// live while it keeps talking; silence for kServiceExpiryMs
// (common/protocol/limits.h) drops it. Requests go round-robin to the live
// workers of a service.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/protocol/limits.h"

namespace imgshare::broker {

struct Worker {
    std::string routing_id;  // the backend ROUTER's identity for this connection
    std::string service;
    std::string node_id;
    std::int64_t expires_at_ms = 0;
};

class WorkerRegistry {
  public:
    // READY: adds (or refreshes) the worker under its service.
    void add(const std::string& routing_id, const std::string& service, const std::string& node_id,
             std::int64_t now_ms);
    // Any message from a known worker keeps it alive; false if it is unknown.
    bool touch(const std::string& routing_id, std::int64_t now_ms);
    void remove(const std::string& routing_id);
    [[nodiscard]] bool is_known(const std::string& routing_id) const;
    // The service a known worker announced; nullopt for an unknown one.
    [[nodiscard]] std::optional<std::string> service_of(const std::string& routing_id) const;

    // The next live worker of `service`, round robin; nullopt if none.
    [[nodiscard]] std::optional<std::string> pick(const std::string& service);
    // Drops workers whose time ran out; returns their routing ids.
    std::vector<std::string> expire(std::int64_t now_ms);
    [[nodiscard]] std::vector<std::string> all_routing_ids() const;
    [[nodiscard]] size_t live_count(const std::string& service) const;

  private:
    std::map<std::string, Worker> workers_;                      // by routing id
    std::map<std::string, std::deque<std::string>> by_service_;  // rotation order
};

}  // namespace imgshare::broker
