// SPDX-License-Identifier: EUPL-1.2
// vigie: wires the command line to the libraries; no logic of its own.
#include <cstdio>
#include <exception>

#include "app/command_line.hpp"

// Errors in users' input are reported as values; an exception reaching here is a
// start-up failure (out of memory, Hyperscan refusing the whole ruleset).
int main(int argc, char** argv) {
    try {
        vigie::CommandLine command_line;
        return command_line.run(argc, argv);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "vigie: fatal: %s\n", e.what());
    } catch (...) {
        std::fprintf(stderr, "vigie: fatal: unknown error\n");
    }
    return 1;
}
