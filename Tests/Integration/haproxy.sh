#!/usr/bin/env bash
# Integration test: the demo's scenario (demo/lib.sh) with assertions, real packets, real
# HAProxy, in throw-away network namespaces (prefix nftctl-demo-t-, so it can run while
# the demo runs). Needs root. Usage: Tests/Integration/haproxy.sh NFTCTL_BINARY
# Last line: "N passed, M failed"; exit status non-zero on any failure.
set -u
DEMO_PREFIX=${DEMO_PREFIX:-nftctl-demo-t-}
. "$(cd "$(dirname "$0")/../../demo" && pwd)/lib.sh"

PASSED=0
FAILED=0
pass() { PASSED=$((PASSED + 1)); printf '%sok%s   %s\n' "$DEMO_GREEN" "$DEMO_OFF" "$*"; }
fail() { FAILED=$((FAILED + 1)); printf '%sFAIL%s %s\n' "$DEMO_RED" "$DEMO_OFF" "$*"; }
check() { local what=$1; shift; if "$@"; then pass "$what"; else fail "$what"; fi; }
demo_on_exit() {
    # A setup step that died (demo_die) counts as a failure.
    if [ "$1" != 0 ] && [ "$FAILED" = 0 ]; then FAILED=1; echo "FAIL setup or harness error (exit $1)"; fi
    echo "$PASSED passed, $FAILED failed"
    [ "$FAILED" = 0 ] || exit 1
}
trap demo_exit EXIT

demo_init "${1:-}"
EDGE_RULES=rules/haproxy-edge.swift
DNAT_RULES=rules/container-dnat.swift

demo_heading "rules: diff, apply, verify"
"$NFTCTL" diff "$EDGE_RULES" --netns "$NS_HAPROXY" >/dev/null 2>&1
check "diff haproxy-edge.swift against the empty namespace exits 1 (changes)" [ $? = 1 ]
"$NFTCTL" diff "$DNAT_RULES" --netns "$NS_HOST" >/dev/null 2>&1
check "diff container-dnat.swift against the empty namespace exits 1 (changes)" [ $? = 1 ]
"$NFTCTL" apply "$EDGE_RULES" --netns "$NS_HAPROXY" --yes >"$DEMO_TMP/apply-edge.out" 2>&1
check "apply haproxy-edge.swift" [ $? = 0 ]
"$NFTCTL" apply "$DNAT_RULES" --netns "$NS_HOST" --yes >"$DEMO_TMP/apply-dnat.out" 2>&1
check "apply container-dnat.swift" [ $? = 0 ]
"$NFTCTL" diff "$EDGE_RULES" --netns "$NS_HAPROXY" >/dev/null 2>&1
check "diff haproxy-edge.swift after apply exits 0" [ $? = 0 ]
"$NFTCTL" diff "$DNAT_RULES" --netns "$NS_HOST" >/dev/null 2>&1
check "diff container-dnat.swift after apply exits 0" [ $? = 0 ]

demo_start_haproxy

demo_heading "the four paths return the backend's answer"
flow_ok() { # flow_ok NAME
    demo_flow "$1"
    local expected
    expected=$(demo_expected "$1")
    [ "$FLOW_RC" = 0 ] && [[ $FLOW_BODY == *"$expected"* ]] && return 0
    echo "     curl exit $FLOW_RC; got: ${FLOW_BODY:-<nothing>}; $(tail -1 "$DEMO_TMP/curl-$1.err")"
    echo "     expected: $expected"
    return 1
}
check "HTTP :80 → 10.1.0.21:8080 → DNAT 172.18.0.2:80" flow_ok http
check "HTTPS passthrough (TCP mode) → 10.1.0.11:443" flow_ok passthrough
check "HTTPS edge (TLS ends on HAProxy) → 8080 → DNAT 172.18.0.2:80" flow_ok edge
check "HTTPS re-encrypt (TLS again) → 8443 → DNAT 172.18.0.3:443" flow_ok reencrypt
cert_is() { demo_flow "$1"; [[ $FLOW_CERT == *"$2"* ]] || { echo "     certificate: $FLOW_CERT"; return 1; }; }
check "passthrough: the client sees the backend's certificate" cert_is passthrough "TLS ends at the backend"
check "edge: the client sees HAProxy's certificate" cert_is edge "HAProxy"

demo_heading "the blocked client (192.168.1.100)"
before=$(demo_counter_packets "$NS_HAPROXY" ip haproxy blocked-drops)
check "blocked-drops counter is readable through nftctl list (${before:-none})" [ -n "$before" ]
demo_blocked_attempt 443 2
check "blocked client: HTTPS :443 times out (curl exit $BLOCKED_RC, want 28)" [ "$BLOCKED_RC" = 28 ]
demo_blocked_attempt 80 2
check "blocked client: HTTP :80 times out (curl exit $BLOCKED_RC, want 28)" [ "$BLOCKED_RC" = 28 ]
after=$(demo_counter_packets "$NS_HAPROXY" ip haproxy blocked-drops)
check "blocked-drops counter increased (${before:-?} → ${after:-?} packets)" [ "${after:-0}" -gt "${before:-0}" ]

demo_heading "incremental apply (closing HTTP) during a long HTTPS download"
SIZE=$((6 * 1024 * 1024))
DOWNLOAD=$DEMO_TMP/download.bin
in_ns "$NS_CLIENT" curl -sS --max-time 60 --limit-rate 1500K --cacert "$CA_PEM" \
    --resolve "$PASSTHROUGH_HOST:443:$HAPROXY_FRONT_IP" -o "$DOWNLOAD" \
    "https://$PASSTHROUGH_HOST/bytes/$SIZE" 2>"$DEMO_TMP/download.err" &
