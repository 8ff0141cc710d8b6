#include "client/load/load_options.h"

#include <array>
#include <charconv>
#include <limits>

#include <fmt/format.h>

namespace imgshare::client::load {
namespace {

std::unexpected<Error> bad(std::string message) {
    return fail(ErrorCode::BAD_REQUEST, std::move(message));
}

std::string_view trim(std::string_view text) {
    while (!text.empty() && text.front() == ' ')
        text.remove_prefix(1);
    while (!text.empty() && text.back() == ' ')
        text.remove_suffix(1);
    return text;
}

// The leading decimal digits of `text` as a number, removed from `text`; nullopt if there
// are none or they overflow.
std::optional<std::uint64_t> take_number(std::string_view& text) {
    std::uint64_t value = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end == text.data()) return std::nullopt;
    text.remove_prefix(static_cast<std::size_t>(end - text.data()));
    return value;
}

std::vector<std::string_view> split(std::string_view text, char separator) {
    std::vector<std::string_view> parts;
    while (true) {
        auto at = text.find(separator);
        parts.push_back(trim(text.substr(0, at)));
        if (at == std::string_view::npos) return parts;
        text.remove_prefix(at + 1);
    }
}

struct Unit {
    std::string_view suffix;
    std::uint64_t factor;
};

constexpr std::array<Unit, 8> kByteUnits{{{"", 1},
                                          {"B", 1},
                                          {"KiB", 1ull << 10},
                                          {"MiB", 1ull << 20},
                                          {"GiB", 1ull << 30},
                                          {"KB", 1000},
                                          {"MB", 1000 * 1000},
                                          {"GB", 1000 * 1000 * 1000}}};

}  // namespace

Result<std::uint64_t> parse_byte_size(std::string_view text) {
    std::string_view rest = trim(text);
    auto number = take_number(rest);
    if (!number) return bad(fmt::format("'{}' is not a size such as 100KiB", text));
    for (const auto& unit : kByteUnits) {
        if (rest != unit.suffix) continue;
        if (*number > std::numeric_limits<std::uint64_t>::max() / unit.factor) {
            return bad(fmt::format("'{}' is too large", text));
        }
        return *number * unit.factor;
    }
    return bad(fmt::format("'{}': unknown unit (use B, KiB, MiB, GiB, KB, MB or GB)", text));
}

Result<std::vector<SizeClass>> parse_size_distribution(std::string_view text) {
    std::vector<SizeClass> classes;
    for (auto part : split(text, ',')) {
        auto colon = part.find(':');
        auto size = parse_byte_size(part.substr(0, colon));
        if (!size) return std::unexpected(size.error());
        if (*size < kMinImageBytes || *size > kMaxImageBytes) {
            return bad(fmt::format("image size {} is outside {}..{}", format_byte_size(*size),
                                   format_byte_size(kMinImageBytes),
                                   format_byte_size(kMaxImageBytes)));
        }
        SizeClass size_class{*size, 1};
        if (colon != std::string_view::npos) {
            std::string_view weight_text = trim(part.substr(colon + 1));
            auto weight = take_number(weight_text);
            if (!weight || !weight_text.empty() || *weight == 0 || *weight > 1'000'000) {
                return bad(fmt::format("'{}': the weight after ':' must be 1..1000000", part));
            }
            size_class.weight = static_cast<std::uint32_t>(*weight);
        }
        classes.push_back(size_class);
    }
    return classes;
}

