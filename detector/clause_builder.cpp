// SPDX-License-Identifier: EUPL-1.2
#include "detector/clause_builder.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <map>

#include "detector/regex_risk.hpp"
#include "detector/value_encodings.hpp"

namespace vigie {

namespace {

enum class Step : uint8_t { Anchor, Windash, Base64, Base64Offset, Utf16Le, Utf16Be, Utf16, Wide };
enum class ValueKind : uint8_t { String, Regex, Cidr, Compare, Exists, FieldRef };

// windash expands every dash into five: beyond this many variants a value is refused.
constexpr size_t kMaxVariants = 4096;

const std::map<std::string, Step, std::less<>>& transform_steps() {
    static const std::map<std::string, Step, std::less<>> steps = {
        {"windash", Step::Windash},
        {"base64", Step::Base64},
        {"base64offset", Step::Base64Offset},
        {"utf16le", Step::Utf16Le},
        {"utf16be", Step::Utf16Be},
        {"utf16", Step::Utf16},
        {"wide", Step::Wide}};
    return steps;
}

std::optional<double> parse_number(std::string_view text) {
    double d = 0;
    const char* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, d);
    if (ec != std::errc() || ptr != end) return std::nullopt;
    return d;
}

SigmaString apply_anchor(SigmaString s, Anchor anchor) {
    if (anchor == Anchor::Contains || anchor == Anchor::EndsWith) s.prepend_any_run();
    if (anchor == Anchor::Contains || anchor == Anchor::StartsWith) s.append_any_run();
    return s;
}

}  // namespace

struct ClauseBuilder::Modifiers {
    ValueKind kind = ValueKind::String;
    Anchor anchor = Anchor::Whole;
    bool cased = false;
    bool expand = false;
    RegexFlags regex;
    CompareOp op = CompareOp::Greater;
    std::vector<Step> steps;
};

void ClauseBuilder::error(const SourceLocation& where, std::string message) {
    ++errors_;
    diags_.push_back({Severity::Error, where, rule_id_, std::move(message)});
}

void ClauseBuilder::warning(const SourceLocation& where, std::string message) {
    diags_.push_back({Severity::Warning, where, rule_id_, std::move(message)});
}

bool ClauseBuilder::parse_modifiers(const ClauseInput& input, Modifiers& mods,
                                    FieldClause& clause) {
    std::string_view key = input.key;
    size_t bar = key.find('|');
    clause.field = std::string(key.substr(0, bar));
    bool has_re = false;
    bool has_type = false;  // a modifier that sets the kind of test
    auto set_kind = [&](ValueKind k, std::string_view name) {
        if (has_type) {
            error(input.where, "modifier '" + std::string(name) +
                                   "' cannot be combined with the modifiers before it");
            return false;
        }
        has_type = true;
        mods.kind = k;
        return true;
    };
    while (bar != std::string_view::npos) {
        size_t next = key.find('|', bar + 1);
        std::string_view m =
            key.substr(bar + 1, next == std::string_view::npos ? next : next - bar - 1);
        bar = next;
        if (m == "contains" || m == "startswith" || m == "endswith") {
            if (mods.steps.end() != std::find(mods.steps.begin(), mods.steps.end(), Step::Anchor)) {
                error(input.where, "only one of contains, startswith and endswith may be used");
                return false;
            }
            mods.anchor = m == "contains"     ? Anchor::Contains
                          : m == "startswith" ? Anchor::StartsWith
                                              : Anchor::EndsWith;
            mods.steps.push_back(Step::Anchor);
        } else if (auto it = transform_steps().find(m); it != transform_steps().end()) {
            mods.steps.push_back(it->second);
        } else if (m == "all") {
            clause.all = true;
        } else if (m == "cased") {
            mods.cased = true;
        } else if (m == "expand") {
            mods.expand = true;
        } else if (m == "re") {
            has_re = true;
            if (!set_kind(ValueKind::Regex, m)) return false;
        } else if (m == "i" || m == "m" || m == "s") {
            if (!has_re) {
                error(input.where,
                      "modifier '" + std::string(m) + "' is a regex flag and needs 're' before it");
                return false;
            }
            (m == "i"   ? mods.regex.caseless
             : m == "m" ? mods.regex.multiline
                        : mods.regex.dotall) = true;
        } else if (m == "cidr") {
            if (!set_kind(ValueKind::Cidr, m)) return false;
        } else if (m == "exists") {
            if (!set_kind(ValueKind::Exists, m)) return false;
        } else if (m == "fieldref") {
            if (!set_kind(ValueKind::FieldRef, m)) return false;
        } else if (m == "gt" || m == "gte" || m == "lt" || m == "lte") {
            if (!set_kind(ValueKind::Compare, m)) return false;
            mods.op = m == "gt"    ? CompareOp::Greater
                      : m == "gte" ? CompareOp::GreaterEqual
                      : m == "lt"  ? CompareOp::Less
                                   : CompareOp::LessEqual;
        } else {
            error(input.where, "unknown modifier '" + std::string(m) + "'");
            return false;
        }
    }
    if (mods.kind != ValueKind::String && mods.kind != ValueKind::FieldRef) {
        bool has_anchor =
            std::find(mods.steps.begin(), mods.steps.end(), Step::Anchor) != mods.steps.end();
        if (!mods.steps.empty() || mods.expand) {
            error(input.where, std::string("value transformations") +
                                   (has_anchor ? " and contains/startswith/endswith" : "") +
                                   " cannot be combined with re, cidr, exists or gt/gte/lt/lte");
            return false;
        }
    }
    if (mods.kind == ValueKind::FieldRef) {
        for (Step s : mods.steps) {
            if (s != Step::Anchor) {
                error(
                    input.where,
                    "fieldref can only be combined with contains, startswith, endswith and cased");
                return false;
            }
        }
    }
    if (input.keywords && mods.kind != ValueKind::String && mods.kind != ValueKind::Regex) {
        error(input.where, "keyword lists take only string and regex tests");
        return false;
    }
    if (input.keywords &&
        std::find(mods.steps.begin(), mods.steps.end(), Step::Anchor) == mods.steps.end()) {
        // A keyword is searched for anywhere in the event's strings.
        mods.anchor = Anchor::Contains;
        mods.steps.push_back(Step::Anchor);
    }
    return true;
}

