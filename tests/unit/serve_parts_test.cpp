// SPDX-License-Identifier: EUPL-1.2
// The small parts of vigie serve: gzip bodies, token buckets, agencies and their
// tokens, bearer headers, log records.
#include <doctest/doctest.h>
#include <zlib.h>

#include "core/logger.hpp"
#include "core/token_digest.hpp"
#include "service/agencies/agency_registry.hpp"
#include "service/http/gzip_body.hpp"
#include "service/http/ingest_handler.hpp"

namespace vigie {

namespace {

std::string gzip(const std::string& text) {
    z_stream zs{};
    REQUIRE(deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK);
    std::string out(deflateBound(&zs, text.size()) + 32, '\0');
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
    zs.avail_in = static_cast<uInt>(text.size());
    zs.next_out = reinterpret_cast<Bytef*>(out.data());
    zs.avail_out = static_cast<uInt>(out.size());
    REQUIRE(deflate(&zs, Z_FINISH) == Z_STREAM_END);
    out.resize(zs.total_out);
    deflateEnd(&zs);
    return out;
}

}  // namespace

TEST_CASE("gzip bodies inflate under a limit, bombs and broken streams are refused") {
    std::string out;
    // The stream's outcome, or "corrupt: <why>" for a stream refused with an Error.
    auto inflate = [&](std::string_view in, size_t max_bytes) -> std::string {
        const Result<InflateStatus> r = gunzip(in, max_bytes, out);
        if (!r) return "corrupt: " + r.error().message;
        return *r == InflateStatus::Ok ? "ok" : "too large";
    };
    const std::string text = "{\"a\":1}\n{\"b\":2}\n";
    CHECK(inflate(gzip(text), 1024) == "ok");
    CHECK(out == text);
    CHECK(inflate(gzip(text) + gzip(text), 1024) == "ok");  // two members
    CHECK(out == text + text);
    const std::string bomb = gzip(std::string(10 << 20, ' '));
    CHECK(bomb.size() < 20000);
    CHECK(inflate(bomb, 1 << 20) == "too large");
    CHECK(out.size() <= (1 << 20) + 1);
    CHECK(inflate(gzip(text), text.size()) == "ok");  // exactly the limit
    CHECK(inflate(gzip(text), text.size() - 1) == "too large");
    const std::string whole = gzip(text);
    CHECK(inflate(whole.substr(0, whole.size() - 6), 1024) ==
          "corrupt: the gzip stream ends early");
    CHECK(inflate("plain text", 1024).starts_with("corrupt: the body is not valid gzip"));
    CHECK(inflate("", 1024).starts_with("corrupt: "));
}

TEST_CASE("a token bucket refills at its rate up to its burst and says how long to wait") {
    using namespace std::chrono_literals;
    const auto t0 = TokenBucket::Clock::time_point{} + 1h;
    TokenBucket bucket({10, 20}, t0);  // 10/s, burst 20
    CHECK_FALSE(bucket.take(15, t0));
    auto wait = bucket.take(10, t0);  // 5 left, 5 missing: 0.5 s
    REQUIRE(wait);
    CHECK(std::chrono::duration<double>(*wait).count() == doctest::Approx(0.5));
    CHECK_FALSE(bucket.take(10, t0 + 500ms));  // refilled to 10
    CHECK(bucket.take(1, t0 + 500ms));
    CHECK_FALSE(bucket.take(20, t0 + 1h));  // refills to the burst, no further
    CHECK(bucket.take(1, t0 + 1h));
}

TEST_CASE("agencies: tokens by digest, admin token, buckets kept across a reload") {
    Agency a{"ministry-a", sha256_hex("token-a"), {1, 10}};
    Agency b{"hospital-b", sha256_hex("token-b"), {1, 10}};
    AgencyRegistry registry({a, b}, sha256_hex("admin"));
    CHECK(registry.authenticate("token-a") == "ministry-a");
    CHECK(registry.authenticate("token-b") == "hospital-b");
    CHECK_FALSE(registry.authenticate("token-c"));
    CHECK_FALSE(registry.authenticate(""));
    CHECK(registry.is_admin("admin"));
    CHECK_FALSE(registry.is_admin("token-a"));
    CHECK(registry.known("ministry-a"));
    CHECK_FALSE(registry.known("ministry"));
    const auto now = TokenBucket::Clock::now();
    CHECK_FALSE(registry.take("ministry-a", 10, now));
    CHECK(registry.take("ministry-a", 1, now));
    registry.give_back("ministry-a", 4);  // events the engine did not take (503)
    CHECK_FALSE(registry.take("ministry-a", 4, now));
    CHECK(registry.take("ministry-a", 1, now));
    // Upper-case digests in the file are the same digests.
    std::string upper = a.token_sha256;
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    a.token_sha256 = upper;
    registry.replace({a}, "");
    CHECK(registry.authenticate("token-a") == "ministry-a");
    CHECK_FALSE(registry.authenticate("token-b"));
    CHECK_FALSE(registry.is_admin("admin"));
    CHECK(registry.take("ministry-a", 1, now));  // still empty: a reload is no refill
}

TEST_CASE("bearer tokens are read from the Authorization header") {
    CHECK(bearer_token("Bearer abc") == "abc");
    CHECK(bearer_token("bearer   abc  ") == "abc");
    CHECK(bearer_token("Basic abc").empty());
    CHECK(bearer_token("Bearer").empty());
    CHECK(bearer_token("Bearer ").empty());
    CHECK(bearer_token("").empty());
}

TEST_CASE("log records are one line of JSON or logfmt") {
    Logger json(LogFormat::Json, LogLevel::Info);
    std::string line =
        json.format(LogLevel::Warning, "refused", {{"peer", "127.0.0.1:5"}, {"n", 3}});
    CHECK(line.starts_with(R"({"ts":")"));
    CHECK(line.ends_with(R"(","level":"warning","msg":"refused","peer":"127.0.0.1:5","n":3})"
                         "\n"));
    Logger logfmt(LogFormat::Logfmt, LogLevel::Info);
    line = logfmt.format(LogLevel::Info, "rule problem", {{"problem", "a.yml:1:2: bad \"x\""}});
    CHECK(line.starts_with("ts="));
    CHECK(line.ends_with(R"( level=info msg="rule problem" problem="a.yml:1:2: bad \"x\"")"
                         "\n"));
}

}  // namespace vigie
