#!/usr/bin/env python3
# SPDX-License-Identifier: EUPL-1.2
"""The build refuses a wrong-way include: shown by compiling probes with a real library's flags.

For each case, the compile command of a real source file of a lower layer is taken from
compile_commands.json, and a probe file that includes one header is compiled with it
(-fsyntax-only). An include of a higher layer must fail with "file not found"; an include
of the same or a lower layer must compile (so that the refusal is the include path's doing,
not a broken command).

usage: include_probe.py <build dir with compile_commands.json>
"""
import json
import os
import shlex
import subprocess
import sys
import tempfile

# (a source file of the library whose flags are used, the header the probe includes,
#  whether it must compile)
CASES = [
    ("core/json_text.cpp", "core/logger.hpp", True),
    ("core/json_text.cpp", "detector/rule.hpp", False),
    ("detector/rule.cpp", "core/level.hpp", True),
    ("detector/rule.cpp", "pipeline/alerts/alert_format.hpp", False),
    ("pipeline/alerts/alert_format.cpp", "detector/rule.hpp", True),
    ("pipeline/alerts/alert_format.cpp", "delivery/outputs/output_settings.hpp", False),
    ("pipeline/scan/batch_scanner.cpp", "federation/indicators/indicator_matcher.hpp", False),
    ("pipeline/scan/batch_scanner.cpp", "metrics/scan_metrics.hpp", False),
    ("delivery/outputs/alert_delivery.cpp", "app/config/serve_config.hpp", False),
    ("federation/taxii/taxii_server.cpp", "service/http/http_settings.hpp", False),
    # federation/sharing reaches NATS through its IndicatorChannel, metrics through plain figures.
    ("federation/sharing/serve_indicators.cpp", "federation/taxii/taxii_client.hpp", True),
    ("federation/sharing/serve_indicators.cpp", "service/nats/indicator_exchange.hpp", False),
    ("federation/sharing/serve_indicators.cpp", "metrics/serve_metrics.hpp", False),
    ("service/http/ingest_handler.cpp", "pipeline/engine/ingest_engine.hpp", True),
    ("service/http/ingest_handler.cpp", "metrics/serve_metrics.hpp", False),
    ("metrics/serve_metrics.cpp", "app/config/serve_config.hpp", False),
    ("app/serve_command.cpp", "metrics/serve_metrics.hpp", True),
]


def command_for(entries, source, probe):
    for e in entries:
        if os.path.normpath(e["file"]).endswith(os.sep + source):
            args = e["arguments"] if "arguments" in e else shlex.split(e["command"])
            out, skip = [], False
            for a in args:
                if skip:
                    skip = False
                    continue
                if a in ("-o", "-c"):
                    skip = a == "-o"
                    continue
                if a.startswith(("-MD", "-MF", "-MT", "-MQ")):
                    skip = a in ("-MF", "-MT", "-MQ")
                    continue
                if os.path.normpath(a).endswith(os.sep + source):
                    a = probe
                out.append(a)
            return out + ["-fsyntax-only"], e["directory"]
    return None, None


def main():
    build = sys.argv[1]
    entries = json.load(open(os.path.join(build, "compile_commands.json"), encoding="utf-8"))
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        for source, header, allowed in CASES:
            probe = os.path.join(tmp, "probe.cpp")
            with open(probe, "w", encoding="utf-8") as f:
                f.write(f'#include "{header}"\nint vigie_probe;\n')
            cmd, cwd = command_for(entries, source, probe)
            if cmd is None:
                print(f"FAIL: no compile command for {source}")
                failures += 1
                continue
            r = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
            said = (r.stderr.strip().splitlines() or [""])[0]
            if allowed and r.returncode != 0:
                print(f"FAIL: {source}'s flags cannot include {header}: {said}")
                failures += 1
            elif not allowed and r.returncode == 0:
                print(f"FAIL: {source}'s flags include {header}, a higher layer, without error")
                failures += 1
            elif not allowed and "No such file" not in r.stderr and "not found" not in r.stderr:
                print(f"FAIL: {source} + {header} failed for another reason: {said}")
                failures += 1
            else:
                verdict = "compiles" if allowed else f"refused ({said})"
                print(f"ok: {source}'s library, #include \"{header}\": {verdict}")
    print(f"include probes: {len(CASES) - failures} of {len(CASES)} as expected")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
