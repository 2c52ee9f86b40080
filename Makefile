# privaudit - plain Makefile.  `make help` lists the targets.
#
# Dependencies are found with pkg-config.  `make deps` installs the Debian
# packages that are missing; `make demo` and `make test` run it first and then
# re-invoke make, so the pkg-config queries below see the installed packages.

CC       ?= cc
BUILD    ?= build
OPT      ?= -O2 -g
PKGS     := xgboost openblas libcjson
WARN     := -std=c11 -Wall -Wextra -Wshadow -Wstrict-prototypes -Wformat=2 \
            -Wno-missing-field-initializers -Werror
# `=` (not `:=`): evaluated when a recipe needs them, after `deps` ran.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
PKG_LIBS   = $(shell pkg-config --libs $(PKGS))
CHK_CFLAGS = $(shell pkg-config --cflags check)
CHK_LIBS   = $(shell pkg-config --libs check)
ALL_CFLAGS = $(WARN) $(OPT) -D_POSIX_C_SOURCE=200809L -I. $(PKG_CFLAGS) \
             -DPRIVAUDIT_VERSION='"$(VERSION)"' -DPRIVAUDIT_SOURCE_DIR='"$(CURDIR)"' $(EXTRA_CFLAGS)
LDLIBS_ALL = $(PKG_LIBS) -lpthread -lm $(EXTRA_LDFLAGS)

VERSION  := $(shell cat VERSION 2>/dev/null || echo 0.0.0)
LAYERS   := core targets attacks audit report
LIB_SRC  := $(filter-out audit/main.c,$(foreach d,$(LAYERS),$(wildcard $(d)/*.c)))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
LIB      := $(BUILD)/libprivaudit.a
BIN      := $(BUILD)/privaudit
TEST_SRC := $(wildcard tests/check_*.c)
TEST_OBJ := $(TEST_SRC:%.c=$(BUILD)/%.o) $(BUILD)/tests/run_checks.o
TEST_BIN := $(BUILD)/run_checks
HEADERS  := $(foreach d,$(LAYERS),$(wildcard $(d)/*.h))

.PHONY: all deps demo test check unit e2e asan valgrind bench hdr-check \
        format-check clean help fixtures run-demo run-test
all: $(BIN)

help:
	@echo "make            build $(BIN) and $(LIB)"
	@echo "make deps       install missing Debian packages (apt-get, sudo when not root)"
	@echo "make demo       deps + build + run the bundled demo audit"
	@echo "make test       deps + build + unit suites (Check) + end-to-end CLI tests"
	@echo "make asan       unit suites under AddressSanitizer + UBSan"
	@echo "make valgrind   unit suites under valgrind memcheck"
	@echo "make bench      benchmarks, writes bench/results.json"
	@echo "make hdr-check  every header compiles on its own"
	@echo "make fixtures   regenerate fixtures/data from Debian packages"

deps:
	@sh tools/install-deps.sh

demo: deps
	@$(MAKE) --no-print-directory run-demo

run-demo: $(BIN)
	$(BIN) demo --out audit-report

test check: deps
	@$(MAKE) --no-print-directory run-test

run-test: unit e2e

unit: $(TEST_BIN)
	$(TEST_BIN)

# Every tests/e2e*.sh script, each printing "NAME: N passed, N failed".
e2e: $(BIN)
	@fail=0; for t in tests/e2e.sh $(sort $(wildcard tests/e2e_*.sh)); do \
	  sh $$t $(BIN) || fail=1; done; exit $$fail

$(BIN): $(BUILD)/audit/main.o $(LIB)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS_ALL)

$(LIB): $(LIB_OBJ)
	@rm -f $@
	@$(if $(Q),echo "  AR      $@")
	$(Q)ar rcs $@ $^

# V=1 shows the full compiler command lines.
Q := $(if $(V),,@)

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/tests/%.o: tests/%.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(ALL_CFLAGS) $(CHK_CFLAGS) -I$(BUILD)/tests -MMD -MP -c -o $@ $<

# The runner's suite list is generated from the tests/check_<name>.c files:
# each one defines `Suite *<name>_suite(void)`.
$(BUILD)/tests/suites.h: $(TEST_SRC) Makefile
	@mkdir -p $(@D)
	@for f in $(sort $(TEST_SRC)); do \
	  n=$$(basename $$f .c); echo "SUITE($${n#check_})"; done > $@.tmp
	@mv $@.tmp $@

$(BUILD)/tests/run_checks.o: $(BUILD)/tests/suites.h

$(TEST_BIN): $(TEST_OBJ) $(LIB)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $(TEST_OBJ) $(LIB) $(CHK_LIBS) $(LDLIBS_ALL)

asan:
	@$(MAKE) --no-print-directory BUILD=build-asan \
	  OPT="-O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" \
	  build-asan/run_checks
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  LSAN_OPTIONS=suppressions=$(CURDIR)/tools/lsan.supp:print_suppressions=0 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  CK_FORK=no build-asan/run_checks

valgrind: $(TEST_BIN)
	CK_FORK=no valgrind --error-exitcode=9 --leak-check=full \
	  --suppressions=tools/valgrind.supp --errors-for-leak-kinds=definite $(TEST_BIN)

$(BUILD)/privaudit-bench: $(BUILD)/bench/bench.o $(LIB)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS_ALL)

bench: $(BUILD)/privaudit-bench
	sh bench/run.sh

hdr-check:
	@for h in $(HEADERS); do \
	  printf '#include "%s"\n#include "%s"\n' $$h $$h | \
	  $(CC) $(ALL_CFLAGS) -x c -fsyntax-only - || exit 1; done; echo "headers ok"

format-check:
	clang-format --dry-run --Werror $(LIB_SRC) audit/main.c $(HEADERS) $(TEST_SRC)

fixtures:
	sh fixtures/data/convert.sh
	sh fixtures/data/twopoint.sh

clean:
	rm -rf build build-asan

-include $(LIB_OBJ:.o=.d) $(TEST_OBJ:.o=.d) $(BUILD)/audit/main.d $(BUILD)/bench/bench.d
