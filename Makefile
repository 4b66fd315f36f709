# mxtop -- top for a backup MX relay's Exim queue.
#
# On a fresh Debian 12 with only make installed, as root:
#	make demo	installs what is missing, builds, opens the sample spool
#	make check	the same, then every test
# Both run `deps` in a sub-make first, and pkg-config is asked only after
# it (into $(O)/config.mk), so one invocation works on a fresh machine.
PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
MANDIR     ?= $(PREFIX)/share/man
PKG_CONFIG ?= pkg-config
CFLAGS     ?= -O2 -g
WARN        = -std=c11 -Wall -Wextra -Wshadow -Wstrict-prototypes \
              -Wmissing-prototypes -Wformat=2 -Wwrite-strings \
              $(if $(WERROR),-Werror)
DEPS        = ncursesw libarchive zlib
MX_CPPFLAGS = -Iinclude -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
              $(PC_CFLAGS)
MX_LIBS     = $(PC_LIBS) -lpthread -lresolv

# Debian packages the build and the tests need (make deps installs them).
# Every program a test calls is here; see README for why each one.
DEB_BUILD   = build-essential pkg-config libncurses-dev libarchive-dev \
              zlib1g-dev check
DEB_TEST    = exim4-daemon-light tmux mandoc libarchive-tools python3 \
              strace unzip nsd dnsutils procps clang libclang-rt-14-dev
DEB_ALL     = $(DEB_BUILD) $(DEB_TEST)

