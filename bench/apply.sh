#!/usr/bin/env bash
# A 1-rule change in tables of 10k and 50k rules: `nftctl apply` (incremental) against a
# full replace with `nft -f` and `nft -j -f`, and `nftctl diff` against `nft -j list table`,
# all measured in the same run in a throw-away namespace. Prints ratios (lower is better).
source "$(dirname "$0")/lib.sh"
RUNS=${RUNS:-5}
printf '%-8s %12s %12s %12s %10s %10s | %10s %12s %8s\n' rules "nftctl ms" "nft -f ms" "nft -j -f ms" "vs -f" "vs -j -f" "diff ms" "list -j ms" ratio
for n in ${SIZES:-10000 50000}; do
    for v in 0 1; do
        gen_rules "$n" "$v" > "$WORK/r$v.nft"
        "$NFTCTL" compile "$WORK/r$v.nft" -o "$WORK/r$v.json"
        { echo "add table inet bench"; echo "delete table inet bench"; cat "$WORK/r$v.nft"; } > "$WORK/replace$v.nft"
        python3 - "$WORK/r$v.json" "$WORK/replace$v.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
t = {"family": "inet", "name": "bench"}
doc["nftables"] = [{"add": {"table": t}}, {"delete": {"table": t}}] + doc["nftables"]
json.dump(doc, open(sys.argv[2], "w"))
PY
    done
    nsrun nft -f "$WORK/r0.nft"
    "$NFTCTL" apply --yes --netns "$NS" "$WORK/r0.json" >/dev/null
    flip=0
    nftctl_change() { flip=$((1 - flip)); "$NFTCTL" apply --yes --netns "$NS" "$WORK/r$flip.json"; }
    nft_text() { flip=$((1 - flip)); nsrun nft -f "$WORK/replace$flip.nft"; }
    nft_json() { flip=$((1 - flip)); nsrun nft -j -f "$WORK/replace$flip.json"; }
    a=$(ms_median "$RUNS" nftctl_change)
    flip=0; nsrun nft -f "$WORK/replace0.nft"
    t=$(ms_median "$RUNS" nft_text)
    flip=0; nsrun nft -f "$WORK/replace0.nft"
    j=$(ms_median "$RUNS" nft_json)
    nsrun nft -f "$WORK/replace0.nft"
    d=$(ms_median "$RUNS" sh -c "'$NFTCTL' diff --netns '$NS' '$WORK/r1.json'; [ \$? -le 1 ]")
    l=$(ms_median "$RUNS" nsrun nft -j list table inet bench)
    printf '%-8s %12s %12s %12s %10s %10s | %10s %12s %8s\n' "$n" "$a" "$t" "$j" "$(ratio "$a" "$t")" "$(ratio "$a" "$j")" "$d" "$l" "$(ratio "$d" "$l")"
done
