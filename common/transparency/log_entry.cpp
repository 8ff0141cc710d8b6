#include "common/transparency/log_entry.h"

#include "common/msgpack_util.h"

namespace imgshare::transparency {
namespace {

constexpr std::uint32_t kEntryVersion = 1;
constexpr std::string_view kCertificateKind = "certificate";
constexpr std::string_view kRevocationKind = "revocation";
constexpr std::string_view kReleaseKind = "release";
const msgpack::unpack_limit kEntryLimit(/*array=*/5, /*map=*/0, /*str=*/64,
                                        /*bin=*/kMaxLogEntryBytes, /*ext=*/0, /*depth=*/2);

using Packer = msgpack::packer<msgpack_util::BytesWriter>;

// An entry of `fields` items: the version, the kind, then what `write` packs.
template <class Write>
Bytes encode_entry(std::uint32_t fields, std::string_view kind, Write write) {
    Bytes out;
    msgpack_util::BytesWriter writer(out);
    Packer packer(writer);
    packer.pack_array(fields);
    packer.pack_uint32(kEntryVersion);
    msgpack_util::pack_str(packer, kind);
    write(packer);
    return out;
}

Bytes encode_entry_statement(std::string_view kind, std::string_view username,
                             std::uint64_t serial, std::int64_t at) {
    return encode_entry(5, kind, [&](Packer& packer) {
        msgpack_util::pack_str(packer, username);
        packer.pack_uint64(serial);
        packer.pack_int64(at);
    });
}

Error malformed_entry() {
    return Error{ErrorCode::BAD_REQUEST, "not a certificate log entry"};
}

}  // namespace

Bytes encode_certificate_entry(ByteView encoded_certificate) {
    return encode_entry(3, kCertificateKind,
                        [&](Packer& packer) { msgpack_util::pack_bin(packer, encoded_certificate); });
}

Bytes encode_revocation_entry(std::string_view username, std::uint64_t serial, std::int64_t at) {
    return encode_entry_statement(kRevocationKind, username, serial, at);
}

Bytes encode_release_entry(std::string_view username, std::uint64_t serial, std::int64_t at) {
    return encode_entry_statement(kReleaseKind, username, serial, at);
}

Result<LogEntry> decode_log_entry(ByteView encoded) {
    if (encoded.size() > kMaxLogEntryBytes) return std::unexpected(malformed_entry());
    auto handle = msgpack_util::unpack_bounded(encoded, kEntryLimit, "log entry");
    if (!handle) return std::unexpected(malformed_entry());
    const auto& root = handle->get();
    if (root.type != msgpack::type::ARRAY || root.via.array.size < 3) {
        return std::unexpected(malformed_entry());
    }
    auto fields = std::span<const msgpack::object>(root.via.array.ptr, root.via.array.size);
    auto version = msgpack_util::read_uint(fields[0], "version");
    auto kind = msgpack_util::read_string(fields[1], "kind", 16);
    if (!version || *version != kEntryVersion || !kind) return std::unexpected(malformed_entry());
    LogEntry entry;
    if (*kind == kCertificateKind && fields.size() == 3) {
        auto certificate = msgpack_util::read_bin(fields[2], "certificate", 1, kMaxLogEntryBytes);
        if (!certificate) return std::unexpected(malformed_entry());
        entry.kind = LogEntryKind::certificate;
        entry.certificate.assign(certificate->begin(), certificate->end());
        if (encode_certificate_entry(entry.certificate) != Bytes(encoded.begin(), encoded.end())) {
            return std::unexpected(malformed_entry());
        }
        return entry;
    }
    if ((*kind != kRevocationKind && *kind != kReleaseKind) || fields.size() != 5) {
        return std::unexpected(malformed_entry());
    }
    auto username = msgpack_util::read_string(fields[2], "username", 64);
    auto serial = msgpack_util::read_uint(fields[3], "serial");
    auto at = msgpack_util::read_int(fields[4], "at");
    if (!username || !serial || !at) return std::unexpected(malformed_entry());
    entry.kind = *kind == kRevocationKind ? LogEntryKind::revocation : LogEntryKind::release;
    entry.username = std::move(*username);
    entry.serial = *serial;
    entry.at = *at;
    // Canonical only: one entry has one encoding, so one leaf.
    if (encode_entry_statement(*kind, entry.username, entry.serial, entry.at) !=
        Bytes(encoded.begin(), encoded.end())) {
        return std::unexpected(malformed_entry());
    }
    return entry;
}

}  // namespace imgshare::transparency
