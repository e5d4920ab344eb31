// SPDX-License-Identifier: EUPL-1.2
#define PCRE2_CODE_UNIT_WIDTH 8
#include "federation/stix/pattern_regex.hpp"

#include <pcre2.h>

#include <atomic>

namespace vigie::stix {
namespace {

constexpr uint32_t kMatchLimit = 100000;

Result<pcre2_code*> compile_code(std::string_view expression,
                                 uint32_t options = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF) {
    int code = 0;
    PCRE2_SIZE offset = 0;
    pcre2_code* re = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(expression.data()),
                                   expression.size(), options, &code, &offset, nullptr);
    if (re == nullptr) {
        PCRE2_UCHAR buf[256];
        pcre2_get_error_message(code, buf, sizeof buf);
        return Error{std::string(reinterpret_cast<const char*>(buf)) + " at offset " +
                     std::to_string(offset)};
    }
    pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);  // falls back to the interpreter when refused
    return re;
}

}  // namespace

Result<std::shared_ptr<const PatternRegex>> PatternRegex::compile(std::string_view expression) {
    auto re = compile_code(expression);
    if (!re) return re.error();
    return std::shared_ptr<const PatternRegex>(new PatternRegex(*re));
}

std::shared_ptr<const PatternRegex> PatternRegex::compile_binary(std::string_view latin1) {
    auto re = compile_code(latin1, 0);
    if (!re) return nullptr;  // code points < 256 that PCRE2 refuses as bytes: no binary match
    return std::shared_ptr<const PatternRegex>(new PatternRegex(*re));
}

std::shared_ptr<const PatternRegex> PatternRegex::from_like(std::string_view like) {
    std::string expression = "\\A";
    std::string literal;
    auto flush = [&] {
        if (!literal.empty()) expression += "\\Q" + literal + "\\E";
        literal.clear();
    };
    for (char c : like) {
        if (c == '%' || c == '_') {
            flush();
            expression += c == '%' ? "(?s:.*)" : "(?s:.)";
        } else if (c == '\\') {  // \E cannot be quoted inside \Q...\E
            flush();
            expression += "\\\\";
        } else {
            literal.push_back(c);
        }
    }
    flush();
    expression += "\\z";
    auto compiled = compile(expression);  // quoted literals: PCRE2 refuses none of these
    return compiled ? std::move(compiled).value() : nullptr;
}

PatternRegex::~PatternRegex() {
    pcre2_code_free(static_cast<pcre2_code*>(code_));
}

namespace {
std::atomic<uint64_t> g_limit_hits{0};
}  // namespace

uint64_t PatternRegex::limit_hits() {
    return g_limit_hits.load(std::memory_order_relaxed);
}

PatternRegex::Outcome PatternRegex::search(std::string_view subject) const {
    auto* code = static_cast<pcre2_code*>(code_);
    pcre2_match_data* data = pcre2_match_data_create_from_pattern(code, nullptr);
    pcre2_match_context* context = pcre2_match_context_create(nullptr);
    pcre2_set_match_limit(context, kMatchLimit);
    pcre2_set_depth_limit(context, kMatchLimit);
    pcre2_set_heap_limit(context, 16 << 10);  // KiB: the interpreter's frames
    int rc = pcre2_match(code, reinterpret_cast<PCRE2_SPTR>(subject.data()), subject.size(), 0, 0,
                         data, context);
    pcre2_match_context_free(context);
    pcre2_match_data_free(data);
    if (rc >= 0) return Outcome::Match;
    if (rc == PCRE2_ERROR_NOMATCH) return Outcome::NoMatch;
    g_limit_hits.fetch_add(1, std::memory_order_relaxed);
    return Outcome::Undecided;
}

}  // namespace vigie::stix
