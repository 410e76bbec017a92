#!/usr/bin/env bash
# nftctl demo: HAProxy routing HTTP and HTTPS (passthrough, edge, re-encrypt) through
# nftables rules managed by nftctl to a container host, with real packets, in throw-away
# network namespaces. Usage: demo/demo.sh NFTCTL_BINARY   (as root; `make demo` does it)
#
# Never touches the machine's own firewall: every nftctl call names --netns, every other
# network command runs inside a namespace created here, and all of it is removed on exit
# (also on Ctrl-C).
set -u
. "$(dirname "$0")/lib.sh"

demo_init "${1:-}"
EDGE_RULES=rules/haproxy-edge.swift   # demo_init changed to the repository root
DNAT_RULES=rules/container-dnat.swift
FLOWS_OK=0
FLOWS_TOTAL=0
flow_result() { # flow_result OK? TEXT
    FLOWS_TOTAL=$((FLOWS_TOTAL + 1))
    if [ "$1" = 1 ]; then FLOWS_OK=$((FLOWS_OK + 1)); printf '   %sOK%s   %s\n' "$DEMO_GREEN" "$DEMO_OFF" "$2"
    else printf '   %sFAIL%s %s\n' "$DEMO_RED" "$DEMO_OFF" "$2"; fi
}

demo_heading "1. Topology (network namespaces, removed on exit)"
cat <<EOF
   client   $NS_CLIENT   $CLIENT_IP     ─┐
   blocked  $NS_BLOCKED  $BLOCKED_IP    ─┤
   haproxy  $NS_HAPROXY  $HAPROXY_FRONT_IP, $HAPROXY_BLOCKED_SIDE_IP, $HAPROXY_BACK_IP   rules/haproxy-edge.swift
   host     $NS_HOST     $BACKEND_PASSTHROUGH_IP :443  HTTPS backend on the host itself   rules/container-dnat.swift
                                    $BACKEND_EDGE_IP :8080 DNAT → $CONTAINER_A_IP:80  (HTTP)
                                    $BACKEND_REENCRYPT_IP :8443 DNAT → $CONTAINER_B_IP:443 (HTTPS)
   ctr      $NS_CTR      $CONTAINER_A_IP, $CONTAINER_B_IP behind bridge cbr0 (the containers)
EOF
demo_note "certificates (self-signed CA, made now): $DEMO_TMP/pki"

demo_heading "2. nftctl diff against the empty namespaces"
echo "\$ nftctl diff rules/haproxy-edge.swift --netns $NS_HAPROXY"
"$NFTCTL" diff "$EDGE_RULES" --netns "$NS_HAPROXY"; rc=$?
[ $rc = 1 ] || demo_die "diff exit $rc (expected 1: changes)"
echo
echo "\$ nftctl diff rules/container-dnat.swift --netns $NS_HOST"
"$NFTCTL" diff "$DNAT_RULES" --netns "$NS_HOST"; rc=$?
[ $rc = 1 ] || demo_die "diff exit $rc (expected 1: changes)"

demo_heading "3. nftctl apply"
echo "\$ nftctl apply rules/haproxy-edge.swift --netns $NS_HAPROXY --yes"
out=$("$NFTCTL" apply "$EDGE_RULES" --netns "$NS_HAPROXY" --yes 2>&1) || { echo "$out"; demo_die "apply failed"; }
echo "$out" | tail -1 | sed 's/^/   /'
echo "\$ nftctl apply rules/container-dnat.swift --netns $NS_HOST --yes"
out=$("$NFTCTL" apply "$DNAT_RULES" --netns "$NS_HOST" --yes 2>&1) || { echo "$out"; demo_die "apply failed"; }
echo "$out" | tail -1 | sed 's/^/   /'
echo "\$ nftctl diff ... (again: nothing left to do)"
"$NFTCTL" diff "$EDGE_RULES" --netns "$NS_HAPROXY" | sed 's/^/   haproxy: /'
"$NFTCTL" diff "$DNAT_RULES" --netns "$NS_HOST" | sed 's/^/   host:    /'

