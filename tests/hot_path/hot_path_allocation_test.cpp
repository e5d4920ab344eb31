// SPDX-License-Identifier: EUPL-1.2
// The brief's promise, checked: once a worker has warmed up, the hot path (parse -> scan ->
// evaluate -> alert) allocates nothing per event. A batch of events, over half of them raising
// alerts through every kind of string test the prefilter and PCRE2 take, is scanned once to
// warm up, then again while every allocation of the process is counted.
//
// Under AddressSanitizer (make test) the sanitizer's malloc hooks count every allocation:
// operator new, malloc, the aligned allocations of simdjson, Hyperscan's and PCRE2's. In a
// build without it, operator new is replaced, which sees the C++ allocations only.
#include <doctest/doctest.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <string>

#include "core/clock.hpp"
#include "federation/indicators/indicator_catalog.hpp"
#include "federation/indicators/indicator_store.hpp"
#include "federation/stix/bundle_reader.hpp"
#include "ingest/input_reader.hpp"
#include "pipeline/alerts/alert_format.hpp"
#include "pipeline/scan/batch_scanner.hpp"
#include "tests/support/sigma_harness.hpp"

#if defined(__SANITIZE_ADDRESS__)
#define VIGIE_COUNT_WITH_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define VIGIE_COUNT_WITH_SANITIZER 1
#endif
#endif

namespace {

std::atomic<bool> counting{false};
std::atomic<bool> tracing{false};  // after the warm-up only
std::atomic<uint64_t> allocations{0};

void count_one() {
    if (counting.load(std::memory_order_relaxed)) {
        allocations.fetch_add(1, std::memory_order_relaxed);
    }
}

}  // namespace

#ifdef VIGIE_COUNT_WITH_SANITIZER
// The sanitizer runtime's interface (sanitizer/allocator_interface.h), declared here: GCC on
// Debian 12 ships libasan, which has it, without the header (only clang's packages have it).
extern "C" int __sanitizer_install_malloc_and_free_hooks(void (*malloc_hook)(const volatile void*,
                                                                             size_t),
                                                         void (*free_hook)(const volatile void*));

extern "C" void __sanitizer_print_stack_trace();

namespace {
// VIGIE_HOT_PATH_TRACE=N prints where the first N counted allocations were made.
int traces_left = [] {
    const char* n = std::getenv("VIGIE_HOT_PATH_TRACE");
    return n == nullptr ? 0 : std::atoi(n);
}();
void on_malloc(const volatile void* /*ptr*/, size_t /*size*/) {
    if (!counting.load(std::memory_order_relaxed)) return;
    count_one();
    if (tracing && traces_left > 0) {
        --traces_left;
        counting = false;  // the trace allocates
        __sanitizer_print_stack_trace();
        counting = true;
    }
}
void on_free(const volatile void* /*ptr*/) {}
const int hooks_installed = __sanitizer_install_malloc_and_free_hooks(on_malloc, on_free);
const char* const kCounted = "every allocation (AddressSanitizer's malloc hooks)";
}  // namespace
#else
void* operator new(std::size_t size) {
    count_one();
    if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
    throw std::bad_alloc();
}
void* operator new[](std::size_t size) {
    return operator new(size);
}
void* operator new(std::size_t size, std::align_val_t align) {
    count_one();
    const auto a = static_cast<std::size_t>(align);
    if (void* p = std::aligned_alloc(a, (size + a - 1) / a * a)) return p;
    throw std::bad_alloc();
}
void* operator new[](std::size_t size, std::align_val_t align) {
    return operator new(size, align);
}
void operator delete(void* p) noexcept {
    std::free(p);
}
void operator delete[](void* p) noexcept {
    std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
    std::free(p);
}
void operator delete[](void* p, std::size_t) noexcept {
    std::free(p);
}
void operator delete(void* p, std::align_val_t) noexcept {
    std::free(p);
}
void operator delete[](void* p, std::align_val_t) noexcept {
    std::free(p);
}
void operator delete(void* p, std::size_t, std::align_val_t) noexcept {
    std::free(p);
}
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept {
    std::free(p);
}
namespace {
const int hooks_installed = 1;
const char* const kCounted = "operator new only (build without AddressSanitizer)";
}  // namespace
#endif

