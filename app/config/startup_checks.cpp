// SPDX-License-Identifier: EUPL-1.2
#include "app/config/startup_checks.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>

#include "delivery/outputs/webhook_forwarder.hpp"
#include "detector/field_mapping.hpp"

namespace vigie {

namespace {

namespace fs = std::filesystem;

class Checker {
  public:
    Checker(const ServeConfig& config, Diagnostics& diags) : config_(config), diags_(diags) {}

    void error(const std::string& key, const std::string& message) {
        diags_.push_back({Severity::Error, config_.places.of(key), {}, key + ": " + message});
        ++errors_;
    }
    void warning(const std::string& key, const std::string& message) {
        diags_.push_back({Severity::Warning, config_.places.of(key), {}, key + ": " + message});
    }
    // An error unless `path` is a regular file that can be opened for reading: checked
    // before opening, so that a FIFO (open would block) or a device such as /dev/zero (read
    // for ever) is refused rather than waited on.
    bool readable(const std::string& key, const std::string& path) {
        std::error_code ec;
        const fs::file_status status = fs::status(path, ec);
        if (ec) {
            error(key, "cannot read " + path + ": " + ec.message());
            return false;
        }
        if (!fs::is_regular_file(status)) {
            error(key, "cannot read " + path + ": not a regular file");
            return false;
        }
        std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(path.c_str(), "rb"), std::fclose);
        if (f == nullptr) {
            error(key, "cannot read " + path + ": " + std::strerror(errno));
            return false;
        }
        return true;
    }
    // A directory that exists and can be written, or that can be created (its nearest
    // existing parent can be written).
    void writable_directory(const std::string& key, const std::string& dir) {
        std::error_code ec;
        fs::path p = fs::absolute(dir.empty() ? "." : dir, ec);  // "": the working directory
        while (!p.empty() && !fs::exists(p, ec) && p.has_parent_path() && p != p.parent_path())
            p = p.parent_path();
        if (!fs::is_directory(p, ec)) {
            error(key, dir + " cannot be created: " + p.string() + " is not a directory");
        } else if (::access(p.c_str(), W_OK | X_OK) != 0) {
            error(key,
                  "cannot write in " + p.string() + " (for " + dir + "): " + std::strerror(errno));
        }
    }
    [[nodiscard]] size_t errors() const { return errors_; }

  private:
    const ServeConfig& config_;
    Diagnostics& diags_;
    size_t errors_ = 0;
};

std::string openssl_reason() {
    const unsigned long code = ERR_get_error();
    ERR_clear_error();
    const char* reason = code != 0 ? ERR_reason_error_string(code) : nullptr;
    return reason != nullptr ? reason : "not in PEM form";
}

// The same loads as the HTTP listener's TLS context, each file apart so that the error
// names the one at fault.
void check_tls(const TlsSettings& tls, Checker& c) {
    if (!tls.enabled) return;
    std::unique_ptr<SSL_CTX, void (*)(SSL_CTX*)> ctx(SSL_CTX_new(TLS_server_method()),
                                                     SSL_CTX_free);
    if (!ctx) return;
    const bool cert = c.readable("http.tls.certificate", tls.certificate);
    if (cert && SSL_CTX_use_certificate_chain_file(ctx.get(), tls.certificate.c_str()) != 1) {
        c.error("http.tls.certificate", "cannot load a PEM certificate chain from " +
                                            tls.certificate + ": " + openssl_reason());
    } else if (cert && c.readable("http.tls.private_key", tls.private_key) &&
               SSL_CTX_use_PrivateKey_file(ctx.get(), tls.private_key.c_str(), SSL_FILETYPE_PEM) !=
                   1) {
        c.error("http.tls.private_key", "cannot load " + tls.private_key +
                                            " as the PEM private key of " + tls.certificate + ": " +
                                            openssl_reason());
    }
    if (!tls.client_ca.empty() && c.readable("http.tls.client_ca", tls.client_ca) &&
        SSL_CTX_load_verify_locations(ctx.get(), tls.client_ca.c_str(), nullptr) != 1) {
        c.error("http.tls.client_ca",
                "cannot load PEM CA certificates from " + tls.client_ca + ": " + openssl_reason());
    }
}

bool host_port(const std::string& address) {
    const size_t colon = address.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == address.size()) return false;
    const std::string port = address.substr(colon + 1);
    return port.size() <= 5 &&
           std::all_of(port.begin(), port.end(), [](char ch) { return ch >= '0' && ch <= '9'; }) &&
           std::stoul(port) <= 65535;
}

void check_output(const OutputSettings& o, const std::string& key, Checker& c) {
    switch (o.type) {
        case OutputType::Stdout:
            break;
        case OutputType::File:
            c.writable_directory(key + ".path", fs::path(o.file.path).parent_path().string());
            break;
        case OutputType::Webhook:
            if (auto problem = webhook_url_problem(o.webhook.url); !problem.empty())
                c.error(key + ".url", problem);
            if (auto problem = webhook_secret_problem(o.webhook.secret_env); !problem.empty())
                c.error(key + ".secret_env", problem);
            if (!o.webhook.ca_file.empty()) c.readable(key + ".ca_file", o.webhook.ca_file);
            break;
        case OutputType::Nats:
            if (!o.nats.credentials.empty()) c.readable(key + ".credentials", o.nats.credentials);
            break;
        case OutputType::Syslog:
            if (!host_port(o.syslog.address))
                c.error(key + ".address", "must be HOST:PORT, not '" + o.syslog.address + "'");
            break;
    }
}

