# zek: `make run` to try it, `make test` to check it. See README.md.

# What building and running zek need (`make run`); libpq for the
# PostgreSQL store, GMime for incoming e-mail (`zek mail receive`).
RUN_PACKAGES := build-essential meson ninja-build pkg-config \
	libmicrohttpd-dev libsqlite3-dev libjansson-dev \
	libcmark-gfm-dev libcmark-gfm-extensions-dev libsodium-dev \
	libcurl4-openssl-dev libmagic-dev libicu-dev libpq-dev \
	libcrack2-dev cracklib-runtime libgmime-3.0-dev libsystemd-dev

# What `make deb` adds: Debian's packaging tools (which `make test` needs
# too: it builds the package), and lintian to check the result.
DEB_BUILD_PACKAGES := debhelper dpkg-dev fakeroot
DEB_PACKAGES := $(DEB_BUILD_PACKAGES) lintian

# What the tests add (`make test`): cmocka, clang and libFuzzer, the e2e
# SMTP server, the python3-jira client, Chromium for the browser tests,
# PostgreSQL 15's server for the store's own throw-away clusters
# (tests/pg/cluster), nginx in front of the scale-out test's processes
# (it runs its own, with a config of its own), Dovecot for the IMAP tests
# (tests/e2e/imapserver.py starts its own), systemd-analyze and openssl
# for the package checks (tests/package/check.py), the packaging tools for
# the package built and installed in a throw-away root
# (tests/package/maintainer.py), clang-format 14 for the lint test
# clang-format (tests/lint/clang_format.py: other versions format
# differently), and tools a developer reaches for (sqlite3, curl, gettext).
TEST_PACKAGES := libcmocka-dev clang libclang-rt-14-dev python3-aiosmtpd \
	python3-jira chromium sqlite3 curl gettext postgresql-15 nginx \
	dovecot-imapd systemd openssl clang-format-14 $(DEB_BUILD_PACKAGES)

# Debian starts a system-wide Dovecot when the package is installed; the
# tests need none, so one that `make` installed is stopped and disabled.
DOVECOT_NEW := $(shell dpkg-query -W -f='$${Status}' dovecot-core 2>/dev/null | \
	grep -q 'ok installed' || echo yes)

# Debian's npm, only for machines without one: it installs the test tools,
# among them the Node.js that runs them (tests/node/: Debian 12's is too old).
NODE_PACKAGES := nodejs npm
NODE_STAMP := tests/node/node_modules/.package-lock.json
BROWSER_STAMP := tests/browser/node_modules/.package-lock.json
CLIENTS_STAMP := tests/clients/node_modules/.package-lock.json

LISTEN ?= 127.0.0.1:8080
DB ?= var/zek.db
# `make fuzz`: seconds per libFuzzer target (docs/internals/fuzzing.md)
FUZZ_SECONDS ?= 600

.PHONY: all deps deps-run deps-test deps-test-apt build run test fuzz clean \
	deb deps-deb test-package

all: build

# Installs the Debian packages of $(1) that are missing, so a second run costs
# nothing; as a user other than root through sudo.
define apt_install
	@missing=$$(for p in $(1); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; \
	done); \
	if [ -n "$$missing" ]; then \
		echo "Installing: $$missing"; \
		if [ "$$(id -u)" != 0 ]; then SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi
endef

deps: deps-run deps-test

deps-run:
	$(call apt_install,$(RUN_PACKAGES))

# The npm packages are installed again whenever a package-lock.json is newer
# than the install (npm writes node_modules/.package-lock.json on every one).
deps-test: deps-run $(NODE_STAMP) $(BROWSER_STAMP) $(CLIENTS_STAMP)

# Debian's postgresql-15 makes and starts a "main" cluster when installed;
# the tests make their own, so a missing createcluster.conf is written
# first to say no (the package keeps a file that is there already).
deps-test-apt: deps-run
	@conf=/etc/postgresql-common/createcluster.conf; [ -e $$conf ] || { \
		if [ "$$(id -u)" != 0 ]; then SUDO=sudo; fi; \
		$$SUDO mkdir -p $${conf%/*} && \
		echo 'create_main_cluster = false' | $$SUDO tee $$conf >/dev/null; }
	$(call apt_install,$(TEST_PACKAGES) $$(command -v npm >/dev/null || echo $(NODE_PACKAGES)))
	@if [ "$(DOVECOT_NEW)" = yes ]; then \
		if [ "$$(id -u)" != 0 ]; then SUDO=sudo; fi; \
		{ $$SUDO systemctl disable --now dovecot.service dovecot.socket || \
		  { $$SUDO service dovecot stop; $$SUDO update-rc.d dovecot disable; }; \
		} >/dev/null 2>&1 || true; \
	fi

# Each folder's .npmrc keeps download addresses out of its package-lock.json.
$(NODE_STAMP) $(BROWSER_STAMP) $(CLIENTS_STAMP): %/node_modules/.package-lock.json: \
		%/package.json %/package-lock.json | deps-test-apt
	cd $* && npm ci --no-audit --no-fund
	@touch $@

build/build.ninja:
	meson setup build

build: deps-run build/build.ninja
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
test: deps-test build-test/build.ninja build-fuzz/build.ninja build/build.ninja
	ninja -C build zek
	ninja -C build-test
	ninja -C build-fuzz
	./tests/run-all.sh build-test build-fuzz:fuzz

# Each fuzz target for FUZZ_SECONDS, two at a time, niced; the working
# corpus stays in var/fuzz/<target>/.
fuzz: deps-test build-fuzz/build.ninja
	ninja -C build-fuzz
	./tests/fuzz/long.sh build-fuzz $(FUZZ_SECONDS)

deps-deb: deps-run
	$(call apt_install,$(DEB_PACKAGES))

# The Debian package, built by dpkg-buildpackage from a copy of the tree
# (the files git knows, committed or not) in build-deb/, so the tree
# itself gets no obj-*/ or debian/zek/ (tests/package/build_deb.sh); then
# lintian, whose errors fail. The result: ./zek_VERSION_amd64.deb
# (docs/operations.md).
deb: deps-deb
	./tests/package/build_deb.sh . build-deb
	lintian --fail-on error build-deb/zek_*_amd64.deb
	cp build-deb/zek_*_amd64.deb .

# The package's two tests of make test on the .deb `make deb` made: its
# files (tests/package/check.py), and its maintainer scripts with zek
# served as the user zek in a throw-away root (tests/package/maintainer.py;
# as root).
test-package: deb
	ZEK_DEB=$$(ls zek_*_amd64.deb | tail -n 1) ./tests/package/check.py .
	ZEK_DEB=$$(ls zek_*_amd64.deb | tail -n 1) ./tests/package/maintainer.py .

clean:
	rm -rf build build-test build-fuzz build-deb
