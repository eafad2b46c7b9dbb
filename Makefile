# zek: `make run` to try it, `make test` to check it. See README.md.

PACKAGES := build-essential meson ninja-build pkg-config clang \
	libmicrohttpd-dev libsqlite3-dev sqlite3 libjansson-dev \
	libcmark-gfm-dev libcmark-gfm-extensions-dev libsodium-dev \
	libcurl4-openssl-dev libmagic-dev libicu-dev gettext \
	libcmocka-dev curl python3 libpq-dev chromium python3-aiosmtpd \
	python3-jira libclang-rt-14-dev

# Debian's Node.js, only for machines without one (see deps-apt).
NODE_PACKAGES := nodejs npm
BROWSER_STAMP := tests/browser/node_modules/.package-lock.json
CLIENTS_STAMP := tests/clients/node_modules/.package-lock.json

LISTEN ?= 127.0.0.1:8080
DB ?= var/zek.db
# `make fuzz`: seconds per libFuzzer target (docs/internals/fuzzing.md)
FUZZ_SECONDS ?= 600

.PHONY: all deps deps-apt build run test fuzz clean

all: build

# Installs only what is missing, so a second run costs nothing: the Debian
# packages (Node.js only when no `node` is on the PATH), then the browser tests'
# npm packages whenever tests/browser/package-lock.json is newer than the install.
deps: deps-apt $(BROWSER_STAMP) $(CLIENTS_STAMP)

deps-apt:
	@missing=$$(for p in $(PACKAGES) $$(command -v node >/dev/null || echo $(NODE_PACKAGES)); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; \
	done); \
	if [ -n "$$missing" ]; then \
		echo "Installing: $$missing"; \
		if [ "$$(id -u)" != 0 ]; then SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi

# npm writes node_modules/.package-lock.json on every install; tests/browser/.npmrc
# keeps download addresses out of package-lock.json.
$(BROWSER_STAMP): tests/browser/package.json tests/browser/package-lock.json | deps-apt
	cd tests/browser && npm ci --no-audit --no-fund
	@touch $@

# The REST API's client tests (jira.js 5), the same way.
$(CLIENTS_STAMP): tests/clients/package.json tests/clients/package-lock.json | deps-apt
	cd tests/clients && npm ci --no-audit --no-fund
	@touch $@

build/build.ninja:
	meson setup build

build: deps build/build.ninja
	ninja -C build zek

run: build
	@mkdir -p var
	./build/zek serve --listen $(LISTEN) --db $(DB) --demo

build-test/build.ninja:
	CC=gcc meson setup build-test -Db_sanitize=address,undefined -Db_lundef=false

# clang + libFuzzer: the fuzz targets of tests/fuzz/
build-fuzz/build.ninja:
	CC=clang meson setup build-fuzz -Dfuzz=true -Db_sanitize=address,undefined -Db_lundef=false

# Every suite of the sanitizer build, plus a short run of each fuzz target;
# the suite e2e-release runs part of the e2e tests against build/zek.
test: deps build-test/build.ninja build-fuzz/build.ninja build/build.ninja
	ninja -C build zek
	ninja -C build-test
	ninja -C build-fuzz
	./tests/run-all.sh build-test build-fuzz:fuzz

# Each fuzz target for FUZZ_SECONDS, two at a time, niced; the working
# corpus stays in var/fuzz/<target>/.
fuzz: deps build-fuzz/build.ninja
	ninja -C build-fuzz
	./tests/fuzz/long.sh build-fuzz $(FUZZ_SECONDS)

clean:
	rm -rf build build-test build-fuzz
