#include "client/gallery/gallery_server.h"

#include <httplib.h>

#include <algorithm>
#include <charconv>
#include <memory>

#include <fmt/format.h>

#include "client/gallery/web_assets.h"
#include "common/content_type.h"

namespace imgshare::gallery {

struct GalleryServer::Http {
    httplib::Server server;
};

namespace {

// No script but the page's own file, no other origin, no framing (clickjacking).
constexpr const char* kContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob:; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

// The server's threads: every live stream may hold one, and the page's other requests still
// have as many again.
constexpr std::size_t kServerThreads = 2 * kMaxEventStreams;

// An image goes out in writes of at most this much.
constexpr std::size_t kImageWriteBytes = 256 * 1024;

// How long a live stream stays silent before it sends a comment line.
constexpr auto kEventKeepAlive = std::chrono::seconds(10);

// The bound on a request's body before anything of it is kept; a post's image has its own
// (kMaxPagePostBytes), and is written to a file as it arrives, never held whole.
constexpr std::size_t kMaxRequestBody = 64 * 1024;
constexpr const char* kPostPath = "/api/posts";

int http_status_of(ErrorCode code) {
    switch (code) {
        case ErrorCode::BAD_REQUEST: return 400;
        case ErrorCode::FORBIDDEN: return 403;
        case ErrorCode::NOT_FOUND: return 404;
        case ErrorCode::NAME_TAKEN: return 409;
        case ErrorCode::TOO_LARGE: return 413;
        case ErrorCode::INTEGRITY:
        case ErrorCode::BAD_SIGNATURE:
        case ErrorCode::REVOKED:
        case ErrorCode::EXPIRED:
        case ErrorCode::NOT_YET_VALID: return 422;  // refused by a check: not the server's fault
        default: return 503;
    }
}

// A refusal as the page shows it: {"code": "REVOKED", "message": "…"}.
void refuse(httplib::Response& response, const Error& error) {
    response.status = http_status_of(error.code);
    nlohmann::json body{{"code", std::string(to_string(error.code))}, {"message", error.message}};
    response.set_content(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                         "application/json");
}

void send_json(httplib::Response& response, const nlohmann::json& body) {
    response.set_content(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                         "application/json");
}

RequestFacts facts_of(const httplib::Request& request) {
    return RequestFacts{
        .method = request.method,
        .host = request.get_header_value("Host"),
        .origin = request.get_header_value("Origin"),
        .cookie = request.get_header_value("Cookie"),
        .url_token = request.get_param_value("token"),
        .fetch_site = request.get_header_value("Sec-Fetch-Site"),
    };
}

// Where a live stream starts: after the Last-Event-ID the browser sends when it reconnects,
// else after the `after` parameter the page opened it with (the newest image it has shown).
Result<std::uint64_t> resume_position(const httplib::Request& request) {
    std::string text = request.get_header_value("Last-Event-ID");
    if (text.empty()) text = request.get_param_value("after");
    if (text.empty()) return 0;
    std::uint64_t seq = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), seq);
    if (error != std::errc() || end != text.data() + text.size()) {
        return fail(ErrorCode::BAD_REQUEST, "a feed position is a number");
    }
    return seq;
}

// The body bound, checked from the headers before any of the body is read: a post's image
// needs its Content-Length (at most kMaxPagePostBytes), any other body is at most
// kMaxRequestBody. A chunked body (no length to check first) is refused.
Result<std::uint64_t> bounded_body_length(const httplib::Request& request) {
    if (!request.get_header_value("Transfer-Encoding").empty()) {
        return fail(ErrorCode::BAD_REQUEST, "send the body with a Content-Length");
    }
    const bool is_post = request.method == "POST" && request.path == kPostPath;
    const std::string text = request.get_header_value("Content-Length");
    if (text.empty()) {
        if (is_post) return fail(ErrorCode::BAD_REQUEST, "a post needs a Content-Length");
        return 0;
    }
    std::uint64_t length = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), length);
    if (error != std::errc() || end != text.data() + text.size()) {
        return fail(ErrorCode::BAD_REQUEST, "the Content-Length is not a number");
    }
    const std::uint64_t bound = is_post ? kMaxPagePostBytes : kMaxRequestBody;
    if (length > bound) {
        return fail(ErrorCode::TOO_LARGE,
                    fmt::format("the body is {} bytes, more than the {} allowed here{}", length,
                                bound, is_post ? " (post larger images with `imgshare post`)"
                                               : ""));
    }
    return length;
}

