// SPDX-License-Identifier: EUPL-1.2
#pragma once
// A deterministic generator of realistic Windows events (Sysmon process creation,
// network, file, registry, image load; Security logons) in the Event.System /
// Event.EventData shape, for the benchmark and the ordering tests. The same seed gives
// the same bytes on every machine: it uses its own PRNG, not <random>'s distributions.
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

namespace vigie::bench {

class EventGenerator {
  public:
    // Part of every corpus file name: bump it whenever the bytes for a seed change, so
    // that the benchmark never reuses a corpus an older generator wrote.
    static constexpr int kVersion = 2;

    explicit EventGenerator(uint64_t seed, double trigger_share = 0.01)
        : state_(seed), trigger_share_(trigger_share) {}

    // Appends one event as a single JSON line (with its newline) to `out`.
    void append_event(std::string& out);

  private:
    struct Host {
        std::string computer;
        std::string user;
        std::string ip;
    };

    uint64_t next();
    uint64_t below(uint64_t n) { return next() % n; }
    bool chance(double p) { return static_cast<double>(next() >> 11) * 0x1.0p-53 < p; }
    template <size_t N>
    std::string_view pick(const std::string_view (&items)[N]) {
        return items[below(N)];
    }

    Host host();
    void hex(std::string& out, size_t digits);
    void guid(std::string& out);
    struct HashSpec {
        std::string_view name;
        size_t digits;
    };
    void hashes_field(std::string& out, std::initializer_list<HashSpec> algorithms);
    void system(std::string& out, bool sysmon, int event_id, const Host& h);
    void acting_process(std::string& out, std::string_view image);
    void process_creation(std::string& out, const Host& h);
    void network(std::string& out, const Host& h);
    void file_create(std::string& out, const Host& h);
    void registry_set(std::string& out, const Host& h);
    void image_load(std::string& out, const Host& h);
    void logon(std::string& out, const Host& h);
    // Appends `tmpl` with each '#' replaced by a number and each '@' by a word.
    void expand(std::string& out, std::string_view tmpl);
    void field(std::string& out, std::string_view name, std::string_view value);
    void number_field(std::string& out, std::string_view name, uint64_t value);

    uint64_t state_;
    double trigger_share_;
    uint64_t record_id_ = 1000000;
    uint64_t clock_ms_ = 0;
};

}  // namespace vigie::bench
