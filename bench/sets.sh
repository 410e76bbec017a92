#!/usr/bin/env bash
# A blocklist: a table whose named set holds N addresses (10k, 50k), and two rules using it,
# each figure against nft measured in the same run in a throw-away namespace (ratios, lower
# is better):
#   full:    `nftctl apply` of the same file again into the namespace without its table
#            vs `nft -f` of the same table in nft syntax (both after `nft delete table`);
#   add/del: one element added to (then taken out of) the file with the table live, vs the
#            floor, `nft -f` of the one `add element` (`delete element`), and vs a full
#            `nft -f` reload of the table (delete + create in one batch);
#   no-op:   `nftctl apply` of what is already there vs the full reload;
#   diff:    `nftctl diff` of the file with one element more vs `nft -j list table`.
source "$(dirname "$0")/lib.sh"
RUNS=${RUNS:-3}
printf '%-8s %8s %8s %6s | %8s %8s %6s %8s %6s | %8s %6s | %8s %8s %6s\n' elements "full ms" "nft -f" ratio \
    "add ms" "floor" "vs flr" "reload" "vs rld" "no-op ms" "vs rld" "diff ms" "list -j" ratio
# gen_set N EXTRA: table inet block, set bad of N addresses (10.x.y.z), plus EXTRA (an
# address, or nothing).
gen_set() {
    awk -v n="$1" -v extra="$2" 'BEGIN {
        print "table inet block {"
        print "\tset bad {"
        print "\t\ttype ipv4_addr"
        printf "\t\telements = { "
        for (i = 0; i < n; i++) {
            printf "%s10.%d.%d.%d", (i ? ", " : ""), int(i / 65536) % 256, int(i / 256) % 256, i % 256
        }
        if (extra != "") printf ", %s", extra
        print " }"
        print "\t}"
        print "\tchain input {"
        print "\t\ttype filter hook input priority filter; policy accept;"
        print "\t\tip saddr @bad counter drop"
        print "\t\ttcp dport 22 accept"
        print "\t}"
        print "}"
    }'
}
for n in ${SIZES:-10000 50000}; do
    gen_set "$n" "" > "$WORK/s0.nft"
    gen_set "$n" "192.0.2.1" > "$WORK/s1.nft"
    for v in 0 1; do
        "$NFTCTL" compile "$WORK/s$v.nft" -o "$WORK/s$v.json"
        { echo "add table inet block"; echo "delete table inet block"; cat "$WORK/s$v.nft"; } > "$WORK/reload$v.nft"
    done
    empty() { nsrun nft delete table inet block 2>/dev/null || true; }
    c_full() { empty; "$NFTCTL" apply --yes --netns "$NS" "$WORK/s0.json"; }
    n_full() { empty; nsrun nft -f "$WORK/s0.nft"; }
    # The first apply of each size is not timed: it makes the cache a replay or a
    # remembered listing comes from (as on a host that applied the file before).
    c_full > /dev/null
    fa=$(ms_median "$RUNS" c_full); fn=$(ms_median "$RUNS" n_full)
    # One element in and out, through the file, the table live after nftctl's own apply.
    empty; "$NFTCTL" apply --yes --netns "$NS" "$WORK/s0.json" > /dev/null
    flip=0
    c_change() { flip=$((1 - flip)); "$NFTCTL" apply --yes --netns "$NS" "$WORK/s$flip.json"; }
    a=$(ms_median "$((RUNS * 2))" c_change)
    [ "$flip" = 1 ] && c_change > /dev/null
    z=$(ms_median "$RUNS" "$NFTCTL" apply --yes --netns "$NS" "$WORK/s0.json")
    echo "add element inet block bad { 192.0.2.1 }" > "$WORK/floor1.nft"
    echo "delete element inet block bad { 192.0.2.1 }" > "$WORK/floor0.nft"
    flip=0
    nft_floor() { flip=$((1 - flip)); nsrun nft -f "$WORK/floor$flip.nft"; }
    f=$(ms_median "$((RUNS * 2))" nft_floor)
    [ "$flip" = 1 ] && nft_floor
    flip=0
    nft_reload() { flip=$((1 - flip)); nsrun nft -f "$WORK/reload$flip.nft"; }
    r=$(ms_median "$RUNS" nft_reload)
    nsrun nft -f "$WORK/reload0.nft"
    d=$(ms_median "$RUNS" sh -c "'$NFTCTL' diff --netns '$NS' '$WORK/s1.json'; [ \$? -le 1 ]")
    l=$(ms_median "$RUNS" nsrun nft -j list table inet block)
    printf '%-8s %8s %8s %6s | %8s %8s %6s %8s %6s | %8s %6s | %8s %8s %6s\n' "$n" "$fa" "$fn" "$(ratio "$fa" "$fn")" \
        "$a" "$f" "$(ratio "$a" "$f")" "$r" "$(ratio "$a" "$r")" "$z" "$(ratio "$z" "$r")" "$d" "$l" "$(ratio "$d" "$l")"
done
