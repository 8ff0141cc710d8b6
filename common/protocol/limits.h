// The wire protocol's numeric limits, in one place.
//
// Decoders refuse anything beyond these before allocating for it; sockets use
// kMaxFrameBytes as ZMQ_MAXMSGSIZE. Changing a value changes the protocol:
// update docs/PROTOCOL.md with it.
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
inline constexpr std::size_t kMaxEnvelopeBytes = 16 * 1024;
inline constexpr std::size_t kMaxCertificateBytes = 1024;

}  // namespace imgshare
