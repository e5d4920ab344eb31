// SPDX-License-Identifier: EUPL-1.2
#pragma once
// A PCRE2 regular expression, JIT-compiled, matched with a bounded match limit so that
// no rule can stall the engine. The scratch (match data, JIT stack) is per thread.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

struct pcre2_real_code_8;
struct pcre2_real_match_data_8;
struct pcre2_real_match_context_8;
struct pcre2_real_jit_stack_8;

namespace vigie {

struct RegexFlags {
    bool caseless = false;   // re|i
    bool multiline = false;  // re|m
    bool dotall = false;     // re|s
    bool operator==(const RegexFlags&) const = default;
};

// A test's answer. Unknown: it could not be decided within its bounds (a regex that ran
// into its match, depth, heap or JIT-stack limit). Conditions combine answers in Kleene's
// three-valued logic and a rule whose condition is Unknown fires (fail-closed), so that
// padding a value until its regex gives up can never hide an event from a rule.
enum class Truth : uint8_t { No, Yes, Unknown };

struct RegexError {
    size_t offset = 0;  // 0-based byte offset in the pattern
    std::string message;
};

class RegexScratch;

class Regex {
  public:
    // Returns nullptr and fills `error` when PCRE2 rejects the pattern.
    static std::shared_ptr<const Regex> compile(std::string_view pattern, RegexFlags flags,
                                                RegexError& error);
    ~Regex();
    Regex(const Regex&) = delete;
    Regex& operator=(const Regex&) = delete;

    // Yes or No; Unknown (and counted in the scratch) when the search ran into a limit.
    [[nodiscard]] Truth search(std::string_view subject, RegexScratch& scratch) const;
    [[nodiscard]] const std::string& pattern() const { return pattern_; }
    [[nodiscard]] RegexFlags flags() const { return flags_; }

  private:
    Regex(pcre2_real_code_8* code, std::string pattern, RegexFlags flags, bool jit);
    pcre2_real_code_8* code_;
    std::string pattern_;
    RegexFlags flags_;
    bool jit_;
};

// Per-thread PCRE2 state. Not shareable between threads.
class RegexScratch {
  public:
    // Backtracking steps and nested backtracking frames per search; past either, the
    // search is Unknown. kHeapLimitKib bounds the interpreter's frames (when JIT is not
    // available), the JIT stack (kJitStackMax) bounds the JIT's.
    static constexpr uint32_t kMatchLimit = 100000;
    static constexpr uint32_t kHeapLimitKib = 16 << 10;
    static constexpr size_t kJitStackMax = size_t{1} << 20;
    RegexScratch();
    ~RegexScratch();
    RegexScratch(const RegexScratch&) = delete;
    RegexScratch& operator=(const RegexScratch&) = delete;

    [[nodiscard]] uint64_t limit_hits() const { return limit_hits_; }

  private:
    friend class Regex;
    pcre2_real_match_data_8* match_data_;
    pcre2_real_match_context_8* context_;
    pcre2_real_jit_stack_8* jit_stack_;
    uint64_t limit_hits_ = 0;
};

}  // namespace vigie
