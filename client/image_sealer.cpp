#include "client/image_sealer.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>

#include <fmt/format.h>

#include "client/padded_stream.h"
#include "common/crypto/sha256.h"
#include "common/crypto/thumbnail_box.h"
#include "common/image_name.h"
#include "common/protocol/limits.h"

namespace imgshare::client {
// Named, not anonymous: SealedChunks::State holds a CiphertextStream.
namespace image_sealing {

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

Result<void> check_chunk_size(std::uint32_t chunk_size) {
    if (chunk_size < kMinChunkSize || chunk_size + kChunkOverhead > kMaxChunkBytes) {
        return fail(ErrorCode::BAD_REQUEST, "chunk size out of range");
    }
    return {};
}

// Opens `image` and measures it: TOO_LARGE if its stream needs more than kMaxChunkCount
// chunks of `chunk_size`.
Result<std::pair<std::unique_ptr<ImageFile>, std::uint64_t>> open_image(
    const std::filesystem::path& image, std::uint32_t chunk_size) {
    auto file = std::make_unique<ImageFile>(image);
    auto length = file->size();
    if (!length) return std::unexpected(length.error());
    const std::uint64_t max_stream = std::uint64_t{kMaxChunkCount} * chunk_size;
    if (*length > max_stream - kStreamFraming || padded_size_for(*length) > max_stream) {
        return fail(ErrorCode::TOO_LARGE, fmt::format("{} is too large to post", image.string()));
    }
    return std::pair{std::move(file), *length};
}

// The ciphertext of one image file, chunk after chunk: read, padded, encrypted.
class CiphertextStream {
  public:
    CiphertextStream(std::unique_ptr<ImageFile> file, std::uint64_t length,
                     ChunkEncryptor encryptor, std::uint32_t chunk_size)
        : file_(std::move(file)),
          stream_(length,
                  [file = file_.get()](std::span<std::uint8_t> into) {
                      return file->read_exactly(into);
                  }),
          encryptor_(std::move(encryptor)),
          chunk_size_(chunk_size) {}
    CiphertextStream(const CiphertextStream&) = delete;
    CiphertextStream& operator=(const CiphertextStream&) = delete;
    ~CiphertextStream() { sodium_memzero(plaintext_.data(), plaintext_.size()); }

    [[nodiscard]] bool done() const { return stream_.done(); }
    [[nodiscard]] const PaddedStreamWriter& stream() const { return stream_; }
    [[nodiscard]] const Bytes& header() const { return encryptor_.header(); }
    [[nodiscard]] Result<void> expect_end() { return file_->expect_end(); }

    // The next ciphertext chunk, into `chunk` (resized).
    [[nodiscard]] Result<void> next(Bytes& chunk) {
        if (auto ok = stream_.next(chunk_size_, plaintext_); !ok) return ok;
        encryptor_.encrypt_into(plaintext_, stream_.done(), chunk);
        return {};
    }

