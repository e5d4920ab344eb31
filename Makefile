# SPDX-License-Identifier: EUPL-1.2
# vigie: the two commands a new user types are `make run` and `make test`.
# Every package the build, the tests and the fuzzers need is installed here, so that a
# fresh Debian 12 machine needs nothing but make, git and ca-certificates.

PACKAGES := build-essential cmake pkg-config clang libclang-rt-14-dev clang-format clang-tidy \
            libhyperscan-dev libsimdjson-dev libyaml-cpp-dev prometheus-cpp-dev libjemalloc-dev \
            doctest-dev libpcre2-dev libcli11-dev libssl-dev libboost1.81-dev zlib1g-dev \
            libnats-dev nats-server curl openssl python3 python3-jsonschema libcurl4-openssl-dev \
            prometheus prometheus-pushgateway libsqlite3-dev sqlite3 time
JOBS     ?= $(shell nproc 2>/dev/null || echo 2)
BUILD    := build
ASAN     := build-asan
SIGMA_DIR ?= $(abspath ../shared/sigma)

.PHONY: all deps configure run test fuzz bench bench-indicators bench-serve bench-outputs bench-outage bench-timings format lint clean

all: $(BUILD)/vigie

# Installs what is missing when run as root; otherwise prints the exact line and stops.
deps:
	@missing=$$(for p in $(PACKAGES); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing: $$(echo $$missing)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	  else \
	    echo "missing packages; run as root:"; \
	    echo "  apt-get install -y $$(echo $$missing)"; exit 1; \
	  fi; \
	fi

$(BUILD)/CMakeCache.txt: | deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release

configure: $(BUILD)/CMakeCache.txt

$(BUILD)/vigie-nats-tool: deps $(BUILD)/CMakeCache.txt FORCE
	cmake --build $(BUILD) -j $(JOBS) --target vigie-nats-tool

$(BUILD)/vigie: deps $(BUILD)/CMakeCache.txt FORCE
	cmake --build $(BUILD) -j $(JOBS)

# The Windows samples through the windows mapping, the Linux/cloud ones (flat JSON)
# through the flat mapping.
run: $(BUILD)/vigie
	./$(BUILD)/vigie scan --rules rules --mapping windows --format table samples/windows-sysmon.ndjson samples/windows-security.ndjson
	./$(BUILD)/vigie scan --rules rules --mapping flat --format table samples/linux-cloud.ndjson

# Tests run under AddressSanitizer and UBSan, in a build of their own.
test: deps
	cmake -S . -B $(ASAN) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DVIGIE_SANITIZE=ON -DVIGIE_SIGMA_DIR=$(SIGMA_DIR)
	cmake --build $(ASAN) -j $(JOBS)
	cd $(ASAN) && ctest --output-on-failure -j $(JOBS)

# The benchmark: corpus generated once under build/bench, every figure measured in the
# same run; results in build/bench/results.json. BENCH_SIZE=256M for a quicker run.
BENCH_SIZE ?= 1G
bench: $(BUILD)/vigie
	./$(BUILD)/vigie-bench run --size $(BENCH_SIZE) --sigma $(SIGMA_DIR) --vigie $(BUILD)/vigie --out $(BUILD)/bench
	$(MAKE) bench-indicators

# Threat indicators at line rate: INDICATORS generated indicators loaded, vigie scan's
# throughput with and without them over the SigmaHQ rules (ratio), arrival-to-match time,
# store import and load times, RSS (bench/indicator_load.sh).
INDICATORS ?= 1000000
INDICATOR_CORPUS ?= 256M
bench-indicators: $(BUILD)/vigie
	bench/indicator_load.sh $(BUILD) $(SIGMA_DIR)/rules $(INDICATORS) $(INDICATOR_CORPUS) 2

# The vigie serve load tests: concurrent HTTP clients, then NATS with 1 and 2 workers,
# LOAD_SECONDS each (see README, "vigie serve").
LOAD_SECONDS ?= 60
bench-serve: $(BUILD)/vigie $(BUILD)/vigie-nats-tool
	bench/serve_http_load.sh $(BUILD)/vigie $(LOAD_SECONDS) 4 500
	bench/serve_nats_load.sh $(BUILD) $(LOAD_SECONDS)

# What the alert outputs, the spool and the metrics cost vigie serve: six output
# configurations in alternation, OUTPUTS_SECONDS a run, OUTPUTS_ROUNDS rounds.
OUTPUTS_SECONDS ?= 20
OUTPUTS_ROUNDS ?= 3
bench-outputs: $(BUILD)/vigie $(BUILD)/vigie-nats-tool
	SIGMA_DIR=$(SIGMA_DIR) bench/serve_outputs_load.sh $(BUILD) $(OUTPUTS_SECONDS) $(OUTPUTS_ROUNDS)

# A hub outage of OUTAGE_SECONDS under OUTAGE_RATE events/s: spool peak, catch-up, losses.
OUTAGE_SECONDS ?= 600
OUTAGE_RATE ?= 1000
bench-outage: $(BUILD)/vigie $(BUILD)/vigie-nats-tool
	bench/hub_outage.sh $(OUTAGE_SECONDS) $(OUTAGE_RATE) $(BUILD)

# The timings the tests no longer assert (they assert behaviour; issue 19): every
# executable bench/timings/*.sh is run with the build directory as its argument and prints
# its figures, as ratios where there is a reference. Add a script there to add a timing.
bench-timings: $(BUILD)/vigie $(BUILD)/vigie-nats-tool
	@for t in bench/timings/*.sh; do [ -x "$$t" ] || continue; echo "== $$t"; "$$t" $(BUILD) || exit 1; done

# libFuzzer targets (clang), FUZZ_SECONDS each, one after another, under ASan and UBSan.
# Each starts from its seeds (fuzz/seeds/<dir>, plus the samples and rules where they fit)
# and keeps what it finds in build-fuzz/corpus/<target>; its log is build-fuzz/<target>.log,
# whose last lines (runs, coverage) are printed. FUZZ_TARGETS="stix_pattern taxii_request"
# runs a subset. A crash stops the loop and leaves its input in build-fuzz/.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= event_reader rule_loader config_reader http_request spool_segment alert_content \
                stix_pattern stix_bundle taxii_request
fuzz_seeds_event_reader  := fuzz/seeds/events samples
fuzz_seeds_rule_loader   := fuzz/seeds/rules rules/windows rules/linux rules/cloud
fuzz_seeds_config_reader := fuzz/seeds/config samples/vigie.yaml
fuzz_seeds_http_request  := fuzz/seeds/http
fuzz_seeds_spool_segment := fuzz/seeds/spool
fuzz_seeds_alert_content := fuzz/seeds/alerts
fuzz_seeds_stix_pattern  := fuzz/seeds/stix_pattern
fuzz_seeds_stix_bundle   := fuzz/seeds/stix_bundle
fuzz_seeds_taxii_request := fuzz/seeds/taxii
fuzz: deps
	CC=clang CXX=clang++ cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DVIGIE_FUZZ=ON
	cmake --build build-fuzz -j $(JOBS) --target $(addprefix fuzz_,$(FUZZ_TARGETS))
	@set -e; cd build-fuzz; $(foreach t,$(FUZZ_TARGETS),\
	  mkdir -p corpus/$(t); \
	  for s in $(fuzz_seeds_$(t)); do if [ -d ../$$s ]; then cp -r ../$$s/. corpus/$(t)/; elif [ -f ../$$s ]; then cp ../$$s corpus/$(t)/; fi; done; \
	  echo "fuzz_$(t): $(FUZZ_SECONDS) s"; \
	  ./fuzz/fuzz_$(t) -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=4096 -timeout=25 corpus/$(t) > $(t).log 2>&1 \
	    || { tail -n 40 $(t).log; echo "fuzz_$(t): FINDING, see build-fuzz/$(t).log"; exit 1; }; \
	  grep -E '^#[0-9]+ +DONE|^Done ' $(t).log | tail -n 2;)

format:
	clang-format -i $$(git ls-files '*.cpp' '*.hpp')

# clang-tidy over every folder of the product (and the tools beside it).
lint: $(BUILD)/vigie
	clang-tidy -p $(BUILD) --quiet $$(git ls-files 'core/*.cpp' 'detector/*.cpp' 'ingest/*.cpp' 'pipeline/*.cpp' 'delivery/*.cpp' 'federation/*.cpp' 'service/*.cpp' 'metrics/*.cpp' 'app/*.cpp' 'bench/*.cpp' 'tests/*.cpp' 'fuzz/*.cpp')

clean:
	rm -rf $(BUILD) $(ASAN) build-fuzz

FORCE:
