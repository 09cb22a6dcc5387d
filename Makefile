# srotrace - top-level Makefile.
#
#   make                  build $(O)/srotrace (default O=build)
#   make test             install missing packages, build with ASan+UBSan
#                         into build/asan and run the whole suite
#   make bench-quick      benchmarks, under two minutes (bench/)
#   make bench            the full benchmarks
#   make fuzz             libFuzzer targets, bounded time each (clang)
#   make install PREFIX=/usr/local DESTDIR=
#
# Every folder of library code is one static library, linked in layer
# order: cli -> analyzer, replayer, synth, recorder -> db, trace -> core ->
# util. core/ depends on capstone only; db/ is the only place that speaks
# SQL schema management. New .c files are picked up by wildcard.

O        ?= build
PREFIX   ?= /usr/local
DESTDIR  ?=
CC       ?= cc
SAN      ?= 0

PKG_CONFIG ?= pkg-config
PKGS       := capstone sqlite3
XEN_PKGS   := xencontrol xenevtchn

# libxenctrl is optional at build time: without it, `record --live` says
# so at run time. Debian's libxen-dev provides it.
HAVE_XEN := $(shell $(PKG_CONFIG) --exists $(XEN_PKGS) 2>/dev/null && echo 1)

CFLAGS   ?= -O2 -g
CPPFLAGS += -D_GNU_SOURCE -I. $(shell $(PKG_CONFIG) --cflags $(PKGS))
ALL_CFLAGS = -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
             -Wno-missing-field-initializers -fPIC $(CFLAGS)
LDLIBS   += $(shell $(PKG_CONFIG) --libs $(PKGS)) -ldl -lm -lpthread

ifeq ($(HAVE_XEN),1)
CPPFLAGS += -DHAVE_LIBXENCTRL $(shell $(PKG_CONFIG) --cflags $(XEN_PKGS))
LDLIBS   += $(shell $(PKG_CONFIG) --libs $(XEN_PKGS))
endif

ifeq ($(SAN),1)
ALL_CFLAGS += -fsanitize=address,undefined -fno-sanitize-recover=all \
              -fno-omit-frame-pointer
LDFLAGS    += -fsanitize=address,undefined
endif

# SAN=fuzz: the libFuzzer build of `make fuzz` (clang; build/fuzz). The
# library is instrumented for coverage; only fuzz targets link libFuzzer.
# Warnings stay on but do not stop it: -Werror is gcc's gate (see above).
ifeq ($(SAN),fuzz)
ALL_CFLAGS += -fsanitize=fuzzer-no-link,address,undefined \
              -fno-sanitize-recover=all -fno-omit-frame-pointer -Wno-error
LDFLAGS    += -fsanitize=address,undefined
FUZZ_MAIN  := -fsanitize=fuzzer
else
FUZZ_MAIN  := fuzz/replay-main.c
endif