std::vector<std::string> ClauseBuilder::expand(const RawValue& value, bool& undefined) {
    // As pySigma: a placeholder is %name% with a name of word characters, not preceded by
    // a backslash; \% is a plain percent sign.
    auto is_name_char = [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
    };
    std::vector<std::string> out = {""};
    auto append = [&](std::string_view text) {
        for (auto& o : out) o += text;
    };
    const std::string& t = value.text;
    size_t pos = 0;
    while (pos < t.size()) {
        if (t[pos] == '\\' && pos + 1 < t.size() && t[pos + 1] == '%') {
            append("%");
            pos += 2;
            continue;
        }
        size_t close = t[pos] == '%' ? t.find('%', pos + 1) : std::string::npos;
        if (close == std::string::npos || close == pos + 1 ||
            !std::all_of(t.begin() + static_cast<std::ptrdiff_t>(pos) + 1,
                         t.begin() + static_cast<std::ptrdiff_t>(close), is_name_char)) {
            append(std::string_view(&t[pos], 1));
            ++pos;
            continue;
        }
        std::string name = t.substr(pos + 1, close - pos - 1);
        const auto* values = placeholders_.find(name);
        if (values == nullptr) {
            undefined = true;
            warning(value.where,
                    "placeholder %" + name +
                        "% is not defined (pass --placeholders FILE); this value never matches");
            return {};
        }
        std::vector<std::string> next;
        for (const auto& o : out) {
            for (const auto& v : *values) next.push_back(o + v);
        }
        out = std::move(next);
        pos = close + 1;
    }
    return out;
}

