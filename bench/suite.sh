#!/usr/bin/env bash
# The benchmark table, measured in one run against nft on this machine, in a
# throw-away network namespace: full apply of 100/1k/10k/50k rules (vs `nft -f` and
# `nft -j -f`): the same file again into a namespace without its table (after the first
# run, a replay of the verified apply: `Replay`), a file edited since (each run one rule
# differs: the whole apply), and the first apply on a host, with nothing cached (also
# against its floor: nft -f, then nft -j list table, in the same run);
# `nftctl list` and `nftctl diff` of 50k rules (vs `nft -j list ruleset`),
# peak RSS of loading 50k rules, the same file again (replayed) and an edited one (vs nft),
# and CLI start-up. With a cache of the run's own, the first full apply of each size is
# not a replay: the median is one of the replays only with RUNS of 3 or more. The 1-rule change is
# bench/apply.sh; DSL compile times are bench/dsl-compile.sh.
source "$(dirname "$0")/lib.sh"
RUNS=${RUNS:-3}
row() { printf '%-34s %10s %10s %10s %8s %8s\n' "$@"; }
row "measure" "nftctl" "nft -f" "nft -j -f" "vs -f" "vs -j -f"
for n in ${SIZES:-100 1000 10000 50000}; do
    gen_rules "$n" 0 > "$WORK/full$n.nft"
    "$NFTCTL" compile "$WORK/full$n.nft" -o "$WORK/full$n.json"
    python3 - "$WORK/full$n.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
doc["nftables"] = [{"metainfo": {"json_schema_version": 1}}] + doc["nftables"]
json.dump(doc, open(sys.argv[1] + ".nft.json", "w"))
PY
    # Edited files: the middle rule's port differs in each (2, 3, ...), compiled beforehand.
    for e in $(seq 2 $((RUNS + 1))); do
        gen_rules "$n" "$e" > "$WORK/edit$n-$e.nft"
        "$NFTCTL" compile "$WORK/edit$n-$e.nft" -o "$WORK/edit$n-$e.json"
    done
    empty() { nsrun nft delete table inet bench 2>/dev/null || true; }
    c_apply() { empty; "$NFTCTL" apply --yes --replace --netns "$NS" "$WORK/full$n.json"; }
    edit=1
    c_edit() { empty; edit=$((edit + 1)); "$NFTCTL" apply --yes --replace --netns "$NS" "$WORK/edit$n-$edit.json"; }
    n_text() { empty; nsrun nft -f "$WORK/full$n.nft"; }
    n_json() { empty; nsrun nft -j -f "$WORK/full$n.json.nft.json"; }
    # The first apply on a host: nothing cached (the new table's normal form is learnt
    # from the kernel after the commit, not from a scratch namespace).
    c_cold() { empty; rm -rf "$WORK/cold"; NFTCTL_CACHE="$WORK/cold" "$NFTCTL" apply --yes --netns "$NS" "$WORK/full$n.json"; }
    # What any verified first apply does at least: libnftables encodes and commits every rule
    # (nftctl has no kernel bytes for rules it never saw), then decodes every rule back as
    # JSON to compare with the file (the listing; the JSON echo costs the same).
    n_floor() { empty; nsrun nft -f "$WORK/full$n.nft"; nsrun nft -j list table inet bench > /dev/null; }
    a=$(ms_median "$RUNS" c_apply); t=$(ms_median "$RUNS" n_text); j=$(ms_median "$RUNS" n_json)
    c=$(ms_median "$RUNS" c_cold); e=$(ms_median "$RUNS" c_edit); f=$(ms_median "$RUNS" n_floor)
    row "full apply $n rules (ms)" "$a" "$t" "$j" "$(ratio "$a" "$t")" "$(ratio "$a" "$j")"
    row "  file edited, 1 rule new (ms)" "$e" "$t" "$j" "$(ratio "$e" "$t")" "$(ratio "$e" "$j")"
    row "  first apply, cold cache (ms)" "$c" "$t" "$j" "$(ratio "$c" "$t")" "$(ratio "$c" "$j")"
    row "  its floor: nft -f + -j list (ms)" "$f" "$t" "$j" "$(ratio "$f" "$t")" "$(ratio "$f" "$j")"
    row "  first apply / its floor" "" "" "" "$(ratio "$c" "$f")" ""
done
# Listing and diff of 50k rules (the table from the last size is loaded).
nsrun nft delete table inet bench 2>/dev/null || true
nsrun nft -f "$WORK/full${n}.nft"
l=$(ms_median "$RUNS" "$NFTCTL" list --netns "$NS" --format json)
nj=$(ms_median "$RUNS" nsrun nft -j list ruleset)
row "list $n rules (ms)" "$l" "" "$nj" "" "$(ratio "$l" "$nj")"
d=$(ms_median "$RUNS" sh -c "'$NFTCTL' diff --netns '$NS' '$WORK/full$n.json'; [ \$? -le 1 ]")
row "diff $n rules (ms)" "$d" "" "$nj" "" "$(ratio "$d" "$nj")"
# Peak RSS (KiB) of loading the largest ruleset.
rss() { /usr/bin/time -f '%M' "$@" 2>&1 >/dev/null | tail -1; }
nsrun nft delete table inet bench 2>/dev/null || true
rc=$(rss "$NFTCTL" apply --yes --replace --netns "$NS" "$WORK/full$n.json")
nsrun nft delete table inet bench
# A file edited since (one rule new): the whole apply, not a replay.
gen_rules "$n" 9 > "$WORK/edit$n-9.nft"
"$NFTCTL" compile "$WORK/edit$n-9.nft" -o "$WORK/edit$n-9.json"
re=$(rss "$NFTCTL" apply --yes --replace --netns "$NS" "$WORK/edit$n-9.json")
nsrun nft delete table inet bench
rt=$(rss ip netns exec "$NS" nft -f "$WORK/full$n.nft")
nsrun nft delete table inet bench
rj=$(rss ip netns exec "$NS" nft -j -f "$WORK/full$n.json.nft.json")
row "peak RSS, $n rules, replayed (KiB)" "$rc" "$rt" "$rj" "$(ratio "$rc" "$rt")" "$(ratio "$rc" "$rj")"
row "  file edited, 1 rule new (KiB)" "$re" "$rt" "$rj" "$(ratio "$re" "$rt")" "$(ratio "$re" "$rj")"
# Start-up: the CLI doing nothing but answering --version.
s=$(ms_median 11 "$NFTCTL" --version)
v=$(ms_median 11 nft --version)
row "start-up (ms)" "$s" "$v" "" "$(ratio "$s" "$v")" ""
