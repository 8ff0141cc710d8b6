// Encoding and decoding the hot messages, as each peer does it: POST_CHUNK (client encodes,
// storage decodes), the GET_CHUNK reply (storage encodes, client decodes), a LIST reply of
// 100 summaries, a NEW_IMAGE event. Bytes/s for the chunk messages, items/s for the others.
//   build/bin/messages_bench --benchmark_min_time=0.5
#include <benchmark/benchmark.h>

#include "common/protocol/codec.h"
#include "common/protocol/event.h"

namespace imgshare {
namespace {

constexpr std::int64_t kChunk = (256 << 10) + 17;  // a 256 KiB chunk with its tag

ImageSummary summary(std::uint64_t seq) {
    return ImageSummary{
        "ld0011aabb-c3-" + std::to_string(seq), "load-003", seq, 107'520, 1'800'000'000, "escrow"};
}

void BM_PostChunkEncodeDecode(benchmark::State& state) {
    Bytes payload(static_cast<std::size_t>(state.range(0)), 0x5a);
    for (auto _ : state) {
        auto frames = encode(PostChunkRequest{"0123456789abcdef0123456789abcdef", 7}, 42,
                             std::nullopt, payload);
        auto decoded = decode_request(std::span<const Bytes>(frames));
        benchmark::DoNotOptimize(decoded);
    }
    state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_PostChunkEncodeDecode)->Arg(kChunk);

void BM_GetChunkReplyEncodeDecode(benchmark::State& state) {
    Bytes payload(static_cast<std::size_t>(state.range(0)), 0xa5);
    for (auto _ : state) {
        auto frames = encode_ok(GetChunkReply{3}, 42, payload);
        auto decoded = decode_reply_message<GetChunkReply>(std::span<const Bytes>(frames));
        benchmark::DoNotOptimize(decoded);
    }
    state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_GetChunkReplyEncodeDecode)->Arg(kChunk);

void BM_ListReplyEncodeDecode(benchmark::State& state) {
    ListReply reply;
    for (std::int64_t i = 0; i < state.range(0); ++i)
        reply.items.push_back(summary(1000 + static_cast<std::uint64_t>(i)));
    reply.last_seq = 1100;
    for (auto _ : state) {
        auto frames = encode_ok(reply, 42);
        auto decoded = decode_reply<ListReply>(std::span<const Bytes>(frames));
        benchmark::DoNotOptimize(decoded);
    }
    state.SetItemsProcessed(state.iterations());
    state.SetLabel(std::to_string(state.range(0)) + " summaries per reply");
}
BENCHMARK(BM_ListReplyEncodeDecode)->Arg(0)->Arg(10)->Arg(100);

void BM_NewImageEventEncodeDecode(benchmark::State& state) {
    ImageEvent event;
    static_cast<ImageSummary&>(event) = summary(1234);
    for (auto _ : state) {
        auto frames = encode_event(event, kImageTopic);
        auto decoded = decode_event(frames);
        benchmark::DoNotOptimize(decoded);
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_NewImageEventEncodeDecode);

}  // namespace
}  // namespace imgshare

BENCHMARK_MAIN();