// The page's recipients as the source takes them: "bob,carol" from ["bob","carol"].
Result<std::string> joined_names(const nlohmann::json& names) {
    if (!names.is_array() || names.empty()) {
        return fail(ErrorCode::BAD_REQUEST, "\"with\" is a non-empty array of user names");
    }
    std::string joined;
    for (const auto& name : names) {
        if (!name.is_string()) {
            return fail(ErrorCode::BAD_REQUEST, "\"with\" is a non-empty array of user names");
        }
        if (!joined.empty()) joined += ',';
        joined += name.get<std::string>();
    }
    return joined;
}

// Server-Sent Events: one event per feed entry after `after`, `image` for an image and
// `removed` for a removal (image_feed.h), its id the entry's seq, so that EventSource's
// reconnection resumes exactly there; a comment line when nothing happened for a while, so a
// dead connection is noticed (the write fails) and closed.
void stream_events(httplib::Response& response, ImageFeed& feed, std::uint64_t after,
                   std::shared_ptr<std::atomic<int>> open_streams) {
    if (open_streams->fetch_add(1) >= kMaxEventStreams) {
        open_streams->fetch_sub(1);
        return refuse(response, Error{ErrorCode::SERVICE_UNAVAILABLE,
                                      fmt::format("{} pages of this gallery are open already: "
                                                  "close one", kMaxEventStreams)});
    }
    auto cursor = std::make_shared<std::uint64_t>(after);
    response.set_chunked_content_provider(
        "text/event-stream",
        [&feed, cursor](std::size_t, httplib::DataSink& sink) {
            auto news = feed.after(*cursor, kEventKeepAlive);
            if (feed.closed()) {
                sink.done();
                return true;
            }
            std::string text = news.empty() ? ": keep-alive\n\n" : "";
            for (const auto& image : news) {
                const auto seq = image.at("seq").get<std::uint64_t>();
                const char* kind = image.value("removed", false) ? "removed" : "image";
                text += fmt::format("id: {}\nevent: {}\ndata: {}\n\n", seq, kind,
                                    image.dump(-1, ' ', false,
                                               nlohmann::json::error_handler_t::replace));
                *cursor = seq;
            }
            return sink.write(text.data(), text.size());
        },
        // Called once the stream ends, however it ends.
        [open_streams](bool) { open_streams->fetch_sub(1); });
}

// Verified image bytes, as an image: the content type was checked against the list already
// (the envelope's, or image/jpeg for a thumbnail); checked again here because this is where
// bytes become something a browser renders. Straight from the cached buffer, which the
// provider keeps alive: no copy per request (docs/BENCHMARKS.md, the gallery's memory).
void send_image(httplib::Response& response, std::shared_ptr<const VerifiedImage> verified) {
    if (!is_known_content_type(verified->content_type)) {
        return refuse(response,
                      Error{ErrorCode::BAD_SIGNATURE, "the image's content type is not an image"});
    }
    response.set_content_provider(
        verified->bytes.size(), verified->content_type,
        [verified](std::size_t offset, std::size_t length, httplib::DataSink& sink) {
            return sink.write(reinterpret_cast<const char*>(verified->bytes.data()) + offset,
                              std::min(length, kImageWriteBytes));
        });
}

}  // namespace

