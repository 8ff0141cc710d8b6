#include "tests/integration/support/gallery_process.h"

#include <chrono>

namespace imgshare::testing {

GalleryProcess::GalleryProcess(Cluster& cluster, const std::filesystem::path& home,
                               const std::string& label, const std::vector<std::string>& args)
    : port_(free_port()) {
    std::vector<std::string> argv{executable("imgshare"), "--home", home.string(), "gallery",
                                  "--port", std::to_string(port_), "--no-open"};
    argv.insert(argv.end(), args.begin(), args.end());
    process_ = std::make_unique<Process>(argv, cluster.dir() / ("gallery-" + label),
                                         cluster.client_env());
    started_ = process_->wait_for_output(" (Ctrl-C stops it)", std::chrono::seconds(30));
    if (!started_) return;
    const std::string out = process_->out();
    const std::string marker = "gallery at ";
    auto begin = out.find(marker);
    auto end = out.find(' ', begin + marker.size());
    url_ = out.substr(begin + marker.size(), end - begin - marker.size());
    auto token_at = url_.find("token=");
    if (token_at == std::string::npos) {
        started_ = ::testing::AssertionFailure() << "no token in the printed URL: " << out;
        return;
    }
    token_ = url_.substr(token_at + 6);
}

}  // namespace imgshare::testing
