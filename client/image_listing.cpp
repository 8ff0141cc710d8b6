#include "client/image_listing.h"

#include "client/output.h"

namespace imgshare::client {

Result<void> for_each_listed_image(BrokerConnection& connection, std::uint64_t after,
                                   const std::function<void(const ImageSummary&)>& each) {
    while (true) {
        auto page = connection.call<ListReply>(ListRequest{after, kMaxListLimit});
        if (!page) return std::unexpected(page.error());
        for (const auto& image : page->items) each(image);
        // A page may hold none of the entries it examined (others' e2e images): go on while
        // the server has more; a page that moves the position nowhere is the end.
        if (!page->more || page->last_seq <= after) return {};
        after = page->last_seq;
    }
}

nlohmann::json listed_image_json(const ImageSummary& image) {
    nlohmann::json item{{"seq", image.seq},
                        {"name", printable(image.name)},
                        {"owner", printable(image.owner)},
                        {"size", image.size},
                        {"created_at", format_utc(image.created_at)},
                        {"mode", printable(image.mode)}};
    if (image.recipients) {
        auto& readers = item["recipients"] = nlohmann::json::array();
        for (const auto& recipient : *image.recipients) readers.push_back(printable(recipient));
    }
    if (image.expires_at) item["expires_at"] = format_utc(*image.expires_at);
    if (image.downloads_left) item["downloads_left"] = *image.downloads_left;
    return item;
}

}  // namespace imgshare::client
