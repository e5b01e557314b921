# primbench - benchmarks of operating-system primitives.
#
#   make            build ./primbench (installs nothing)
#   make bench      install what is missing, run the suite, render plots + report
#   make quick      the same with --quick
#   make test       install what is missing, build, run every test
#   make plots RUN=results/<run>    render a run's figures
#   make report RUN=results/<run>   write <run>/REPORT.md
#   make report RUNS='A B C' [OUT=DIR]  the matrix report of several runs
#   make compare BASE=results/a CAND=results/b
#   make install [PREFIX=/usr/local] [DESTDIR=]   (and make uninstall)
#
# DEVELOPER=1 (CI) turns warnings into errors.

CC      ?= cc
CFLAGS  ?= -O2 -g
# Each warning is here for a reason: shadowing and missing prototypes hide
# real bugs in a codebase of many small modules; -Wvla because a stack array
# sized by a user-supplied count is an overflow waiting to happen; format
# checks because every reporter is printf-heavy.
WARN    := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wvla -Wwrite-strings -Wformat=2
ifeq ($(DEVELOPER),1)
WARN    += -Werror
endif
PREFIX  ?= /usr/local
BINDIR  := $(PREFIX)/bin
# primbench finds these from its own folder (<bindir>/../libexec/primbench,
# <bindir>/../share/primbench; harness/scripts.c says why), so they stay
# at these places relative to BINDIR.
LIBEXECDIR := $(PREFIX)/libexec/primbench
DATADIR    := $(PREFIX)/share/primbench
MAN1DIR    := $(PREFIX)/share/man/man1
COMPDIR    := $(PREFIX)/share/bash-completion/completions

HWLOC_CFLAGS := $(shell pkg-config --cflags hwloc 2>/dev/null)
HWLOC_LIBS   := $(shell pkg-config --libs hwloc 2>/dev/null || echo -lhwloc)

# libpfm4 ships no .pc file: probe it with a three-line compile test.
# NO_LIBPFM=1 builds without it (tests the fallback path).
ifneq ($(NO_LIBPFM),1)
HAVE_LIBPFM := $(shell printf '#include <perfmon/pfmlib_perf_event.h>\nint main(void){return pfm_initialize();}\n' | \
                 $(CC) -x c - -o /dev/null -lpfm >/dev/null 2>&1 && echo 1)
endif
ifeq ($(HAVE_LIBPFM),1)
PFM_CFLAGS := -DHAVE_LIBPFM
PFM_LIBS   := -lpfm
endif

GIT_SHA := $(shell git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)$(shell git diff --quiet HEAD 2>/dev/null || echo -dirty)
VERSION := 0.1.0

ALL_CFLAGS = $(CFLAGS) $(WARN) -std=gnu11 -D_GNU_SOURCE -MMD -MP -Iharness \
             $(HWLOC_CFLAGS) $(PFM_CFLAGS) $(EXTRA_CFLAGS) \
             -DPRIMBENCH_VERSION='"$(VERSION)"' -DPRIMBENCH_GIT_SHA='"$(GIT_SHA)"' \
             -DPRIMBENCH_CFLAGS='"$(CFLAGS)"'
LIBS     = $(HWLOC_LIBS) $(PFM_LIBS) -lm -lrt -lpthread

