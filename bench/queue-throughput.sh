#!/usr/bin/env bash
# Local batch vs the same batch through a Redis queue with 2 workers, interleaved A/B, on the
# default model: docs/PERFORMANCE.md "Distributed batches". Starts its own redis-server on a free
# loopback port (Debian's redis-server) and its own workers; prints /proc/loadavg beside each run.
# Usage: bash bench/queue-throughput.sh [rounds=3] [seeds=1-6] [size=128x128]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
seeds=${2:-1-6}
size=${3:-128x128}
tmp=$(mktemp -d /tmp/tessera-queue-bench.XXXXXX)
port=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
url="redis://127.0.0.1:$port"
redis-server --port "$port" --bind 127.0.0.1 --dir "$tmp" --save '' --appendonly no >"$tmp/redis.log" 2>&1 &
redis_pid=$!
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait "${pids[@]}" 2>/dev/null || true
  kill "$redis_pid" 2>/dev/null || true
  wait "$redis_pid" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
mkdir -p "$tmp/layouts"
cp assets/examples/lake-mountains-256x256.png "$tmp/layouts/lake.png"
common=(--layouts "$tmp/layouts" --size "$size" --seeds "$seeds" --backend cpu --json)
for w in 1 2; do
  TESSERA_THREADS=1 node --import tsx electron/cli/main.ts worker --queue "$url" --backend cpu --name "bench-$w" --json >"$tmp/worker-$w.log" 2>&1 &
  pids+=($!)
done
until [ "$(grep -c worker.ready "$tmp"/worker-*.log 2>/dev/null | awk -F: '{s+=$2} END {print s+0}')" = 2 ]; do sleep 1; done
result() { tail -n 1 "$1" | node -e "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>{const r=JSON.parse(s);console.log(r.made+' images in '+r.seconds.toFixed(1)+' s, '+r.imagesPerMinute.toFixed(2)+' images/min of work')})"; }
for r in $(seq 1 "$rounds"); do
  echo "round $r local  load $(cut -d' ' -f1-3 /proc/loadavg): $(node --import tsx electron/cli/main.ts batch "${common[@]}" --out "$tmp/local-$r" >"$tmp/local-$r.log" 2>&1; result "$tmp/local-$r.log")"
  echo "round $r queue  load $(cut -d' ' -f1-3 /proc/loadavg): $(node --import tsx electron/cli/main.ts batch "${common[@]}" --out "$tmp/queue-$r" --queue "$url" >"$tmp/queue-$r.log" 2>&1; result "$tmp/queue-$r.log")"
  same=0; differ=0
  for f in "$tmp/local-$r"/*; do cmp -s "$f" "$tmp/queue-$r/$(basename "$f")" && same=$((same + 1)) || differ=$((differ + 1)); done
  echo "round $r: $same files identical (PNGs, batch.json, contact.png), $differ differ"
done
echo "after: load $(cut -d' ' -f1-3 /proc/loadavg)"
