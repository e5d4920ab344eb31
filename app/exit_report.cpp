// SPDX-License-Identifier: EUPL-1.2
#include "app/exit_report.hpp"

#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <exception>
#include <string>

#include "core/logger.hpp"

namespace vigie {

namespace {

LogFormat g_format = LogFormat::Json;

struct FatalSignal {
    int signo;
    const char* name;
};
constexpr FatalSignal kFatal[] = {{SIGSEGV, "SIGSEGV"},
                                  {SIGBUS, "SIGBUS"},
                                  {SIGFPE, "SIGFPE"},
                                  {SIGILL, "SIGILL"},
                                  {SIGABRT, "SIGABRT"}};

// Async-signal-safe text building: no allocation, no locale, no stdio.
struct Line {
    char text[256];
    size_t size = 0;
    void add(const char* s) {
        while (*s != '\0' && size < sizeof text) text[size++] = *s++;
    }
    void add_digits(long value, int width) {
        char digits[20];
        int n = 0;
        do {
            digits[n++] = static_cast<char>('0' + value % 10);
            value /= 10;
        } while (value > 0 && n < 20);
        while (n < width && n < 20) digits[n++] = '0';
        while (n > 0 && size < sizeof text) text[size++] = digits[--n];
    }
};

// The log's timestamp (2026-11-23T15:04:05.123Z) from clock_gettime alone, the civil date
// by Howard Hinnant's days_from_civil inverse: gmtime_r is not async-signal-safe.
void add_timestamp(Line& line) {
    timespec now{};
    clock_gettime(CLOCK_REALTIME, &now);
    const long secs = now.tv_sec;
    const long days = secs / 86400, rest = secs % 86400;
    const long z = days + 719468, era = z / 146097, doe = z - era * 146097;
    const long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const long doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
    const long day = doy - (153 * mp + 2) / 5 + 1, month = mp < 10 ? mp + 3 : mp - 9;
    const long year = yoe + era * 400 + (month <= 2 ? 1 : 0);
    line.add_digits(year, 4);
    line.add("-");
    line.add_digits(month, 2);
    line.add("-");
    line.add_digits(day, 2);
    line.add("T");
    line.add_digits(rest / 3600, 2);
    line.add(":");
    line.add_digits(rest % 3600 / 60, 2);
    line.add(":");
    line.add_digits(rest % 60, 2);
    line.add(".");
    line.add_digits(now.tv_nsec / 1'000'000, 3);
    line.add("Z");
}

void write_all(const char* data, size_t size) {
    while (size > 0) {
        const ssize_t n = ::write(2, data, size);
        if (n <= 0) return;
        data += n;
        size -= static_cast<size_t>(n);
    }
}

extern "C" void report_fatal_signal(int signo) {
    const char* name = "unknown";
    for (const FatalSignal& f : kFatal)
        if (f.signo == signo) name = f.name;
    Line line;
    const bool json = g_format == LogFormat::Json;
    line.add(json ? "{\"ts\":\"" : "ts=");
    add_timestamp(line);
    line.add(json
                 ? "\",\"level\":\"error\",\"msg\":\"fatal signal: vigie serve ends\",\"signal\":\""
                 : " level=error msg=\"fatal signal: vigie serve ends\" signal=");
    line.add(name);
    line.add(json ? "\"}\n" : "\n");
    write_all(line.text, line.size);
    // SA_RESETHAND restored the default action: the signal ends the process as it would
    // have (a fault re-raises when the instruction runs again; raise covers the others).
    raise(signo);
}

void report_uncaught_exception() {
    std::string what = "unknown exception";
    if (std::exception_ptr e = std::current_exception()) {
        try {
            std::rethrow_exception(e);
        } catch (const std::exception& x) {
            what = x.what();
        } catch (...) {
        }
    } else {
        what = "std::terminate called without an exception";
    }
    Logger(g_format, LogLevel::Error)
        .error("uncaught exception: vigie serve ends", {{"error", what}});
    std::abort();
}

}  // namespace

void install_exit_report(LogFormat format) {
    g_format = format;
    std::signal(SIGPIPE, SIG_IGN);
    for (const FatalSignal& f : kFatal) {
        struct sigaction old {};
        if (sigaction(f.signo, nullptr, &old) != 0 || old.sa_handler != SIG_DFL ||
            (old.sa_flags & SA_SIGINFO) != 0)
            continue;  // a sanitizer's handler reports better than this one
        struct sigaction action {};
        action.sa_handler = report_fatal_signal;
        sigemptyset(&action.sa_mask);
        action.sa_flags = SA_RESETHAND | SA_NODEFER;
        sigaction(f.signo, &action, nullptr);
    }
    std::set_terminate(report_uncaught_exception);
}

}  // namespace vigie
