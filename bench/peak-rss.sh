#!/bin/bash
# Peak RSS and wall time of the whole `generate` CLI process, one canvas size at a time, with the
# load average before and after each run (other processes on the machine skew the seconds, hardly
# the memory). The numbers in docs/PERFORMANCE.md ("Memory") come from this script.
#
#   bash bench/peak-rss.sh [SIZE ...]          # default: 256 512 1024 (square canvases, px)
#   LAYOUT=assets/examples/lake-mountains-256x256.png SEED=3 bash bench/peak-rss.sh 768
#
# The layout is resized (nearest neighbour, `--size`) to each canvas; the default model and the
# default settings are used. Needs GNU time (/usr/bin/time).
set -euo pipefail
cd "$(dirname "$0")/.."
layout=${LAYOUT:-assets/examples/alpine-river-512x512.png}
seed=${SEED:-7}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
[ $# -gt 0 ] || set -- 256 512 1024
printf '%-6s %12s %9s  %-18s %-18s\n' size 'max RSS MiB' 'wall s' 'load before' 'load after'
for size in "$@"; do
  before=$(cut -d' ' -f1-3 /proc/loadavg)
  # One node process (no tsx launcher in between), so GNU time's maximum is the CLI's own.
  /usr/bin/time -f '%M %e' -o "$out/time" node --import tsx electron/cli/main.ts generate \
    --layout "$layout" --size "${size}x${size}" --seed "$seed" --out "$out/$size.png" >"$out/$size.log" 2>&1 ||
    { cat "$out/$size.log"; exit 1; }
  after=$(cut -d' ' -f1-3 /proc/loadavg)
  read -r kib seconds <"$out/time"
  printf '%-6s %12d %9s  %-18s %-18s\n' "${size}²" $((kib / 1024)) "$seconds" "$before" "$after"
done
