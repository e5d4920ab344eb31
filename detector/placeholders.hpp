// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Values for the Sigma `expand` modifier: a YAML map from placeholder name to a list of
// values, e.g. `Admins_Workstations: [WS-ADM-01, WS-ADM-02]`; `%Admins_Workstations%` in
// a rule value expands to each of them.
#include <map>
#include <string>
#include <vector>

#include "core/diagnostic.hpp"

namespace vigie {

class Placeholders {
  public:
    // Loads a placeholder file; problems go to `diags`.
    static Placeholders load(const std::string& path, Diagnostics& diags);
    void set(std::string name, std::vector<std::string> values);
    [[nodiscard]] const std::vector<std::string>* find(const std::string& name) const;

  private:
    std::map<std::string, std::vector<std::string>> values_;
};

}  // namespace vigie
