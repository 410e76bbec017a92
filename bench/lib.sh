# Shared helpers for the benchmarks: a throw-away network namespace, timing, ratios.
# Every nft and nftctl call here runs inside the benchmark's own namespace.
set -euo pipefail

NS="nftctl-bench-$$"
WORK="$(mktemp -d /tmp/nftctl-bench.XXXXXX)"
cleanup() { ip netns del "$NS" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT INT TERM
ip netns add "$NS"
nsrun() { ip netns exec "$NS" "$@"; }

# ms_median RUNS CMD... : median wall time of CMD in milliseconds.
ms_median() {
    local runs=$1; shift
    local times=()
    for _ in $(seq "$runs"); do
        local t0 t1
        t0=$(date +%s%N); "$@" >/dev/null 2>&1 || { echo "FAILED: $*" >&2; return 1; }; t1=$(date +%s%N)
        times+=($(( (t1 - t0) / 1000000 )))
    done
    printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "n/a"; else printf "%.2f", a / b }'; }

# gen_rules N VARIANT: an inet table with N rules in one base chain; VARIANT (> 0) changes
# the middle rule's port to VARIANT.
gen_rules() {
    local n=$1 variant=$2
    awk -v n="$n" -v v="$variant" 'BEGIN {
        print "table inet bench {"
        print "\tchain input {"
        print "\t\ttype filter hook input priority filter; policy accept;"
        for (i = 0; i < n; i++) {
            port = 1024 + (i % 60000); a = int(i / 250) % 250; b = i % 250
            if (i == int(n / 2) && v > 0) port = v
            printf "\t\tip saddr 10.%d.%d.1 tcp dport %d counter accept\n", a, b, port
        }
        print "\t}"
        print "}"
    }'
}

NFTCTL="${1:-$(cd "$(dirname "$0")/.." && pwd)/.build/release/nftctl}"
[ -x "$NFTCTL" ] || { echo "build nftctl first (swift build -c release), or pass its path" >&2; exit 1; }
export NFTCTL_STATE_DIR="$WORK/state"
# A cache of the run's own: what an earlier run kept (normal forms, replay records) decides nothing.
export NFTCTL_CACHE="$WORK/cache"
