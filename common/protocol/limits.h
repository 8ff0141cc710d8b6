// The wire protocol's numeric limits and timings, in one place.
//
// Decoders refuse anything beyond these before allocating for it; sockets use
// kMaxFrameBytes as ZMQ_MAXMSGSIZE and the heartbeat timings below. Changing a
// value changes the protocol: update docs/PROTOCOL.md with it.
#pragma once

#include <cstddef>
#include <cstdint>

namespace imgshare {

inline constexpr std::uint32_t kProtocolVersion = 1;

// A ciphertext chunk (the payload frame), secretstream tag included.
inline constexpr std::size_t kMaxChunkBytes = 1024 * 1024;
// Any single frame; the value for ZMQ_MAXMSGSIZE.
inline constexpr std::size_t kMaxFrameBytes = kMaxChunkBytes + 64 * 1024;
// header + body + optional payload.
inline constexpr std::size_t kMaxFrames = 3;

// msgpack structure limits (unpack_limit and the pre-scan).
inline constexpr std::size_t kMaxStringBytes = 4096;
inline constexpr std::size_t kMaxBinBytes = kMaxFrameBytes;
inline constexpr std::size_t kMaxArrayItems = 1024;
inline constexpr std::size_t kMaxMapItems = 64;
inline constexpr std::size_t kMaxDepth = 8;

// Per-field limits of the messages.
inline constexpr std::size_t kMaxImageNameBytes = 128;
inline constexpr std::size_t kMaxRecipients = 64;
inline constexpr std::uint32_t kMaxListLimit = 1000;
inline constexpr std::uint32_t kMaxChunkCount = 1u << 20;
// A v2 envelope: a v1 envelope's 16 KiB plus the thumbnail box (at most 49 192 bytes,
// common/crypto/thumbnail_box.h) and its bin header, rounded up to 65 KiB.
inline constexpr std::size_t kMaxEnvelopeBytes = 65 * 1024;
inline constexpr std::size_t kMaxCertificateBytes = 1024;
// A certificate log proof's hashes (a tree of 2^64 entries needs 64), and the entries one
// LOG_ENTRIES reply carries (each at most 2 KiB, docs/TRANSPARENCY.md).
inline constexpr std::size_t kMaxLogProofHashes = 64;
inline constexpr std::size_t kMaxLogEntriesPerReply = 256;
// An owner's deletion statement (common/deletion.h): a 128-byte name, a 32-byte owner and
// fixed fields come to at most 275 bytes.
inline constexpr std::size_t kMaxDeletionBytes = 320;
// Pending uploads one user may have on a storage node (its --max-pending-uploads is at
// most this): the bound of an UPLOADS reply.
inline constexpr std::size_t kMaxPendingUploads = 1000;

// Liveness between the broker and its services (zguide's Paranoid Pirate), on
// both legs: each end sends HEARTBEAT every kServiceHeartbeatMs and takes the
// other for gone after kServiceLiveness intervals without hearing from it (the
// broker drops the worker; the worker reconnects). The same timings drive the
// ZMTP heartbeats of those links (common/net/socket_options.h).
inline constexpr std::int64_t kServiceHeartbeatMs = 2500;
inline constexpr int kServiceLiveness = 3;
inline constexpr std::int64_t kServiceExpiryMs = kServiceLiveness * kServiceHeartbeatMs;

// ZMTP heartbeats of the clients' links (imgshare, imgshare-watch, imgshare-load), at
// the client's end and at the broker's; why they are slow: socket_options.h.
inline constexpr std::int64_t kClientHeartbeatMs = 20'000;
inline constexpr std::int64_t kClientHeartbeatTimeoutMs = 60'000;
inline constexpr std::int64_t kClientFacingHeartbeatMs = 60'000;
inline constexpr std::int64_t kClientFacingHeartbeatTimeoutMs = 60'000;

}  // namespace imgshare
