// What a certificate log witness keeps and decides (docs/TRANSPARENCY.md, "Witnesses"): the
// newest tree head of one log that it cosigned, and the one rule that makes it worth asking —
// it cosigns a head only if that head extends every head it cosigned before. So a log that
// shows one reader a view and another reader a different view of the same size (a split
// view) cannot have both cosigned by the same witness.
//
// The state is DATA_DIR/witnessed, a key = value text file (config_file.h):
//   log_verify_key = <hex>   the log this witness witnesses (one log per data directory)
//   tree_head = <hex>        the newest head it cosigned, as the log signed it
//   cosignature = <hex>      its cosignature of that head
// written atomically (file_io.h) before the cosignature that grows it is answered, so a
// witness killed at any instant never cosigns a head that does not extend one it answered
// with. The file is checked at open: another log's key, or a head or cosignature that does
// not verify, stops the witness (CONFIG).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>

#include "common/bytes.h"
#include "common/crypto/keys.h"
#include "common/error.h"
#include "common/protocol/messages.h"
#include "common/transparency/tree_head.h"

namespace imgshare::witness {

class Witness {
  public:
    // The witness of the log whose key is `log_verify_key`, with its state from `data_dir`
    // (none before its first cosignature).
    [[nodiscard]] static Result<Witness> open(const std::filesystem::path& data_dir,
                                              Bytes log_verify_key, SigningKeyPair keys);

    // The newest head it cosigned, with that cosignature (size 0, both empty, before any).
    [[nodiscard]] WitnessStateReply state() const;

    // ADD_CHECKPOINT, at `now_seconds` (its cosignature's time): BAD_REQUEST or BAD_SIGNATURE
    // for a head the log's key did not sign; BAD_REQUEST when `old_size` is not the size it
    // cosigned last; LOG_INCONSISTENT when the head does not extend that one (smaller, another
    // root at the same size, a consistency proof that fails); IO_ERROR when the new state
    // could not be kept (then nothing is cosigned). The first head it sees is taken as it is.
    [[nodiscard]] Result<AddCheckpointReply> add_checkpoint(const AddCheckpointRequest& request,
                                                            std::int64_t now_seconds);

    [[nodiscard]] const Bytes& log_verify_key() const { return log_verify_key_; }
    [[nodiscard]] const Bytes& witness_key() const { return keys_.public_key; }
    [[nodiscard]] std::filesystem::path state_path() const { return data_dir_ / "witnessed"; }

  private:
    Witness(std::filesystem::path data_dir, Bytes log_verify_key, SigningKeyPair keys)
        : data_dir_(std::move(data_dir)),
          log_verify_key_(std::move(log_verify_key)),
          keys_(std::move(keys)) {}
    [[nodiscard]] Result<void> load();
    [[nodiscard]] Result<void> keep(ByteView tree_head, ByteView cosignature);

    std::filesystem::path data_dir_;
    Bytes log_verify_key_;
    SigningKeyPair keys_;
    struct Cosigned {
        transparency::TreeHead head;
        Bytes tree_head;    // as the log signed it
        Bytes cosignature;  // this witness's
    };
    std::optional<Cosigned> last_;
};

}  // namespace imgshare::witness
