#!/usr/bin/env bash
# A 1-rule change in the middle of a 10k- and a 50k-rule chain, an apply with nothing to
# change, and `nftctl diff`, each against nft measured in the same run in a throw-away
# namespace (ratios, lower is better; goals of issue 13):
#   change: `nftctl apply` (incremental) vs the floor, `nft -f` of the one equivalent
#           positioned command (`replace rule … handle H`): goal ≤ 1.5×; and vs a full
#           `nft -f` reload of the table (delete + create in one batch): goal ≤ 0.5×;
#   no-op:  `nftctl apply` of what is already there vs the full reload: goal ≤ 0.3×
#           (after nftctl's own apply of the same file, so the generation id it verified
#           and the file's fingerprint are remembered: `UpToDate`);
#   diff:   `nftctl diff` vs `nft -j list table`.
source "$(dirname "$0")/lib.sh"
RUNS=${RUNS:-5}
printf '%-7s %9s %9s %7s %9s %9s %7s %9s %7s | %8s %9s %6s\n' rules "change ms" "floor ms" "vs flr" "reload ms" "-j rld ms" "vs rld" \
    "no-op ms" "vs rld" "diff ms" "list -j" ratio
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
    a=$(ms_median "$RUNS" nftctl_change)
    # Back to r0 through nftctl, then apply r0 again: nothing to change.
    "$NFTCTL" apply --yes --netns "$NS" "$WORK/r0.json" >/dev/null
    z=$(ms_median "$RUNS" "$NFTCTL" apply --yes --netns "$NS" "$WORK/r0.json")
    # The floor: the middle rule replaced by handle, as one `nft -f`, back and forth.
    mid=$(awk 'index($0, "dport") { c++ } c == '"$((n / 2 + 1))"' { sub(/^[ \t]+/, ""); print; exit }' "$WORK/r0.nft")
    alt=$(awk 'index($0, "dport") { c++ } c == '"$((n / 2 + 1))"' { sub(/^[ \t]+/, ""); print; exit }' "$WORK/r1.nft")
    h=$(nsrun nft -a list chain inet bench input | awk -v m="${mid% counter*} counter " '!found && index($0, m) { print $NF; found = 1 }')
    echo "replace rule inet bench input handle $h $alt" > "$WORK/floor1.nft"
    echo "replace rule inet bench input handle $h $mid" > "$WORK/floor0.nft"
    flip=0
    nft_floor() { flip=$((1 - flip)); nsrun nft -f "$WORK/floor$flip.nft"; }
    f=$(ms_median "$RUNS" nft_floor)
    flip=0; nsrun nft -f "$WORK/replace0.nft"
    nft_text() { flip=$((1 - flip)); nsrun nft -f "$WORK/replace$flip.nft"; }
    t=$(ms_median "$RUNS" nft_text)
    flip=0; nsrun nft -f "$WORK/replace0.nft"
    nft_json() { flip=$((1 - flip)); nsrun nft -j -f "$WORK/replace$flip.json"; }
    j=$(ms_median "$RUNS" nft_json)
    nsrun nft -f "$WORK/replace0.nft"
    d=$(ms_median "$RUNS" sh -c "'$NFTCTL' diff --netns '$NS' '$WORK/r1.json'; [ \$? -le 1 ]")
    l=$(ms_median "$RUNS" nsrun nft -j list table inet bench)
    printf '%-7s %9s %9s %7s %9s %9s %7s %9s %7s | %8s %9s %6s\n' "$n" "$a" "$f" "$(ratio "$a" "$f")" "$t" "$j" "$(ratio "$a" "$t")" \
        "$z" "$(ratio "$z" "$t")" "$d" "$l" "$(ratio "$d" "$l")"
done
