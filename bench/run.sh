#!/usr/bin/env bash
# Runs every benchmark against a release build (built if missing). Needs root for the
# kernel ones (they run in throw-away network namespaces). Prints ratios against nft
# measured in the same run; lower is better.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .build/release/nftctl ] || swift build -c release
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -r), $(nft --version)"
echo
echo "== full apply, list, diff, peak RSS, start-up (bench/suite.sh)"
./bench/suite.sh .build/release/nftctl
echo
echo "== 1-rule change and diff vs full replace (bench/apply.sh)"
./bench/apply.sh .build/release/nftctl
echo
echo "== a blocklist: full apply, one element in and out, no-op, diff (bench/sets.sh)"
./bench/sets.sh .build/release/nftctl
echo
echo "== DSL compile (bench/dsl-compile.sh)"
NFTCTL=$PWD/.build/release/nftctl ./bench/dsl-compile.sh