# Layers, highest first (static link order).
LIBDIRS := analyzer replayer synth recorder db trace core util
lib_srcs = $(wildcard $(1)/*.c $(1)/*/*.c $(1)/*.S)
lib_objs = $(patsubst %,$(O)/%.o,$(basename $(call lib_srcs,$(1))))
LIBS     := $(foreach d,$(LIBDIRS),$(O)/lib$(d).a)

CLI_OBJS   := $(patsubst %.c,$(O)/%.o,$(wildcard cli/*.c))
TEST_SRCS  := $(wildcard tests/unit/test-*.c)
TEST_BINS  := $(patsubst tests/unit/%.c,$(O)/tests/%,$(TEST_SRCS))
TEST_HELP  := $(patsubst %.c,$(O)/%.o,$(wildcard tests/unit/helpers/*.c))
PLUGINS    := $(patsubst examples/plugin/%.c,$(O)/examples/%.so,\
                $(wildcard examples/plugin/*.c))
BENCH_BINS := $(patsubst bench/%.c,$(O)/bench/%,$(wildcard bench/*.c))
# Fuzz targets (docs/hardening.md): each fuzz/fuzz-NAME.c becomes
# $(O)/fuzz/fuzz-NAME, with libFuzzer under SAN=fuzz, else with
# fuzz/replay-main.c: `make tests` builds those, and the test suite replays
# the seed corpus and every saved crash through them.
FUZZ_BINS  := $(patsubst fuzz/%.c,$(O)/fuzz/%,$(wildcard fuzz/fuzz-*.c))
FUZZ_SECONDS ?= 60
FUZZ_JOBS  ?= 2
FUZZ_CC    ?= clang

# Register maps of devices ship beside the binary; the binary finds them
# through SROTRACE_DATADIR (default: the installed share dir).
DATADIR  := $(PREFIX)/share/srotrace
CPPFLAGS += -DSROTRACE_DATADIR='"$(DATADIR)"' -DSROTRACE_SRCDIR='"$(CURDIR)"'

all: $(O)/srotrace $(PLUGINS)

$(O)/srotrace: $(CLI_OBJS) $(LIBS)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(CLI_OBJS) \
	    -Wl,--start-group $(LIBS) -Wl,--end-group $(LDLIBS)

define lib_rule
$(O)/lib$(1).a: $(call lib_objs,$(1))
	@mkdir -p $$(@D)
	rm -f $$@
	$$(AR) rcs $$@ $$^
endef
$(foreach d,$(LIBDIRS),$(eval $(call lib_rule,$(d))))

$(O)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

# Assembly with the C preprocessor (db/schema.S embeds schema.sql).
$(O)/%.o: %.S schema.sql
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -DSCHEMA_PATH='"$(CURDIR)/schema.sql"' -c -o $@ $<

$(O)/tests/%: tests/unit/%.c $(LIBS) $(TEST_HELP)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -MMD -MP $(LDFLAGS) -o $@ $< \
	    $(TEST_HELP) -Wl,--start-group $(LIBS) -Wl,--end-group \
	    $(LDLIBS) -lcmocka

$(O)/bench/%: bench/%.c $(LIBS)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< \
	    -Wl,--start-group $(LIBS) -Wl,--end-group $(LDLIBS)

$(O)/fuzz/%: fuzz/%.c fuzz/fuzz.h fuzz/replay-main.c $(LIBS)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(FUZZ_MAIN) \
	    -Wl,--start-group $(LIBS) -Wl,--end-group $(LDLIBS)

# A model plugin uses only the plugin ABI headers: no srotrace library.
$(O)/examples/%.so: examples/plugin/%.c core/model.h core/types.h core/abi.h
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -shared $(LDFLAGS) -o $@ $<

tests: $(O)/srotrace $(TEST_BINS) $(PLUGINS) $(FUZZ_BINS)

# The whole suite, under ASan and UBSan. Installs what it needs first.
# It includes a short libFuzzer run of every target (tests/cli/
# test-fuzz.sh, TEST_FUZZ_SECONDS each); `make fuzz` is the long one.
TEST_FUZZ_SECONDS ?= 15
test check:
	@scripts/install-deps --test
	$(MAKE) --no-print-directory -j$$(nproc) O=build/asan SAN=1 tests
	@FUZZ_SECONDS=$(TEST_FUZZ_SECONDS) tests/run-tests.sh build/asan

# The same suite without sanitizers (faster; used by developers).
test-plain: tests
	@tests/run-tests.sh $(O)

# libFuzzer: build every target with clang into build/fuzz, then run each
# for FUZZ_SECONDS (FUZZ_JOBS at a time). A crash fails and is kept under
# build/fuzz/crashes/; fuzz/run.sh says how to turn it into a regression.
fuzzers: $(FUZZ_BINS)

fuzz:
	@scripts/install-deps --test
	$(MAKE) --no-print-directory O=build/fuzz SAN=fuzz CC=$(FUZZ_CC) fuzzers
	@fuzz/run.sh build/fuzz $(FUZZ_SECONDS) $(FUZZ_JOBS)

bench-quick bench: $(O)/srotrace $(BENCH_BINS)
	@bench/run.sh $(O) $(if $(filter bench-quick,$@),quick,full)

install: $(O)/srotrace
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(DATADIR)/regmaps \
	    $(DESTDIR)$(DATADIR)/scenarios $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 $(O)/srotrace $(DESTDIR)$(PREFIX)/bin/srotrace
	install -m 644 schema.sql $(DESTDIR)$(DATADIR)/schema.sql
	install -m 644 regmaps/*.map $(DESTDIR)$(DATADIR)/regmaps/
	install -m 644 examples/scenarios/*.scn $(DESTDIR)$(DATADIR)/scenarios/
	install -m 644 docs/man/*.1 $(DESTDIR)$(PREFIX)/share/man/man1/

clean:
	rm -rf build $(O)

.PHONY: all tests test check test-plain bench bench-quick install clean \
        fuzz fuzzers
.DELETE_ON_ERROR:

-include $(shell find $(O) -name '*.d' 2>/dev/null)
