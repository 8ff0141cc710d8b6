#include "client/image_sealer.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "client/padded_stream.h"
#include "common/crypto/sha256.h"
#include "common/image_name.h"
#include "common/protocol/limits.h"

namespace imgshare::client {
namespace {

// An image file opened for reading; closed on scope exit.
class ImageFile {
  public:
    explicit ImageFile(const std::filesystem::path& path)
        : path_(path), fd_(::open(path.c_str(), O_RDONLY | O_CLOEXEC)) {}
    ImageFile(const ImageFile&) = delete;
    ImageFile& operator=(const ImageFile&) = delete;
    ~ImageFile() {
        if (fd_ >= 0) ::close(fd_);
    }

    [[nodiscard]] Result<std::uint64_t> size() const {
        if (fd_ < 0) return io_error("open");
        struct stat info {};
        if (::fstat(fd_, &info) != 0) return io_error("stat");
        if (!S_ISREG(info.st_mode)) {
            return fail(ErrorCode::BAD_REQUEST,
                        fmt::format("{} is not a regular file", path_.string()));
        }
        if (info.st_size == 0) {
            return fail(ErrorCode::BAD_REQUEST, fmt::format("{} is empty", path_.string()));
        }
        return static_cast<std::uint64_t>(info.st_size);
    }

    // Fills all of `into`; a file that ends first has changed since it was measured.
    [[nodiscard]] Result<void> read_exactly(std::span<std::uint8_t> into) {
        std::size_t done = 0;
        while (done < into.size()) {
            ssize_t n = ::read(fd_, into.data() + done, into.size() - done);
            if (n < 0) {
                if (errno == EINTR) continue;
                return io_error("read");
            }
            if (n == 0) {
                return fail(ErrorCode::IO_ERROR,
                            fmt::format("{} shrank while it was read", path_.string()));
            }
            done += static_cast<std::size_t>(n);
        }
        return {};
    }

    // IO_ERROR unless the file has ended: it must not have grown while it was read.
    [[nodiscard]] Result<void> expect_end() {
        std::uint8_t extra = 0;
        ssize_t n = ::read(fd_, &extra, 1);
        if (n < 0) return io_error("read");
        if (n > 0) {
            return fail(ErrorCode::IO_ERROR,
                        fmt::format("{} grew while it was read", path_.string()));
        }
        return {};
    }

  private:
    [[nodiscard]] std::unexpected<Error> io_error(std::string_view action) const {
        return fail(ErrorCode::IO_ERROR,
                    fmt::format("cannot {} {}: {}", action, path_.string(), std::strerror(errno)));
    }

    std::filesystem::path path_;
    int fd_;
};

Result<void> check_parameters(const SealParameters& parameters) {
    if (auto ok = check_image_name(parameters.name); !ok) return ok;
    if (parameters.chunk_size < kMinChunkSize ||
        parameters.chunk_size + kChunkOverhead > kMaxChunkBytes) {
        return fail(ErrorCode::BAD_REQUEST, "chunk size out of range");
    }
    return {};
}

}  // namespace

Result<SealedImage> seal_image(const std::filesystem::path& image, const SealParameters& parameters,
                               const std::filesystem::path& temp_dir) {
    if (auto ok = check_parameters(parameters); !ok) return std::unexpected(ok.error());
    ImageFile file(image);
    auto length = file.size();
    if (!length) return std::unexpected(length.error());
    const std::uint64_t max_stream = std::uint64_t{kMaxChunkCount} * parameters.chunk_size;
    if (*length > max_stream - kStreamFraming || padded_size_for(*length) > max_stream) {
        return fail(ErrorCode::TOO_LARGE, fmt::format("{} is too large to post", image.string()));
    }
    auto ciphertext = TempFile::create(temp_dir, ".imgshare-post-");
    if (!ciphertext) return std::unexpected(ciphertext.error());

    SealedImage sealed{{}, {}, {}, generate_content_key(), std::move(*ciphertext)};
    ChunkEncryptor encryptor(sealed.content_key);
    PaddedStreamWriter stream(
        *length, [&file](std::span<std::uint8_t> into) { return file.read_exactly(into); });
    Sha256 ciphertext_digest;
    Bytes plaintext;
    Bytes chunk;
    std::uint32_t chunk_count = 0;
    while (!stream.done()) {
        if (auto ok = stream.next(parameters.chunk_size, plaintext); !ok) {
            return std::unexpected(ok.error());
        }
        encryptor.encrypt_into(plaintext, stream.done(), chunk);
        ciphertext_digest.update(chunk);
        if (auto ok = sealed.ciphertext.append(chunk); !ok) return std::unexpected(ok.error());
        ++chunk_count;
    }
    sodium_memzero(plaintext.data(), plaintext.size());
    if (auto ok = file.expect_end(); !ok) return std::unexpected(ok.error());

    Envelope& envelope = sealed.envelope;
    envelope.name = parameters.name;
    envelope.owner = parameters.owner.username;
    envelope.owner_serial = parameters.owner.serial;
    envelope.mode = parameters.mode;
    envelope.content_type = parameters.content_type;
    envelope.padded_size = stream.padded_size();
    envelope.chunk_size = parameters.chunk_size;
    envelope.chunk_count = chunk_count;
    envelope.stream_header = encryptor.header();
    envelope.ciphertext_sha256 = ciphertext_digest.finish();
    envelope.key_commitment = key_commitment(sealed.content_key);
    envelope.created_at = parameters.created_at;
    envelope.recipients = parameters.recipients;
    std::sort(envelope.recipients.begin(), envelope.recipients.end());
    sealed.encoded_envelope = encode_envelope(envelope);
    // Refuse to sign what no reader would accept (a bad owner name, mode or recipient list).
    if (auto valid = decode_envelope(sealed.encoded_envelope); !valid) {
        return std::unexpected(valid.error());
    }
    sealed.signature = sign_envelope(sealed.encoded_envelope, parameters.owner_signing_key);
    sealed.image_sha256 = stream.image_sha256();
    return sealed;
}

Result<Bytes> image_file_sha256(const std::filesystem::path& image) {
    ImageFile file(image);
    auto length = file.size();
    if (!length) return std::unexpected(length.error());
    Sha256 digest;
    Bytes buffer(std::min<std::uint64_t>(*length, kDefaultChunkSize));
    for (std::uint64_t left = *length; left > 0;) {
        auto piece = std::span<std::uint8_t>(buffer).first(std::min<std::uint64_t>(left, buffer.size()));
        if (auto ok = file.read_exactly(piece); !ok) return std::unexpected(ok.error());
        digest.update(piece);
        left -= piece.size();
    }
    if (auto ok = file.expect_end(); !ok) return std::unexpected(ok.error());
    return digest.finish();
}

Result<void> read_sealed_chunk(const SealedImage& sealed, std::uint32_t index, Bytes& out) {
    const auto& envelope = sealed.envelope;
    if (index >= envelope.chunk_count) {
        return fail(ErrorCode::BAD_REQUEST, fmt::format("no chunk {} in this image", index));
    }
    const std::uint64_t stride = std::uint64_t{envelope.chunk_size} + kChunkOverhead;
    out.resize(chunk_ciphertext_size(envelope, index));
    return sealed.ciphertext.read_at(stride * index, out);
}

}  // namespace imgshare::client
