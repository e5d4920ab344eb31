// SPDX-License-Identifier: EUPL-1.2
// The main of the doctest executables. ctest runs each TEST_CASE on its own with
// --test-case=NAME (doctest_discover_tests); a name that no longer selects its test case
// (CMake splits names at ';', doctest filters split at unescaped ',') would run nothing
// and pass. Here a run that selected no test case fails, saying so.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <atomic>
#include <cstdio>
#include <cstring>

namespace {

std::atomic<int> g_test_cases_run{0};

struct TestCaseCounter final : doctest::IReporter {
    explicit TestCaseCounter(const doctest::ContextOptions& /*options*/) {}
    void report_query(const doctest::QueryData& /*data*/) override {}
    void test_run_start() override {}
    void test_run_end(const doctest::TestRunStats& /*stats*/) override {}
    void test_case_start(const doctest::TestCaseData& /*data*/) override { ++g_test_cases_run; }
    void test_case_reenter(const doctest::TestCaseData& /*data*/) override {}
    void test_case_end(const doctest::CurrentTestCaseStats& /*stats*/) override {}
    void test_case_exception(const doctest::TestCaseException& /*e*/) override {}
    void subcase_start(const doctest::SubcaseSignature& /*signature*/) override {}
    void subcase_end() override {}
    void log_assert(const doctest::AssertData& /*data*/) override {}
    void log_message(const doctest::MessageData& /*data*/) override {}
    void test_case_skipped(const doctest::TestCaseData& /*data*/) override {}
};

REGISTER_LISTENER("test_case_counter", 1, TestCaseCounter);

bool lists_or_filters(int argc, char** argv, bool& filtered) {
    bool listing = false;
    for (int i = 1; i < argc; ++i) {
        const char* a = argv[i];
        if (std::strstr(a, "test-case=") != nullptr || std::strncmp(a, "-tc=", 4) == 0)
            filtered = true;
        if (std::strstr(a, "list-") != nullptr || std::strncmp(a, "-lt", 3) == 0 ||
            std::strncmp(a, "-ltc", 4) == 0 || std::strcmp(a, "-h") == 0 ||
            std::strstr(a, "help") != nullptr || std::strcmp(a, "-v") == 0 ||
            std::strstr(a, "version") != nullptr)
            listing = true;
    }
    return listing;
}

}  // namespace

int main(int argc, char** argv) {
    doctest::Context context(argc, argv);
    const int result = context.run();
    bool filtered = false;
    const bool listing = lists_or_filters(argc, argv, filtered);
    if (context.shouldExit() || listing) return result;
    if (filtered && g_test_cases_run == 0) {
        std::fprintf(stderr,
                     "no test case matched the --test-case filter: renamed, or a name "
                     "with ';' that ctest split?\n");
        return 1;
    }
    return result;
}
