#include "client/image_opener.h"

#include <sodium.h>

#include <fmt/format.h>

#include "common/crypto/sealed_box.h"

namespace imgshare::client {
namespace {

std::unexpected<Error> integrity(std::string message) {
    return fail(ErrorCode::INTEGRITY, std::move(message));
}

// The certificate, envelope and name checks of begin(), in their order.
Result<std::pair<Certificate, Envelope>> verify_record(const DownloadReply& record,
                                                       const OpenParameters& parameters) {
    auto owner = decode_certificate(record.certificate);
    if (!owner) {
        return fail(owner.error().code, "the owner's certificate: " + owner.error().message);
    }
    if (auto ok = verify_certificate(*owner, parameters.ca_verify_key, parameters.now_seconds);
        !ok) {
        return fail(ok.error().code, "the owner's certificate: " + ok.error().message);
    }
    auto envelope = verify_envelope(record.envelope, record.signature, *owner);
    if (!envelope) return std::unexpected(envelope.error());
    if (envelope->name != parameters.requested_name) {
        return fail(ErrorCode::BAD_SIGNATURE,
                    "the owner signed this envelope for another image name");
    }
    return std::pair{std::move(*owner), std::move(*envelope)};
}

}  // namespace

Result<ImageOpener> ImageOpener::begin(const DownloadReply& record,
                                       const OpenParameters& parameters,
                                       const std::filesystem::path& directory) {
    auto verified = verify_record(record, parameters);
    if (!verified) return std::unexpected(verified.error());
    auto& [owner, envelope] = *verified;

    auto content_key = unseal(record.wrapped_key, parameters.reader_box_keys);
    if (!content_key) return integrity("the wrapped content key does not open with my box key");
    if (auto ok = check_content_key(*content_key); !ok) return std::unexpected(ok.error());
    if (auto ok = check_key_commitment(*content_key, envelope.key_commitment); !ok) {
        return integrity("the content key is not the one the owner committed to");
    }
    auto decryptor = ChunkDecryptor::create(*content_key, envelope.stream_header);
    if (!decryptor) return std::unexpected(decryptor.error());

    auto output = TempFile::create(directory, ".imgshare-download-");
    if (!output) return std::unexpected(output.error());
    return ImageOpener(std::move(envelope), std::move(owner), std::move(*decryptor),
                       std::move(*output));
}

ImageOpener::ImageOpener(Envelope envelope, Certificate owner, ChunkDecryptor decryptor,
                         TempFile output)
    : envelope_(std::move(envelope)),
      owner_(std::move(owner)),
      decryptor_(std::move(decryptor)),
      stream_(envelope_.padded_size),
      output_(std::move(output)) {}

std::unexpected<Error> ImageOpener::failed(Error error) {
    failed_ = true;
    // Drop the partial plaintext now rather than when the opener goes.
    output_ = TempFile();
    sodium_memzero(plaintext_.data(), plaintext_.size());
    return std::unexpected(std::move(error));
}

Result<void> ImageOpener::check_chunk(std::uint32_t index, ByteView ciphertext) {
    if (index != next_index_) {
        return integrity(
            fmt::format("chunk {} arrived where chunk {} belongs", index, next_index_));
    }
    if (index >= envelope_.chunk_count) {
        return integrity(
            fmt::format("chunk {} is beyond the image's {} chunks", index, envelope_.chunk_count));
    }
    if (ciphertext.size() != chunk_ciphertext_size(envelope_, index)) {
        return integrity(fmt::format("chunk {} has {} bytes, not the {} the envelope says", index,
                                     ciphertext.size(), chunk_ciphertext_size(envelope_, index)));
    }
    return {};
}

Result<void> ImageOpener::add_chunk(std::uint32_t index, ByteView ciphertext) {
    if (failed_) return integrity("this download already failed a check");
    if (auto ok = check_chunk(index, ciphertext); !ok) return failed(ok.error());
    ciphertext_digest_.update(ciphertext);
    if (auto ok = decryptor_.decrypt_into(ciphertext, plaintext_); !ok) {
        return failed(Error{ErrorCode::INTEGRITY, fmt::format("chunk {} does not decrypt: {}",
                                                              index, ok.error().message)});
    }
    const bool last = index + 1 == envelope_.chunk_count;
    if (decryptor_.finished() != last) {
        return failed(Error{ErrorCode::INTEGRITY,
                            last ? "the last chunk is not marked FINAL"
                                 : fmt::format("chunk {} is marked FINAL before the end", index)});
    }
    auto image_bytes = stream_.consume(plaintext_);
    if (!image_bytes) return failed(image_bytes.error());
    if (auto ok = output_.append(*image_bytes); !ok) return failed(ok.error());
    ++next_index_;
    return {};
}

Result<std::uint64_t> ImageOpener::finish(const std::filesystem::path& destination) {
    if (failed_) return integrity("this download already failed a check");
    if (next_index_ != envelope_.chunk_count) {
        return failed(Error{ErrorCode::INTEGRITY, fmt::format("only {} of {} chunks arrived",
                                                              next_index_, envelope_.chunk_count)});
    }
    if (auto ok = decryptor_.finish(); !ok) return failed(ok.error());
    Bytes digest = ciphertext_digest_.finish();
    if (digest.size() != envelope_.ciphertext_sha256.size() ||
        sodium_memcmp(digest.data(), envelope_.ciphertext_sha256.data(), digest.size()) != 0) {
        return failed(Error{ErrorCode::INTEGRITY,
                            "the ciphertext's SHA-256 is not the one the owner signed"});
    }
    if (auto ok = stream_.finish(); !ok) return failed(ok.error());
    if (auto ok = output_.commit_as(destination); !ok) return failed(ok.error());
    failed_ = true;  // finished: nothing more is accepted
    return stream_.image_length();
}

}  // namespace imgshare::client
