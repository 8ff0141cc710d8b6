#include "client/load/load_client.h"

#include <sodium.h>

#include <thread>

#include <fmt/format.h>

#include "client/load/image_fetch.h"
#include "client/recipients.h"
#include "common/clock.h"
#include "common/keystore.h"

namespace imgshare::client::load {
namespace {

// Without a count, the pool holds at most this many posts per client.
constexpr std::uint64_t kMaxPoolWithoutCount = 2000;

std::chrono::nanoseconds since(std::int64_t start_ns) {
    return std::chrono::nanoseconds(monotonic_ns() - start_ns);
}

std::uint64_t mean_size(const std::vector<SizeClass>& sizes) {
    std::uint64_t weighted = 0;
    std::uint64_t weights = 0;
    for (const auto& size_class : sizes) {
        weighted += size_class.bytes * size_class.weight;
        weights += size_class.weight;
    }
    return std::max<std::uint64_t>(1, weighted / weights);
}

}  // namespace

std::vector<std::size_t> reader_indices(std::size_t client, std::size_t recipients,
                                        std::size_t user_count) {
    std::vector<std::size_t> indices{client};
    for (std::size_t k = 1; k <= recipients; ++k)
        indices.push_back((client + k) % user_count);
    return indices;
}

void ClientStats::merge(const ClientStats& other) {
    post.merge(other.post);
    download.merge(other.download);
    list.merge(other.list);
    seal.merge(other.seal);
    verified_downloads += other.verified_downloads;
    unverified_downloads += other.unverified_downloads;
    pre_sealed += other.pre_sealed;
    sealed_during_run += other.sealed_during_run;
    setup_posts += other.setup_posts;
}

LoadClient::LoadClient(std::size_t index, const LoadUser& user, const ClientSetup& setup,
                       std::filesystem::path scratch_dir)
    : index_(index),
      user_(user),
      setup_(setup),
      scratch_dir_(std::move(scratch_dir)),
      random_(randombytes_random() ^ (std::uint64_t{randombytes_random()} << 32)) {}

Result<void> LoadClient::prepare(std::optional<std::uint64_t> operations,
                                 std::uint64_t pre_seal_bytes, bool seed) {
    if (auto ok = ensure_private_directory(scratch_dir_); !ok) return ok;
    connection_ = setup_.network.connect(user_.keys.curve);
    auto warm = connection_->call<ListReply>(ListRequest{0, 1});
    if (!warm) return std::unexpected(warm.error());

    const auto& options = setup_.options;
    audience_ = options.subscribers;
    if (options.e2e_recipients > 0) {
        std::vector<std::string> names;
        audience_ = 0;
        for (std::size_t reader :
             reader_indices(index_, options.e2e_recipients, setup_.users.size())) {
            names.push_back(setup_.users[reader].username);
            if (reader < options.subscribers) ++audience_;
        }
        auto readers = fetch_reader_certificates(
            *connection_, setup_.network.trust.ca_verify_key, user_.certificate,
            with_owner(std::move(names), user_.username), SystemClock().now_seconds());
        if (!readers) return std::unexpected(readers.error());
        readers_ = std::move(*readers);
    }
    std::uint64_t posts_wanted = kMaxPoolWithoutCount;
    if (operations) {
        plan_.emplace();
        posts_wanted = 0;
        for (std::uint64_t i = 0; i < *operations; ++i) {
            plan_->push_back(pick_operation(options.mix, random_()));
            if (plan_->back() == Operation::Post) ++posts_wanted;
        }
    } else if (options.mix.post == 0) {
        posts_wanted = 0;
    }
    posts_wanted = std::min(posts_wanted, pre_seal_bytes / mean_size(options.sizes));
    if (seed) {
        auto seed_post = seal(setup_.run.setup_name(index_, 0));
        if (!seed_post) return std::unexpected(seed_post.error());
        auto committed = send_post(*connection_, *seed_post, options.window);
        if (!committed) return std::unexpected(committed.error());
        setup_.run.posted.add({seed_post->name, seed_post->image_bytes, seed_post->readers});
        setup_.run.saw_seq(committed->seq);
        ++stats_.setup_posts;
    }
    for (std::uint64_t i = 0; i < posts_wanted && !setup_.network.stop.load(); ++i) {
        auto prepared = seal(setup_.run.measured_name(index_, posts_named_++));
        if (!prepared) return std::unexpected(prepared.error());
        pool_.push_back(std::move(*prepared));
        ++stats_.pre_sealed;
    }
    return {};
}

Result<PreparedPost> LoadClient::seal(std::string name) {
    const std::uint64_t bytes = pick_size(setup_.options.sizes, random_());
    PostAuthor author{user_, setup_.escrow_wrap_key, readers_, scratch_dir_};
    const std::int64_t start = monotonic_ns();
    auto prepared = prepare_post(setup_.bodies.path_for(bytes), bytes, std::move(name), author);
    if (prepared) {
        stats_.seal.record_success(since(start), bytes);
    } else {
        count_error(stats_.seal, prepared.error());
    }
    return prepared;
}

std::optional<Operation> LoadClient::peek(std::int64_t deadline_ns) {
    if (held_) return held_;
    if (plan_) {
        if (plan_->empty()) return std::nullopt;
        held_ = plan_->front();
        plan_->pop_front();
        return held_;
    }
    if (monotonic_ns() >= deadline_ns) return std::nullopt;
    held_ = pick_operation(setup_.options.mix, random_());
    return held_;
}

bool LoadClient::pace() {
    if (interval_ns_ == 0) return true;
    while (!setup_.network.stop.load()) {
        const std::int64_t wait = next_start_ns_ - monotonic_ns();
        if (wait <= 0) break;
        std::this_thread::sleep_for(
            std::chrono::nanoseconds(std::min<std::int64_t>(wait, 50'000'000)));
    }
    next_start_ns_ += interval_ns_;
    return !setup_.network.stop.load();
}

void LoadClient::run(std::int64_t deadline_ns) {
    const auto& options = setup_.options;
    if (options.rate) {
        interval_ns_ = static_cast<std::int64_t>(1e9 * options.clients / *options.rate);
        // Clients start spread over one interval, not all at once.
        next_start_ns_ = monotonic_ns() + interval_ns_ * static_cast<std::int64_t>(index_) /
                                              static_cast<std::int64_t>(options.clients);
    }
    const std::size_t window = options.rate ? 1 : options.window;
    while (!setup_.network.stop.load()) {
        auto operation = peek(deadline_ns);
        if (!operation || !pace()) return;
        advance();
        switch (*operation) {
            case Operation::Post:
                post();
                break;
            case Operation::Download:
                download();
                break;
            case Operation::List: {
                std::size_t batch = 1;
                // Draws after the deadline are not taken: peek() ends the run there.
                while (batch < window && peek(deadline_ns) == Operation::List) {
                    advance();
                    ++batch;
                }
                lists(batch);
                break;
            }
        }
    }
}

void LoadClient::count_error(OperationStats& stats, const Error& error) {
    if (setup_.network.stop.load()) return;  // interrupted: neither a success nor a failure
    stats.record_error(error.code);
    ++setup_.run.live.errors;
}

void LoadClient::post() {
    if (pool_.empty()) {
        auto sealed = seal(setup_.run.measured_name(index_, posts_named_++));
        if (!sealed) {
            count_error(stats_.post, sealed.error());
            return;
        }
        pool_.push_back(std::move(*sealed));
        ++stats_.sealed_during_run;
    }
    PreparedPost post = std::move(pool_.front());
    pool_.pop_front();
    const std::int64_t start = monotonic_ns();
    auto committed = send_post(*connection_, post, setup_.options.window);
    const std::int64_t acknowledged = monotonic_ns();
    if (!committed) {
        count_error(stats_.post, committed.error());
        return;
    }
    stats_.post.record_success(std::chrono::nanoseconds(acknowledged - start), post.image_bytes);
    setup_.run.commits.record(post.name, acknowledged, audience_);
    setup_.run.posted.add({post.name, post.image_bytes, post.readers});
    setup_.run.saw_seq(committed->seq);
    setup_.run.live.completed(Operation::Post);
}

void LoadClient::download() {
    auto image = setup_.run.posted.pick(random_(), user_.username);
    if (!image) {
        count_error(stats_.download, Error{ErrorCode::NOT_FOUND, "nothing posted yet"});
        return;
    }
    const VerifyMode mode = setup_.options.verify;
    const bool verify = mode == VerifyMode::All ||
                        (mode == VerifyMode::Sample && downloads_ % kVerifySampleEvery == 0);
    ++downloads_;
    ImageReader reader{user_, setup_.network.trust.ca_verify_key, scratch_dir_};
    const std::int64_t start = monotonic_ns();
    auto fetched = fetch_image(*connection_, image->name, verify, reader, setup_.options.window);
    const auto latency = since(start);
    if (!fetched) {
        count_error(stats_.download, fetched.error());
        return;
    }
    if (verify && *fetched != image->image_bytes) {
        count_error(stats_.download, Error{ErrorCode::INTEGRITY,
                                           fmt::format("{} has {} bytes, not the {} posted",
                                                       image->name, *fetched, image->image_bytes)});
        return;
    }
    stats_.download.record_success(latency, image->image_bytes);
    ++(verify ? stats_.verified_downloads : stats_.unverified_downloads);
    setup_.run.live.completed(Operation::Download);
}

void LoadClient::lists(std::size_t count) {
    const std::uint64_t head = setup_.run.feed_head.load();
    const ListRequest request{head > kListBehindHead ? head - kListBehindHead : 0, kListLimit};
    std::vector<std::int64_t> sent(count, 0);
    Transfer transfer{[&](std::uint32_t index, std::uint64_t id) -> Result<Frames> {
                          sent[index] = monotonic_ns();
                          return encode(request, id);
                      },
                      [&](std::uint32_t index, std::span<const ByteView> frames) -> Result<void> {
                          auto reply = decode_reply<ListReply>(frames);
                          if (!reply) {
                              // A refusal (e.g. RATE_LIMITED) is this request's outcome, not the
                              // batch's.
                              count_error(stats_.list, reply.error());
                              return {};
                          }
                          stats_.list.record_success(since(sent[index]), 0);
                          setup_.run.live.completed(Operation::List);
                          return {};
                      },
                      {}};
    auto done =
        connection_->run(transfer, 0, static_cast<std::uint32_t>(count), setup_.options.window);
    if (!done) count_error(stats_.list, done.error());
}

}  // namespace imgshare::client::load
