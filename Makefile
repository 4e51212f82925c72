# chronus — two commands: `make run` plays, `make test` proves it works.
# Both install the Debian packages the machine lacks (with apt-get; sudo when not root).

SHELL := /bin/bash
# Needed to build (cpal links alsa-lib through pkg-config).
BUILD_DEBS := libasound2-dev pkg-config
# Needed by the tests: a real-time ALSA path without a sound card (jackd dummy + ALSA jack
# plugin), tmux for the terminal UI test, sox for inspecting renders.
TEST_DEBS := jackd2 libasound2-plugins alsa-utils tmux sox
# Needed to build the optional Ableton Link feature (rusty_link builds Link with cmake, bindgen
# needs libclang). Link's test runs only inside a private network namespace (`unshare -n`).
LINK_DEBS := cmake g++ libclang-dev
CARGO ?= cargo

.PHONY: run test build deps test-deps bench soak compare-scsynth fmt lint golden

run: deps
	$(CARGO) run --release -- $(ARGS)

test: deps test-deps
	$(CARGO) build --all-targets
	$(CARGO) test --all-targets --no-fail-fast -- --test-threads=2
	$(CARGO) test --doc
	@./scripts/install-debs.sh $(LINK_DEBS)
	$(CARGO) test --features link --test link_netns -- --nocapture

build: deps
	$(CARGO) build --release

bench: deps
	$(CARGO) run --release -- bench

soak: deps
	$(CARGO) run --release -- soak --minutes $(or $(MINUTES),1)

# SuperCollider's scsynth against chronus on the same voices (docs/PERFORMANCE.md).
compare-scsynth: deps
	@./scripts/install-debs.sh supercollider-server
	$(CARGO) build --release
	CHRONUS=target/release/chronus ./benches/compare_scsynth.sh

lint:
	$(CARGO) fmt --check
	$(CARGO) clippy --all-targets -- -D warnings

deps:
	@./scripts/install-debs.sh $(BUILD_DEBS)

test-deps:
	@./scripts/install-debs.sh $(TEST_DEBS)
