# shellcheck shell=bash
# Shared setup for demo/demo.sh and Tests/Integration/haproxy.sh: network namespaces joined
# by veth pairs, self-signed certificates, a tiny backend, HAProxy, and a cleanup that
# undoes all of it. Source it, set NFTCTL (the binary) and optionally DEMO_PREFIX, then call
# demo_init.
#
# Nothing here touches the machine's own firewall or interfaces: every address, route,
# sysctl and nftables call is made inside a namespace this file creates (`ip netns exec`,
# `ip -n`, `nftctl --netns`).
#
#  client 203.0.113.10 ──┐                                  ┌─ 10.1.0.11  :443  backend (passthrough)
#                        ├─ haproxy 203.0.113.1 / 192.168.1.1 / 10.1.0.1 ─┤  10.1.0.21  :8080 DNAT → 172.18.0.2:80
#  blocked 192.168.1.100 ┘     rules/haproxy-edge.swift     │  10.1.0.31  :8443 DNAT → 172.18.0.3:443
#                                                          host (rules/container-dnat.swift), bridge cbr0
#                                                            └─ ctr 172.18.0.2, 172.18.0.3 (the containers)

DEMO_PREFIX=${DEMO_PREFIX:-nftctl-demo-}
DEMO_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
DEMO_ROOT=$(cd "$DEMO_DIR/.." && pwd)

CLIENT_IP=203.0.113.10
HAPROXY_FRONT_IP=203.0.113.1
BLOCKED_IP=192.168.1.100
HAPROXY_BLOCKED_SIDE_IP=192.168.1.1
HAPROXY_BACK_IP=10.1.0.1
BACKEND_PASSTHROUGH_IP=10.1.0.11
BACKEND_EDGE_IP=10.1.0.21
BACKEND_REENCRYPT_IP=10.1.0.31
BRIDGE_IP=172.18.0.1
CONTAINER_A_IP=172.18.0.2
CONTAINER_B_IP=172.18.0.3

PASSTHROUGH_HOST=passthrough.demo.test
EDGE_HOST=edge.demo.test
REENCRYPT_HOST=reencrypt.demo.test
BACKEND_TLS_NAME=backend.demo.test

DEMO_TMP=""
DEMO_PIDS=()
DEMO_NAMESPACES=()
DEMO_CLEANED=0

if [ -t 1 ]; then DEMO_BOLD=$'\033[1m' DEMO_RED=$'\033[31m' DEMO_GREEN=$'\033[32m' DEMO_OFF=$'\033[0m'
else DEMO_BOLD="" DEMO_RED="" DEMO_GREEN="" DEMO_OFF=""; fi
demo_heading() { printf '\n%s== %s ==%s\n' "$DEMO_BOLD" "$*" "$DEMO_OFF"; }
demo_note() { printf '   %s\n' "$*"; }
demo_die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Run a command inside one of our namespaces.
in_ns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