DOWNLOAD_PID=$!
DEMO_PIDS+=("$DOWNLOAD_PID")
for _ in $(seq 1 50); do [ -s "$DOWNLOAD" ] && break; sleep 0.1; done
check "the download has started (bytes are arriving)" [ -s "$DOWNLOAD" ]

CLOSED=$DEMO_TMP/rules-closed
mkdir -p "$CLOSED"
chmod 755 "$CLOSED"
sed 's/tcp\.dport == \[80, 443\], ct\.state\.has(\.new), accept, comment: "HTTP and HTTPS frontends"/tcp.dport == 443, ct.state.has(.new), accept, comment: "HTTPS frontend only"/' \
    "$EDGE_RULES" > "$CLOSED/haproxy-edge.swift"
check "the changed rules file differs from haproxy-edge.swift (port 80 no longer accepted)" \
    grep -q '"HTTPS frontend only"' "$CLOSED/haproxy-edge.swift"
drops_before=$(demo_counter_packets "$NS_HAPROXY" ip haproxy blocked-drops)
"$NFTCTL" diff "$CLOSED/haproxy-edge.swift" --netns "$NS_HAPROXY" >"$DEMO_TMP/diff-closed.out" 2>&1
rc=$?
sed 's/^/     /' "$DEMO_TMP/diff-closed.out"
check "diff of the changed file exits 1" [ $rc = 1 ]
check "the plan touches only the frontend rule (no table or chain re-created)" \
    bash -c "! grep -Eq '^\s*[-+~] (table|chain) ' '$DEMO_TMP/diff-closed.out'"
"$NFTCTL" apply "$CLOSED/haproxy-edge.swift" --netns "$NS_HAPROXY" --yes >"$DEMO_TMP/apply-closed.out" 2>&1
rc=$?
sed 's/^/     /' "$DEMO_TMP/apply-closed.out" | tail -2
check "incremental apply of the changed file" [ $rc = 0 ]
check "the download was still running when the change was committed" kill -0 "$DOWNLOAD_PID"
drops_after=$(demo_counter_packets "$NS_HAPROXY" ip haproxy blocked-drops)
kept() { [ -n "$drops_after" ] && [ "$drops_after" -gt 0 ] && [ "$drops_after" -ge "${drops_before:-1}" ]; }
check "counters survived the incremental apply (blocked-drops ${drops_before:-?} → ${drops_after:-?})" kept
in_ns "$NS_CLIENT" curl -sS --max-time 2 "http://$HAPROXY_FRONT_IP/" >/dev/null 2>"$DEMO_TMP/curl-closed.err"
rc=$?
check "a new HTTP connection is dropped now (curl exit $rc, want 28: timeout)" [ $rc = 28 ]
check "a new HTTPS connection still works (passthrough)" flow_ok passthrough
wait "$DOWNLOAD_PID"
rc=$?
got=$(stat -c %s "$DOWNLOAD" 2>/dev/null || echo 0)
check "the established download completed (curl exit $rc, want 0)" [ $rc = 0 ]
check "the download has the right size ($got of $SIZE bytes)" [ "$got" = "$SIZE" ]

"$NFTCTL" apply "$EDGE_RULES" --netns "$NS_HAPROXY" --yes >/dev/null 2>&1
check "re-applying the original file reopens HTTP" flow_ok http

demo_heading "nftctl explain --packet"
# The offline trace must predict what the kernel did above (verdict from the JSON output).
predict() { # predict FILE PACKET VERDICT
    local out
    out=$("$NFTCTL" explain "$1" --packet "$2" --format json 2>&1)
    grep -q "\"verdict\": \"$3\"" <<<"$out" || { echo "$out" | head -20 | sed 's/^/     /'; return 1; }
}
check "explain predicts: client → :443 accepted" \
    predict "$EDGE_RULES" "tcp $CLIENT_IP:40000 -> $HAPROXY_FRONT_IP:443 iif veth0 state new" accept
check "explain predicts: client → :80 accepted" \
    predict "$EDGE_RULES" "tcp $CLIENT_IP:40000 -> $HAPROXY_FRONT_IP:80 iif veth0 state new" accept
check "explain predicts: 192.168.1.100 → :443 dropped" \
    predict "$EDGE_RULES" "tcp $BLOCKED_IP:40000 -> $HAPROXY_BLOCKED_SIDE_IP:443 iif veth1 state new" drop
check "explain predicts: with HTTP closed, client → :80 dropped" \
    predict "$CLOSED/haproxy-edge.swift" "tcp $CLIENT_IP:40000 -> $HAPROXY_FRONT_IP:80 iif veth0 state new" drop
check "explain predicts: HAProxy → 10.1.0.11:443 accepted" \
    predict "$EDGE_RULES" "tcp $HAPROXY_BACK_IP:40000 -> $BACKEND_PASSTHROUGH_IP:443 oif veth2 hook output state new" accept
check "explain predicts: HAProxy → 10.1.0.21:8080 accepted" \
    predict "$EDGE_RULES" "tcp $HAPROXY_BACK_IP:40000 -> $BACKEND_EDGE_IP:8080 oif veth2 hook output state new" accept
check "explain predicts: HAProxy → 10.1.0.31:8443 accepted" \
    predict "$EDGE_RULES" "tcp $HAPROXY_BACK_IP:40000 -> $BACKEND_REENCRYPT_IP:8443 oif veth2 hook output state new" accept

[ "$FAILED" = 0 ]
