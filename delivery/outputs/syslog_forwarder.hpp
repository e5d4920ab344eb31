// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Forwards alerts to a syslog collector over TCP: RFC 5424 messages
//   <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID - MSG
// with MSG the alert line, PRI = facility * 8 + severity (critical 2, high 3, medium 4,
// low 5, informational 6), TIMESTAMP when the alert was stored (UTC, milliseconds),
// MSGID "alert", framed by octet counting (RFC 6587: "<length> <message>").
// TCP gives no application acknowledgement: a batch counts as delivered once all its
// bytes were written to the socket, so the cursor moves then. Delivery is at least once
// up to what the kernel buffers: alerts written just before the collector died can be
// lost with the connection. A broken connection is closed and opened again at the next
// attempt (the forwarding loop retries with backoff).
#include <atomic>
#include <string>

#include "core/result.hpp"
#include "delivery/outputs/alert_forwarder.hpp"
#include "delivery/outputs/output_settings.hpp"

namespace vigie {

// The syslog severity of an alert level.
int syslog_severity(Level level);

struct SyslogIdentity {
    uint32_t facility = 10;
    std::string hostname;  // "-" when empty
    std::string app_name;
    std::string procid;
};

// One octet-counted frame: "<length> <PRI>1 ...". Header fields are cut to RFC 5424's
// lengths and made of printable ASCII.
std::string syslog_frame(const SyslogIdentity& identity, const ForwardedAlert& alert);

class SyslogForwarder final : public AlertForwarder {
  public:
    // Throws std::invalid_argument when the address is not host:port (or [v6]:port).
    SyslogForwarder(std::string name, const SyslogOutputSettings& settings, OutputLog log = {});
    ~SyslogForwarder() override;
    SyslogForwarder(const SyslogForwarder&) = delete;
    SyslogForwarder& operator=(const SyslogForwarder&) = delete;

    DeliveryResult deliver(std::span<const ForwardedAlert> alerts) override;
    void interrupt() override { interrupted_.store(true); }
    [[nodiscard]] size_t max_batch() const override { return 256; }
    [[nodiscard]] bool connected() const override { return fd_.load() >= 0; }

  private:
    Status open_connection();
    bool peer_closed() const;
    Status send_all(std::string_view bytes);
    void close_connection();
    DeliveryResult failure(const std::string& what);

    std::string name_;
    std::string host_;
    std::string port_;
    SyslogIdentity identity_;
    OutputLog log_;
    std::atomic<int> fd_{-1};
    std::atomic<bool> interrupted_{false};
};

}  // namespace vigie
