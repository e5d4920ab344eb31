// SPDX-License-Identifier: EUPL-1.2
#pragma once
// What `vigie serve` refuses to start on, known from the configuration and the files and
// environment it names: checked by this one function, which serve runs before it starts
// anything and `vigie config check` runs to say "valid", so that the two cannot disagree.
// Each problem is at the file:line:col of its key, named in the message.
//
// Errors: a TLS certificate, key or CA that cannot be read or loaded (or a key that is not
// the certificate's); a webhook url that is not http(s), a secret_env that is unset or
// empty, an unreadable ca_file or NATS credentials file; a syslog address that is not
// HOST:PORT; a rules path that does not exist, a mapping or placeholders file that cannot
// be read; a place for alerts (file outputs, the spool of forwarding outputs) that cannot
// be written; federation peers without indicators. (The listen addresses are checked as
// they are read; the rules themselves are compiled by the caller.)
//
// Warnings: a token whose digest is one of the samples' (samples/*.yaml: anyone can read
// them), an admin token equal to an agency's, a listener reachable from other machines
// without TLS.
#include <string>
#include <vector>

#include "app/config/serve_config.hpp"
#include "core/diagnostic.hpp"

namespace vigie {

// Appends the problems of `config` to `diags`; returns how many are errors.
size_t check_serve_config(const ServeConfig& config, Diagnostics& diags);

// The SHA-256 digests of the tokens and passwords the sample configurations use
// (samples/vigie.yaml, samples/vigie-taxii.yaml), public knowledge.
const std::vector<std::string>& sample_token_digests();

}  // namespace vigie
