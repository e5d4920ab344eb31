// SPDX-License-Identifier: EUPL-1.2
#include "service/http/gzip_body.hpp"

#include <zlib.h>

#include <algorithm>

namespace vigie {

namespace {

// Owns a z_stream so that every exit path frees it.
class Inflater {
  public:
    Inflater() { ok_ = inflateInit2(&zs_, 15 + 32) == Z_OK; }  // +32: gzip or zlib header
    ~Inflater() {
        if (ok_) inflateEnd(&zs_);
    }
    Inflater(const Inflater&) = delete;
    Inflater& operator=(const Inflater&) = delete;
    [[nodiscard]] bool ok() const { return ok_; }
    z_stream& stream() { return zs_; }

  private:
    z_stream zs_{};
    bool ok_ = false;
};

}  // namespace

Result<InflateStatus> gunzip(std::string_view in, size_t max_bytes, std::string& out) {
    out.clear();
    Inflater inflater;
    if (!inflater.ok()) return Error{"cannot start zlib"};
    z_stream& zs = inflater.stream();
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    zs.avail_in = static_cast<uInt>(in.size());
    constexpr size_t kStep = size_t{64} << 10;
    for (;;) {
        size_t used = out.size();
        if (used >= max_bytes + 1) return InflateStatus::TooLarge;
        size_t grow = std::min(kStep + used, max_bytes + 1 - used);
        out.resize(used + grow);
        zs.next_out = reinterpret_cast<Bytef*>(out.data() + used);
        zs.avail_out = static_cast<uInt>(grow);
        int rc = inflate(&zs, Z_NO_FLUSH);
        out.resize(used + grow - zs.avail_out);
        if (rc == Z_STREAM_END) {
            if (zs.avail_in != 0) {
                // Concatenated gzip members are valid gzip: inflate the next one.
                if (inflateReset(&zs) != Z_OK) break;
                continue;
            }
            if (out.size() > max_bytes) return InflateStatus::TooLarge;
            return InflateStatus::Ok;
        }
        if (rc == Z_BUF_ERROR && zs.avail_in == 0) return Error{"the gzip stream ends early"};
        if (rc != Z_OK && rc != Z_BUF_ERROR) {
            return Error{std::string("the body is not valid gzip: ") +
                         (zs.msg != nullptr ? zs.msg : "zlib error")};
        }
    }
    return Error{"the body is not valid gzip"};
}

}  // namespace vigie
