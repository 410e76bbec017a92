#!/usr/bin/env bash
# The shipped artefacts, as a host gets them (issue #10):
#   - the release binary needs no Swift runtime: ldd shows only libnftables, libjansson, mimalloc,
#     glibc and what libnftables itself pulls in;
#   - the .deb installs into a scratch root with `dpkg --root` (Depends, unit, man pages and
#     completions in place), and purges cleanly;
#   - `nftctl --version` runs inside that root with only the system's libraries (no /opt/swift);
#   - `man nftctl` renders from it, every page renders with `man -l`, and bash completes nftctl
#     after sourcing the installed completion;
#   - the installed unit passes `systemd-analyze verify` and orders itself as Debian's
#     nftables.service does;
#   - `make install` / `make uninstall` with DESTDIR leave nothing behind.
# Usage: Tests/Package/deb.sh PACKAGE.deb RELEASE_BINARY. Last line: "N passed, M failed".
set -u
DEB=$1
BIN=$2
cd "$(dirname "$0")/../.."
VERSION=$(sed -n 's/.*static let number = "\(.*\)".*/\1/p' Sources/NFTCtlKit/Version.swift)

PASSED=0
FAILED=0
pass() { PASSED=$((PASSED + 1)); echo "ok   $*"; }
fail() { FAILED=$((FAILED + 1)); echo "FAIL $*"; }
check() { local what=$1; shift; if "$@"; then pass "$what"; else fail "$what"; fi; }
finish() { echo "package: $PASSED passed, $FAILED failed"; [ "$FAILED" = 0 ]; }

if [ "$(id -u)" != 0 ]; then
    echo "**************************************************************"
    echo "*** SKIPPED: package tests (Tests/Package/deb.sh) need root (dpkg --root, bwrap)"
    echo "**************************************************************"
    exit 0
fi

WORK=$(mktemp -d /tmp/nftctl-package-XXXXXX)
trap 'rm -rf "$WORK"' EXIT
ROOT=$WORK/root

# --- the release binary's libraries ---
libs_allowed() {
    # libnftables' own dependencies are the system's business, not ours.
    local own allowed lib bad=0
    own=$(ldd "$(ldconfig -p | awk '/libnftables\.so\.1 / {print $NF; exit}')" | awk '{print $1}')
    allowed=$(printf '%s\n' $own libnftables.so.1 libjansson.so.4 libmimalloc.so.2 libc.so.6 libm.so.6 libpthread.so.0 libdl.so.2 librt.so.1 linux-vdso.so.1)
    for lib in $(ldd "$BIN" | awk '{print $1}'); do
        case "$lib" in /lib64/ld-linux*|/lib/ld-linux*) continue ;; esac
        if ! grep -qxF "$(basename "$lib")" <<<"$allowed"; then echo "     not allowed: $lib"; bad=1; fi
    done
    ! ldd "$BIN" | grep -q "not found" && [ $bad = 0 ]
}
check "ldd $BIN: only libnftables, libjansson, mimalloc, glibc (and libnftables' own libraries)" libs_allowed
no_swift_runtime() { ! ldd "$BIN" | grep -Eqi 'swift|Foundation|dispatch|BlocksRuntime|icu'; }
check "ldd $BIN: no Swift runtime library" no_swift_runtime
needed_direct() {
    local needed
    needed=$(readelf -d "$BIN" | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p' | sort | tr '\n' ' ')
    echo "     NEEDED: $needed"
    for n in $needed; do
        case "$n" in libnftables.so.1|libjansson.so.4|libmimalloc.so.2|libc.so.6|libm.so.6|libpthread.so.0|libdl.so.2|librt.so.1|ld-linux*) ;;
        *) return 1 ;; esac
    done
}
check "readelf: direct dependencies are libnftables, libjansson, mimalloc and glibc only" needed_direct
# mimalloc must serve libnftables' and jansson's allocations too, not only the Swift code's:
# each library's `malloc` is bound to libmimalloc by the dynamic linker.
malloc_is_mimalloc() {
    local bound
    bound=$(LD_DEBUG=bindings "$BIN" --version 2>&1 >/dev/null | grep "normal symbol \`malloc'")
    grep -q 'libnftables.so.1 .* to .*libmimalloc.so.2' <<<"$bound" && grep -q 'libjansson.so.4 .* to .*libmimalloc.so.2' <<<"$bound" \
        && ! grep -q ' to .*libc.so.6 .*malloc' <<<"$bound"
}
check "malloc in libnftables and libjansson is mimalloc's" malloc_is_mimalloc

