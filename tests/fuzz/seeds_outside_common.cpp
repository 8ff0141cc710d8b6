// Seeds of the fuzz targets that test code outside common/: the client's padded plaintext
// stream and home files, the storage node's records and keys, a server's key files.
#include <png.h>
#include <turbojpeg.h>
#include <webp/encode.h>

#include <iterator>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include "client/client_home.h"
#include "client/padded_stream.h"
#include "client/thumbnail_maker.h"
#include "common/crypto/keys.h"
#include "storage-node/records.h"
#include "storage-node/storage_keys.h"
#include "tests/fuzz/fuzz_support.h"
#include "tests/fuzz/seed_writer.h"

namespace imgshare::fuzz {
namespace {

// fuzz_padded_stream reads [padded_size: u32 big-endian][pieces].
Bytes padded_stream_input(std::uint64_t image_length, std::size_t piece_size) {
    client::PaddedStreamWriter writer(image_length, [](std::span<std::uint8_t> into) {
        for (std::size_t i = 0; i < into.size(); ++i)
            into[i] = static_cast<std::uint8_t>('a' + i % 26);
        return Result<void>{};
    });
    const std::uint64_t padded_size = writer.padded_size();
    Bytes input;
    for (int shift = 24; shift >= 0; shift -= 8)
        input.push_back(static_cast<std::uint8_t>(padded_size >> shift));
    std::vector<Bytes> pieces;
    while (!writer.done()) {
        Bytes piece;
        if (!writer.next(piece_size, piece)) throw std::runtime_error("padded stream writer");
        pieces.push_back(std::move(piece));
    }
    append_pieces(input, pieces);
    return input;
}

void check_padded_stream(const Bytes& input, const std::string& name) {
    const std::uint64_t padded_size =
        std::uint64_t{input[0]} << 24 | input[1] << 16 | input[2] << 8 | input[3];
    client::PaddedStreamParser parser(padded_size);
    for (const ByteView piece : split_pieces(ByteView(input).subspan(4)))
        expect_valid(parser.consume(piece), name);
    expect_valid(parser.finish(), name);
}

// A small picture in each format the thumbnail maker decodes; fuzz_thumbnail reads
// [type][file] (type 0 JPEG, 1 PNG, 2 GIF, 3 WebP).
Bytes seed_pixels(int width, int height) {
    Bytes pixels(static_cast<std::size_t>(width) * height * 3);
    for (std::size_t i = 0; i < pixels.size(); ++i)
        pixels[i] = static_cast<std::uint8_t>(i * 7);
    return pixels;
}

Bytes seed_jpeg(int width, int height) {
    const Bytes pixels = seed_pixels(width, height);
    tjhandle handle = tjInitCompress();
    unsigned char* buffer = nullptr;
    unsigned long size = 0;
    if (tjCompress2(handle, pixels.data(), width, 0, height, TJPF_RGB, &buffer, &size,
                    TJSAMP_420, 80, 0) != 0) {
        throw std::runtime_error("seed JPEG");
    }
    Bytes jpeg(buffer, buffer + size);
    tjFree(buffer);
    tjDestroy(handle);
    return jpeg;
}

Bytes seed_png(int width, int height) {
    const Bytes pixels = seed_pixels(width, height);
    png_image image{};
    image.version = PNG_IMAGE_VERSION;
    image.width = static_cast<png_uint_32>(width);
    image.height = static_cast<png_uint_32>(height);
    image.format = PNG_FORMAT_RGB;
    png_alloc_size_t size = 0;
    if (png_image_write_to_memory(&image, nullptr, &size, 0, pixels.data(), 0, nullptr) == 0) {
        throw std::runtime_error("seed PNG size");
    }
    Bytes png(size);
    if (png_image_write_to_memory(&image, png.data(), &size, 0, pixels.data(), 0, nullptr) == 0) {
        throw std::runtime_error("seed PNG");
    }
    png.resize(size);
    return png;
}

Bytes seed_webp(int width, int height) {
    const Bytes pixels = seed_pixels(width, height);
    std::uint8_t* output = nullptr;
    const std::size_t size = WebPEncodeRGB(pixels.data(), width, height, width * 3, 80, &output);
    if (size == 0) throw std::runtime_error("seed WebP");
    Bytes webp(output, output + size);
    WebPFree(output);
    return webp;
}

// The classic 1x1 GIF89a: a two-colour palette, one transparent pixel.
Bytes seed_gif() {
    static constexpr std::uint8_t kGif[] = {
        'G',  'I',  'F',  '8',  '9',  'a',  0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00, 0xff,
        0xff, 0xff, 0x00, 0x00, 0x00, 0x21, 0xf9, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00, 0x2c,
        0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x02, 0x02, 0x44, 0x01, 0x00,
        0x3b};
    return Bytes(std::begin(kGif), std::end(kGif));
}

void write_thumbnail_seeds(SeedWriter& seeds) {
    const std::vector<std::tuple<std::string, std::uint8_t, std::string_view, Bytes>> files = {
        {"jpeg", 0, "image/jpeg", seed_jpeg(48, 32)},
        {"jpeg-wide", 0, "image/jpeg", seed_jpeg(400, 40)},
        {"png", 1, "image/png", seed_png(40, 24)},
        {"gif", 2, "image/gif", seed_gif()},
        {"webp", 3, "image/webp", seed_webp(64, 48)}};
    for (const auto& [name, tag, type, file] : files) {
        expect_valid(client::make_thumbnail_from(file, type), "thumbnail of " + name);
        Bytes input{tag};
        input.insert(input.end(), file.begin(), file.end());
        seeds.write("fuzz_thumbnail", name, input);
    }
}

}  // namespace

void write_client_seeds(SeedWriter& seeds) {
    write_thumbnail_seeds(seeds);
    const std::vector<std::pair<std::uint64_t, std::size_t>> streams = {
        {0, 255}, {1, 255}, {300, 100}, {4000, 7}, {5000, 255}};
    for (const auto& [image_length, piece_size] : streams) {
        const std::string name = "image-" + std::to_string(image_length);
        const Bytes input = padded_stream_input(image_length, piece_size);
        check_padded_stream(input, name);
        seeds.write("fuzz_padded_stream", name, input);
    }

    const client::ClientConfig config{Endpoint{"127.0.0.1", 7400}, Endpoint{"127.0.0.1", 7401}};
    const std::string formatted = client::format_client_config(config);
    const std::string written =
        "# written by imgshare init\nbroker_endpoint = tcp://broker.example:7400\r\n"
        "events_endpoint=tcp://[::1]:7401\n";
    for (const auto& [name, text] :
         {std::pair<std::string, std::string>{"config", formatted}, {"config-by-hand", written}}) {
        expect_valid(client::parse_client_config(text, name), name);
        seeds.write("fuzz_client_files", name, text);
        seeds.write("fuzz_config", "client-" + name, text);
    }
    seeds.write("fuzz_client_files", "state", std::string_view("last_seq = 42\n"));
}

void write_storage_seeds(SeedWriter& seeds, ByteView certificate, ByteView envelope,
                         ByteView signature) {
    using namespace storage;
    const Bytes cert(certificate.begin(), certificate.end());
    const Bytes env(envelope.begin(), envelope.end());
    const Bytes sig(signature.begin(), signature.end());
    const UploadId upload = UploadId::of(envelope, signature);
    const Bytes upload_key = to_bytes(upload.key());
    const ImageRecord escrow{
        "holiday.png",   "alice", upload_key, cert,      env,  sig, std::string(kEscrowMode),
        Bytes(80, 0x4b), {},      41,         kFixedNow, 4096, 1,   kFixedNow + 5};
    const ImageRecord e2e{"holiday.png",
                          "alice",
                          upload_key,
                          cert,
                          env,
                          sig,
                          std::string(kEndToEndMode),
                          {},
                          {"alice", "bob"},
                          42,
                          kFixedNow,
                          3000,
                          3,
                          kFixedNow + 5};
    const UploadSession session{"alice",   cert, env, sig, {}, {Grant{"bob", Bytes(80, 0x4b)}},
                                kFixedNow, 3};

    auto tagged = [](std::uint8_t tag, ByteView bytes) {
        Bytes input{tag};
        input.insert(input.end(), bytes.begin(), bytes.end());
        return input;
    };
    expect_valid(decode_image_record(encode_record(escrow)), "escrow record");
    expect_valid(decode_image_record(encode_record(e2e)), "e2e record");
    expect_valid(decode_upload_session(encode_record(session)), "upload session");
    seeds.write("fuzz_storage_records", "image-escrow", tagged(0, encode_record(escrow)));
    seeds.write("fuzz_storage_records", "image-e2e", tagged(0, encode_record(e2e)));
    seeds.write("fuzz_storage_records", "upload-session", tagged(1, encode_record(session)));
    seeds.write("fuzz_storage_records", "upload-id", tagged(2, as_bytes(upload.text())));
    seeds.write("fuzz_storage_records", "chunk-key", tagged(2, as_bytes(chunk_key(upload, 2))));
    seeds.write("fuzz_storage_records", "feed-key", tagged(2, as_bytes(feed_key(42))));
}

void write_server_key_seeds(SeedWriter& seeds) {
    Bytes secret(32);
    for (std::size_t i = 0; i < secret.size(); ++i)
        secret[i] = static_cast<std::uint8_t>(i * 37 + 11);
    seeds.write("fuzz_server_keys", "secret-key", to_hex(secret) + "\n");
    std::string allowed = "# storage nodes\n";
    for (std::uint8_t pattern : {0x11, 0x22}) {
        allowed += "  " + z85_encode(Bytes(32, pattern)) + "\r\n";
    }
    seeds.write("fuzz_server_keys", "allowed-keys", allowed);
}

}  // namespace imgshare::fuzz
