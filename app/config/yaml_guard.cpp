// SPDX-License-Identifier: EUPL-1.2
#include "app/config/yaml_guard.hpp"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

#include <sstream>
#include <unordered_map>
#include <vector>

#include "core/input_limits.hpp"

namespace vigie {

namespace {

// Thrown from the handler to stop the parser where the bound is passed.
struct BoundPassed {
    YAML::Mark mark;
    std::string message;
};

class BoundsHandler final : public YAML::EventHandler {
  public:
    BoundsHandler(uint32_t max_depth, uint64_t max_nodes)
        : max_depth_(max_depth), max_nodes_(max_nodes) {}

    void OnDocumentStart(const YAML::Mark&) override {}
    void OnDocumentEnd() override {}
    void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override { leaf(mark, anchor, 1); }
    void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
        auto it = sizes_.find(anchor);
        leaf(mark, 0, it == sizes_.end() ? 1 : it->second);
    }
    void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  const std::string&) override {
        leaf(mark, anchor, 1);
    }
    void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                         YAML::EmitterStyle::value) override {
        open(mark, anchor);
    }
    void OnSequenceEnd() override { close(); }
    void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                    YAML::EmitterStyle::value) override {
        open(mark, anchor);
    }
    void OnMapEnd() override { close(); }

  private:
    struct Open {
        YAML::anchor_t anchor;
        uint64_t nodes;  // the collection itself and everything under it, aliases expanded
    };

    void count(const YAML::Mark& mark, uint64_t nodes) {
        total_ += nodes;
        if (total_ > max_nodes_)
            throw BoundPassed{mark, "the configuration expands to more than " +
                                        std::to_string(max_nodes_) +
                                        " YAML nodes once its aliases are resolved"};
    }
    void leaf(const YAML::Mark& mark, YAML::anchor_t anchor, uint64_t nodes) {
        count(mark, nodes);
        if (anchor != 0) sizes_[anchor] = nodes;
        if (!open_.empty()) open_.back().nodes += nodes;
    }
    void open(const YAML::Mark& mark, YAML::anchor_t anchor) {
        if (open_.size() + 1 > max_depth_)
            throw BoundPassed{mark, std::string("the configuration is ") + nesting_error_text()};
        count(mark, 1);
        open_.push_back({anchor, 1});
    }
    void close() {
        const Open done = open_.back();
        open_.pop_back();
        if (done.anchor != 0) sizes_[done.anchor] = done.nodes;
        if (!open_.empty()) open_.back().nodes += done.nodes;
    }

    uint32_t max_depth_;
    uint64_t max_nodes_;
    uint64_t total_ = 0;
    std::vector<Open> open_;
    std::unordered_map<YAML::anchor_t, uint64_t> sizes_;
};

}  // namespace

Status check_yaml_bounds_on_events(const std::string& text, uint32_t max_depth,
                                   uint64_t max_nodes) {
    std::istringstream in(text);
    YAML::Parser parser(in);
    BoundsHandler handler(max_depth, max_nodes);
    try {
        parser.HandleNextDocument(handler);
    } catch (const BoundPassed& passed) {
        return Error{passed.message,
                     {{},
                      static_cast<uint32_t>(passed.mark.line + 1),
                      static_cast<uint32_t>(passed.mark.column + 1)}};
    }
    return {};
}

}  // namespace vigie