Result<std::unique_ptr<GalleryServer>> GalleryServer::start(int port, GallerySource& source) {
    auto http = std::make_unique<Http>();
    int bound = port;
    if (port == 0) {
        bound = http->server.bind_to_any_port("127.0.0.1");
    } else if (!http->server.bind_to_port("127.0.0.1", port)) {
        bound = -1;
    }
    if (bound <= 0) {
        return fail(ErrorCode::IO_ERROR,
                    fmt::format("cannot listen on 127.0.0.1:{} (in use? choose another with "
                                "--port)", port));
    }
    return std::unique_ptr<GalleryServer>(new GalleryServer(std::move(http), bound, source));
}

GalleryServer::GalleryServer(std::unique_ptr<Http> http, int port, GallerySource& source)
    : http_(std::move(http)), guard_(port), source_(source) {
    install_routes();
    listener_ = std::thread([this] { http_->server.listen_after_bind(); });
}

GalleryServer::~GalleryServer() {
    source_.feed().close();  // ends the live streams, which would hold the server's threads
    http_->server.stop();
    if (listener_.joinable()) listener_.join();
}

std::string GalleryServer::url() const {
    return fmt::format("http://127.0.0.1:{}/?token={}", guard_.port(), guard_.token());
}

void GalleryServer::install_routes() {
    auto& server = http_->server;
    server.new_task_queue = [] { return new httplib::ThreadPool(kServerThreads); };
    // The largest body of all (a post's image); each request's own bound is checked before
    // routing (bounded_body_length).
    server.set_payload_max_length(kMaxPagePostBytes);
    server.set_default_headers({
        {"Content-Security-Policy", kContentSecurityPolicy},
        {"X-Content-Type-Options", "nosniff"},
        {"Cache-Control", "no-store"},
        {"Referrer-Policy", "no-referrer"},
        {"X-Frame-Options", "DENY"},
        {"Cross-Origin-Resource-Policy", "same-origin"},
    });
    // Every request passes the guard first; the token exchange is the one way in.
    server.set_pre_routing_handler([this](const httplib::Request& request,
                                          httplib::Response& response) {
        auto facts = facts_of(request);
        if (request.path == "/" && guard_.offers_url_token(facts)) {
            // The token leaves the address bar at once: the page is reloaded without it.
            response.set_header("Set-Cookie", guard_.session_cookie());
            response.set_redirect("/", 303);
            return httplib::Server::HandlerResponse::Handled;
        }
        if (auto admitted = guard_.admit(facts); !admitted) {
            refuse(response, admitted.error());
            return httplib::Server::HandlerResponse::Handled;
        }
        if (auto length = bounded_body_length(request); !length) {
            refuse(response, length.error());
            return httplib::Server::HandlerResponse::Handled;
        }
        return httplib::Server::HandlerResponse::Unhandled;
    });
    auto serve_asset = [](const httplib::Request& request, httplib::Response& response) {
        auto asset = web_asset(request.path);
        if (!asset) return refuse(response, Error{ErrorCode::NOT_FOUND, "no such page"});
        response.set_content(std::string(asset->body), std::string(asset->content_type));
    };
    server.Get("/", serve_asset);
    server.Get("/app.js", serve_asset);
    server.Get("/style.css", serve_asset);
    server.Get("/api/images", [this](const httplib::Request&, httplib::Response& response) {
        send_json(response, source_.feed().newest_first());
    });
    server.Get("/api/log", [this](const httplib::Request&, httplib::Response& response) {
        send_json(response, nlohmann::json{{"findings", source_.log_findings()}});
    });
    server.Get("/api/events", [this](const httplib::Request& request,
                                     httplib::Response& response) {
        auto cursor = resume_position(request);
        if (!cursor) return refuse(response, cursor.error());
        stream_events(response, source_.feed(), *cursor, open_streams_);
    });
    server.Get(R"(/api/images/([^/]+)/verification)",
               [this](const httplib::Request& request, httplib::Response& response) {
                   auto image = source_.image(request.matches[1]);
                   if (!image) return refuse(response, image.error());
                   send_json(response, (*image)->verification);
               });
    // The grid's picture of an image (GallerySource::thumbnail) and the image itself.
    server.Get(R"(/api/images/([^/]+)/thumbnail)",
               [this](const httplib::Request& request, httplib::Response& response) {
                   auto thumbnail = source_.thumbnail(request.matches[1]);
                   if (!thumbnail) return refuse(response, thumbnail.error());
                   send_image(response, *thumbnail);
               });
    server.Get(R"(/api/images/([^/]+))",
               [this](const httplib::Request& request, httplib::Response& response) {
                   auto image = source_.image(request.matches[1]);
                   if (!image) return refuse(response, image.error());
                   send_image(response, *image);
               });
    install_action_routes();
    // Anything else, whatever the method, is a refusal in the same shape.
    server.set_error_handler([](const httplib::Request&, httplib::Response& response) {
        if (response.body.empty()) {
            refuse(response, Error{response.status == 404 ? ErrorCode::NOT_FOUND
                                                          : ErrorCode::BAD_REQUEST,
                                   "no such page"});
        }
    });
}

