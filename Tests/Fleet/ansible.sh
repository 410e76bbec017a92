#!/usr/bin/env bash
# Fleet test: ansible/playbooks/rollout.yml run over real SSH against three hosts. Each host
# is a network namespace running Debian's sshd (started inside the namespace, listening on
# its own veth address), so what Ansible runs over SSH runs in that namespace, as on a real
# host: nftctl without --netns, SSH_CONNECTION set, lockout check active. The controller
# (ansible-playbook) runs in a fourth namespace, so nothing here touches this machine's own
# interfaces or firewall. Keys, host keys, sshd_config and known_hosts are made here, in a
# temporary directory. Needs root, openssh-server and the ansible-core venv (`make fleet-deps`).
#
# The namespaces share one file system, so each host's sshd gives its sessions their own
# NFTCTL_STATE_DIR (sshd_config SetEnv); on a real host that is /var/lib/nftctl.
#
# Usage: Tests/Fleet/ansible.sh NFTCTL_BINARY ANSIBLE_VENV
# Last line: "N passed, M failed"; exit status non-zero on any failure.
set -u
if [ $# -ne 2 ]; then echo "usage: $0 NFTCTL_BINARY ANSIBLE_VENV" >&2; exit 2; fi
NFTCTL=$(readlink -f "$1")
VENV=$(readlink -f "$2")
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PREFIX=nftfleet
CTL=$PREFIX-ctl
LOCAL=$PREFIX-local   # a namespace the module reaches with its netns option (no SSH)
HOSTS="h1 h2 h3"
WINDOW=20          # the confirm window, seconds (room for a loaded machine between apply and confirm)
PORT=8080          # the service the health check fetches
STARTED=$(date +%s)
PASSED=0
FAILED=0

pass() { PASSED=$((PASSED + 1)); echo "ok   $*"; }
fail() { FAILED=$((FAILED + 1)); echo "FAIL $*"; }
check() { local what=$1; shift; if "$@"; then pass "$what"; else fail "$what"; fi; }
die() { echo "FAIL setup: $*"; FAILED=$((FAILED + 1)); exit 1; }

for need in "$NFTCTL" "$VENV/bin/ansible-playbook" /usr/sbin/sshd /usr/bin/ssh-keygen /usr/bin/python3; do
    [ -x "$need" ] || { echo "FAIL missing $need (run \`make fleet-deps\`)"; echo "0 passed, 1 failed"; exit 1; }
done

T=$(mktemp -d /tmp/nftctl-fleet.XXXXXX)
ns() { echo "$PREFIX-$1"; }
idx() { echo "${1#h}"; }

cleanup() {
    local rc=$?
    # Everything running in these namespaces was started by this test: the sshd daemons,
    # the health-check web servers, SSH control masters and nftctl rollback timers.
    for n in $CTL $LOCAL $(for h in $HOSTS; do ns "$h"; done); do
        if [ -e "/run/netns/$n" ]; then
            for pid in $(ip netns pids "$n" 2>/dev/null); do kill "$pid" 2>/dev/null; done
            ip netns del "$n" 2>/dev/null
        fi
    done
    if [ "$rc" != 0 ] && [ "$FAILED" = 0 ]; then FAILED=1; echo "FAIL harness error (exit $rc)"; fi
    if [ "$FAILED" != 0 ]; then echo "(logs kept in $T)"; else rm -rf "$T"; fi
    echo "fleet test: $(( $(date +%s) - STARTED )) s"
    echo "$PASSED passed, $FAILED failed"
    [ "$FAILED" = 0 ] || exit 1
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Leftovers of an interrupted run (same fixed names).
for n in $CTL $LOCAL $(for h in $HOSTS; do ns "$h"; done); do
    if [ -e "/run/netns/$n" ]; then
        for pid in $(ip netns pids "$n" 2>/dev/null); do kill "$pid" 2>/dev/null; done
        ip netns del "$n"
    fi
done

echo "== setup: controller namespace, three hosts running sshd"
ip netns add $CTL || die "ip netns add $CTL"
ip -n $CTL link set lo up
ssh-keygen -q -t ed25519 -N '' -C nftctl-fleet-test -f "$T/id_ed25519" || die "ssh-keygen"
cp "$T/id_ed25519.pub" "$T/authorized_keys"
: >"$T/known_hosts"
mkdir -p "$T/www" "$T/remote-tmp" && echo healthy >"$T/www/index.html"
[ -d /run/sshd ] || install -d -m 0755 /run/sshd   # sshd's privilege separation directory

# A Docker-like foreign table on every host: nftctl must never touch it.
cat >"$T/docker.nft" <<'EOF'
table ip nat {
	chain DOCKER {
	}
	chain PREROUTING {
		type nat hook prerouting priority dstnat; policy accept;
		fib daddr type local jump DOCKER
	}
	chain POSTROUTING {
		type nat hook postrouting priority srcnat; policy accept;
		ip saddr 172.17.0.0/16 oifname != "docker0" masquerade
	}
}
table ip filter {
	chain DOCKER-USER {
		return
	}
	chain FORWARD {
		type filter hook forward priority filter; policy drop;
		jump DOCKER-USER
	}
}
EOF

for h in $HOSTS; do
    n=$(ns "$h"); i=$(idx "$h"); d="$T/$h"
    mkdir -p "$d/state"
    ip netns add "$n" || die "ip netns add $n"
    ip -n "$n" link set lo up
    ip -n $CTL link add "fleet$i" type veth peer name eth0 netns "$n" || die "veth for $h"
    ip -n $CTL addr add "10.77.$i.1/24" dev "fleet$i"
    ip -n $CTL link set "fleet$i" up
    ip -n "$n" addr add "10.77.$i.2/24" dev eth0
    ip -n "$n" link set eth0 up
    ip netns exec "$n" nft -f "$T/docker.nft" || die "docker-like tables on $h"
    ssh-keygen -q -t ed25519 -N '' -C "$h" -f "$d/ssh_host_ed25519_key" || die "host key for $h"
    echo "10.77.$i.2 $(cut -d' ' -f1,2 "$d/ssh_host_ed25519_key.pub")" >>"$T/known_hosts"
    cat >"$d/sshd_config" <<EOF
ListenAddress 10.77.$i.2:22
HostKey $d/ssh_host_ed25519_key
PidFile $d/sshd.pid
AuthorizedKeysFile $T/authorized_keys
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
# $T sits under /tmp (mode 1777), which StrictModes would refuse for authorized_keys.
StrictModes no
Subsystem sftp /usr/lib/openssh/sftp-server
SetEnv NFTCTL_STATE_DIR=$d/state
EOF
    # -D: in the foreground of its own session (daemon(3) fails in some containers).
    ip netns exec "$n" setsid /usr/sbin/sshd -D -f "$d/sshd_config" -E "$d/sshd.log" </dev/null &
    ip netns exec "$n" setsid /usr/bin/python3 -m http.server $PORT --bind "10.77.$i.2" --directory "$T/www" \
        </dev/null >"$d/http.log" 2>&1 &
done
up() { ip netns exec $CTL /usr/bin/python3 -c "import socket; socket.create_connection(('$1', $2), 0.2)" 2>/dev/null; }
for h in $HOSTS; do   # wait for sshd and the web server (bounded)
    i=$(idx "$h")
    for port in 22 $PORT; do
        for _ in $(seq 100); do up "10.77.$i.2" $port && break; sleep 0.1; done
        up "10.77.$i.2" $port || die "nothing listens on $h's port $port: $(cat "$T/$h/sshd.log" "$T/$h/http.log")"
    done
done

export ANSIBLE_CONFIG="$ROOT/ansible/ansible.cfg"
export ANSIBLE_HOME="$T/ansible-home" ANSIBLE_LOCAL_TEMP="$T/ansible-local" ANSIBLE_REMOTE_TMP="$T/remote-tmp"
export ANSIBLE_PRIVATE_KEY_FILE="$T/id_ed25519"
export ANSIBLE_SSH_CONTROL_PATH_DIR="$T/cp"
export ANSIBLE_SSH_ARGS="-o ControlMaster=auto -o ControlPersist=60s -o UserKnownHostsFile=$T/known_hosts -o StrictHostKeyChecking=yes -o IdentitiesOnly=yes -o BatchMode=yes"
export ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0 ANSIBLE_RETRY_FILES_ENABLED=0

# inventory H1_VARS H2_VARS H3_VARS: each a YAML flow mapping of the host's nftctl_vars.
inventory() {
    {
        cat <<EOF
firewall:
  vars:
    ansible_user: root
    ansible_python_interpreter: /usr/bin/python3
    ansible_remote_tmp: $T/remote-tmp
    nftctl_rules: $ROOT/ansible/rules/fleet.swift
    nftctl_compiler: $NFTCTL
    nftctl_executable: $NFTCTL
    nftctl_build_dir: $T/build
    nftctl_remote_dir: "$T/{{ inventory_hostname }}/staged"
    nftctl_health_url: "http://{{ ansible_host }}:$PORT/"
    nftctl_health_timeout: 5
    nftctl_confirm_window: ${WINDOW}s
  hosts:
EOF
        local i=1
        for v in "$@"; do
            echo "    h$i: { ansible_host: 10.77.$i.2, nftctl_vars: $v }"
            i=$((i + 1))
        done
    } >"$T/inventory.yml"
}

RUN=0
# play [ansible-playbook options...]: runs the rollout from the controller namespace;
# OUT is its output file, RC its exit status.
play() {
    RUN=$((RUN + 1))
    OUT="$T/run$RUN.out"
    local t0; t0=$(date +%s)
    ip netns exec $CTL "$VENV/bin/ansible-playbook" -i "$T/inventory.yml" "$ROOT/ansible/playbooks/rollout.yml" "$@" >"$OUT" 2>&1
    RC=$?
    echo "   (run $RUN: ansible-playbook $* → exit $RC, $(( $(date +%s) - t0 )) s)"
}
# The hosts the recap says changed, e.g. "h1 h3".
changed_hosts() {
    awk '/^PLAY RECAP/ { r = 1; next } r && $2 == ":" { for (i = 3; i <= NF; i++) if ($i ~ /^changed=/ && $i != "changed=0") print $1 }' "$OUT" \
        | sort -u | tr '\n' ' ' | sed 's/ $//'
}
listing() { ip netns exec "$(ns "$1")" nft list ruleset; }
foreign() { ip netns exec "$(ns "$1")" nft list table ip nat; ip netns exec "$(ns "$1")" nft list table ip filter; }
save() { for h in $HOSTS; do listing "$h" >"$T/$h.$1"; done; }
same_as() { listing "$1" | cmp -s - "$T/$1.$2"; }
all_same_as() { local h; for h in $HOSTS; do same_as "$h" "$1" || { echo "     $h differs from $1:"; listing "$h" | diff "$T/$h.$1" - | head -20 | sed 's/^/     /'; return 1; }; done; }
foreign_intact() { local h; for h in $HOSTS; do foreign "$h" | cmp -s - "$T/$h.foreign" || { echo "     $h: foreign tables changed"; return 1; }; done; }
# A host's nftctl runs inside its named namespace, so it keeps its state where `--netns NAME` would.
pending_file() { echo "$T/$1/state/netns-$(ns "$1")/pending-confirm.json"; }
no_pending() { local h; for h in $HOSTS; do [ ! -e "$(pending_file "$h")" ] || { echo "     $h: an apply still waits for confirmation"; return 1; }; done; }
has_rule() { listing "$1" | grep -q "$2"; }
# Shows what the play said about a failed host (its "msg"), for the reader of the test log.
said() { grep "^fatal: \[$1" "$OUT" | sed -n 's/.*"msg": "\(.\{0,240\}\).*/     the play: \1/p' | head -1; }
output_has() { grep -q -- "$1" "$OUT" || { echo "     not in the play's output: $1"; return 1; }; }
is() { [ "$1" = "$2" ] || { echo "     got \"$1\", expected \"$2\""; return 1; }; }

for h in $HOSTS; do foreign "$h" >"$T/$h.foreign"; done
save before
ip netns exec $CTL ssh -i "$T/id_ed25519" -o UserKnownHostsFile="$T/known_hosts" -o StrictHostKeyChecking=yes \
    -o BatchMode=yes root@10.77.2.2 'test -n "$SSH_CONNECTION" && test "$NFTCTL_STATE_DIR" = '"$T/h2/state" \
    || die "ssh to h2 with the test's key, or its session environment"
pass "setup: sshd answers over real SSH with the test's key and host keys, in the host's own environment"

ADMIN="ADMIN_NET: 10.77.0.0/16"
echo "== 1. first rollout: every host gets the rules"
inventory "{ $ADMIN, SERVICE_PORTS: '$PORT' }" "{ $ADMIN, SERVICE_PORTS: '$PORT' }" "{ $ADMIN, SERVICE_PORTS: '$PORT' }"
play
check "the play succeeds" is "$RC" 0
check "it changed all three hosts" is "$(changed_hosts)" "h1 h2 h3"
for h in $HOSTS; do check "$h has the table inet fleet with the service port open" has_rule "$h" "tcp dport $PORT accept"; done
check "every apply was confirmed after its health check (no rollback pending)" no_pending
check "the Docker-like tables are byte-identical" foreign_intact
save v1

echo "== 2. the same rollout again: idempotent"
play
check "the play succeeds" is "$RC" 0
check "it changed no host" is "$(changed_hosts)" ""
check "every ruleset is byte-identical" all_same_as v1
check "the Docker-like tables are byte-identical" foreign_intact

echo "== 3. check mode (--check --diff) with h2's rules changed"
inventory "{ $ADMIN, SERVICE_PORTS: '$PORT' }" "{ $ADMIN, SERVICE_PORTS: '$PORT,9090' }" "{ $ADMIN, SERVICE_PORTS: '$PORT' }"
play --check --diff
check "the play succeeds" is "$RC" 0
check "it reports exactly h2 as changed" is "$(changed_hosts)" "h2"
check "diff mode shows the rule h2 would get" output_has "tcp dport 9090 accept"
check "nothing changed on any host" all_same_as v1
check "no rollback was armed" no_pending
check "the Docker-like tables are byte-identical" foreign_intact

echo "== 4. rules that would cut the controller's SSH session to h2"
inventory "{ $ADMIN, SERVICE_PORTS: '$PORT' }" "{ ADMIN_NET: 10.99.0.0/16, SERVICE_PORTS: '$PORT' }" "{ $ADMIN, SERVICE_PORTS: '$PORT' }"
play
check "the play fails" [ "$RC" != 0 ]
check "h2's apply is refused by the lockout check, and the play says why" \
    grep -q 'fatal: \[h2\].*nftctl apply failed (exit 1): error: refusing to apply: these rules would cut the SSH connection this command runs over' "$OUT"
said h2
check "the play names the SSH packet that would be dropped" output_has "tcp 10.77.2.1:"
check "the rollout stopped before h3's batch" bash -c "! grep -q '^h3 ' '$OUT'"
check "no host changed" is "$(changed_hosts)" ""
check "every ruleset is byte-identical (h3 was never reached: the rollout stopped)" all_same_as v1
check "the Docker-like tables are byte-identical" foreign_intact

echo "== 5. a rollout whose rules fail h3's health check"
inventory "{ $ADMIN, SERVICE_PORTS: '$PORT,9100' }" "{ $ADMIN, SERVICE_PORTS: '$PORT,9100' }" "{ $ADMIN, SERVICE_PORTS: '9100' }"
play
check "the play fails" [ "$RC" != 0 ]
check "h3's health check is what failed" grep -q 'fatal: \[h3 -> localhost\]' "$OUT"
said "h3 -> localhost"
check "all three hosts were changed" is "$(changed_hosts)" "h1 h2 h3"
save after5
h3_waits() { has_rule h3 "tcp dport 9100 accept" && ! has_rule h3 "tcp dport $PORT accept" && [ -e "$(pending_file h3)" ]; }
check "right after the play h3 runs the new rules (port $PORT closed), waiting for a confirmation" h3_waits
# h3 rolls back by itself when the window ends; wait for it (bounded: the window plus 30 s).
for _ in $(seq $(( (WINDOW + 30) * 4 ))); do
    [ -e "$(pending_file h3)" ] || break
    sleep 0.25
done
sleep 1
check "after the confirm window h3's ruleset is byte-identical to before the rollout" same_as h3 v1
for h in h1 h2; do
    check "$h keeps the new rules after the window (confirmed)" same_as "$h" after5
    check "$h's new rules are not the old ones" has_rule "$h" "tcp dport 9100 accept"
done
check "no rollback is pending anywhere" no_pending
check "the Docker-like tables are byte-identical" foreign_intact

echo "== 6. the module's own output handling (no SSH)"
# nftctl escapes what it prints already; the module escapes again (idempotent) so an older
# or foreign binary cannot paint the controller's terminal either.
module_py() {
    "$VENV/bin/python3" - "$ROOT/ansible/collections/ansible_collections/nftctl/firewall/plugins/modules/nftctl.py" "$@" <<'PY'
import importlib.util, sys
spec = importlib.util.spec_from_file_location("nftctl_module", sys.argv[1])
m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)
what = sys.argv[2]
if what == "escape":
    got = m.escape('rule "\x1b[2J" a\tb\nc \u202e \\x1b')
    sys.exit(0 if got == 'rule "\\x1b[2J" a\tb\nc \\u{202e} \\x1b' else print(repr(got)) or 1)
if what == "before_after":
    plan = {"tables": [{"family": "inet", "name": "fleet", "changes": [
        {"op": "delete", "chain": "input", "text": "tcp dport 80 accept"},
        {"op": "change", "chain": "input", "old": "tcp dport 22 drop", "text": "tcp dport 22 accept"},
        {"op": "add", "chain": "input", "text": "tcp dport 9090 accept comment \"\x07\""}]}]}
    d = m.before_after(plan, "/x.json")
    created = {"family": "ip", "name": "new", "changes": [
        {"op": "add", "text": "table ip new"}, {"op": "add", "chain": "c", "text": "chain c { }"}]}
    ok = (d["before"] == "table inet fleet\n  chain input\n    tcp dport 80 accept\n    tcp dport 22 drop\n"
          and d["after"] == "table inet fleet\n  chain input\n    tcp dport 22 accept\n    tcp dport 9090 accept comment \"\\x07\"\n")
    d = m.before_after({"tables": [created]}, "/x.json")
    ok = ok and d["before"] == "" and d["after"] == "table ip new\n  chain c\n    chain c { }\n"
    sys.exit(0 if ok else print(repr(d)) or 1)
PY
}
check "control characters in nftctl's messages are escaped as nftctl does (\\xHH, \\u{HHHH}); layout kept" module_py escape
check "diff mode: removed and old lines before, added and new lines after, under table and chain" module_py before_after

echo "== 7. the module on the controller against a named namespace (netns option, failures)"
ip netns add $LOCAL || die "ip netns add $LOCAL"
printf 'table inet local {\n\tchain input {\n\t\ttype filter hook input priority filter; policy accept;\n\t\ttcp dport 22 accept\n\t}\n}\n' >"$T/local.nft"
printf 'table inet local {\n\tchain input {\n\t\ttcp dport 22 acept\n\t}\n}\n' >"$T/broken.nft"
# module ARGS: one ad-hoc run of the module on the controller; OUT its output, RC its status.
module() {
    OUT="$T/module.out"
    env -u SSH_CONNECTION NFTCTL_STATE_DIR="$T/local-state" "$VENV/bin/ansible" localhost -c local -m nftctl.firewall.nftctl \
        -a "executable=$NFTCTL netns=$LOCAL $*" "${EXTRA[@]}" >"$OUT" 2>&1
    RC=$?
}
EXTRA=()
module "src=$T/local.nft state=checked"
check "state=checked reports the difference, changes nothing" \
    bash -c "[ $RC = 0 ] && grep -q '\"differs\": true' '$OUT' && grep -q '\"changed\": false' '$OUT' && [ -z \"\$(ip netns exec $LOCAL nft list ruleset)\" ]"
module "src=$T/local.nft"
check "state=applied with netns applies (changed)" bash -c "[ $RC = 0 ] && grep -q 'CHANGED' '$OUT' && ip netns exec $LOCAL nft list table inet local >/dev/null"
module "src=$T/local.nft"
check "applying again is not a change" bash -c "[ $RC = 0 ] && grep -q '\"changed\": false' '$OUT'"
module "src=$T/broken.nft"
check "a broken ruleset fails with nftctl's own message, naming the file and line" \
    bash -c "[ $RC != 0 ] && grep -q 'nftctl apply failed (exit 1): .*broken.nft:3' '$OUT'"
EXTRA=(--check)
module "src=$T/broken.nft"
check "in check mode too (nftctl diff exit 2 is a failure)" bash -c "[ $RC != 0 ] && grep -q 'nftctl diff failed (exit 2): .*broken.nft:3' '$OUT'"
EXTRA=()
module "state=confirmed"
check "state=confirmed with no apply waiting fails, saying so" bash -c "[ $RC != 0 ] && grep -q 'no apply is waiting for confirmation' '$OUT'"
module "src=$T/local.nft confirm=soon"
check "a confirm that is no duration is refused before nftctl runs" bash -c "[ $RC != 0 ] && grep -q 'confirm needs a duration' '$OUT'"
