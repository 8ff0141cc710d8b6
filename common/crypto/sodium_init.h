// libsodium start-up.
//
// ensure_sodium() initialises libsodium exactly once per process, however many
// threads call it. It is cheap after the first call, so every function in
// common/crypto calls it itself; callers never need to. A failure to initialise
// is a start-up failure: it throws std::runtime_error.
#pragma once

namespace imgshare {

void ensure_sodium();

}  // namespace imgshare
