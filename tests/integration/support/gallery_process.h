// `imgshare gallery` for a home of a test cluster, running in the background: started with
// --no-open on a free port, waited for until it prints its URL, stopped by pid.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "tests/integration/support/cluster.h"

namespace imgshare::testing {

class GalleryProcess {
  public:
    // Starts the gallery of `home` (with `args` after its own flags); check started() before
    // using it.
    GalleryProcess(Cluster& cluster, const std::filesystem::path& home, const std::string& label,
                   const std::vector<std::string>& args = {});

    [[nodiscard]] ::testing::AssertionResult started() const { return started_; }
    [[nodiscard]] int port() const { return port_; }
    [[nodiscard]] const std::string& url() const { return url_; }      // with the token
    [[nodiscard]] const std::string& token() const { return token_; }
    [[nodiscard]] Process& process() { return *process_; }

  private:
    int port_ = 0;
    std::unique_ptr<Process> process_;
    ::testing::AssertionResult started_ = ::testing::AssertionFailure();
    std::string url_;
    std::string token_;
};

}  // namespace imgshare::testing
