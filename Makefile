# nftctl — build, test, demo, install.
# `make deps` installs what a fresh Debian 12 lacks; every other target runs it first.
PREFIX ?= /usr/local
SWIFT ?= swift
CONFIG ?= debug
APT_PACKAGES = libnftables-dev libjansson-dev nftables iproute2 util-linux pkg-config bubblewrap
BIN = .build/$(CONFIG)/nftctl

.PHONY: all deps build release test integration demo install uninstall bench clean

all: build

deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

build: deps
	$(SWIFT) build -c $(CONFIG)

release: deps
	$(SWIFT) build -c release

test: deps
	$(SWIFT) build --build-tests
	NFTCTL_EXECUTABLE=$(CURDIR)/.build/debug/nftctl $(SWIFT) test --skip-build
	@$(MAKE) --no-print-directory integration

# The demo's scenario with assertions (real HAProxy and curl in network namespaces): root only.
integration: build
	@if [ "$$(id -u)" = 0 ]; then ./Tests/Integration/haproxy.sh $(BIN); \
	else echo "**************************************************************"; \
	     echo "*** SKIPPED: integration tests (Tests/Integration/haproxy.sh) need root"; \
	     echo "**************************************************************"; fi

demo: build
	./demo/demo.sh $(BIN)

install: release
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/nftctl
	install -m 0755 .build/release/nftctl $(DESTDIR)$(PREFIX)/bin/nftctl
	rm -rf $(DESTDIR)$(PREFIX)/share/nftctl/NFTables $(DESTDIR)$(PREFIX)/share/nftctl/NFTModel
	cp -R Sources/NFTables $(DESTDIR)$(PREFIX)/share/nftctl/NFTables
	cp -R Sources/NFTModel $(DESTDIR)$(PREFIX)/share/nftctl/NFTModel

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/nftctl
	rm -rf $(DESTDIR)$(PREFIX)/share/nftctl

bench: build
	./bench/run.sh

clean:
	rm -rf .build
