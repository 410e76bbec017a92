# nftctl — build, test, demo, install.
# `make deps` installs what a fresh Debian 12 lacks; every other target runs it first.
PREFIX ?= /usr/local
SWIFT ?= swift
CONFIG ?= debug
APT_PACKAGES = libnftables-dev libjansson-dev libmimalloc-dev nftables iproute2 util-linux pkg-config bubblewrap
BIN = .build/$(CONFIG)/nftctl

.PHONY: all deps build test integration demo bench clean

all: build

deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi
	@$(MAKE) --no-print-directory fleet-deps

build: deps
	$(SWIFT) build -c $(CONFIG)

test: deps
	$(SWIFT) build --build-tests
	NFTCTL_EXECUTABLE=$(CURDIR)/.build/debug/nftctl $(SWIFT) test --skip-build
	@$(MAKE) --no-print-directory integration
	@$(MAKE) --no-print-directory package-test
	@$(MAKE) --no-print-directory fleet-test

# The demo's scenario with assertions (real HAProxy and curl in network namespaces): root only.
integration: build
	@if [ "$$(id -u)" = 0 ]; then ./Tests/Integration/haproxy.sh $(BIN); \
	else echo "**************************************************************"; \
	     echo "*** SKIPPED: integration tests (Tests/Integration/haproxy.sh) need root"; \
	     echo "**************************************************************"; fi

demo: build
	./demo/demo.sh $(BIN)

include ansible/fleet.mk

bench: build
	./bench/run.sh

clean:
	rm -rf .build

# ---- Shipping (issue #10): host binary, install, man pages, completions, Debian package ----
# The version is written once, in Sources/NFTCtlKit/Version.swift.
VERSION := $(shell sed -n 's/.*static let number = "\(.*\)".*/\1/p' Sources/NFTCtlKit/Version.swift)
DEB_ARCH := $(shell dpkg --print-architecture 2>/dev/null || echo amd64)
DEB = nftctl_$(VERSION)_$(DEB_ARCH).deb
BINDIR ?= $(PREFIX)/bin
DATADIR ?= $(PREFIX)/share
MANDIR ?= $(DATADIR)/man
SYSCONFDIR ?= /etc
# systemd looks in /usr/local/lib/systemd/system too; the package uses /lib/systemd/system.
UNITDIR ?= $(PREFIX)/lib/systemd/system
BASH_COMPLETIONDIR ?= $(DATADIR)/bash-completion/completions
ZSH_COMPLETIONDIR ?= $(DATADIR)/zsh/site-functions
FISH_COMPLETIONDIR ?= $(DATADIR)/fish/vendor_completions.d
# The Sources/ directories that rules files compile against (installed to DATADIR/nftctl/),
# the one list of them.
DSL_MODULES = NFTModel NFTables
RELEASE_BIN = .build/release/nftctl
SHIP = .build/ship
# The manual's date: the last commit's (reproducible), else today.
MAN_DATE := $(shell git log -1 --format=%cs 2>/dev/null || date -u +%F)
SHIP_APT_PACKAGES = systemd man-db groff-base

.PHONY: release man completions install uninstall deb package-test ship-deps

