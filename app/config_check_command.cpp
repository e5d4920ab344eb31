#include <cstdio>

#include "app/commands.hpp"
#include "config/config_reader.hpp"

namespace vigie {

int run_config_check(const std::string& path) {
    Diagnostics diags;
    const auto config = load_serve_config(path, diags);
    print_diagnostics(diags);
    if (!config) {
        std::fprintf(stderr, "%s: not valid\n", path.c_str());
        return 1;
    }
    std::printf(
        "%s: valid; http %s%s, metrics %s, %zu agencies, nats %s, admin API %s\n", path.c_str(),
        config->http.listen.to_string().c_str(), config->http.tls.enabled ? " (TLS)" : "",
        config->metrics_listen.to_string().c_str(), config->agencies.size(),
        config->nats.enabled ? "on" : "off", config->admin_token_sha256.empty() ? "off" : "on");
    return 0;
}

}  // namespace vigie