demo_install_deps() {
    local missing="" cmd pkg
    for pair in haproxy:haproxy curl:curl openssl:openssl python3:python3 ip:iproute2 ss:iproute2; do
        cmd=${pair%%:*}; pkg=${pair#*:}
        command -v "$cmd" >/dev/null 2>&1 || [ -x "/usr/sbin/$cmd" ] || missing="$missing $pkg"
    done
    if [ -n "$missing" ]; then
        # shellcheck disable=SC2086
        missing=$(printf '%s\n' $missing | sort -u | tr '\n' ' ')
        echo "installing: $missing"
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null \
            || demo_die "could not install $missing"
    fi
    PATH=$PATH:/usr/sbin:/sbin
    # Debian's haproxy package would start a system service where systemd runs; the demo
    # runs its own instance inside a namespace and leaves any system one alone.
}

# demo_init NFTCTL_BINARY: checks, namespaces, addresses, certificates, backends.
demo_init() {
    [ "$(id -u)" = 0 ] || demo_die "needs root (network namespaces); run as root or with sudo"
    NFTCTL=$1
    [ -n "$NFTCTL" ] || demo_die "usage: $0 NFTCTL_BINARY"
    case $NFTCTL in /*) ;; *) NFTCTL=$PWD/$NFTCTL ;; esac
    [ -x "$NFTCTL" ] || demo_die "nftctl binary not found: $NFTCTL"
    cd "$DEMO_ROOT" || demo_die "cannot cd to $DEMO_ROOT"
    NS_CLIENT=${DEMO_PREFIX}client
    NS_BLOCKED=${DEMO_PREFIX}blocked
    NS_HAPROXY=${DEMO_PREFIX}haproxy
    NS_HOST=${DEMO_PREFIX}host
    NS_CTR=${DEMO_PREFIX}ctr
    trap demo_exit EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    DEMO_TMP=$(mktemp -d /tmp/nftctl-demo.XXXXXX)
    # nftctl compiles rules files as an unprivileged user: let it read copies made here.
    chmod 755 "$DEMO_TMP"
    demo_install_deps
    demo_make_namespaces
    demo_make_certs
    demo_start_backends
}

# The EXIT trap: clean up, then let the sourcing script report (it may define demo_on_exit).
demo_exit() {
    local rc=$?
    demo_cleanup
    if declare -F demo_on_exit >/dev/null; then demo_on_exit "$rc"; fi
}

demo_cleanup() {
    [ "$DEMO_CLEANED" = 1 ] && return 0
    DEMO_CLEANED=1
    local pid ns
    for pid in "${DEMO_PIDS[@]}"; do kill "$pid" 2>/dev/null; done
    # Anything else still running inside our namespaces was started by us (curl, haproxy workers).
    for ns in "${DEMO_NAMESPACES[@]}"; do
        for pid in $(ip netns pids "$ns" 2>/dev/null); do kill "$pid" 2>/dev/null; done
    done
    sleep 0.2
    for ns in "${DEMO_NAMESPACES[@]}"; do
        for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null; done
        ip netns del "$ns" 2>/dev/null
    done
    for pid in "${DEMO_PIDS[@]}"; do wait "$pid" 2>/dev/null; done
    [ -n "$DEMO_TMP" ] && rm -rf "$DEMO_TMP"
    return 0
}

demo_add_ns() {
    local ns=$1
    # A namespace with our exact name left by an earlier run that was killed hard: ours to remove.
    if ip netns list | awk '{print $1}' | grep -qx "$ns"; then
        for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null; done
        ip netns del "$ns"
    fi
    ip netns add "$ns" || demo_die "cannot create namespace $ns"
    DEMO_NAMESPACES+=("$ns")
    ip -n "$ns" link set lo up
}

# demo_veth NS_A IF_A NS_B IF_B: a veth pair created directly inside the two namespaces.
demo_veth() {
    ip -n "$1" link add "$2" type veth peer name "$4" netns "$3" || demo_die "veth $1/$2 - $3/$4"
    ip -n "$1" link set "$2" up
    ip -n "$3" link set "$4" up
}

demo_make_namespaces() {
    local ns
    for ns in "$NS_CLIENT" "$NS_BLOCKED" "$NS_HAPROXY" "$NS_HOST" "$NS_CTR"; do demo_add_ns "$ns"; done

    demo_veth "$NS_CLIENT" eth0 "$NS_HAPROXY" eth-client
    ip -n "$NS_CLIENT" addr add "$CLIENT_IP/24" dev eth0
    ip -n "$NS_HAPROXY" addr add "$HAPROXY_FRONT_IP/24" dev eth-client

    demo_veth "$NS_BLOCKED" eth0 "$NS_HAPROXY" eth-blocked
    ip -n "$NS_BLOCKED" addr add "$BLOCKED_IP/24" dev eth0
    ip -n "$NS_HAPROXY" addr add "$HAPROXY_BLOCKED_SIDE_IP/24" dev eth-blocked

    demo_veth "$NS_HAPROXY" eth-backend "$NS_HOST" eth0
    ip -n "$NS_HAPROXY" addr add "$HAPROXY_BACK_IP/24" dev eth-backend
    ip -n "$NS_HOST" addr add "$BACKEND_PASSTHROUGH_IP/24" dev eth0
    ip -n "$NS_HOST" addr add "$BACKEND_EDGE_IP/24" dev eth0
    ip -n "$NS_HOST" addr add "$BACKEND_REENCRYPT_IP/24" dev eth0

    # The container host: a bridge cbr0 with the containers behind it, forwarding on.
    ip -n "$NS_HOST" link add cbr0 type bridge
    ip -n "$NS_HOST" addr add "$BRIDGE_IP/16" dev cbr0
    ip -n "$NS_HOST" link set cbr0 up
    demo_veth "$NS_HOST" veth-ctr "$NS_CTR" eth0
    ip -n "$NS_HOST" link set veth-ctr master cbr0
    ip -n "$NS_CTR" addr add "$CONTAINER_A_IP/16" dev eth0
    ip -n "$NS_CTR" addr add "$CONTAINER_B_IP/16" dev eth0
    ip -n "$NS_CTR" route add default via "$BRIDGE_IP"
    # (through /proc, not sysctl(8): procps may be missing on a fresh machine)
    in_ns "$NS_HOST" sh -c "echo 1 > /proc/sys/net/ipv4/ip_forward" || demo_die "cannot enable forwarding in $NS_HOST"
}

demo_make_certs() {
    local d=$DEMO_TMP/pki
    mkdir -p "$d"
    openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=nftctl demo CA" \
        -keyout "$d/ca.key" -out "$d/ca.pem" >/dev/null 2>&1 || demo_die "openssl: CA"
    demo_issue_cert haproxy "HAProxy (TLS ends here)" "DNS:$EDGE_HOST,DNS:$REENCRYPT_HOST"
    demo_issue_cert backend "backend (TLS ends at the backend)" \
        "DNS:$PASSTHROUGH_HOST,DNS:$BACKEND_TLS_NAME,IP:$BACKEND_PASSTHROUGH_IP,IP:$CONTAINER_B_IP"
    cat "$d/haproxy.pem" "$d/haproxy.key" > "$d/haproxy-bundle.pem"
    CA_PEM=$d/ca.pem
}

# demo_issue_cert NAME CN SUBJECT_ALT_NAMES
demo_issue_cert() {
    local d=$DEMO_TMP/pki
    openssl req -newkey rsa:2048 -nodes -subj "/CN=$2" -keyout "$d/$1.key" -out "$d/$1.csr" \
        >/dev/null 2>&1 || demo_die "openssl: $1 request"
    printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth\n' "$3" > "$d/$1.ext"
    openssl x509 -req -in "$d/$1.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" -CAcreateserial \
        -days 1 -extfile "$d/$1.ext" -out "$d/$1.pem" >/dev/null 2>&1 || demo_die "openssl: $1 certificate"
}

# demo_wait_port NS PORT: bounded wait for a listening TCP socket.
demo_wait_port() {
    local i
    for i in $(seq 1 50); do
        in_ns "$1" ss -Hltn "sport = :$2" 2>/dev/null | grep -q LISTEN && return 0
        sleep 0.1
    done
    demo_die "nothing listens on port $2 in $1 (see $DEMO_TMP/*.log)"
}

demo_start_backends() {
    local py=python3
    [ -x /usr/bin/python3 ] && py=/usr/bin/python3
    local d=$DEMO_TMP/pki
    # On the container host itself: HTTPS :443 for passthrough (no DNAT; a host-network service).
    in_ns "$NS_HOST" "$py" "$DEMO_DIR/backend.py" --name container-host --https 443 \
        --cert "$d/backend.pem" --key "$d/backend.key" > "$DEMO_TMP/backend-host.log" 2>&1 &
    DEMO_PIDS+=($!)
    # In the containers (172.18.0.2 and .3): HTTP :80 and HTTPS :443, reached through
    # the DNAT of rules/container-dnat.swift (host :8080 → .2:80, host :8443 → .3:443).
    in_ns "$NS_CTR" "$py" "$DEMO_DIR/backend.py" --name container --http 80 --https 443 \
        --cert "$d/backend.pem" --key "$d/backend.key" > "$DEMO_TMP/backend-ctr.log" 2>&1 &
    DEMO_PIDS+=($!)
    demo_wait_port "$NS_HOST" 443
    demo_wait_port "$NS_CTR" 80
    demo_wait_port "$NS_CTR" 443
}

demo_write_haproxy_cfg() {
    local d=$DEMO_TMP/pki
    HAPROXY_CFG=$DEMO_TMP/haproxy.cfg
    cat > "$HAPROXY_CFG" <<EOF
global
    maxconn 256
    pidfile $DEMO_TMP/haproxy.pid

defaults
    timeout connect 3s
    timeout client 60s
    timeout server 60s

# One HTTPS port, three modes, chosen by the TLS server name (SNI).
frontend https-in
    mode tcp
    bind :443
    tcp-request inspect-delay 3s
    tcp-request content accept if { req.ssl_hello_type 1 }
    use_backend passthrough if { req.ssl_sni -i $PASSTHROUGH_HOST }
    use_backend to-edge if { req.ssl_sni -i $EDGE_HOST }
    use_backend to-reencrypt if { req.ssl_sni -i $REENCRYPT_HOST }

# passthrough: TCP mode, TLS goes through untouched to the backend's 443.
backend passthrough
    mode tcp
    server b1 $BACKEND_PASSTHROUGH_IP:443

backend to-edge
    mode tcp
    server local abns@edge send-proxy-v2

backend to-reencrypt
    mode tcp
    server local abns@reencrypt send-proxy-v2

# edge: TLS ends on HAProxy, plain HTTP to the backend's 8080.
frontend edge
    mode http
    bind abns@edge accept-proxy ssl crt $d/haproxy-bundle.pem
    http-request set-header X-Forwarded-Proto https
    default_backend plain-http

# re-encrypt: TLS ends on HAProxy and starts again to the backend's 8443 (verified).
frontend reencrypt
    mode http
    bind abns@reencrypt accept-proxy ssl crt $d/haproxy-bundle.pem
    http-request set-header X-Forwarded-Proto https
    default_backend reencrypt-tls

backend reencrypt-tls
    mode http
    server b1 $BACKEND_REENCRYPT_IP:8443 ssl verify required ca-file $d/ca.pem verifyhost $BACKEND_TLS_NAME sni str($BACKEND_TLS_NAME)

# plain HTTP frontend.
frontend http-in
    mode http
    bind :80
    default_backend plain-http

backend plain-http
    mode http
    server b1 $BACKEND_EDGE_IP:8080
EOF
}

demo_start_haproxy() {
    demo_write_haproxy_cfg
    haproxy -c -q -f "$HAPROXY_CFG" || demo_die "haproxy rejects $HAPROXY_CFG"
    in_ns "$NS_HAPROXY" haproxy -db -f "$HAPROXY_CFG" > "$DEMO_TMP/haproxy.log" 2>&1 &
    DEMO_PIDS+=($!)
    demo_wait_port "$NS_HAPROXY" 443
    demo_wait_port "$NS_HAPROXY" 80
}

# --- the flows -------------------------------------------------------------------------

# demo_flow NAME: runs one curl from the client; sets FLOW_BODY, FLOW_RC, FLOW_CERT.
# Names: http passthrough edge reencrypt.
demo_flow() {
    local url resolve=()
    case $1 in
        http) url="http://$HAPROXY_FRONT_IP/hello" ;;
        passthrough) url="https://$PASSTHROUGH_HOST/hello"; resolve=(--resolve "$PASSTHROUGH_HOST:443:$HAPROXY_FRONT_IP") ;;
        edge) url="https://$EDGE_HOST/hello"; resolve=(--resolve "$EDGE_HOST:443:$HAPROXY_FRONT_IP") ;;
        reencrypt) url="https://$REENCRYPT_HOST/hello"; resolve=(--resolve "$REENCRYPT_HOST:443:$HAPROXY_FRONT_IP") ;;
        *) demo_die "unknown flow $1" ;;
    esac
    FLOW_URL=$url
    FLOW_BODY=$(in_ns "$NS_CLIENT" curl -sS -v --max-time 5 --cacert "$CA_PEM" "${resolve[@]}" "$url" \
        2>"$DEMO_TMP/curl-$1.err")
    FLOW_RC=$?
    FLOW_CERT=$(sed -n 's/^\*  *subject: *//p' "$DEMO_TMP/curl-$1.err" | head -1)
}

# What each flow's answer must contain.
demo_expected() {
    case $1 in
        http) echo "backend container answered on $CONTAINER_A_IP:80 over http for $HAPROXY_BACK_IP" ;;
        passthrough) echo "backend container-host answered on $BACKEND_PASSTHROUGH_IP:443 over https for $HAPROXY_BACK_IP" ;;
        edge) echo "backend container answered on $CONTAINER_A_IP:80 over http for $HAPROXY_BACK_IP (X-Forwarded-Proto: https)" ;;
        reencrypt) echo "backend container answered on $CONTAINER_B_IP:443 over https for $HAPROXY_BACK_IP (X-Forwarded-Proto: https)" ;;
    esac
}

