// SPDX-License-Identifier: EUPL-1.2
#include "detector/placeholders.hpp"

#include <yaml-cpp/yaml.h>

namespace vigie {

Placeholders Placeholders::load(const std::string& path, Diagnostics& diags) {
    Placeholders out;
    auto error = [&](const YAML::Mark& m, std::string msg) {
        diags.push_back(
            {Severity::Error,
             {path, static_cast<uint32_t>(m.line + 1), static_cast<uint32_t>(m.column + 1)},
             {},
             std::move(msg)});
    };
    try {
        YAML::Node root = YAML::LoadFile(path);
        if (!root.IsMap()) {
            error(root.Mark(), "a placeholder file is a map from name to a list of values");
            return out;
        }
        for (const auto& kv : root) {
            std::vector<std::string> values;
            if (kv.second.IsScalar()) {
                values.push_back(kv.second.Scalar());
            } else if (kv.second.IsSequence()) {
                for (const auto& v : kv.second) {
                    if (v.IsScalar()) {
                        values.push_back(v.Scalar());
                    } else {
                        error(v.Mark(), "placeholder values must be strings");
                    }
                }
            } else {
                error(kv.second.Mark(),
                      "placeholder '" + kv.first.Scalar() + "' needs a list of values");
                continue;
            }
            out.set(kv.first.Scalar(), std::move(values));
        }
    } catch (const YAML::BadFile&) {
        diags.push_back({Severity::Error, {path, 0, 0}, {}, "cannot read placeholder file"});
    } catch (const YAML::Exception& e) {
        error(e.mark, e.msg);
    }
    return out;
}

void Placeholders::set(std::string name, std::vector<std::string> values) {
    values_[std::move(name)] = std::move(values);
}

const std::vector<std::string>* Placeholders::find(const std::string& name) const {
    auto it = values_.find(name);
    return it == values_.end() ? nullptr : &it->second;
}

}  // namespace vigie