ship-deps:
	@missing=""; for p in $(SHIP_APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

# The Swift runtime linked in: the binary needs libnftables, libjansson, mimalloc and glibc only.
# --static-swift-stdlib still links libstdc++ and libgcc_s (which Foundation's ICU needs)
# dynamically; two linker scripts in the release build directory, which SwiftPM searches
# before the compiler's own, send `-lstdc++` and `-lgcc_s` to the static archives instead.
# A binary linked before they existed is removed so that it is linked again.
RELEASE_DIR = .build/$(shell uname -m)-unknown-linux-gnu/release
release: deps
	@mkdir -p $(RELEASE_DIR)
	@a=$$(gcc -print-file-name=libstdc++.a 2>/dev/null); e=$$(gcc -print-file-name=libgcc_eh.a 2>/dev/null); \
	if [ -f "$$a" ] && [ -f "$$e" ]; then \
		echo "INPUT ( $$a )" > $(RELEASE_DIR)/libstdc++.so; echo "INPUT ( $$e )" > $(RELEASE_DIR)/libgcc_s.so; \
		if [ -f $(RELEASE_BIN) ] && readelf -d $(RELEASE_BIN) | grep -q 'libstdc++'; then rm -f $(RELEASE_BIN); fi; \
	else echo "warning: libstdc++.a or libgcc_eh.a not found (gcc, libstdc++-dev): the release binary will need libstdc++ and libgcc_s"; fi
	$(SWIFT) build -c release --static-swift-stdlib

# nftctl(8) and one page per subcommand (nftctl.apply(8), ...), from the commands' own help
# by swift-argument-parser's generate-manual; the hidden internal commands get none.
man: release
	$(SWIFT) build --product generate-manual
	rm -rf $(SHIP)/man && mkdir -p $(SHIP)/man
	.build/debug/generate-manual $(RELEASE_BIN) --multi-page --section 8 --date $(MAN_DATE) -o $(SHIP)/man
	rm -f $(SHIP)/man/nftctl.__*.8 $(SHIP)/man/nftctl.help.8
	sed -i 's/^$$/.Pp/' $(SHIP)/man/*.8  # a blank line in a command's discussion is a paragraph break
	sed -i '/^\.Xr nftctl\.__/d; /^\.Xr nftctl\.help /d' $(SHIP)/man/nftctl.8

completions: release
	rm -rf $(SHIP)/completions && mkdir -p $(SHIP)/completions
	$(RELEASE_BIN) --generate-completion-script bash > $(SHIP)/completions/nftctl.bash
	$(RELEASE_BIN) --generate-completion-script zsh > $(SHIP)/completions/_nftctl
	$(RELEASE_BIN) --generate-completion-script fish > $(SHIP)/completions/nftctl.fish

install: release man completions
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/nftctl $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(UNITDIR) \
		$(DESTDIR)$(BASH_COMPLETIONDIR) $(DESTDIR)$(ZSH_COMPLETIONDIR) $(DESTDIR)$(FISH_COMPLETIONDIR)
	install -m 0755 $(RELEASE_BIN) $(DESTDIR)$(BINDIR)/nftctl
	for m in $(DSL_MODULES); do \
		rm -rf $(DESTDIR)$(DATADIR)/nftctl/$$m && cp -R Sources/$$m $(DESTDIR)$(DATADIR)/nftctl/$$m && \
		chmod -R u=rwX,go=rX $(DESTDIR)$(DATADIR)/nftctl/$$m || exit 1; \
	done
	install -m 0644 $(SHIP)/man/*.8 $(DESTDIR)$(MANDIR)/man8/
	install -m 0644 $(SHIP)/completions/nftctl.bash $(DESTDIR)$(BASH_COMPLETIONDIR)/nftctl
	install -m 0644 $(SHIP)/completions/_nftctl $(DESTDIR)$(ZSH_COMPLETIONDIR)/_nftctl
	install -m 0644 $(SHIP)/completions/nftctl.fish $(DESTDIR)$(FISH_COMPLETIONDIR)/nftctl.fish
	sed -e 's|@BINDIR@|$(BINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' packaging/nftctl.service.in > $(DESTDIR)$(UNITDIR)/nftctl.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/nftctl.service

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/nftctl $(DESTDIR)$(UNITDIR)/nftctl.service
	rm -rf $(DESTDIR)$(DATADIR)/nftctl
	rm -f $(DESTDIR)$(MANDIR)/man8/nftctl.8 $(DESTDIR)$(MANDIR)/man8/nftctl.*.8
	rm -f $(DESTDIR)$(BASH_COMPLETIONDIR)/nftctl $(DESTDIR)$(ZSH_COMPLETIONDIR)/_nftctl $(DESTDIR)$(FISH_COMPLETIONDIR)/nftctl.fish

# nftctl_VERSION_ARCH.deb: `make install` into a staging root laid out as Debian does.
deb: release man completions
	rm -rf $(SHIP)/deb
	$(MAKE) --no-print-directory install DESTDIR=$(CURDIR)/$(SHIP)/deb PREFIX=/usr UNITDIR=/lib/systemd/system \
		ZSH_COMPLETIONDIR=/usr/share/zsh/vendor-completions
	strip --strip-unneeded $(SHIP)/deb/usr/bin/nftctl  # debug info: ~87 MB of the release binary
	gzip -9n $(SHIP)/deb/usr/share/man/man8/*.8
	install -d $(SHIP)/deb/DEBIAN $(SHIP)/deb/usr/share/doc/nftctl
	gzip -9n < README.md > $(SHIP)/deb/usr/share/doc/nftctl/README.md.gz
	install -m 0755 packaging/deb/postinst packaging/deb/postrm $(SHIP)/deb/DEBIAN/
	sed -e 's|@VERSION@|$(VERSION)|' -e 's|@ARCH@|$(DEB_ARCH)|' \
		-e "s|@SIZE@|$$(du -sk --exclude=DEBIAN $(SHIP)/deb | cut -f1)|" packaging/deb/control.in > $(SHIP)/deb/DEBIAN/control
	dpkg-deb --root-owner-group -Zxz --build $(SHIP)/deb $(DEB)

# The package test (Tests/Package/deb.sh): ldd of the release binary, the unit through
# systemd-analyze verify, the .deb installed into a scratch root. Builds the release binary
# (several minutes from nothing on 2 cores).
package-test: ship-deps deb
	./Tests/Package/deb.sh $(DEB) $(RELEASE_BIN)
