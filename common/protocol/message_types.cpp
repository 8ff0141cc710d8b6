#include "common/protocol/message_types.h"

#include <algorithm>
#include <array>

#include "common/protocol/messages.h"

namespace imgshare {
namespace {

template <class Variant>
struct TypeTable;

template <class... Messages>
struct TypeTable<std::variant<Messages...>> {
    static constexpr std::array<std::string_view, sizeof...(Messages)> names{Messages::kType...};
    static constexpr std::array<bool, sizeof...(Messages)> payloads{carries_payload<Messages>()...};
};

using RequestTable = TypeTable<Request>;

const std::string_view* find_request(std::string_view type) {
    const auto& names = RequestTable::names;
    auto found = std::find(names.begin(), names.end(), type);
    return found == names.end() ? nullptr : &*found;
}

}  // namespace

std::span<const std::string_view> request_type_names() {
    return RequestTable::names;
}

bool is_request_type(std::string_view type) {
    return find_request(type) != nullptr;
}

bool is_known_message_type(std::string_view type) {
    return is_request_type(type) || type == kOkType || type == kErrorType;
}

bool request_carries_payload(std::string_view type) {
    const auto* found = find_request(type);
    if (found == nullptr) return false;
    return RequestTable::payloads[static_cast<std::size_t>(found - RequestTable::names.data())];
}

}  // namespace imgshare
