# tests/hardening.mk - faults, bad input, sanitizers, fuzzing and degraded
# builds (issue 7).  Included at the end of the top-level Makefile, whose
# variables it uses (BUILD, PROG, CC, UNIT_SRC).
#
#   make test-faults      SIGKILL/SIGINT/SIGTERM at random points of every
#                         family, watchdog (stopped/crashed/injected), limits
#                         (RLIMIT_NPROC, RLIMIT_AS, full disk), degraded hosts
#                         (perf_event_paranoid 2/3, no /sys, no hwloc binding);
#                         prints the hardening table.  Needs root for most.
#   make test-asan        unit tests, a quick run of the suite and the bad-input
#                         e2e scripts, built with ASan+UBSan into $(BUILD)/asan
#   make test-valgrind    memcheck on every unit-test binary
#   make fuzz             the CSV reader under libFuzzer for FUZZ_SECONDS (600)
#                         on a copy of the corpus; replays every kept reproducer
#   make fuzz-smoke       the same for 10 s (what `make test` runs)
#   make fuzz-merge       fold the grown corpus into tests/fuzz/corpus_csv_found
#   make test-nopfm       a build without libpfm4 ($(BUILD)/nopfm), quick baseline
#   make test-hardening   all of the above but the long fuzz run
#
# Each test target adds a line to the tally `make test` sums up.

HARDEN_ASAN  := $(BUILD)/asan
HARDEN_NOPFM := $(BUILD)/nopfm
HARDEN_FUZZ  := $(BUILD)/fuzz
HARDEN_UNIT  := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
HARDEN_TALLY  = $${TALLY:-build/test-tally}
FUZZ_SECONDS ?= 600
FUZZ_CC      ?= clang
# -O1 keeps stack traces readable; UBSan must stop at the first report, not
# print and go on (the tests look at exit status, not at logs).
HARDEN_SAN_CFLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
                     -fno-sanitize-recover=undefined
HARDEN_SAN_ENV := ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
                  UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
# The fuzz target is built with ASan+UBSan too: a crash, a leak and
# undefined behaviour all stop the fuzzer with a reproducer.
HARDEN_FUZZ_FLAGS := -g -O1 -fsanitize=fuzzer,address,undefined \
                     -fno-sanitize-recover=undefined -D_GNU_SOURCE -Iharness
