# zek: `make run` to try it, `make test` to check it. See README.md.

PACKAGES := build-essential meson ninja-build pkg-config clang \
	libmicrohttpd-dev libsqlite3-dev sqlite3 libjansson-dev \
	libcmark-gfm-dev libcmark-gfm-extensions-dev libsodium-dev \
	libcurl4-openssl-dev libmagic-dev libicu-dev gettext \
	libcmocka-dev curl python3 libpq-dev

LISTEN ?= 127.0.0.1:8080
DB ?= var/zek.db

.PHONY: all deps build run test clean

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

test: deps build-test/build.ninja
	ninja -C build-test
	./tests/run-all.sh build-test

clean:
	rm -rf build build-test
