#pragma once
// Reads a `vigie serve` configuration file (YAML) into a ServeConfig. Strict: an unknown
// key, a value of the wrong type or out of range, a duplicate agency or token is an
// error with its file:line:col, so that a typo never silently falls back to a default.
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "app/config/serve_config.hpp"
#include "core/diagnostic.hpp"

namespace YAML {
class Node;
}

namespace vigie {

class ConfigReader {
  public:
    ConfigReader(std::string origin, Diagnostics& diags)
        : origin_(std::move(origin)), diags_(diags) {}

    // The configuration, or nullopt when `text` has an error (each one is in `diags`).
    std::optional<ServeConfig> read(const std::string& text);

  private:
    using Handler = std::function<void(const YAML::Node&, const std::string& path)>;
    struct Field {
        const char* key;
        Handler handler;
    };

    // Calls each known key's handler; any other key is an error.
    void fields(const YAML::Node& map, const std::string& path, const std::vector<Field>& known);
    void text(const YAML::Node& n, const std::string& path, std::string& out);
    void flag(const YAML::Node& n, const std::string& path, bool& out);
    void number(const YAML::Node& n, const std::string& path, uint64_t min, uint64_t max,
                uint64_t& out);
    void rate(const YAML::Node& n, const std::string& path, double min, const char* expected,
              double& out);
    void listen(const YAML::Node& n, const std::string& path, ListenAddress& out);
    void texts(const YAML::Node& n, const std::string& path, std::vector<std::string>& out);
    void choice(const YAML::Node& n, const std::string& path,
                const std::vector<std::string>& allowed, std::string& out);
    void digest(const YAML::Node& n, const std::string& path, std::string& out);
    void agencies(const YAML::Node& n, ServeConfig& config);
    // alerts_config_reader.cpp: the alerts, spool and pushgateway sections.
    void alerts(const YAML::Node& n, const std::string& path, ServeConfig& config);
    void outputs(const YAML::Node& n, const std::string& path, std::vector<OutputSettings>& out);
    void output(const YAML::Node& n, const std::string& path, OutputSettings& out);
    void output_filter_fields(OutputSettings& out, std::vector<Field>& known);
    void spool(const YAML::Node& n, const std::string& path, SpoolSettings& out);
    void indicators(const YAML::Node& n, const std::string& path, IndicatorSettings& out);
    void pushgateway(const YAML::Node& n, const std::string& path, PushgatewaySettings& out);
    // nats_config_reader.cpp: the nats section, and the server lists of nats outputs.
    void nats(const YAML::Node& n, const std::string& path, NatsSettings& out);
    void nats_servers(const YAML::Node& n, const std::string& path, std::vector<std::string>& out);
    Handler nats_server_list(std::vector<std::string>& out);
    Handler nats_inbox_prefix(std::string& out);
    Handler nats_text(std::string& out, const char* expected, bool (*valid)(const std::string&));
    void limits(const YAML::Node& n, const std::string& path, InputLimits& out);
    void level(const YAML::Node& n, const std::string& path, Level& out);
    void optional_texts(const YAML::Node& n, const std::string& path,
                        std::vector<std::string>& out);
    template <class T>
    Handler uint_field(uint64_t min, uint64_t max, T& out) {
        return [this, min, max, &out](const YAML::Node& v, const std::string& p) {
            uint64_t value = out;
            number(v, p, min, max, value);
            out = static_cast<T>(value);
        };
    }
    void error(const YAML::Node& n, std::string message);

    std::string origin_;
    Diagnostics& diags_;
    size_t errors_ = 0;
    ConfigPlaces* places_ = nullptr;  // during read(): where each key is recorded
};

// Reads the file at `path`; a file that cannot be read is an error in `diags`.
// The file's text, or an error at the path when it cannot be read.
std::optional<std::string> read_config_file(const std::string& path, Diagnostics& diags);
std::optional<ServeConfig> load_serve_config(const std::string& path, Diagnostics& diags);

}  // namespace vigie
