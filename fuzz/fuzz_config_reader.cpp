// SPDX-License-Identifier: EUPL-1.2
// libFuzzer target: arbitrary bytes as a `vigie serve` configuration file, through the
// YAML reader and every setting's checks; the errors are formatted as they would be shown.
#include <cstdint>
#include <string>

#include "app/config/config_reader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    vigie::Diagnostics diags;
    const std::string text(reinterpret_cast<const char*>(data), size);
    auto config = vigie::ConfigReader("fuzz", diags).read(text);
    if (config) {
        for (const auto& a : config->agencies) (void)a.id.size();
        (void)config->http.listen.to_string();
    }
    for (const auto& d : diags) (void)d.format();
    return 0;
}
