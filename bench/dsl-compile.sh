#!/bin/sh
# Rules-file compile benchmark (not a test): generates rules files of 100, 500 and 2000
# rules (one top-level `let` per chain of 50 rules) and measures, through the real loader
# (`nftctl compile FILE`):
#   - building the NFTables DSL library (once per compiler and DSL version),
#   - cold: the first evaluation of a rules file (compile the rules program + run it),
#   - warm: later evaluations (cached program, re-run every time; median of 5).
# Usage: bench/dsl-compile.sh [SIZE...]   (default: 100 500 2000)
# Goals: 500 rules cold <= 3 s, warm <= 50 ms, 2000 rules <= 4.5x the 500-rule time.
set -eu
cd "$(dirname "$0")/.."
SIZES=${*:-100 500 2000}
PER_CHAIN=50

# A release nftctl, as `make` builds it (CONFIG=debug for a quicker, slower-running build),
# or NFTCTL=/path/to/nftctl.
CONFIG=${CONFIG:-release}
if [ -z "${NFTCTL:-}" ]; then
    swift build --scratch-path .build-dsl -c "$CONFIG" --product nftctl >/dev/null
    NFTCTL=$PWD/.build-dsl/$CONFIG/nftctl
fi

WORK=$(mktemp -d /tmp/nftctl-bench.XXXXXX)
chmod 755 "$WORK"            # root runs rules programs as nobody: the cache must be reachable
export NFTCTL_CACHE="$WORK/cache"
trap 'rm -rf "$WORK"' EXIT

now() { date +%s%N; }
ms() { echo $(( ($2 - $1) / 1000000 )); }

gen() {  # gen N FILE
    awk -v n="$1" -v per="$PER_CHAIN" 'BEGIN {
        print "import NFTables\n"
        chains = int((n + per - 1) / per)
        r = 0
        for (c = 0; c < chains; c++) {
            printf "let c%d = chain(\"c%d\") {\n", c, c
            for (i = 0; i < per && r < n; i++) {
                k = r % 5
                a = sprintf("10.%d.%d.%d", int(r / 65536) % 256, int(r / 256) % 256, r % 256)
                if (k == 0) printf "    rule(ip.saddr == \"%s\", drop)\n", a
                else if (k == 1) printf "    rule(ip.daddr == \"%s/32\", tcp.dport == %d, counter, accept)\n", a, 1000 + r % 60000
                else if (k == 2) printf "    rule(meta.iifname == \"eth%d\", udp.dport == [53, %d], accept)\n", r % 8, 2000 + r % 50000
                else if (k == 3) printf "    rule(ct.state.has(.established, .related), ip.saddr == \"%s\", accept)\n", a
                else printf "    rule(tcp.dport == %d...%d, limit(rate: %d, per: .second), log(prefix: \"r%d \"), drop)\n", 1 + r % 1000, 2000 + r % 1000, 1 + r % 100, r
                r++
            }
            print "}"
        }
        print "\nlet input = chain(\"input\", hook: .input, priority: .filter, policy: .accept) {"
        for (c = 0; c < chains; c++) printf "    rule(meta.mark == %d, jump(c%d))\n", c, c
        print "}\n"
        print "let ruleset = Ruleset {\n    table(\"bench\", family: .ip) {"
        for (c = 0; c < chains; c++) printf "        c%d\n", c
        print "        input\n    }\n}"
    }' > "$2"
}

# The library, once: measured with a trivial file.
gen 1 "$WORK/one.swift"
t0=$(now); "$NFTCTL" compile "$WORK/one.swift" >/dev/null; t1=$(now)
echo "DSL library build + first tiny rules file: $(ms "$t0" "$t1") ms"

printf '%-8s %12s %12s\n' rules cold_ms warm_ms
for n in $SIZES; do
    f="$WORK/rules$n.swift"
    gen "$n" "$f"
    t0=$(now); "$NFTCTL" compile "$f" >/dev/null; t1=$(now)
    cold=$(ms "$t0" "$t1")
    warms=""
    for i in 1 2 3 4 5; do
        t0=$(now); "$NFTCTL" compile "$f" >/dev/null; t1=$(now)
        warms="$warms $(ms "$t0" "$t1")"
    done
    warm=$(echo $warms | tr ' ' '\n' | sort -n | sed -n 3p)
    printf '%-8s %12s %12s\n' "$n" "$cold" "$warm"
done