# demo_blocked_attempt PORT: one connection from the blocked client; sets BLOCKED_RC (28 = timeout).
demo_blocked_attempt() {
    local scheme=https
    [ "$1" = 80 ] && scheme=http
    in_ns "$NS_BLOCKED" curl -sS -k --max-time "${2:-3}" "$scheme://$HAPROXY_BLOCKED_SIDE_IP:$1/" \
        >/dev/null 2>"$DEMO_TMP/curl-blocked.err"
    BLOCKED_RC=$?
}

# demo_counter_packets NS FAMILY TABLE COUNTER: the packets of a named counter, via nftctl list.
demo_counter_packets() {
    "$NFTCTL" list --netns "$1" --table "$2" "$3" | awk -v name="$4" '
        $1 == "counter" && $2 == name { inside = 1; next }
        inside && $1 == "packets" { print $2; exit }
        inside && $1 == "}" { inside = 0 }'
}

# True when this build has `nftctl explain` (with --chain, and with --packet for demo_has_explain packet).
demo_has_explain() {
    "$NFTCTL" --help 2>/dev/null | grep -qE '^[[:space:]]+explain([[:space:]]|$)' || return 1
    local help
    help=$("$NFTCTL" explain --help 2>/dev/null) || return 1
    [[ $help == *--chain* ]] || return 1
    [ "${1:-}" != packet ] || [[ $help == *--packet* ]]
}