  private:
    std::unique_ptr<ImageFile> file_;  // the stream's source points at it: never moved
    PaddedStreamWriter stream_;
    ChunkEncryptor encryptor_;
    std::uint32_t chunk_size_;
    Bytes plaintext_;
};

ByteView tag_of(ByteView chunk) {
    return chunk.last(kChunkTagSize);
}

// Pass 1 over `ciphertext`: fills the digest-dependent fields of `sealed` (chunk count,
// padded size, header, ciphertext digest, image digest, chunk tags).
Result<void> hash_ciphertext(CiphertextStream& ciphertext, SealedImage& sealed) {
    Sha256 digest;
    Bytes chunk;
    std::uint32_t chunk_count = 0;
    sealed.chunk_tags.clear();
    while (!ciphertext.done()) {
        if (auto ok = ciphertext.next(chunk); !ok) return ok;
        digest.update(chunk);
        auto tag = tag_of(chunk);
        sealed.chunk_tags.insert(sealed.chunk_tags.end(), tag.begin(), tag.end());
        ++chunk_count;
    }
    if (auto ok = ciphertext.expect_end(); !ok) return ok;
    sealed.envelope.chunk_count = chunk_count;
    sealed.envelope.padded_size = ciphertext.stream().padded_size();
    sealed.envelope.stream_header = ciphertext.header();
    sealed.envelope.ciphertext_sha256 = digest.finish();
    sealed.image_sha256 = ciphertext.stream().image_sha256();
    return {};
}

}  // namespace image_sealing

using image_sealing::CiphertextStream;

Result<SealedImage> seal_image(const std::filesystem::path& image,
                               const SealParameters& parameters) {
    if (auto ok = check_image_name(parameters.name); !ok) return std::unexpected(ok.error());
    if (auto ok = image_sealing::check_chunk_size(parameters.chunk_size); !ok) {
        return std::unexpected(ok.error());
    }
    auto opened = image_sealing::open_image(image, parameters.chunk_size);
    if (!opened) return std::unexpected(opened.error());

    SealedImage sealed{{}, {}, {}, generate_content_key(), {}, {}, {}};
    CiphertextStream ciphertext(std::move(opened->first), opened->second,
                                ChunkEncryptor(sealed.content_key), parameters.chunk_size);
    if (auto ok = image_sealing::hash_ciphertext(ciphertext, sealed); !ok) {
        return std::unexpected(ok.error());
    }
    sealed.image = image;

    Envelope& envelope = sealed.envelope;
    envelope.name = parameters.name;
    envelope.owner = parameters.owner.username;
    envelope.owner_serial = parameters.owner.serial;
    envelope.mode = parameters.mode;
    envelope.content_type = parameters.content_type;
    envelope.chunk_size = parameters.chunk_size;
    envelope.key_commitment = key_commitment(sealed.content_key);
    envelope.created_at = parameters.created_at;
    envelope.recipients = parameters.recipients;
    std::sort(envelope.recipients.begin(), envelope.recipients.end());
    if (!parameters.thumbnail.empty()) {
        auto box = seal_thumbnail(sealed.content_key, parameters.thumbnail);
        if (!box) return std::unexpected(box.error());
        envelope.thumbnail = std::move(*box);
    }
    envelope.expires_at = parameters.expires_at;
    envelope.max_downloads = parameters.max_downloads;
    envelope.v = envelope_version_for(envelope);
    sealed.encoded_envelope = encode_envelope(envelope);
    // Refuse to sign what no reader would accept (a bad owner name, mode or recipient list).
    if (auto valid = decode_envelope(sealed.encoded_envelope); !valid) {
        return std::unexpected(valid.error());
    }
    sealed.signature = sign_envelope(sealed.encoded_envelope, parameters.owner_signing_key);
    return sealed;
}

Result<SealedImage> reseal_image(const std::filesystem::path& image, KeptSeal kept) {
    auto envelope = decode_envelope(kept.encoded_envelope);
    if (!envelope) return std::unexpected(envelope.error());
    if (auto ok = check_key_commitment(kept.content_key, envelope->key_commitment); !ok) {
        return std::unexpected(ok.error());
    }
    if (auto ok = image_sealing::check_chunk_size(envelope->chunk_size); !ok) {
        return fail(ErrorCode::INTEGRITY, "the kept envelope's " + ok.error().message);
    }
    auto encryptor = ChunkEncryptor::replay(kept.content_key, envelope->stream_header);
    if (!encryptor) return std::unexpected(encryptor.error());
    auto opened = image_sealing::open_image(image, envelope->chunk_size);
    if (!opened) return std::unexpected(opened.error());

    SealedImage sealed{*envelope, kept.encoded_envelope, kept.signature,
                       std::move(kept.content_key), {}, {}, {}};
    CiphertextStream ciphertext(std::move(opened->first), opened->second, std::move(*encryptor),
                                envelope->chunk_size);
    if (auto ok = image_sealing::hash_ciphertext(ciphertext, sealed); !ok) {
        return std::unexpected(ok.error());
    }
    sealed.image = image;
    if (sealed.envelope.chunk_count != envelope->chunk_count ||
        sealed.envelope.padded_size != envelope->padded_size ||
        sealed.envelope.ciphertext_sha256 != envelope->ciphertext_sha256) {
        return fail(ErrorCode::BAD_REQUEST,
                    fmt::format("{} changed since it was sealed for this post", image.string()));
    }
    return sealed;
}

Result<Bytes> image_file_sha256(const std::filesystem::path& image) {
    image_sealing::ImageFile file(image);
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

// ---- SealedChunks ----

struct SealedChunks::State {
    State(const SealedImage& sealed_image, std::unique_ptr<image_sealing::ImageFile> file,
          std::uint64_t length, ChunkEncryptor encryptor)
        : sealed(sealed_image),
          ciphertext(std::move(file), length, std::move(encryptor),
                     sealed_image.envelope.chunk_size) {}

    const SealedImage& sealed;
    CiphertextStream ciphertext;
    std::uint32_t next_index = 0;  // of the chunk ciphertext.next() makes
    std::uint32_t last_asked = 0;
    Bytes chunk;
    bool changed = false;
};

SealedChunks::SealedChunks(std::unique_ptr<State> state) : state_(std::move(state)) {}
SealedChunks::SealedChunks(SealedChunks&&) noexcept = default;
SealedChunks& SealedChunks::operator=(SealedChunks&&) noexcept = default;
SealedChunks::~SealedChunks() = default;

Result<SealedChunks> SealedChunks::open(const SealedImage& sealed) {
    const Envelope& envelope = sealed.envelope;
    auto encryptor = ChunkEncryptor::replay(sealed.content_key, envelope.stream_header);
    if (!encryptor) return std::unexpected(encryptor.error());
    auto opened = image_sealing::open_image(sealed.image, envelope.chunk_size);
    if (!opened) return std::unexpected(opened.error());
    return SealedChunks(std::make_unique<State>(sealed, std::move(opened->first), opened->second,
                                                std::move(*encryptor)));
}

Result<ByteView> SealedChunks::chunk(std::uint32_t index) {
    State& state = *state_;
    const Envelope& envelope = state.sealed.envelope;
    if (index >= envelope.chunk_count || index < state.last_asked ||
        state.sealed.chunk_tags.size() != std::size_t{kChunkTagSize} * envelope.chunk_count) {
        return fail(ErrorCode::BAD_REQUEST, fmt::format("no chunk {} to make here", index));
    }
    if (state.changed) {
        return fail(ErrorCode::IO_ERROR, "the image changed since it was sealed");
    }
    state.last_asked = index;
    if (state.next_index == index + 1) return ByteView(state.chunk);  // asked again
    while (state.next_index <= index) {
        if (auto ok = state.ciphertext.next(state.chunk); !ok) {
            state.changed = true;
            return std::unexpected(ok.error());
        }
        auto expected = ByteView(state.sealed.chunk_tags).subspan(
            std::size_t{kChunkTagSize} * state.next_index, kChunkTagSize);
        auto tag = image_sealing::tag_of(state.chunk);
        // The tag is a MAC, not a secret: a plain comparison leaks nothing.
        if (!std::equal(tag.begin(), tag.end(), expected.begin())) {
            state.changed = true;
            sodium_memzero(state.chunk.data(), state.chunk.size());
            return fail(ErrorCode::IO_ERROR,
                        fmt::format("the image changed since it was sealed (chunk {} differs); "
                                    "nothing of the change was sent",
                                    state.next_index));
        }
        ++state.next_index;
    }
    return ByteView(state.chunk);
}

}  // namespace imgshare::client
