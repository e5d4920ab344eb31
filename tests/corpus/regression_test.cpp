// SPDX-License-Identifier: EUPL-1.2
// For every regression_data/**/info.yml of the SigmaHQ snapshot: its rule must fire on
// the sibling .json events at least match_count times (once when no count is given),
// with the windows mapping and every rule of the snapshot loaded. Each event is also
// evaluated without the prefilter: the matches must be the same.
#include <fcntl.h>
#include <yaml-cpp/yaml.h>

#include <cstdio>
#include <exception>
#include <filesystem>
#include <map>

#include "app/rule_loading.hpp"
#include "detector/detector.hpp"
#include "ingest/event_parser.hpp"
#include "ingest/input_reader.hpp"
#include "tests/corpus/corpus_paths.hpp"

namespace fs = std::filesystem;
using namespace vigie;

namespace {

struct Engine {
    explicit Engine(std::shared_ptr<const Ruleset> rs)
        : ruleset(std::move(rs)),
          detector(ruleset),
          parser(ruleset->trie(), ruleset->needs_all_strings()) {}
    std::shared_ptr<const Ruleset> ruleset;
    Detector detector;
    EventParser parser;
};

// Runs both engines on every document of a file and counts the matches of one rule.
class RegressionSink final : public InputSink {
  public:
    RegressionSink(Engine& fast, Engine& full, uint32_t rule)
        : fast_(fast), full_(full), rule_(rule) {}
    void on_document(const RawDocument& doc) override {
        auto a = run(fast_, doc);
        auto b = run(full_, doc);
        ++events;
        if (a != b) ++disagreements;
        hits += std::count(a.begin(), a.end(), rule_);
    }
    void on_problem(const InputProblem& p) override {
        std::printf("  input problem at line %llu: %s\n", static_cast<unsigned long long>(p.line),
                    p.message.c_str());
        ++problems;
    }
    size_t hits = 0, events = 0, disagreements = 0, problems = 0;

  private:
    std::vector<uint32_t> run(Engine& e, const RawDocument& doc) {
        std::vector<uint32_t> out;
        if (!e.parser.parse(doc, e.detector.event()).empty()) {
            ++problems;
            return out;
        }
        e.detector.detect(out);
        return out;
    }
    Engine& fast_;
    Engine& full_;
    uint32_t rule_;
};

size_t required_matches(const YAML::Node& info) {
    size_t required = 0;
    for (const auto& t : info["regression_tests_info"]) {
        if (t["match_count"]) required += t["match_count"].as<size_t>();
    }
    return std::max<size_t>(required, 1);
}

}  // namespace

static int run() {
    auto dirs = test::sigma_rule_dirs();
    fs::path data = fs::path(test::sigma_dir()) / "regression_data";
    if (dirs.empty() || !fs::is_directory(data)) {
        std::printf("SKIPPED: no regression_data in %s\n", test::sigma_dir().c_str());
        return test::kSkipped;
    }
    LoadedRuleset fast = load_ruleset({dirs, "windows", "", true, ""});
    LoadedRuleset full = load_ruleset({dirs, "windows", "", false, ""});
    if (!fast.ruleset || !full.ruleset) return 1;
    Engine fast_engine(fast.ruleset), full_engine(full.ruleset);
    std::map<std::string, uint32_t> index;
    for (uint32_t i = 0; i < fast.ruleset->rules().size(); ++i)
        index[fast.ruleset->rules()[i].rule.id] = i;

    std::vector<fs::path> infos;
    for (const auto& e : fs::recursive_directory_iterator(data)) {
        if (e.path().filename() == "info.yml") infos.push_back(e.path());
    }
    std::sort(infos.begin(), infos.end());
    size_t passed = 0, events = 0, disagreements = 0;
    for (const auto& info_path : infos) {
        YAML::Node info = YAML::LoadFile(info_path.string());
        std::string id = info["rule_metadata"][0]["id"].as<std::string>();
        size_t required = required_matches(info);
        auto it = index.find(id);
        if (it == index.end()) {
            std::printf("FAIL %s: rule %s is not loaded\n", info_path.parent_path().c_str(),
                        id.c_str());
            continue;
        }
        RegressionSink sink(fast_engine, full_engine, it->second);
        for (const auto& e : fs::directory_iterator(info_path.parent_path())) {
            if (e.path().extension() != ".json") continue;
            InputReader reader(::open(e.path().c_str(), O_RDONLY | O_CLOEXEC), 1 << 20);
            (void)reader.read_all(sink);  // an unreadable file shows as hits missing below
        }
        events += sink.events;
        disagreements += sink.disagreements;
        if (sink.hits >= required && sink.problems == 0) {
            ++passed;
        } else {
            std::printf("FAIL %s: rule %s fired %zu times on %zu events, expected at least %zu\n",
                        info_path.parent_path().c_str(), id.c_str(), sink.hits, sink.events,
                        required);
        }
    }
    std::printf("prefilter differential: %zu events, %zu disagreements\n", events, disagreements);
    std::printf("regression: %zu of %zu\n", passed, infos.size());
    return passed == infos.size() && disagreements == 0 ? 0 : 1;
}

// An exception (file system, parsing, allocation) is a failed run with its message, not an abort.
int main() {
    try {
        return run();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "regression_test: %s\n", e.what());
        return 1;
    }
}
