// SPDX-License-Identifier: EUPL-1.2
// libFuzzer target: the parsers of the alert path, on arbitrary bytes: the reader of a
// stored spool record (what the forwarding outputs decode from the spool), event times, and the
// reader of an alerting event's details (time, host, subset, suppression key), and the minifier
// every alerted event goes through (which must be idempotent: it only drops blanks outside
// strings).
#include <cstdint>
#include <string>
#include <string_view>

#include "core/json_text.hpp"
#include "pipeline/alerts/alert_envelope.hpp"
#include "pipeline/alerts/event_details_reader.hpp"
#include "pipeline/alerts/event_time.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    vigie::AlertRouting routing;
    std::string_view alert;
    if (vigie::parse_envelope(text, routing, alert)) {
        (void)routing.has_tag("attack.execution");
        if (routing.tlp != vigie::tlp_of_tags(routing.tags)) __builtin_trap();
    }
    if (auto ms = vigie::parse_event_time(text)) {
        std::string back;
        vigie::append_rfc3339_ms(*ms, back);
    }
    static vigie::AlertContentSettings content = [] {
        vigie::AlertContentSettings c;
        c.event_fields = {"a.b", "Event.System.Computer", "x~y/z"};
        return c;
    }();
    static vigie::EventDetailsReader details(content, {"User", "a.b"});
    (void)details.read(text);
    std::string once, twice;
    vigie::append_minified_json(once, text);
    vigie::append_minified_json(twice, once);
    if (once != twice || once.size() > text.size()) __builtin_trap();
    return 0;
}
