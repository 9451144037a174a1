# kubectl-gitops: the kubectl plugin, the admission webhook, and the
# library they share.  `make help` lists the targets.
#
# Layout of the build:
#   shared/*.c   -> $(O)/libgitops.a      (never includes plugin/ or webhook/)
#   plugin/*.c   -> $(BIN)/kubectl-gitops
#   webhook/*.c  -> $(BIN)/gitops-webhook
#   tests/unit/test_*.c -> $(O)/tests/test_*   (TAP programs)
#
# Knobs: V=1 shows full commands; SANITIZE=address,undefined builds with
# sanitizers (into build/asan unless O is given); PREFIX and DESTDIR for install.

PREFIX  ?= /usr/local
DESTDIR ?=
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo 0.0.0-dev)

CC      ?= cc
IMAGE   ?= ghcr.io/kubectl-gitops/gitops-webhook
PKGS     = libcurl openssl libcjson yaml-0.1 libmicrohttpd gnutls
DEPS_OK := $(shell scripts/deps.sh --check >/dev/null 2>&1 && echo yes)

ifeq ($(DEPS_OK),yes)
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS))
PKG_LIBS   := $(shell pkg-config --libs $(PKGS))
endif

WARN     = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wno-unused-parameter -Wformat=2 -Wno-format-nonliteral
CFLAGS  ?= -O2 -g
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS) $(PKG_CFLAGS) \
             -Ishared -DGITOPS_VERSION='"$(VERSION)"'
LDLIBS   = $(PKG_LIBS) -lpthread -lm

comma := ,
ifdef SANITIZE
ifneq ($(filter-out address undefined,$(subst $(comma), ,$(SANITIZE))),)
$(error SANITIZE takes address and/or undefined, got '$(SANITIZE)')
endif
O       ?= build/asan
BIN     ?= $(O)/bin
ALL_CFLAGS += -fsanitize=$(SANITIZE) -fno-sanitize-recover=all -fno-omit-frame-pointer
LDFLAGS    += -fsanitize=$(SANITIZE)
endif
O   ?= build
BIN ?= bin

ifneq ($(V),1)
Q = @
quiet = printf '  %-6s %s\n' $(1) $(2);
endif

