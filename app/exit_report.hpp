// SPDX-License-Identifier: EUPL-1.2
#pragma once
// Why `vigie serve` ended, said in its own log whatever ended it, so that a worker that
// vanishes (in production or in a test) leaves a reason behind:
//  - a fatal signal (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT): one error record written
//    from the signal handler, then the signal's default action as before (core dump, the
//    exit status a supervisor sees). A handler already installed (a sanitizer's) is kept;
//  - an exception that no one caught (std::terminate): its what() in an error record,
//    then abort (and the SIGABRT record);
//  - SIGPIPE is ignored: a peer that closes its socket while we write (a NATS server, a
//    webhook, a scraper) is a write error to handle, never a silent end of the process.
// Exits through run_serve's own returns log their reason where they return.
#include "app/config/serve_config.hpp"

namespace vigie {

// Once, early in run_serve (before threads start); the records use the log's format.
void install_exit_report(LogFormat format);

}  // namespace vigie