// What the page changes: posts (the image as the body, written to a file as it arrives),
// their progress, the recipients' check and shares. The guard admitted each request already,
// with the same-origin check for every POST, and its body is within its bound.
void GalleryServer::install_action_routes() {
    auto& server = http_->server;
    server.Post(kPostPath, [this](const httplib::Request& request, httplib::Response& response,
                                  const httplib::ContentReader& content) {
        const std::string id = request.get_param_value("progress");
        if (!id.empty()) {
            if (auto ok = PostProgress::check_id(id); !ok) return refuse(response, ok.error());
        }
        auto report = [this, &id](std::string_view phase, std::uint64_t done,
                                  std::uint64_t total) {
            if (!id.empty()) progress_.update(id, phase, done, total);
        };
        PagePost post{.name = request.get_param_value("name"),
                      .recipients = std::nullopt,
                      .length = bounded_body_length(request).value_or(0)};
        if (request.has_param("to")) post.recipients = request.get_param_value("to");
        bool read = false;
        auto answer = source_.post(
            post,
            [&](const BodyReceiver& receive) {
                read = true;
                return content(receive);
            },
            report);
        // A post refused before its body was read still reads it, so that the browser gets
        // the refusal rather than a connection reset.
        if (!read) content([](const char*, std::size_t) { return true; });
        report(answer ? "done" : "failed", post.length, post.length);
        if (!answer) return refuse(response, answer.error());
        send_json(response, *answer);
    });
    server.Get(R"(/api/posts/([^/]+))", [this](const httplib::Request& request,
                                               httplib::Response& response) {
        auto progress = progress_.find(request.matches[1]);
        if (!progress) return refuse(response, Error{ErrorCode::NOT_FOUND, "no such post"});
        send_json(response, *progress);
    });
    server.Get(R"(/api/users/([^/]+))", [this](const httplib::Request& request,
                                               httplib::Response& response) {
        auto reader = source_.reader(request.matches[1]);
        if (!reader) return refuse(response, reader.error());
        send_json(response, *reader);
    });
    server.Post(R"(/api/images/([^/]+)/share)", [this](const httplib::Request& request,
                                                       httplib::Response& response) {
        auto body = nlohmann::json::parse(request.body, nullptr, false);
        if (body.is_discarded() || !body.is_object() || !body.contains("with")) {
            return refuse(response, Error{ErrorCode::BAD_REQUEST,
                                          R"(a share is {"with": ["user", …]})"});
        }
        auto with = joined_names(body["with"]);
        if (!with) return refuse(response, with.error());
        auto shared = source_.share(request.matches[1], *with);
        if (!shared) return refuse(response, shared.error());
        send_json(response, *shared);
    });
}

}  // namespace imgshare::gallery