Result<OperationMix> parse_mix(std::string_view text) {
    OperationMix mix{0, 0, 0};
    bool seen[3] = {false, false, false};
    for (auto part : split(text, ',')) {
        auto equals = part.find('=');
        if (equals == std::string_view::npos) {
            return bad(fmt::format("'{}' is not operation=weight", part));
        }
        std::string_view name = trim(part.substr(0, equals));
        std::string_view weight_text = trim(part.substr(equals + 1));
        auto weight = take_number(weight_text);
        if (!weight || !weight_text.empty() || *weight > 1'000'000) {
            return bad(fmt::format("'{}': the weight must be 0..1000000", part));
        }
        int index = name == "post" ? 0 : name == "download" ? 1 : name == "list" ? 2 : -1;
        if (index < 0) {
            return bad(fmt::format("unknown operation '{}' (post, download, list)", name));
        }
        if (seen[index]) return bad(fmt::format("'{}' is given twice", name));
        seen[index] = true;
        auto value = static_cast<std::uint32_t>(*weight);
        (index == 0 ? mix.post : index == 1 ? mix.download : mix.list) = value;
    }
    if (mix.post + mix.download + mix.list == 0) {
        return bad("the mix has no operation with a positive weight");
    }
    return mix;
}

Result<std::chrono::milliseconds> parse_duration(std::string_view text) {
    std::string_view rest = trim(text);
    auto number = take_number(rest);
    if (!number) return bad(fmt::format("'{}' is not a duration such as 30s", text));
    std::uint64_t factor_ms = 0;
    if (rest.empty() || rest == "s") factor_ms = 1000;
    if (rest == "ms") factor_ms = 1;
    if (rest == "m") factor_ms = 60'000;
    if (rest == "h") factor_ms = 3'600'000;
    if (factor_ms == 0) return bad(fmt::format("'{}': unknown unit (use ms, s, m or h)", text));
    if (*number == 0 || *number > 7 * 24 * 3'600'000ull / factor_ms) {
        return bad(fmt::format("'{}' must be more than zero and at most a week", text));
    }
    return std::chrono::milliseconds(*number * factor_ms);
}

Result<VerifyMode> parse_verify_mode(std::string_view text) {
    if (text == "all") return VerifyMode::All;
    if (text == "sample") return VerifyMode::Sample;
    if (text == "none") return VerifyMode::None;
    return bad(fmt::format("--verify '{}': use all, sample or none", text));
}

std::string_view to_string(Operation operation) {
    switch (operation) {
        case Operation::Post:
            return "post";
        case Operation::Download:
            return "download";
        case Operation::List:
            return "list";
    }
    return "?";
}

std::string_view to_string(VerifyMode mode) {
    switch (mode) {
        case VerifyMode::All:
            return "all";
        case VerifyMode::Sample:
            return "sample";
        case VerifyMode::None:
            return "none";
    }
    return "?";
}

std::string format_byte_size(std::uint64_t bytes) {
    for (auto unit : {kByteUnits[4], kByteUnits[3], kByteUnits[2]}) {
        if (bytes != 0 && bytes % unit.factor == 0) {
            return fmt::format("{}{}", bytes / unit.factor, unit.suffix);
        }
    }
    return std::to_string(bytes);
}

std::string format_mix(const OperationMix& mix) {
    return fmt::format("post={},download={},list={}", mix.post, mix.download, mix.list);
}

std::string format_sizes(const std::vector<SizeClass>& sizes) {
    std::string text;
    for (const auto& size_class : sizes) {
        if (!text.empty()) text += ',';
        text += format_byte_size(size_class.bytes);
        if (sizes.size() > 1) text += fmt::format(":{}", size_class.weight);
    }
    return text;
}

Operation pick_operation(const OperationMix& mix, std::uint64_t random) {
    const std::uint64_t total = std::uint64_t{mix.post} + mix.download + mix.list;
    const std::uint64_t point = random % total;
    if (point < mix.post) return Operation::Post;
    if (point < std::uint64_t{mix.post} + mix.download) return Operation::Download;
    return Operation::List;
}

std::uint64_t pick_size(const std::vector<SizeClass>& sizes, std::uint64_t random) {
    std::uint64_t total = 0;
    for (const auto& size_class : sizes)
        total += size_class.weight;
    std::uint64_t point = random % total;
    for (const auto& size_class : sizes) {
        if (point < size_class.weight) return size_class.bytes;
        point -= size_class.weight;
    }
    return sizes.back().bytes;
}

}  // namespace imgshare::client::load
