// SPDX-License-Identifier: EUPL-1.2
// libFuzzer target: arbitrary bytes as a spool segment file (and as a cursor file's text).
// The spool opens the directory and recovers it (cutting off what does not check), then
// every record it hands out is read and committed, and one more is appended and read back.
#include <stdlib.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <string_view>

#include "delivery/spool/alert_spool.hpp"
#include "delivery/spool/spool_cursor.hpp"

namespace {

// One directory for the whole run, in memory when /dev/shm is there (fsyncs are free).
class FuzzRoot {
  public:
    FuzzRoot() {
        for (const char* base : {"/dev/shm", "/tmp"}) {
            std::string pattern = std::string(base) + "/vigie-fuzz-spool-XXXXXX";
            if (::mkdtemp(pattern.data()) != nullptr) {
                path_ = pattern;
                return;
            }
        }
        throw std::runtime_error("fuzz_spool_segment: no temporary directory");
    }
    ~FuzzRoot() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    [[nodiscard]] const std::string& path() const { return path_; }

  private:
    std::string path_;
};

void drain(vigie::AlertSpool& spool) {
    for (int i = 0; i < 100000; ++i) {
        const vigie::SpoolBatch batch = spool.read("fuzz", 64, std::chrono::milliseconds(0));
        if (batch.records.empty()) return;
        for (const auto& record : batch.records) (void)record.data.size();
        spool.commit("fuzz", batch.next);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const FuzzRoot root;
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    (void)vigie::spool::parse_cursor(bytes);
    (void)vigie::spool::parse_cursor_file_name(bytes);

    vigie::SpoolSettings settings;
    settings.directory = root.path() + "/spool";
    settings.fsync_interval_ms = 0;
    std::error_code ec;
    std::filesystem::remove_all(settings.directory, ec);
    std::filesystem::create_directories(settings.directory, ec);
    {
        std::ofstream out(settings.directory + "/00000000000000000001.seg", std::ios::binary);
        out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    }
    std::vector<std::string> notes;
    try {
        auto spool = vigie::AlertSpool::open(settings, {"fuzz"}, &notes);
        drain(*spool);
        const std::string_view after[] = {"after recovery"};
        (void)spool->append(after);
        drain(*spool);
        (void)spool->stats();
        (void)spool->cursor_stats();
    } catch (const std::runtime_error&) {
        // An unusable directory (not the input's fault): nothing to check.
    }
    return 0;
}