# --- the package's metadata ---
check "$DEB is named nftctl_${VERSION}_ARCH.deb" test "$(basename "$DEB")" = "nftctl_${VERSION}_$(dpkg --print-architecture).deb"
depends=$(dpkg-deb -f "$DEB" Depends)
check "Depends: libnftables1, libjansson4, libmimalloc2.0 ($depends)" grep -q 'libnftables1.*libjansson4.*libmimalloc2\.0' <<<"$depends"

# --- install into a scratch root ---
mkdir -p "$ROOT/var/lib/dpkg/info" "$ROOT/var/lib/dpkg/updates" "$ROOT/var/lib/dpkg/triggers"
touch "$ROOT/var/lib/dpkg/status"
# Maintainer scripts run outside a chroot (the scratch root has no shell); they honour DPKG_ROOT.
install_deb() {
    dpkg --root="$ROOT" --force-depends --force-script-chrootless --log=/dev/null -i "$DEB" >"$WORK/dpkg.log" 2>&1 \
        || { sed 's/^/     /' "$WORK/dpkg.log"; return 1; }
}
check "dpkg --root installs $DEB" install_deb
listed() { dpkg --root="$ROOT" -L nftctl | grep -qx "$1"; }
for f in /usr/bin/nftctl /lib/systemd/system/nftctl.service /usr/share/man/man8/nftctl.8.gz \
    /usr/share/man/man8/nftctl.apply.8.gz /usr/share/man/man8/nftctl.restore.8.gz /usr/share/man/man8/nftctl.status.8.gz \
    /usr/share/bash-completion/completions/nftctl /usr/share/zsh/vendor-completions/_nftctl \
    /usr/share/fish/vendor_completions.d/nftctl.fish /usr/share/nftctl/NFTables/DSL/DSLRuleset.swift; do
    check "the package holds $f" listed "$f"
done

# Inside the root, with only the system's library directories (libc6, libnftables1,
# libjansson4, libmimalloc2.0 and their dependencies) and no Swift toolchain at all.
LIBDIR=$(dirname "$(readlink -f "$(ldconfig -p | awk '/libc\.so\.6 / {print $NF; exit}')")")
MULTIARCH=$(basename "$LIBDIR")
# Mount points for the system's library directories (directories only: the purge check
# below looks for files).
mkdir -p "$ROOT/usr/lib/$MULTIARCH" "$ROOT/lib/$MULTIARCH" "$ROOT/proc" "$ROOT/dev"
[ -d /usr/lib64 ] && mkdir -p "$ROOT/usr/lib64" "$ROOT/lib64"
in_root() {
    bwrap --ro-bind "$ROOT" / --ro-bind "$LIBDIR" "/usr/lib/$MULTIARCH" --ro-bind "$LIBDIR" "/lib/$MULTIARCH" \
        --ro-bind-try /usr/lib64 /usr/lib64 --ro-bind-try /usr/lib64 /lib64 \
        --proc /proc --dev /dev --unshare-all -- "$@"
}
version_in_root() { local v; v=$(in_root /usr/bin/nftctl --version 2>&1); echo "     $v"; [ "$v" = "nftctl $VERSION" ]; }
check "nftctl --version inside the scratch root says nftctl $VERSION" version_in_root
help_in_root() { in_root /usr/bin/nftctl restore --help | grep -q "saved by the last successful apply"; }
check "nftctl restore --help inside the scratch root" help_in_root