O          ?= build
BIN        ?= mxtop
LAYERS      = base exim model run out tui app
LIB_SRC     = $(filter-out src/app/main.c,$(wildcard $(LAYERS:%=src/%/*.c)))
LIB_OBJ     = $(LIB_SRC:src/%.c=$(O)/%.o)
MAIN_OBJ    = $(O)/app/main.o
TEST_SRC    = $(wildcard tests/unit/check_*.c)
TEST_BIN    = $(TEST_SRC:tests/unit/%.c=$(O)/unit/%)
TOOL_SRC    = $(wildcard tests/tools/*.c)
TOOL_BIN    = $(TOOL_SRC:tests/tools/%.c=$(O)/tools/%)
COMPILE     = $(CC) $(CPPFLAGS) $(MX_CPPFLAGS) $(CFLAGS) $(WARN)
RUN_SUITES  = MXTOP=$(CURDIR)/$(BIN) TOOLS=$(CURDIR)/$(O)/tools \
              SAMPLE=$(CURDIR)/sample-spool bash tests/run-suites.sh

# Goals that need no compiler flags do not ask pkg-config.
NOCONF      = deps demo check clean uninstall lint fuzz
ifneq ($(filter-out $(NOCONF),$(or $(MAKECMDGOALS),all)),)
include $(O)/config.mk
endif

all: $(BIN) tools

# What pkg-config says, asked once; a missing library stops the build
# with one line naming its Debian package.
$(O)/config.mk: Makefile
	@mkdir -p $(@D)
	@command -v $(PKG_CONFIG) > /dev/null || { echo "mxtop: pkg-config \
	is missing (Debian package pkg-config): run 'make deps' as root" >&2; \
	exit 1; }
	@for p in $(DEPS); do $(PKG_CONFIG) --exists $$p && continue; \
	case $$p in ncursesw) d=libncurses-dev;; libarchive) d=libarchive-dev;; \
	zlib) d=zlib1g-dev;; esac; echo "mxtop: library $$p is missing \
	(Debian package $$d): run 'make deps' as root" >&2; exit 1; done
	@{ echo "PC_CFLAGS := $$($(PKG_CONFIG) --cflags $(DEPS))"; \
	echo "PC_LIBS := $$($(PKG_CONFIG) --libs $(DEPS))"; \
	if $(PKG_CONFIG) --exists check; then \
	echo "CHECK_CFLAGS := $$($(PKG_CONFIG) --cflags check)"; \
	echo "CHECK_LIBS := $$($(PKG_CONFIG) --libs check)"; fi; } > $@.tmp
	@mv $@.tmp $@

# The compile and link lines; when they change, everything is rebuilt.
$(O)/flags: FORCE
	@mkdir -p $(@D)
	@echo '$(COMPILE) | $(LDFLAGS) | $(MX_LIBS)' | cmp -s - $@ || \
	    echo '$(COMPILE) | $(LDFLAGS) | $(MX_LIBS)' > $@

$(O)/%.o: src/%.c $(O)/flags
	@mkdir -p $(@D)
	$(COMPILE) -MMD -MP -c -o $@ $<

$(O)/libmxcore.a: $(LIB_OBJ)
	rm -f $@
	$(AR) rcs $@ $(LIB_OBJ)

$(BIN): $(MAIN_OBJ) $(O)/libmxcore.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(MAIN_OBJ) $(O)/libmxcore.a $(MX_LIBS)

$(O)/unit/check_%: tests/unit/check_%.c $(O)/libmxcore.a $(O)/flags
	@[ -n "$(CHECK_LIBS)" ] || { echo "mxtop: the Check library is \
	missing (Debian package check): run 'make deps' as root" >&2; exit 1; }
	@mkdir -p $(@D)
	$(COMPILE) -Wno-missing-prototypes $(CHECK_CFLAGS) -MMD -MP -o $@ $< \
	    $(LDFLAGS) $(O)/libmxcore.a $(CHECK_LIBS) $(MX_LIBS)

$(O)/tools/%: tests/tools/%.c $(O)/libmxcore.a $(O)/flags
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -Wno-missing-prototypes -Iinclude \
	    -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -MMD -MP -o $@ $< \
	    $(LDFLAGS) $(O)/libmxcore.a $(MX_LIBS) -lpthread

tools: $(TOOL_BIN)

-include $(LIB_OBJ:.o=.d) $(MAIN_OBJ:.o=.d) $(TEST_BIN:=.d) $(TOOL_BIN:=.d) \
    $(FUZZ_BIN:=.d)

# Every test: deps first (a sub-make, so pkg-config is asked after it),
# then the suites one after another (some measure time), whatever -j.
check:
	@$(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory check-all

check-all: $(BIN) $(TEST_BIN) tools
	@$(RUN_SUITES) $(TEST_BIN) tests/cli/*.sh tests/tui/*.sh tests/dns/*.sh \
	    tests/exim/test_*.sh

check-unit: $(BIN) $(TEST_BIN) tools
	@$(RUN_SUITES) $(TEST_BIN)

check-cli: $(BIN) tools
	@$(RUN_SUITES) tests/cli/*.sh tests/tui/*.sh tests/dns/*.sh

check-exim: $(BIN) tools
	@$(RUN_SUITES) tests/exim/test_*.sh

# The real-Exim suites that also run under the sanitizers, as CI's time
# allows (seconds under ASan on 2 busy cores: actions 88, diagnose 52,
# hostile 43, live 43, kill 11, tui 10, drain 60; left out: spool 130,
# export 98, whose strace step LeakSanitizer cannot run under, and
# customers, refresh and tui_recover, passed under ASan once).
EXIM_SAN    = tests/exim/test_actions.sh tests/exim/test_diagnose.sh \
              tests/exim/test_hostile.sh tests/exim/test_live.sh \
              tests/exim/test_kill.sh tests/exim/test_tui.sh \
              tests/exim/test_drain.sh
check-exim-san: $(BIN) tools
	@$(RUN_SUITES) $(EXIM_SAN)

# The unit, CLI and most real-Exim tests again, built with ASan and UBSan.
SAN_FLAGS   = -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
              -fno-sanitize-recover=undefined
sanitize:
	@$(MAKE) --no-print-directory O=build-san BIN=build-san/mxtop \
	    CFLAGS="$(SAN_FLAGS)" LDFLAGS="-fsanitize=address,undefined" \
	    check-unit check-cli check-exim-san

# libFuzzer harnesses, one per parser (tests/fuzz/fuzz_<name>.c): deps,
# then in build-fuzz/ the library built by clang with coverage and the
# sanitizers (no libFuzzer main) and each harness linked with libFuzzer,
# then each one run for FUZZ_SECONDS on its corpus, one at a time (see
# tests/fuzz/run.sh); fails when any finds a crash.  Not part of check.
# FUZZ_SECONDS=0 only builds and runs the seeds; FUZZ_NAMES="text units"
# picks harnesses; FUZZ_O=build-fuzz/long keeps a second run apart.
FUZZ_SECONDS ?= 15
FUZZ_CC      ?= clang
FUZZ_O       ?= build-fuzz
FUZZ_SAN      = -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined \
                -fno-sanitize-recover=undefined
FUZZ_NAMES    = $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BIN      = $(FUZZ_NAMES:%=$(O)/fuzz_%)
fuzz:
	@$(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory O=$(FUZZ_O) CC=$(FUZZ_CC) \
	    CFLAGS="$(FUZZ_SAN) -fsanitize=fuzzer-no-link" LDFLAGS= fuzz-run

fuzz-run: $(FUZZ_BIN)
	@FUZZ_SECONDS=$(FUZZ_SECONDS) bash tests/fuzz/run.sh $(O) $(FUZZ_NAMES)

$(O)/fuzz_%: tests/fuzz/fuzz_%.c $(O)/libmxcore.a $(O)/flags
	$(CC) $(CPPFLAGS) $(MX_CPPFLAGS) $(FUZZ_SAN) -fsanitize=fuzzer $(WARN) \
	    -MMD -MP -o $@ $< $(O)/libmxcore.a $(MX_LIBS)

lint:
	mandoc -Tlint -W warning mxtop.1
	@bash tests/lint.sh
	@echo "lint: ok"

bench: $(BIN) tools
	MXTOP=$(CURDIR)/$(BIN) TOOLS=$(CURDIR)/$(O)/tools bash tests/bench.sh
	MXTOP=$(CURDIR)/$(BIN) TOOLS=$(CURDIR)/$(O)/tools bash tests/bench_mxcheck.sh
	MXTOP=$(CURDIR)/$(BIN) TOOLS=$(CURDIR)/$(O)/tools bash tests/bench_verify.sh

# Installs what is missing (as root), or says what to install.
deps:
	@missing=$$(for p in $(DEB_ALL); do \
	    dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | \
	    grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	    if [ "$$(id -u)" = 0 ]; then \
	        apt-get update && DEBIAN_FRONTEND=noninteractive \
	        apt-get install -y --no-install-recommends $$missing; \
	    else \
	        echo "mxtop: missing packages; run as root:"; \
	        echo "  apt-get install $$missing"; exit 1; \
	    fi; \
	fi

demo:
	@$(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory $(BIN)
	./$(BIN) -s sample-spool -l sample-spool/log --since 7d \
	    --now "$$(cat sample-spool/now 2>/dev/null || date +%s)"

install: $(BIN)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 0755 $(BIN) $(DESTDIR)$(BINDIR)/mxtop
	install -m 0644 mxtop.1 $(DESTDIR)$(MANDIR)/man1/mxtop.1

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/mxtop $(DESTDIR)$(MANDIR)/man1/mxtop.1

clean:
	rm -rf build build-san build-fuzz mxtop

FORCE:

.PHONY: all check check-all check-unit check-cli check-exim check-exim-san \
        sanitize lint fuzz fuzz-run \
        bench deps demo install uninstall clean tools FORCE