BUILD    ?= build
HSRC     := $(filter-out harness/main.c,$(wildcard harness/*.c))
# bench/*.c: one family each (bench/list.h); bench/lib/*.c: method that
# several families share (the IPC engine), no family of its own.
BSRC     := $(wildcard bench/*.c bench/lib/*.c)
HOBJ     := $(HSRC:%.c=$(BUILD)/%.o)
BOBJ     := $(BSRC:%.c=$(BUILD)/%.o)
MAINOBJ  := $(BUILD)/harness/main.o
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all bench quick test test-unit test-e2e plots report compare \
        install uninstall clean deps deps-test check
.DELETE_ON_ERROR:

# PROG: where the binary goes (a second tree can build elsewhere).
PROG    ?= primbench

all: $(PROG) $(BUILD)/primbench-helper $(BUILD)/csvq $(BUILD)/seccomp_slow

$(PROG): $(MAINOBJ) $(HOBJ) $(BOBJ)
	$(CC) $(CFLAGS) -o $@ $^ $(LIBS)

# The tiny static program proc_create execs, so that exec cost is not the
# dynamic loader's.  Static glibc is in libc6-dev.
$(BUILD)/primbench-helper: tests/helper/exit0.c
	@mkdir -p $(dir $@)
	$(CC) -O2 -static -o $@ $< || $(CC) -O2 -o $@ $<

# csvq: the end-to-end tests' CSV query tool (reads with harness/csv.c).
$(BUILD)/csvq: tests/tools/csvq.c $(BUILD)/harness/csv.o
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $(filter %.c %.o,$^)

# seccomp_slow: a filter of known cost on every system call, for checking
# what compare catches (an A/B with known truth; tests/tools/seccomp_slow.c).
$(BUILD)/seccomp_slow: tests/tools/seccomp_slow.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $<

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# The objects that write the git sha (meta.csv's git_sha, --version, the
# exports) are rebuilt when it changes: a stamp, rewritten only then.
# Without it an incremental build kept the sha of the build before (a run
# of this repository once recorded a merge of the session before).
GIT_SHA_STAMP := $(BUILD)/git-sha
$(GIT_SHA_STAMP): FORCE
	@mkdir -p $(dir $@)
	@[ "$$(cat $@ 2>/dev/null)" = '$(GIT_SHA)' ] || echo '$(GIT_SHA)' > $@
$(addprefix $(BUILD)/harness/,meta.o main.o export_gbench.o export_benchstat.o): $(GIT_SHA_STAMP)
.PHONY: FORCE
FORCE:

$(BUILD)/tests/%: tests/unit/%.c $(HOBJ) $(BOBJ)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LIBS) -lcmocka

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

# --- set-up on a fresh machine ------------------------------------------------
deps:
	@sh tests/deps.sh run
deps-test:
	@sh tests/deps.sh test

# --- running --------------------------------------------------------------------
RUNARGS ?=
bench: deps
	$(MAKE) all
	./primbench run $(RUNARGS) --out results --print-dir > $(BUILD)/last-run
	$(MAKE) plots RUN=$$(cat $(BUILD)/last-run)
	$(MAKE) report RUN=$$(cat $(BUILD)/last-run)

quick:
	$(MAKE) bench RUNARGS=--quick

# The same code as an installed primbench's plot and report commands, with
# this tree's scripts and csvq named (PROG may be built outside the tree).
plots: $(PROG) $(BUILD)/csvq
	@test -n "$(RUN)" || { echo "make plots: set RUN=results/<run>" >&2; exit 2; }
	PRIMBENCH_DATADIR=$(CURDIR)/plots CSVQ=$(abspath $(BUILD)/csvq) $(abspath $(PROG)) plot "$(RUN)"

report: $(PROG) $(BUILD)/csvq
	@test -n "$(RUN)$(RUNS)" || { echo "make report: set RUN=results/<run>, or RUNS='<run1> <run2> ...' [OUT=DIR]" >&2; exit 2; }
	PRIMBENCH_DATADIR=$(CURDIR)/plots CSVQ=$(abspath $(BUILD)/csvq) $(abspath $(PROG)) report \
		$(if $(RUNS),$(RUNS) $(if $(OUT),--out "$(OUT)"),"$(RUN)")

compare: all
	./primbench compare $(BASE) $(CAND)

# --- tests ------------------------------------------------------------------------
# Builds in parallel (one job per CPU); the tests themselves one at a time.
NPROC := $(shell nproc 2>/dev/null || echo 1)
test: deps-test
	$(MAKE) -j$(NPROC) all $(UNIT_BIN)
	$(MAKE) test-unit
	$(MAKE) test-e2e
	$(MAKE) test-hardening
	@sh tests/summary.sh

# The edit-test loop: unit tests and a short smoke run of the whole suite
# (tests/smoke.sh), well within 2 minutes on 2 cores; installs nothing.
# `make test` is what CI and the README run.  Its own tally, summed the same.
check: all $(UNIT_BIN)
	@rm -f $(BUILD)/check-tally
	@TALLY=$(BUILD)/check-tally sh tests/run_unit.sh $(UNIT_BIN); \
	PRIMBENCH=$(abspath $(PROG)) CSVQ=$(abspath $(BUILD)/csvq) TALLY=$(BUILD)/check-tally sh tests/smoke.sh; \
	TALLY=$(BUILD)/check-tally sh tests/summary.sh

test-unit: $(UNIT_BIN)
	@sh tests/run_unit.sh $(UNIT_BIN)

test-e2e: all
	@PRIMBENCH=$(abspath $(PROG)) CSVQ=$(abspath $(BUILD)/csvq) sh tests/run_scripts.sh e2e tests/e2e

# What a package holds: the binary; the helper and csvq in LIBEXECDIR; the
# plot scripts and report generator in DATADIR; primbench(1); bash completion.
PLOT_FILES := $(wildcard plots/*.gp) plots/README.md
install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBEXECDIR) $(DESTDIR)$(DATADIR) \
		$(DESTDIR)$(MAN1DIR) $(DESTDIR)$(COMPDIR)
	install -m 755 $(PROG) $(DESTDIR)$(BINDIR)/primbench
	install -m 755 $(BUILD)/primbench-helper $(BUILD)/csvq $(DESTDIR)$(LIBEXECDIR)/
	install -m 755 $(wildcard plots/*.sh) $(DESTDIR)$(DATADIR)/
	install -m 644 $(PLOT_FILES) $(DESTDIR)$(DATADIR)/
	install -m 644 harness/primbench.1 $(DESTDIR)$(MAN1DIR)/primbench.1
	install -m 644 harness/primbench.bash $(DESTDIR)$(COMPDIR)/primbench

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/primbench $(DESTDIR)$(MAN1DIR)/primbench.1 \
		$(DESTDIR)$(COMPDIR)/primbench
	rm -rf $(DESTDIR)$(LIBEXECDIR) $(DESTDIR)$(DATADIR)

clean:
	rm -rf $(BUILD) primbench

# --- static build (ci/kernel-vm) -------- begin: static block ------------------
# A self-contained binary for ci/kernel-vm's initramfs, which holds nothing but
# busybox.  Debian ships libudev as a shared library only, and libhwloc.a uses
# udev just for block-device attributes primbench never asks for, so
# ci/lib/udev-stub.c stands in for it (udev_new() returns NULL: hwloc then
# reads sysfs alone).  libhwloc.a's dlopen of plugins draws a linker warning;
# the guest has no plugins, so hwloc uses its built-in components.
# NO_LIBPFM=1 builds it without libpfm4.
STATIC_LIBS = $(filter-out -ludev,$(shell pkg-config --static --libs hwloc 2>/dev/null || \
                echo -lhwloc -lm -lpthread)) $(PFM_LIBS) -lm -lrt -lpthread
.PHONY: static
static: $(BUILD)/primbench-static
$(BUILD)/primbench-static: $(MAINOBJ) $(HOBJ) $(BOBJ) $(BUILD)/ci/lib/udev-stub.o
	$(CC) $(CFLAGS) -static -o $@ $^ $(STATIC_LIBS)
# --- end: static block ---------------------------------------------------------

# Faults, sanitizers, valgrind, fuzzing, the build without libpfm4.
include tests/hardening.mk