man_renders() { MANPATH=$ROOT/usr/share/man MANWIDTH=80 man nftctl 2>&1 | grep -q "nftctl.restore(8)"; }
check "man nftctl renders from the scratch root (and names nftctl.restore(8))" man_renders
all_pages_render() {
    local p out
    for p in "$ROOT"/usr/share/man/man8/*.8.gz; do
        out=$(MANWIDTH=80 man -l "$p" 2>&1 >/dev/null) || { echo "     $p: $out"; return 1; }
        [ -z "$out" ] || { echo "     $p: $out"; return 1; }
    done
}
check "every installed man page renders with man -l, without warnings" all_pages_render
no_hidden_pages() { ! ls "$ROOT"/usr/share/man/man8/ | grep -q '__\|help'; }
check "no man page for the hidden internal commands" no_hidden_pages
bash_completes() { bash --norc -c "source '$ROOT/usr/share/bash-completion/completions/nftctl' && complete -p nftctl" | grep -q nftctl; }
check "complete -p nftctl after sourcing the installed bash completion" bash_completes

# --- the unit ---
UNIT=$ROOT/lib/systemd/system/nftctl.service
has() { grep -qx "$1" "$UNIT"; }
for line in Type=oneshot RemainAfterExit=yes Before=network-pre.target\ shutdown.target Wants=network-pre.target \
    ExecStart=/usr/bin/nftctl\ restore 'ExecReload=/usr/bin/nftctl apply --yes ${NFTCTL_RULES}' \
    Environment=NFTCTL_RULES=/etc/nftctl/rules EnvironmentFile=-/etc/default/nftctl; do
    check "nftctl.service: $line" has "$line"
done
# systemd-analyze checks that ExecStart's binary exists: point it at the one in the root,
# and let it look the Documentation= pages up there too.
verify_unit() {
    mkdir -p "$WORK/unit"
    sed "s|/usr/bin/nftctl|$ROOT/usr/bin/nftctl|g" "$UNIT" >"$WORK/unit/nftctl.service"
    MANPATH=$ROOT/usr/share/man systemd-analyze verify "$WORK/unit/nftctl.service" >"$WORK/verify.log" 2>&1
    local rc=$?
    [ -s "$WORK/verify.log" ] && sed 's/^/     /' "$WORK/verify.log"
    [ $rc = 0 ] && ! grep -q "nftctl.service" "$WORK/verify.log"
}
check "systemd-analyze verify nftctl.service" verify_unit

# --- purge ---
purge() { dpkg --root="$ROOT" --force-script-chrootless --log=/dev/null --purge nftctl >"$WORK/purge.log" 2>&1 || { sed 's/^/     /' "$WORK/purge.log"; return 1; }; }
check "dpkg --root --purge nftctl" purge
gone() { [ -z "$(find "$ROOT" -path "$ROOT/var/lib/dpkg" -prune -o -type f -print)" ]; }
check "nothing of the package is left in the root" gone

# --- make install / make uninstall with DESTDIR ---
DEST=$WORK/dest
make_install() { make --no-print-directory install DESTDIR="$DEST" >"$WORK/install.log" 2>&1 || { tail -20 "$WORK/install.log"; return 1; }; }
check "make install DESTDIR=..." make_install
for f in /usr/local/bin/nftctl /usr/local/lib/systemd/system/nftctl.service /usr/local/share/man/man8/nftctl.8 \
    /usr/local/share/bash-completion/completions/nftctl /usr/local/share/zsh/site-functions/_nftctl \
    /usr/local/share/fish/vendor_completions.d/nftctl.fish /usr/local/share/nftctl/NFTables/DSL/DSLRuleset.swift; do
    check "make install put $f" test -f "$DEST$f"
done
check "the installed unit runs /usr/local/bin/nftctl" grep -qx "ExecStart=/usr/local/bin/nftctl restore" "$DEST/usr/local/lib/systemd/system/nftctl.service"
make_uninstall() { make --no-print-directory uninstall DESTDIR="$DEST" >/dev/null 2>&1; [ -z "$(find "$DEST" -type f)" ]; }
check "make uninstall DESTDIR=... removes every file" make_uninstall

finish