SHARED_SRC  := $(sort $(wildcard shared/*.c))
PLUGIN_SRC  := $(sort $(wildcard plugin/*.c))
WEBHOOK_SRC := $(sort $(wildcard webhook/*.c))
TEST_SRC    := $(sort $(wildcard tests/unit/test_*.c))

SHARED_OBJ  := $(SHARED_SRC:%.c=$(O)/%.o)
PLUGIN_OBJ  := $(PLUGIN_SRC:%.c=$(O)/%.o)
WEBHOOK_OBJ := $(WEBHOOK_SRC:%.c=$(O)/%.o)
# Webhook modules other than main.c, so unit tests can link them.
WEBHOOK_LIB_OBJ := $(filter-out $(O)/webhook/main.o,$(WEBHOOK_OBJ))
PLUGIN_LIB_OBJ  := $(filter-out $(O)/plugin/main.o,$(PLUGIN_OBJ))
TEST_BIN    := $(TEST_SRC:tests/unit/%.c=$(O)/tests/%)
LIB         := $(O)/libgitops.a

PROGRAMS = $(BIN)/kubectl-gitops $(BIN)/gitops-webhook $(BIN)/kubectl_complete-gitops

.PHONY: all deps test unit-tests check lint format fuzz clean install help bench demo sim e2e e2e-kind image dist chart-test

all: deps $(PROGRAMS) ## Build the plugin, the webhook and the completion helper

deps: ## Install missing build dependencies (apt-get when root)
	@scripts/deps.sh

$(O)/%.o: %.c
	@mkdir -p $(dir $@)
	$(Q)$(call quiet,CC,$@)$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(LIB): $(SHARED_OBJ)
	$(Q)$(call quiet,AR,$@)rm -f $@ && ar rcs $@ $^

$(BIN)/kubectl-gitops: $(PLUGIN_OBJ) $(LIB)
	@mkdir -p $(dir $@)
	$(Q)$(call quiet,LD,$@)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BIN)/gitops-webhook: $(WEBHOOK_OBJ) $(LIB)
	@mkdir -p $(dir $@)
	$(Q)$(call quiet,LD,$@)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BIN)/kubectl_complete-gitops: plugin/kubectl_complete-gitops
	@mkdir -p $(dir $@)
	$(Q)install -m 0755 $< $@

$(O)/tests/%: tests/unit/%.c $(PLUGIN_LIB_OBJ) $(WEBHOOK_LIB_OBJ) $(LIB)
	@mkdir -p $(dir $@)
	$(Q)$(call quiet,CC,$@)$(CC) $(ALL_CFLAGS) -Itests/lib -Iplugin -Iwebhook $(LDFLAGS) \
		-o $@ $< $(PLUGIN_LIB_OBJ) $(WEBHOOK_LIB_OBJ) $(LIB) $(LDLIBS)

unit-tests: $(TEST_BIN) $(PROGRAMS)

test: deps ## Run every test (unit, sanitizers, valgrind, CLI, integration) and the style check
	$(Q)scripts/helm.sh >/dev/null
	$(Q)$(MAKE) --no-print-directory lint
	$(Q)$(MAKE) --no-print-directory all unit-tests
	$(Q)$(MAKE) --no-print-directory SANITIZE=address,undefined unit-tests
	$(Q)tests/run-tests

check: test

STYLE_FILES = $(wildcard shared/*.[ch] plugin/*.[ch] webhook/*.[ch] tests/unit/*.c tests/lib/*.h \
                        tests/fuzz/*.c bench/*.c)

lint: ## Check the C style (.clang-format) without changing anything
	$(Q)clang-format --dry-run -Werror $(STYLE_FILES) && echo "lint: $(words $(STYLE_FILES)) files follow .clang-format"

format: ## Rewrite the C files in the house style
	$(Q)clang-format -i $(STYLE_FILES)

fuzz: deps ## Build libFuzzer targets into build/fuzz (run one: build/fuzz/fuzz_yaml -max_total_time=60)
	$(Q)tests/fuzz/build.sh

install: all ## Install into $(DESTDIR)$(PREFIX)/bin
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 $(PROGRAMS) $(DESTDIR)$(PREFIX)/bin/

bench: all ## Benchmarks (figures, not pass/fail): simulator LIST, webhook vs nginx, rollout reads, sync cascade vs a kubectl loop
	$(Q)tests/kubesim/bench.py
	$(Q)bench/webhook.sh
	$(Q)bench/rollout.sh
	$(Q)bench/sync.sh

sim: ## Start the simulated cluster with the fixture repos (Ctrl-C stops it)
	@mkdir -p build
	tests/kubesim/kubesim --listen 127.0.0.1:0 --kubeconfig-out build/kubesim.kubeconfig \
		--repos tests/fixtures/repos --request-log build/kubesim-requests.log

e2e: all ## Run the e2e scenarios against the simulator with the real webhook (E2E_FORMAT=summary for a short report)
	$(Q)e2e/run.sh --target sim $(if $(E2E_FORMAT),--format $(E2E_FORMAT))

e2e-kind: ## Run the e2e scenarios on a kind cluster (needs Docker and kind; see e2e/README.md)
	$(Q)e2e/run.sh --target kind $(if $(E2E_FORMAT),--format $(E2E_FORMAT))

demo: all ## Run the main job on the built-in simulated cluster
	$(Q)scripts/demo.sh

image: ## Build the webhook's container image (needs docker)
	docker build --build-arg VERSION=$(VERSION) -t $(IMAGE):$(VERSION) .

dist: all ## Plugin release tarballs and the filled krew manifest into dist/ (make dist VERSION=v1.2.3)
	$(Q)$(if $(filter command line,$(origin VERSION)),VERSION=$(VERSION)) scripts/dist.sh

chart-test: ## helm lint, helm template and a server dry-run of the chart
	$(Q)tests/run-tests cli/chart.sh

clean: ## Remove build output
	rm -rf build bin dist

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' Makefile | \
		awk 'BEGIN {FS = ":.*## "}; {printf "  %-10s %s\n", $$1, $$2}'

-include $(SHARED_OBJ:.o=.d) $(PLUGIN_OBJ:.o=.d) $(WEBHOOK_OBJ:.o=.d)
