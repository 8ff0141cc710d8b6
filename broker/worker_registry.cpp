#include "broker/worker_registry.h"

#include <algorithm>

namespace imgshare::broker {

void WorkerRegistry::add(const std::string& routing_id, const std::string& service,
                         const std::string& node_id, std::int64_t now_ms) {
    auto existing = workers_.find(routing_id);
    if (existing != workers_.end() && existing->second.service != service) remove(routing_id);
    auto [it, inserted] = workers_.try_emplace(routing_id);
    it->second = Worker{routing_id, service, node_id, now_ms + kServiceExpiryMs};
    if (inserted) by_service_[service].push_back(routing_id);
}

bool WorkerRegistry::touch(const std::string& routing_id, std::int64_t now_ms) {
    auto it = workers_.find(routing_id);
    if (it == workers_.end()) return false;
    it->second.expires_at_ms = now_ms + kServiceExpiryMs;
    return true;
}

void WorkerRegistry::remove(const std::string& routing_id) {
    auto it = workers_.find(routing_id);
    if (it == workers_.end()) return;
    auto& rotation = by_service_[it->second.service];
    rotation.erase(std::remove(rotation.begin(), rotation.end(), routing_id), rotation.end());
    workers_.erase(it);
}

bool WorkerRegistry::is_known(const std::string& routing_id) const {
    return workers_.contains(routing_id);
}

std::optional<std::string> WorkerRegistry::service_of(const std::string& routing_id) const {
    auto found = workers_.find(routing_id);
    if (found == workers_.end()) return std::nullopt;
    return found->second.service;
}

std::optional<std::string> WorkerRegistry::pick(const std::string& service) {
    auto it = by_service_.find(service);
    if (it == by_service_.end() || it->second.empty()) return std::nullopt;
    auto& rotation = it->second;
    std::string chosen = rotation.front();
    rotation.pop_front();
    rotation.push_back(chosen);
    return chosen;
}

std::vector<std::string> WorkerRegistry::expire(std::int64_t now_ms) {
    std::vector<std::string> expired;
    for (const auto& [routing_id, worker] : workers_) {
        if (worker.expires_at_ms <= now_ms) expired.push_back(routing_id);
    }
    for (const auto& routing_id : expired)
        remove(routing_id);
    return expired;
}

std::vector<std::string> WorkerRegistry::all_routing_ids() const {
    std::vector<std::string> ids;
    for (const auto& [routing_id, worker] : workers_)
        ids.push_back(routing_id);
    return ids;
}

size_t WorkerRegistry::live_count(const std::string& service) const {
    auto it = by_service_.find(service);
    return it == by_service_.end() ? 0 : it->second.size();
}

}  // namespace imgshare::broker
