// The gallery tests' reading of a refusal: the stable code of the JSON body
// {"code": …, "message": …} every refusal of the gallery has.
#pragma once

#include <httplib.h>

#include <string>

#include <nlohmann/json.hpp>

namespace imgshare::testing {

// The refusal's code, or what the answer was instead.
inline std::string gallery_refusal_code(const httplib::Result& result) {
    if (!result) return "no answer";
    auto body = nlohmann::json::parse(result->body, nullptr, false);
    if (!body.is_object() || !body.contains("code")) return "not a refusal: " + result->body;
    return body["code"].get<std::string>();
}

}  // namespace imgshare::testing
