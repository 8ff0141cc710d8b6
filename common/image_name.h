// The rule for image names, shared by the client (refuses at post, never uses
// a name from the network as a path) and the storage node (refuses at
// POST_BEGIN). A valid name is safe as a single file name on any system.
#pragma once

#include <string>
#include <string_view>

#include "common/error.h"

namespace imgshare {

// 1..128 bytes of [A-Za-z0-9._-], not starting with '.' or '-'.
// BAD_REQUEST with a message that says which rule failed (the offending
// name is not echoed when it holds control bytes).
[[nodiscard]] Result<void> check_image_name(std::string_view name);

// A valid image name derived from a file name ("My cat (1).png" → "My_cat_1"):
// the extension dropped, other characters replaced, length capped.
[[nodiscard]] std::string image_name_from_file_name(std::string_view file_name);

}  // namespace imgshare
