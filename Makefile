# mxtop -- top for a backup MX relay's Exim queue.
PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
MANDIR     ?= $(PREFIX)/share/man
PKG_CONFIG ?= pkg-config
CC         ?= cc
CFLAGS     ?= -O2 -g
WARN        = -std=c11 -Wall -Wextra -Wshadow -Wstrict-prototypes \
              -Wmissing-prototypes -Wformat=2 -Wwrite-strings \
              $(if $(WERROR),-Werror)
DEPS        = ncursesw libarchive zlib
MX_CPPFLAGS:= -Iinclude -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
              $(shell $(PKG_CONFIG) --cflags $(DEPS) 2>/dev/null)
MX_LIBS    := $(shell $(PKG_CONFIG) --libs $(DEPS) 2>/dev/null) -lpthread
CHECK_CFLAGS := $(shell $(PKG_CONFIG) --cflags check 2>/dev/null)
CHECK_LIBS   := $(shell $(PKG_CONFIG) --libs check 2>/dev/null)

# Debian packages the build and the tests need (make deps installs them).
DEB_BUILD   = build-essential pkg-config libncurses-dev libarchive-dev \
              zlib1g-dev check
DEB_TEST    = exim4-daemon-light tmux mandoc libarchive-tools python3
DEB_ALL     = $(DEB_BUILD) $(DEB_TEST)

O          ?= build
LIB_SRC     = $(filter-out src/main.c,$(wildcard src/*.c))
LIB_OBJ     = $(LIB_SRC:src/%.c=$(O)/%.o)
TEST_SRC    = $(wildcard tests/check_*.c)
TEST_BIN    = $(TEST_SRC:tests/%.c=$(O)/%)
TOOL_SRC    = $(wildcard tests/tools/*.c)
TOOL_BIN    = $(TOOL_SRC:tests/tools/%.c=$(O)/tools/%)
HDRS        = $(wildcard include/*.h src/*.h)
BIN        ?= mxtop

all: $(BIN) tools

$(O)/%.o: src/%.c $(HDRS)
	@mkdir -p $(O)
	$(CC) $(CFLAGS) $(WARN) $(MX_CPPFLAGS) -c -o $@ $<

$(O)/libmxcore.a: $(LIB_OBJ)
	rm -f $@
	ar rcs $@ $(LIB_OBJ)

$(BIN): $(O)/main.o $(O)/libmxcore.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(O)/main.o $(O)/libmxcore.a $(MX_LIBS)

$(O)/check_%: tests/check_%.c $(O)/libmxcore.a $(HDRS)
	$(CC) $(CFLAGS) $(WARN) -Wno-missing-prototypes $(MX_CPPFLAGS) \
	    $(CHECK_CFLAGS) -o $@ $< $(O)/libmxcore.a $(CHECK_LIBS) $(MX_LIBS)

$(O)/tools/%: tests/tools/%.c
	@mkdir -p $(O)/tools
	$(CC) $(CFLAGS) $(WARN) -Wno-missing-prototypes -Iinclude \
	    -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -o $@ $< -lpthread

tools: $(TOOL_BIN)

# Unit tests (Check), then the command-line tests, then the real-Exim ones.
check: deps check-unit check-cli check-exim

check-unit: $(BIN) $(TEST_BIN) tools
	@set -e; for t in $(TEST_BIN); do \
	    echo "== $$t"; MXTOP_SAMPLE=$(CURDIR)/sample-spool $$t; done

check-cli: $(BIN) tools
	@set -e; for t in tests/cli/*.sh; do \
	    [ -f "$$t" ] || continue; echo "== $$t"; \
	    MXTOP=$(CURDIR)/$(BIN) TOOLS=$(CURDIR)/$(O)/tools \
	    SAMPLE=$(CURDIR)/sample-spool bash $$t; done

check-exim: $(BIN) tools
	@set -e; for t in tests/exim/test_*.sh; do \
	    [ -f "$$t" ] || continue; echo "== $$t"; \
	    MXTOP=$(CURDIR)/$(BIN) TOOLS=$(CURDIR)/$(O)/tools \
	    SAMPLE=$(CURDIR)/sample-spool bash $$t; done

# The unit and CLI tests again, built with ASan and UBSan.
sanitize:
	$(MAKE) O=build-san BIN=build-san/mxtop \
	    CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" \
	    LDFLAGS="-fsanitize=address,undefined" check-unit check-cli

lint:
	mandoc -Tlint -W warning mxtop.1
	@! grep -l -E '#include <(n?curses|ncursesw/curses)\.h>' src/*.c include/*.h | grep -v -E '(^|/)ui[^/]*\.c$$'
	@! grep -l -E '#include <archive' src/*.c include/*.h | grep -v -E '(^|/)export[^/]*\.c$$'
	@! grep -n -E '\b(fork|exec[lv]p?e?|posix_spawnp?|system|popen)\s*\(' src/*.c | grep -v -E '^src/mta[^/]*\.c:'
	@echo "lint: ok"

bench: $(BIN) tools
	MXTOP=$(CURDIR)/$(BIN) TOOLS=$(CURDIR)/$(O)/tools bash tests/bench.sh

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

demo: deps $(BIN)
	./$(BIN) -s sample-spool -l sample-spool/log --since 7d \
	    --now "$$(cat sample-spool/now 2>/dev/null || date +%s)"

install: $(BIN)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 0755 $(BIN) $(DESTDIR)$(BINDIR)/mxtop
	install -m 0644 mxtop.1 $(DESTDIR)$(MANDIR)/man1/mxtop.1

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/mxtop $(DESTDIR)$(MANDIR)/man1/mxtop.1

clean:
	rm -rf build build-san mxtop

.PHONY: all check check-unit check-cli check-exim sanitize lint bench deps \
        demo install uninstall clean tools
