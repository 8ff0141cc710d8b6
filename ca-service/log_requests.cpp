// The certificate log's requests and the proofs that go with every certificate the CA
// answers with (certificate_authority.h; docs/TRANSPARENCY.md).
#include <fmt/format.h>

#include <algorithm>

#include "ca-service/certificate_authority.h"
#include "ca-service/request_checks.h"
#include "common/registration.h"
#include "common/transparency/log_check.h"
#include "common/transparency/tree_head.h"

namespace imgshare::ca {

Result<LogProof> CertificateAuthority::log_proof(std::string_view username, std::uint64_t serial,
                                                 std::uint64_t size_seen) const {
    auto index = registry_.log_index_of(username, serial);
    if (!index) {
        // Every certificate is logged with its write: one that is not is the registry's fault.
        return fail(ErrorCode::INTERNAL, index.error().message);
    }
    const auto& checkpoint = checkpoints_.covering(*index + 1);
    const auto size = checkpoint.size;
    LogProof proof;
    proof.index = *index;
    proof.tree_head = checkpoint.tree_head;
    proof.cosignatures = checkpoint.cosignatures;
    proof.inclusion = transparency::wire_hashes(registry_.log_inclusion(*index, size));
    if (size_seen > 0 && size_seen < size) {
        proof.consistency = transparency::wire_hashes(registry_.log_consistency(size_seen, size));
    }
    return proof;
}

Result<LogHeadReply> CertificateAuthority::log_head(const LogHeadRequest&,
                                                    const RequestContext& context) const {
    if (auto allowed = require_registered(context, LogHeadRequest::kType, true); !allowed) {
        return std::unexpected(std::move(allowed.error()));
    }
    const auto& checkpoint = checkpoints_.covering(registry_.log_size());
    return LogHeadReply{checkpoint.tree_head, checkpoint.cosignatures};
}

Result<LogConsistencyReply> CertificateAuthority::log_consistency(
    const LogConsistencyRequest& request, const RequestContext& context) const {
    if (auto allowed = require_registered(context, LogConsistencyRequest::kType, true); !allowed) {
        return std::unexpected(std::move(allowed.error()));
    }
    const auto& checkpoint = checkpoints_.covering(registry_.log_size());
    const auto size = checkpoint.size;
    if (request.first > size) {
        return fail(ErrorCode::BAD_REQUEST,
                    fmt::format("the certificate log has {} entries, not {}", size, request.first));
    }
    LogConsistencyReply reply{checkpoint.tree_head, {}, checkpoint.cosignatures};
    if (request.first > 0 && request.first < size) {
        reply.consistency =
            transparency::wire_hashes(registry_.log_consistency(request.first, size));
    }
    return reply;
}

Result<LogEntriesReply> CertificateAuthority::log_entries(const LogEntriesRequest& request,
                                                          const RequestContext& context) const {
    if (auto allowed = require_registered(context, LogEntriesRequest::kType, true); !allowed) {
        return std::unexpected(std::move(allowed.error()));
    }
    const auto size = registry_.log_size();
    if (request.start > size) {
        return fail(ErrorCode::BAD_REQUEST,
                    fmt::format("the certificate log has {} entries; entry {} is past its end",
                                size, request.start));
    }
    auto entries = registry_.log_entries(
        request.start, std::min<std::uint64_t>(request.count, kMaxLogEntriesPerReply));
    if (!entries) return std::unexpected(std::move(entries.error()));
    return LogEntriesReply{std::move(*entries)};
}

Result<LogProofReply> CertificateAuthority::log_proof_of(const LogProofRequest& request,
                                                         const RequestContext& context) const {
    if (auto allowed = require_registered(context, LogProofRequest::kType, true); !allowed) {
        return std::unexpected(std::move(allowed.error()));
    }
    if (auto valid = check_username(request.username); !valid) {
        return std::unexpected(std::move(valid.error()));
    }
    if (auto index = registry_.log_index_of(request.username, request.serial); !index) {
        if (index.error().code != ErrorCode::NOT_FOUND) return std::unexpected(index.error());
        return fail(ErrorCode::NOT_FOUND,
                    fmt::format("the certificate log holds no certificate #{} of {}",
                                request.serial, request.username));
    }
    auto proof = log_proof(request.username, request.serial, request.log_size_seen);
    if (!proof) return std::unexpected(std::move(proof.error()));
    return LogProofReply{std::move(*proof)};
}

}  // namespace imgshare::ca