HARDEN_REPRO := $(wildcard tests/fuzz/crash_csv/*)
# The makefile that included this one, for the recursive builds.
HARDEN_MAKE = $(MAKE) --no-print-directory -f $(firstword $(MAKEFILE_LIST))

.PHONY: test-hardening test-faults test-asan test-valgrind fuzz fuzz-smoke fuzz-merge \
        test-nopfm

test-hardening: test-faults test-asan test-valgrind fuzz-smoke test-nopfm

test-faults: all
	@PRIMBENCH=$(abspath $(PROG)) CSVQ=$(abspath $(BUILD)/csvq) sh tests/faults/run.sh

# A second tree of objects: the sanitizers change every object file.
# DEVELOPER=0: -O1 may warn where -O2 does not, and this target is about
# memory errors, not warnings (the normal build keeps -Werror).
test-asan:
	@$(HARDEN_MAKE) -j$(NPROC) BUILD=$(HARDEN_ASAN) PROG=$(HARDEN_ASAN)/primbench DEVELOPER=0 \
		CFLAGS='$(HARDEN_SAN_CFLAGS)' all $(UNIT_SRC:tests/unit/%.c=$(HARDEN_ASAN)/tests/%)
	@$(HARDEN_SAN_ENV) TALLY=$(HARDEN_ASAN)/tally sh tests/run_unit.sh \
		$(UNIT_SRC:tests/unit/%.c=$(HARDEN_ASAN)/tests/%); \
	rc=$$?; sed 's/^unit/asan-unit/' $(HARDEN_ASAN)/tally >> $(HARDEN_TALLY); rm -f $(HARDEN_ASAN)/tally; \
	$(HARDEN_SAN_ENV) PRIMBENCH=$(abspath $(HARDEN_ASAN)/primbench) CSVQ=$(abspath $(HARDEN_ASAN)/csvq) \
		sh tests/faults/sanitized.sh && exit $$rc

# Suppressions (tests/faults/valgrind.supp) cover third-party libraries only.
test-valgrind: $(HARDEN_UNIT)
	@pass=0; fail=0; \
	for t in $(HARDEN_UNIT); do \
		if valgrind -q --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite \
			--show-leak-kinds=definite --suppressions=tests/faults/valgrind.supp \
			$$t > $$t.valgrind 2>&1; then \
			pass=$$((pass + 1)); echo "valgrind $$t: ok"; \
		else \
			fail=$$((fail + 1)); echo "valgrind $$t: FAILED"; sed 's/^/    /' $$t.valgrind | tail -n 40; \
		fi; \
	done; \
	echo "valgrind $$pass $$fail 0" >> $(HARDEN_TALLY); [ $$fail -eq 0 ]

$(HARDEN_FUZZ)/fuzz_csv: tests/fuzz/fuzz_csv.c harness/csv.c harness/csv.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(HARDEN_FUZZ_FLAGS) -o $@ tests/fuzz/fuzz_csv.c harness/csv.c

# Reproducers first (each is run once and must pass), then the fuzzer on a
# copy of the seeds and of what earlier runs found, so the tree never
# changes under it.  libFuzzer exits non-zero on a crash and leaves the
# input in $(HARDEN_FUZZ)/artifacts: copy it to tests/fuzz/crash_csv/ once
# the bug is fixed, so it stays a test.
fuzz: $(HARDEN_FUZZ)/fuzz_csv
	@rm -rf $(HARDEN_FUZZ)/corpus && mkdir -p $(HARDEN_FUZZ)/corpus $(HARDEN_FUZZ)/artifacts
	@cp tests/fuzz/corpus_csv/* $(HARDEN_FUZZ)/corpus/
	@[ ! -d tests/fuzz/corpus_csv_found ] || cp tests/fuzz/corpus_csv_found/* $(HARDEN_FUZZ)/corpus/
	@if [ -n "$(HARDEN_REPRO)" ]; then \
		$(HARDEN_FUZZ)/fuzz_csv $(HARDEN_REPRO) > $(HARDEN_FUZZ)/repro.log 2>&1 || \
		{ tail -n 30 $(HARDEN_FUZZ)/repro.log; echo "fuzz: a kept reproducer fails again"; exit 1; }; \
		echo "fuzz: $(words $(HARDEN_REPRO)) kept reproducers pass"; fi
	@echo "fuzz: the CSV reader for $(FUZZ_SECONDS) s ($(HARDEN_FUZZ)/fuzz.log)"
	@$(HARDEN_FUZZ)/fuzz_csv -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 -timeout=10 \
		-rss_limit_mb=2048 -artifact_prefix=$(abspath $(HARDEN_FUZZ)/artifacts)/ \
		$(HARDEN_FUZZ)/corpus > $(HARDEN_FUZZ)/fuzz.log 2>&1; rc=$$?; \
	awk '/stat::number_of_executed_units/ { n = $$2 } /stat::peak_rss_mb/ { r = $$2 } \
	     END { printf "fuzz: %s executions in $(FUZZ_SECONDS) s, peak RSS %s MB\n", n, r }' $(HARDEN_FUZZ)/fuzz.log; \
	echo "fuzz: corpus $$(ls $(HARDEN_FUZZ)/corpus | wc -l) inputs; crashes: $$(ls $(HARDEN_FUZZ)/artifacts | wc -l)"; \
	if [ $$rc -ne 0 ]; then grep -A30 -m1 -E '==ERROR|runtime error|deadly signal' $(HARDEN_FUZZ)/fuzz.log; fi; \
	echo "fuzz $$([ $$rc -eq 0 ] && echo '1 0' || echo '0 1') 0" >> $(HARDEN_TALLY); exit $$rc

fuzz-smoke:
	@$(HARDEN_MAKE) fuzz FUZZ_SECONDS=10

# The grown corpus, minimised against the seeds and what is already kept
# (libFuzzer's -merge=1 keeps an input only if it adds coverage); only the
# new inputs of at most 8 KiB are copied into the tree: the long ones mostly
# explore the 64 KiB field limit again, which the seed huge_field.csv covers.
fuzz-merge: $(HARDEN_FUZZ)/fuzz_csv
	@rm -rf $(HARDEN_FUZZ)/merged && mkdir -p $(HARDEN_FUZZ)/merged tests/fuzz/corpus_csv_found
	@cp tests/fuzz/corpus_csv/* $(HARDEN_FUZZ)/merged/
	@[ -z "$$(ls tests/fuzz/corpus_csv_found)" ] || cp tests/fuzz/corpus_csv_found/* $(HARDEN_FUZZ)/merged/
	@$(HARDEN_FUZZ)/fuzz_csv -merge=1 $(HARDEN_FUZZ)/merged $(HARDEN_FUZZ)/corpus > $(HARDEN_FUZZ)/merge.log 2>&1 || \
		{ tail -n 20 $(HARDEN_FUZZ)/merge.log; exit 1; }
	@n=0; for f in $(HARDEN_FUZZ)/merged/*; do b=$$(basename $$f); \
		if [ ! -e tests/fuzz/corpus_csv/$$b ] && [ ! -e tests/fuzz/corpus_csv_found/$$b ] && \
		   [ $$(wc -c < $$f) -le 8192 ]; then \
			cp $$f tests/fuzz/corpus_csv_found/; n=$$((n + 1)); fi; done; \
	echo "fuzz-merge: $$n new inputs in tests/fuzz/corpus_csv_found"

test-nopfm:
	@$(HARDEN_MAKE) -j$(NPROC) NO_LIBPFM=1 BUILD=$(HARDEN_NOPFM) PROG=$(HARDEN_NOPFM)/primbench all
	@PRIMBENCH=$(abspath $(HARDEN_NOPFM)/primbench) CSVQ=$(abspath $(HARDEN_NOPFM)/csvq) sh tests/faults/nopfm.sh