bool ClauseBuilder::add_string_values(const RawValue& value, const Modifiers& mods,
                                      FieldClause& clause) {
    std::vector<std::string> texts = {value.text};
    if (mods.expand) {
        bool undefined = false;
        texts = expand(value, undefined);
        if (undefined) {
            clause.values.emplace_back(NeverPredicate{});
            return true;
        }
    }
    bool cased = mods.cased;
    std::vector<SigmaString> current;
    current.reserve(texts.size());
    for (const auto& t : texts) current.push_back(SigmaString::parse(t));
    for (Step step : mods.steps) {
        std::vector<SigmaString> next;
        for (const SigmaString& s : current) {
            switch (step) {
                case Step::Anchor:
                    next.push_back(apply_anchor(s, mods.anchor));
                    break;
                case Step::Utf16Le:
                case Step::Wide:
                    next.push_back(to_utf16(s, Utf16Form::LittleEndian));
                    break;
                case Step::Utf16Be:
                    next.push_back(to_utf16(s, Utf16Form::BigEndian));
                    break;
                case Step::Utf16:
                    next.push_back(to_utf16(s, Utf16Form::WithBom));
                    break;
                case Step::Windash: {
                    auto variants = windash_variants(s, kMaxVariants);
                    if (variants.empty()) {
                        error(value.where, "windash would expand this value into more than " +
                                               std::to_string(kMaxVariants) + " variants");
                        return false;
                    }
                    next.insert(next.end(), variants.begin(), variants.end());
                    break;
                }
                case Step::Base64:
                case Step::Base64Offset: {
                    if (s.has_wildcards()) {
                        error(value.where,
                              "base64 and base64offset cannot encode a value with wildcards");
                        return false;
                    }
                    cased = true;  // base64 text is case-sensitive by nature
                    if (step == Step::Base64) {
                        next.push_back(SigmaString::literal(base64_encode(s.plain())));
                    } else {
                        for (auto& enc : base64_offsets(s.plain()))
                            next.push_back(SigmaString::literal(enc));
                    }
                    break;
                }
            }
        }
        current = std::move(next);
    }
    for (auto& s : current) {
        GlobMatcher matcher(s, cased);
        clause.values.emplace_back(GlobPredicate{std::move(s), std::move(matcher)});
    }
    return true;
}

bool ClauseBuilder::add_value(const RawValue& value, const Modifiers& mods, FieldClause& clause) {
    if (value.is_null) {
        if (mods.kind != ValueKind::String || !mods.steps.empty() || input_is_keyword_) {
            error(value.where, "null cannot be combined with modifiers or used as a keyword");
            return false;
        }
        clause.values.emplace_back(NullPredicate{});
        return true;
    }
    switch (mods.kind) {
        case ValueKind::String:
            return add_string_values(value, mods, clause);
        case ValueKind::Regex: {
            RegexError err;
            auto re = Regex::compile(value.text, mods.regex, err);
            if (!re) {
                error(value.where, "regex rejected by PCRE2 at offset " +
                                       std::to_string(err.offset) + ": " + err.message);
                return false;
            }
            if (auto risk = backtracking_risk(value.text)) {
                warning(value.where,
                        "regex can backtrack badly at offset " + std::to_string(risk->offset) +
                            ": " + risk->reason +
                            "; a value that runs it into its match limit fires the rule "
                            "(fail-closed)");
            }
            clause.values.emplace_back(RegexPredicate{std::move(re)});
            return true;
        }
        case ValueKind::Cidr: {
            auto net = IpNetwork::parse(value.text);
            if (!net) {
                error(value.where, "'" + value.text + "' is not an IPv4 or IPv6 network");
                return false;
            }
            clause.values.emplace_back(CidrPredicate{*net});
            return true;
        }
        case ValueKind::Compare: {
            auto n = parse_number(value.text);
            if (!n) {
                error(value.where, "'" + value.text + "' is not a number");
                return false;
            }
            clause.values.emplace_back(NumberPredicate{mods.op, *n});
            return true;
        }
        case ValueKind::Exists: {
            if (value.text != "true" && value.text != "false") {
                error(value.where, "exists takes true or false, not '" + value.text + "'");
                return false;
            }
            clause.values.emplace_back(ExistsPredicate{value.text == "true"});
            return true;
        }
        case ValueKind::FieldRef:
            clause.values.emplace_back(
                FieldRefPredicate{value.text, mods.anchor, mods.cased, kNone});
            return true;
    }
    return false;
}

std::optional<FieldClause> ClauseBuilder::build(const ClauseInput& input) {
    FieldClause clause;
    clause.where = input.where;
    Modifiers mods;
    if (!parse_modifiers(input, mods, clause)) return std::nullopt;
    if (input.keywords && !clause.field.empty()) {
        error(input.where, "internal: keyword clause with a field name");
        return std::nullopt;
    }
    if (!input.keywords && clause.field.empty()) {
        error(input.where, "a selection entry needs a field name before '|'");
        return std::nullopt;
    }
    if (input.values.empty()) {
        error(input.where, "field '" + clause.field + "' has an empty list of values");
        return std::nullopt;
    }
    input_is_keyword_ = input.keywords;
    for (size_t i = 0; i < input.values.size(); ++i) {
        if (!add_value(input.values[i], mods, clause)) return std::nullopt;
        clause.groups.resize(clause.values.size(), static_cast<uint32_t>(i));
    }
    return clause;
}

}  // namespace vigie