namespace vigie {
namespace {

// One rule for each way a string test is run: literals the prefilter finds (contains,
// startswith, endswith, exact, all), a regex PCRE2 confirms, a case-sensitive one, CIDR,
// numbers, keywords, a field that must be absent, and conditions with NOT and "1 of".
// With indicators, the serve case also looks every event's observables up.
const char* const kRules = R"(title: contains
id: r-contains
level: high
tags: [attack.execution, tlp:green]
logsource: {product: p}
detection:
  sel: {CommandLine|contains: whoami}
  condition: sel
---
title: starts ends
id: r-startsends
level: medium
logsource: {product: p}
detection:
  a: {Image|endswith: '\powershell.exe'}
  b: {CommandLine|startswith: 'powershell -enc'}
  condition: a and b
---
title: regex
id: r-regex
level: critical
logsource: {product: p}
detection:
  sel: {CommandLine|re: 'net\s+user\s+\w+\s+/add'}
  condition: sel
---
title: cased all
id: r-all
level: low
logsource: {product: p}
detection:
  sel: {CommandLine|contains|all: [vssadmin, delete, shadows]}
  filter: {User: SYSTEM}
  condition: sel and not filter
---
title: cidr and numbers
id: r-network
level: high
logsource: {product: p}
detection:
  net: {DestinationIp|cidr: 10.0.0.0/8}
  port: {DestinationPort|gte: 4444}
  condition: net and port
---
title: keywords
id: r-keywords
level: informational
logsource: {product: p}
detection:
  keywords: [mimikatz, sekurlsa]
  condition: keywords
---
title: one of
id: r-oneof
level: medium
logsource: {product: p}
detection:
  sel_a: {ParentImage|endswith: '\winword.exe'}
  sel_b: {ParentImage|endswith: '\excel.exe'}
  child: {Image|endswith: ['\cmd.exe', '\wscript.exe']}
  absent: {Hashes: null}
  condition: 1 of sel_* and child and not absent
)";

// 325 events: 7 of every 13 raise a rule's alert (one rule each), 2 carry a threat
// indicator (the 10th and the 13th), the others are near misses.
std::string make_events() {
    const char* const events[] = {
        R"({"CommandLine":"cmd /c whoami /all","Image":"C:\\Windows\\System32\\cmd.exe","User":"alice"})",
        R"({"CommandLine":"notepad.exe report.txt","Image":"C:\\Windows\\notepad.exe","User":"bob"})",
        R"({"DestinationIp":"192.168.1.5","DestinationPort":443,"Image":"chrome.exe"})",
        R"({"CommandLine":"powershell -enc SQBFAFgA","Image":"C:\\Windows\\powershell.exe"})",
        R"({"CommandLine":"net  user  eve /add","User":"admin","nested":{"a":[1,2,{"b":"c"}]}})",
        R"({"CommandLine":"vssadmin list shadows","User":"carol"})",
        R"({"CommandLine":"vssadmin delete shadows /all /quiet","User":"carol"})",
        R"({"DestinationIp":"10.1.2.3","DestinationPort":80,"Image":"svchost.exe"})",
        R"({"Message":"started explorer","Image":"explorer.exe"})",
        R"({"DestinationIp":"10.20.30.40","DestinationPort":4444,"Image":"nc.exe"})",
        R"({"ParentImage":"C:\\Program Files\\Office\\winword.exe","Image":"C:\\Windows\\cmd.exe","Hashes":"SHA256=AB"})",
        R"({"Message":"user ran sekurlsa::logonpasswords","Image":"m.exe"})",
        R"({"QueryName":"c2.evil.example","Image":"dns.exe"})",
    };
    std::string body;
    for (int i = 0; i < 25; ++i) {
        for (const char* e : events) {
            body += e;
            body += '\n';
        }
    }
    return body;
}

struct PassFigures {
    uint64_t events = 0;
    uint64_t alerts = 0;
    uint64_t allocations = 0;
};

// Scans `body` in batches with `scanner`, counting allocations inside scan() only: reading
// the input is not the scanner's.
PassFigures scan_pass(BatchScanner& scanner, ScanBatch& batch, const std::string& body) {
    PassFigures figures;
    InputReader reader(body, 1 << 20);
    while (InputReader::filled(reader.next_batch(batch.input))) {
        batch.clear_results();
        const uint64_t before = allocations.load();
        counting = true;
        scanner.scan(batch);
        counting = false;
        figures.allocations += allocations.load() - before;
        figures.events += batch.counters.events;
        for (uint64_t n : batch.counters.alerts_by_level) figures.alerts += n;
    }
    return figures;
}

// The flat mapping with observables (as rules/mappings/flat.yml names them), for indicators.
constexpr std::string_view kObservablesMapping =
    "name: flat\nproducts: ['*']\nfield_defaults: ['{field}']\nobservables:\n"
    "  domain-name:value: [QueryName]\n  ipv4-addr:value: [DestinationIp]\n"
    "  file:hashes.SHA-256: [sha256]\n";

// Threat indicators on every event, as vigie serve has them: a catalogue over an in-memory
// store, two of its indicators in the events.
class IndicatorFixture {
  public:
    IndicatorFixture() {
        auto opened = IndicatorStore::open(":memory:", 100);
        REQUIRE(opened.ok());
        store_ = std::move(*opened);
        catalog_ = std::make_unique<IndicatorCatalog>(*store_);
        stix::BundleOptions options;
        options.origin = "hot-path.json";
        options.source = "peer-a";
        const auto content = stix::read_bundle(bundle(), options);
        REQUIRE(content.rejected == 0);
        REQUIRE(content.indicators.size() == 3);
        REQUIRE(catalog_->apply(content.indicators, unix_now_us()).ok());
    }
    [[nodiscard]] const IndicatorSource* source() const { return catalog_.get(); }

