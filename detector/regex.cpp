// SPDX-License-Identifier: EUPL-1.2
#define PCRE2_CODE_UNIT_WIDTH 8
#include "detector/regex.hpp"

#include <pcre2.h>

namespace vigie {

std::shared_ptr<const Regex> Regex::compile(std::string_view pattern, RegexFlags flags,
                                            RegexError& error) {
    uint32_t options = 0;
    if (flags.caseless) options |= PCRE2_CASELESS;
    if (flags.multiline) options |= PCRE2_MULTILINE;
    if (flags.dotall) options |= PCRE2_DOTALL;
    int code = 0;
    PCRE2_SIZE offset = 0;
    pcre2_code* re = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                                   options, &code, &offset, nullptr);
    if (re == nullptr) {
        PCRE2_UCHAR buf[256];
        pcre2_get_error_message(code, buf, sizeof buf);
        error.offset = offset;
        error.message = reinterpret_cast<const char*>(buf);
        return nullptr;
    }
    bool jit = pcre2_jit_compile(re, PCRE2_JIT_COMPLETE) == 0;
    return std::shared_ptr<const Regex>(new Regex(re, std::string(pattern), flags, jit));
}

Regex::Regex(pcre2_code* code, std::string pattern, RegexFlags flags, bool jit)
    : code_(code), pattern_(std::move(pattern)), flags_(flags), jit_(jit) {}

Regex::~Regex() {
    pcre2_code_free(code_);
}

Truth Regex::search(std::string_view subject, RegexScratch& scratch) const {
    auto* data = reinterpret_cast<PCRE2_SPTR>(subject.data());
    int rc = jit_ ? pcre2_jit_match(code_, data, subject.size(), 0, 0, scratch.match_data_,
                                    scratch.context_)
                  : pcre2_match(code_, data, subject.size(), 0, 0, scratch.match_data_,
                                scratch.context_);
    if (rc >= 0) return Truth::Yes;
    if (rc == PCRE2_ERROR_NOMATCH) return Truth::No;
    // PCRE2_ERROR_MATCHLIMIT, DEPTHLIMIT, HEAPLIMIT, JIT_STACKLIMIT: not an answer.
    ++scratch.limit_hits_;
    return Truth::Unknown;
}

RegexScratch::RegexScratch()
    : match_data_(pcre2_match_data_create(1, nullptr)),
      context_(pcre2_match_context_create(nullptr)),
      jit_stack_(pcre2_jit_stack_create(size_t{32} << 10, kJitStackMax, nullptr)) {
    pcre2_set_match_limit(context_, kMatchLimit);
    pcre2_set_depth_limit(context_, kMatchLimit);
    pcre2_set_heap_limit(context_, kHeapLimitKib);
    pcre2_jit_stack_assign(context_, nullptr, jit_stack_);
}

RegexScratch::~RegexScratch() {
    pcre2_jit_stack_free(jit_stack_);
    pcre2_match_context_free(context_);
    pcre2_match_data_free(match_data_);
}

}  // namespace vigie
