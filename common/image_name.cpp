#include "common/image_name.h"

#include "common/protocol/limits.h"

namespace imgshare {
namespace {

bool allowed(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
}

bool printable(std::string_view text) {
    for (unsigned char c : text) {
        if (c < 0x20 || c >= 0x7f) return false;
    }
    return true;
}

}  // namespace

Result<void> check_image_name(std::string_view name) {
    if (name.empty()) return fail(ErrorCode::BAD_REQUEST, "image name is empty");
    if (name.size() > kMaxImageNameBytes) {
        return fail(ErrorCode::BAD_REQUEST,
                    "image name is longer than " + std::to_string(kMaxImageNameBytes) + " bytes");
    }
    for (char c : name) {
        if (!allowed(c)) {
            std::string shown = printable(name) ? "'" + std::string(name) + "' " : "";
            return fail(ErrorCode::BAD_REQUEST,
                        "image name " + shown +
                            "may hold only letters, digits, '.', '_' and '-' (no '/', spaces or "
                            "control characters)");
        }
    }
    if (name.front() == '.' || name.front() == '-') {
        return fail(ErrorCode::BAD_REQUEST, "image name must not start with '.' or '-'");
    }
    return {};
}

std::string image_name_from_file_name(std::string_view file_name) {
    auto slash = file_name.find_last_of('/');
    if (slash != std::string_view::npos) file_name.remove_prefix(slash + 1);
    auto dot = file_name.find_last_of('.');
    if (dot != std::string_view::npos && dot > 0) file_name = file_name.substr(0, dot);
    std::string name;
    for (char c : file_name) {
        if (name.size() >= kMaxImageNameBytes) break;
        if (allowed(c)) {
            name.push_back(c);
        } else if (!name.empty() && name.back() != '_') {
            name.push_back('_');
        }
    }
    while (!name.empty() && (name.front() == '.' || name.front() == '-' || name.front() == '_')) {
        name.erase(name.begin());
    }
    while (!name.empty() && name.back() == '_')
        name.pop_back();
    if (name.empty()) name = "image";
    return name;
}

}  // namespace imgshare
