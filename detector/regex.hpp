#pragma once
// A PCRE2 regular expression, JIT-compiled, matched with a bounded match limit so that
// no rule can stall the engine. The scratch (match data, JIT stack) is per thread.
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

    // A match that runs into the match limit counts as no match (and is counted).
    [[nodiscard]] bool search(std::string_view subject, RegexScratch& scratch) const;
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
    static constexpr uint32_t kMatchLimit = 100000;
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
