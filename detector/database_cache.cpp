// SPDX-License-Identifier: EUPL-1.2
#include "detector/database_cache.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace vigie {

namespace {

constexpr char kMagic[8] = {'V', 'I', 'G', 'I', 'E', 'H', 'S', '1'};

struct Header {
    char magic[8];
    uint64_t key_high;
    uint64_t key_low;
    uint64_t size;
    uint64_t checksum;
};

// FNV-1a over bytes, from a chosen basis: two bases give the two halves of a key.
uint64_t fnv1a(const void* data, size_t n, uint64_t h) {
    const auto* p = static_cast<const unsigned char*>(data);
    for (size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 0x100000001b3ULL;
    return h;
}

struct Hasher {
    uint64_t a = 0xcbf29ce484222325ULL;
    uint64_t b = 0x84222325cbf29ce4ULL;
    void add(const void* data, size_t n) {
        a = fnv1a(data, n, a);
        b = fnv1a(data, n, b ^ 0x9e3779b97f4a7c15ULL);
    }
    template <class T>
    void add_value(T v) {
        add(&v, sizeof v);
    }
};

bool write_all(int fd, const void* data, size_t n) {
    const auto* p = static_cast<const char*>(data);
    while (n > 0) {
        const ssize_t written = ::write(fd, p, n);
        if (written < 0 && errno == EINTR) continue;
        if (written <= 0) return false;
        p += written;
        n -= static_cast<size_t>(written);
    }
    return true;
}

}  // namespace

std::string DatabaseKey::hex() const {
    char text[33];
    std::snprintf(text, sizeof text, "%016llx%016llx", static_cast<unsigned long long>(high),
                  static_cast<unsigned long long>(low));
    return text;
}

DatabaseKey PatternList::key() const {
    Hasher h;
    const char* version = hs_version();
    h.add(version, std::strlen(version));
    h.add_value(literal);
    h.add_value(expressions.size());
    for (size_t i = 0; i < expressions.size(); ++i) {
        h.add_value(flags[i]);
        h.add_value(ids[i]);
        h.add_value(lengths[i]);
        h.add(expressions[i], lengths[i]);
    }
    return {h.a, h.b};
}

std::string DatabaseCache::path(const DatabaseKey& key) const {
    return dir_ + "/" + key.hex() + ".hsdb";
}

hs_database_t* DatabaseCache::load(const DatabaseKey& key) const {
    if (dir_.empty()) return nullptr;
    std::ifstream in(path(key), std::ios::binary | std::ios::ate);
    if (!in) return nullptr;
    const auto file_size = static_cast<std::streamoff>(in.tellg());
    if (file_size <= 0) return nullptr;
    std::string bytes(static_cast<size_t>(file_size), '\0');
    in.seekg(0);
    if (!in.read(bytes.data(), file_size)) return nullptr;
    Header h{};
    if (bytes.size() < sizeof h) return nullptr;
    std::memcpy(&h, bytes.data(), sizeof h);
    const char* payload = bytes.data() + sizeof h;
    if (std::memcmp(h.magic, kMagic, sizeof kMagic) != 0 || h.key_high != key.high ||
        h.key_low != key.low || h.size != bytes.size() - sizeof h ||
        h.checksum != fnv1a(payload, h.size, 0xcbf29ce484222325ULL)) {
        return nullptr;
    }
    hs_database_t* db = nullptr;
    if (hs_deserialize_database(payload, h.size, &db) != HS_SUCCESS) return nullptr;
    ::utimensat(AT_FDCWD, path(key).c_str(), nullptr, 0);  // in use: keep it from prune()
    return db;
}

size_t DatabaseCache::prune(std::chrono::hours max_age) const {
    namespace fs = std::filesystem;
    if (dir_.empty()) return 0;
    std::error_code ec;
    const auto now = fs::file_time_type::clock::now();
    size_t removed = 0;
    for (fs::directory_iterator it(dir_, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        const bool database = name.size() == 32 + 5 && name.ends_with(".hsdb");
        const bool temporary = name.find(".hsdb.tmp.") != std::string::npos;
        if (!database && !temporary) continue;  // never touch what is not ours
        std::error_code time_ec;
        const auto age = now - fs::last_write_time(it->path(), time_ec);
        if (time_ec || age < (database ? fs::file_time_type::duration(max_age)
                                       : fs::file_time_type::duration(std::chrono::hours(1))))
            continue;
        if (std::error_code rm_ec; fs::remove(it->path(), rm_ec)) ++removed;
    }
    return removed;
}

void DatabaseCache::store(const DatabaseKey& key, const hs_database_t* db,
                          Diagnostics& diags) const {
    if (dir_.empty()) return;
    char* bytes = nullptr;
    size_t size = 0;
    if (hs_serialize_database(db, &bytes, &size) != HS_SUCCESS) return;
    Header h{};
    std::memcpy(h.magic, kMagic, sizeof kMagic);
    h.key_high = key.high;
    h.key_low = key.low;
    h.size = size;
    h.checksum = fnv1a(bytes, size, 0xcbf29ce484222325ULL);
    std::error_code ec;
    std::filesystem::create_directories(dir_, ec);
    const std::string final_path = path(key);
    // A temporary file of its own for each writer: loader threads of one process compile
    // and store the same database at the same time, and a shared name let the slower one
    // find its file already renamed away. rename() then replaces atomically, whoever is last.
    std::string tmp = final_path + ".tmp.XXXXXX";
    const int fd = ::mkstemp(tmp.data());
    bool ok = fd >= 0 && ::fchmod(fd, 0644) == 0 && write_all(fd, &h, sizeof h) &&
              write_all(fd, bytes, size);
    if (fd >= 0 && ::close(fd) != 0) ok = false;
    std::free(bytes);
    if (ok) ok = std::rename(tmp.c_str(), final_path.c_str()) == 0;
    if (!ok) {
        if (fd >= 0) std::remove(tmp.c_str());
        if (warned_.exchange(true)) return;
        diags.push_back(
            {Severity::Warning,
             {},
             {},
             "cannot write the Hyperscan cache in " + dir_ + " (--cache-dir, --no-cache)"});
    }
}

std::string default_cache_dir() {
    if (const char* d = std::getenv("VIGIE_CACHE_DIR"); d != nullptr && *d != '\0') return d;
    if (const char* d = std::getenv("XDG_CACHE_HOME"); d != nullptr && *d != '\0')
        return std::string(d) + "/vigie";
    if (const char* d = std::getenv("HOME"); d != nullptr && *d != '\0')
        return std::string(d) + "/.cache/vigie";
    return {};
}

}  // namespace vigie