demo_heading "4. HAProxy (config generated in $DEMO_TMP/haproxy.cfg)"
demo_start_haproxy
demo_note ":443 TCP, routed by SNI:  $PASSTHROUGH_HOST → passthrough to $BACKEND_PASSTHROUGH_IP:443"
demo_note "                          $EDGE_HOST        → TLS ends on HAProxy, HTTP to $BACKEND_EDGE_IP:8080"
demo_note "                          $REENCRYPT_HOST   → TLS ends on HAProxy, TLS again to $BACKEND_REENCRYPT_IP:8443"
demo_note ":80  HTTP               → $BACKEND_EDGE_IP:8080"

demo_heading "5. Requests from the client ($CLIENT_IP)"
for f in http passthrough edge reencrypt; do
    demo_flow "$f"
    echo "   \$ curl $FLOW_URL"
    [ -n "$FLOW_CERT" ] && demo_note "   TLS certificate the client saw: $FLOW_CERT"
    if [ $FLOW_RC = 0 ]; then demo_note "   answer: $FLOW_BODY"
    else demo_note "   curl failed (exit $FLOW_RC): $(tail -1 "$DEMO_TMP/curl-$f.err")"; fi
    expected=$(demo_expected "$f")
    ok=0; [ $FLOW_RC = 0 ] && [[ $FLOW_BODY == *"$expected"* ]] && ok=1
    flow_result $ok "$f"
done

demo_heading "6. The blocked client ($BLOCKED_IP, in set blocklist)"
before=$(demo_counter_packets "$NS_HAPROXY" ip haproxy blocked-drops)
demo_note "counter blocked-drops before: ${before:-?} packets"
echo "   \$ curl --max-time 3 https://$HAPROXY_BLOCKED_SIDE_IP/   (from $NS_BLOCKED)"
start=$SECONDS
demo_blocked_attempt 443 3
demo_note "   curl exit $BLOCKED_RC after $((SECONDS - start)) s: $(tail -1 "$DEMO_TMP/curl-blocked.err")"
after=$(demo_counter_packets "$NS_HAPROXY" ip haproxy blocked-drops)
demo_note "counter blocked-drops after:  ${after:-?} packets"
ok=0; [ "$BLOCKED_RC" = 28 ] && [ "${after:-0}" -gt "${before:-0}" ] && ok=1
flow_result $ok "blocked client dropped (timed out, counted: +$(( ${after:-0} - ${before:-0} )) packets)"

demo_heading "7. The rules that decided (nftctl explain)"
if demo_has_explain; then
    for pair in "$EDGE_RULES:input" "$EDGE_RULES:output" "$DNAT_RULES:prerouting" "$DNAT_RULES:forward"; do
        file=${pair%:*}; chain=${pair##*:}
        echo "\$ nftctl explain $file --chain $chain"
        "$NFTCTL" explain "$file" --chain "$chain" 2>&1 | sed 's/^/   /'
        echo
    done
    # What happens to these very connections, traced offline through the rules.
    for packet in "tcp $CLIENT_IP:40000 -> $HAPROXY_FRONT_IP:443 iif veth0 state new" \
                  "tcp $BLOCKED_IP:40000 -> $HAPROXY_BLOCKED_SIDE_IP:443 iif veth1 state new"; do
        echo "\$ nftctl explain $EDGE_RULES --packet '$packet'"
        "$NFTCTL" explain "$EDGE_RULES" --packet "$packet" 2>&1 | sed 's/^/   /'
        echo
    done
else
    demo_note "explain not available in this build"
fi

demo_heading "8. Counters and live tables (nftctl list)"
echo "\$ nftctl list --netns $NS_HAPROXY --table ip haproxy"
"$NFTCTL" list --netns "$NS_HAPROXY" --table ip haproxy | awk '/counter blocked-drops/ {p = 1} p {print} p && /}/ {exit}'
echo "\$ nftctl list --netns $NS_HOST --table ip containers"
"$NFTCTL" list --netns "$NS_HOST" --table ip containers

demo_heading "Summary"
echo "demo: $FLOWS_OK/$FLOWS_TOTAL flows as expected"
[ "$FLOWS_OK" = "$FLOWS_TOTAL" ]
