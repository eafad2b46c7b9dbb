# zek: `make run` to try it, `make test` to check it. See README.md.

PACKAGES := build-essential meson ninja-build pkg-config clang \
	libmicrohttpd-dev libsqlite3-dev sqlite3 libjansson-dev \
	libcmark-gfm-dev libcmark-gfm-extensions-dev libsodium-dev \
	libcurl4-openssl-dev libmagic-dev libicu-dev gettext \
	libcmocka-dev curl python3 libpq-dev

LISTEN ?= 127.0.0.1:8080
DB ?= var/zek.db

.PHONY: all deps build run test clean check-banned

all: build

# Installs only what is missing, so a second run costs nothing.
deps:
	@missing=$$(for p in $(PACKAGES); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; \
	done); \
	if [ -n "$$missing" ]; then \
		echo "Installing: $$missing"; \
		if [ "$$(id -u)" != 0 ]; then SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi

build/build.ninja:
	meson setup build

build: deps build/build.ninja
	ninja -C build zek

run: build
	@mkdir -p var
	./build/zek serve --listen $(LISTEN) --db $(DB) --demo

build-test/build.ninja:
	CC=gcc meson setup build-test -Db_sanitize=address,undefined -Db_lundef=false

test: deps build-test/build.ninja check-banned
	ninja -C build-test
	meson test -C build-test --print-errorlogs --num-processes 2
	@echo "see build-test/meson-logs/testlog.txt for details"

# Functions that invite overflows are not used anywhere (STYLE.md).
check-banned:
	@if grep -rnE '\b(sprintf|strcpy|strcat|strtok|atoi|gets)\s*\(' src tests/unit; then \
		echo "banned function used (see STYLE.md)"; exit 1; fi

clean:
	rm -rf build build-test