void check_alerts(const ServeConfig& config, Checker& c) {
    bool forwards = false;
    for (size_t i = 0; i < config.outputs.size(); ++i) {
        check_output(config.outputs[i], "alerts.outputs[" + std::to_string(i) + "]", c);
        forwards = forwards || config.outputs[i].forwards();
    }
    if (config.outputs.empty() && config.alerts_output != "-")
        c.writable_directory("alerts.output",
                             fs::path(config.alerts_output).parent_path().string());
    if (forwards) c.writable_directory("spool.directory", config.spool.directory);
}

// The mapping is resolved as the rules load resolves it (a file, <rules path>/mappings/
// <name>.yml, a built-in name): its problems are reported here at rules.mapping.
void check_rules(const RuleSettings& rules, Checker& c) {
    for (const auto& path : rules.paths) {
        std::error_code ec;
        if (!fs::exists(path, ec)) c.error("rules.paths", path + " does not exist");
    }
    Diagnostics mapping_diags;
    if (!load_mapping(rules.mapping, rules.paths, mapping_diags)) {
        for (const auto& d : mapping_diags) {
            if (d.severity == Severity::Error)
                c.error("rules.mapping", d.message + " (" + d.where.file + ")");
        }
    }
    if (!rules.placeholders.empty()) c.readable("rules.placeholders", rules.placeholders);
}

// Loopback is the default; anywhere else the peer is on a network.
void check_exposure(const ServeConfig& config, Checker& c) {
    if (!config.http.listen.loopback() && !config.http.tls.enabled)
        c.warning("http.listen",
                  config.http.listen.to_string() +
                      " is reachable from other machines without TLS: tokens and events "
                      "cross the network in clear (set http.tls)");
    if (config.metrics_enabled && !config.metrics_listen.loopback())
        c.warning("metrics.listen", config.metrics_listen.to_string() +
                                        " is reachable from other machines: /metrics has no "
                                        "TLS and no authentication");
}

void check_tokens(const ServeConfig& config, Checker& c) {
    const auto& samples = sample_token_digests();
    auto sample = [&](const std::string& digest) {
        return std::find(samples.begin(), samples.end(), digest) != samples.end();
    };
    for (size_t i = 0; i < config.agencies.size(); ++i) {
        const Agency& a = config.agencies[i];
        const std::string key = "agencies[" + std::to_string(i) + "].token_sha256";
        if (sample(a.token_sha256))
            c.warning(
                key, "agency " + a.id + " uses a sample token (from samples/, public): replace it");
        if (!config.admin_token_sha256.empty() && a.token_sha256 == config.admin_token_sha256)
            c.warning("admin.token_sha256",
                      "the admin token is agency " + a.id +
                          "'s token: that agency can reload the server; give the admin its own");
    }
    if (sample(config.admin_token_sha256))
        c.warning("admin.token_sha256",
                  "the admin token is a sample token (from samples/, public): replace it");
    for (const auto& peer : config.taxii.peers) {
        if (sample(peer.token_sha256) || sample(peer.password_sha256))
            c.warning("taxii.peers", "TAXII peer " + peer.id +
                                         " uses a sample token or password (from samples/, "
                                         "public): replace it");
    }
}

}  // namespace

const std::vector<std::string>& sample_token_digests() {
    static const std::vector<std::string> digests{
        // "demo-token-change-me": samples/vigie.yaml's agency, README's curl examples
        "b5d56f2eacf505c2639b22468f3a8b1bcaf7d619cadbab47dc6ce515fc4c3612",
        // "admin-token-change-me": samples/vigie.yaml's admin
        "423440e4a930875488cc8e9958afdb08661667b9e44926c0794cbe5a9f95c262",
        // "partner-token": samples/vigie-taxii.yaml's TAXII peer
        "92bc60cbdec0a60b842eda0e0cd3c14fa0460c8eaaa5badd684f40258f8f50be",
        // "cert-amber-pw": samples/vigie-taxii.yaml's TAXII peer password
        "08028da30d27e41a08a67c7a58d6b029d5760650c11db5f491c7824ad440eb16",
    };
    return digests;
}

size_t check_serve_config(const ServeConfig& config, Diagnostics& diags) {
    Checker c(config, diags);
    check_tls(config.http.tls, c);
    check_alerts(config, c);
    check_rules(config.rules, c);
    if (!config.federation.peers.empty() && !config.indicators.enabled)
        c.error("federation",
                "federation.peers needs indicators.enabled: true (polled "
                "indicators are kept and matched there)");
    check_exposure(config, c);
    check_tokens(config, c);
    return c.errors();
}

}  // namespace vigie