  private:
    static std::string indicator(const char* tail, const char* pattern) {
        return std::string(
                   R"({"type":"indicator","spec_version":"2.1","id":"indicator--00000000-0000-4000-8000-)") +
               tail +
               R"(","created":"2025-01-01T00:00:00.000Z","modified":"2025-01-01T00:00:00.000Z",)"
               R"("valid_from":"2025-01-01T00:00:00Z","pattern_type":"stix","pattern":")" +
               pattern + R"("})";
    }
    static std::string bundle() {
        return R"({"type":"bundle","id":"bundle--1","objects":[)" +
               indicator("000000000001", "[domain-name:value = 'c2.evil.example']") + "," +
               indicator("000000000002", "[ipv4-addr:value = '10.20.30.0/24']") + "," +
               indicator("000000000003",
                         "[file:hashes.'SHA-256' = "
                         "'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f']") +
               "]}";
    }
    std::unique_ptr<IndicatorStore> store_;
    std::unique_ptr<IndicatorCatalog> catalog_;
};

struct HotPathCase {
    bool records = false;                         // serve's alert records, else scan's text
    const IndicatorSource* indicators = nullptr;  // serve with threat indicators
    std::string_view mapping = test::kFlatMapping;
    uint64_t expected_alerts = uint64_t{25} * 7;  // each rule fires on one of the 13 events
};

void check_no_allocation_after_warm_up(const HotPathCase& c) {
    REQUIRE(hooks_installed != 0);
    MESSAGE("counting ", std::string(kCounted));
    test::SigmaHarness rules(kRules, c.mapping);
    REQUIRE(rules.errors().empty());
    REQUIRE(rules.rules_loaded() == 7);
    JsonlAlertFormat format;
    AlertOptions options;
    options.records = c.records;
    options.indicators = c.indicators;
    BatchScanner scanner(rules.ruleset(), format, options);
    const std::string source = "events.jsonl";
    ScanBatch batch;
    batch.source = &source;
    batch.agency = "ministry-a";
    const std::string body = make_events();

    const PassFigures warm = scan_pass(scanner, batch, body);
    CHECK(warm.events == 25 * 13);
    CHECK(warm.alerts == c.expected_alerts);
    tracing = true;
    for (int pass = 0; pass < 3; ++pass) {
        const PassFigures figures = scan_pass(scanner, batch, body);
        CHECK(figures.events == warm.events);
        CHECK(figures.alerts == warm.alerts);
        CHECK_MESSAGE(figures.allocations == 0, "pass ", pass, ": ", figures.allocations,
                      " allocations for ", figures.events, " events and ", figures.alerts,
                      " alerts");
    }
    tracing = false;
}

TEST_CASE("hot path of vigie scan: no allocation per event once warmed up (alerts as text)") {
    check_no_allocation_after_warm_up({});
}

TEST_CASE("hot path of vigie serve: no allocation per event once warmed up (alert records)") {
    check_no_allocation_after_warm_up({.records = true});
}

TEST_CASE("hot path of vigie serve with threat indicators: no allocation per event") {
    IndicatorFixture fixture;
    // The domain and the /24 each hit one of the 13 events: 2 more alerts every 13.
    check_no_allocation_after_warm_up({.records = true,
                                       .indicators = fixture.source(),
                                       .mapping = kObservablesMapping,
                                       .expected_alerts = uint64_t{25} * (7 + 2)});
}

TEST_CASE("hot path allocation count: sees an allocation (the checks above can fail)") {
    REQUIRE(hooks_installed != 0);
    const uint64_t before = allocations.load();
    counting = true;
    auto* grown = new std::string(1000, 'x');
    counting = false;
    CHECK(allocations.load() - before >= 1);
    delete grown;
}

}  // namespace
}  // namespace vigie
