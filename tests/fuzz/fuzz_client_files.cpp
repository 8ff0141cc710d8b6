// Fuzz target: the client's own small files in its home directory (client_home.h): the
// configuration (parse_client_config) and the watcher's state file (ClientHome::load_last_seq,
// read from a real file). The whole input is each file's content.
// Properties: failures are CONFIG only; a configuration that parses formats
// (format_client_config) to text that parses to the same configuration; a last_seq that loads,
// written back as save_last_seq writes it, reads back unchanged.
#include <cstddef>
#include <cstdint>
#include <string>

#include "client/client_home.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace imgshare;
    static const testing::ScratchDir home_dir{fuzz::scratch_parent()};
    const ByteView input(data, size);

    auto config = client::parse_client_config(as_string(input), "fuzz config");
    if (!config) {
        fuzz::require(config.error().code == ErrorCode::CONFIG, "the config fails with CONFIG");
    } else {
        auto again = client::parse_client_config(client::format_client_config(*config), "again");
        fuzz::require(again && *again == *config, "parse(format(config)) == config");
    }

    const client::ClientHome home(home_dir.path());
    fuzz::write_whole_file(home.state_path(), input);
    auto seq = home.load_last_seq();
    if (!seq) {
        fuzz::require(seq.error().code == ErrorCode::CONFIG, "the state file fails with CONFIG");
        return 0;
    }
    // Written as save_last_seq writes it, without its fsync (too slow to do per input).
    fuzz::write_whole_file(home.state_path(),
                           as_bytes("last_seq = " + std::to_string(*seq) + "\n"));
    auto reloaded = home.load_last_seq();
    fuzz::require(reloaded && *reloaded == *seq, "the last_seq read is the last_seq written");
    return 0;
}
