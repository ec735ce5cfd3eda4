#!/usr/bin/env bash
# Load test of `dateline serve`: 50 concurrent connections for 20 s against
# 127.0.0.1 on an index of the news folder, with mixed requests (JSON
# searches, date-filtered searches, whole pages, timelines: see
# serve_load.lua). Prints throughput, p50/p90/p99 latency, errors, the
# server's memory (RSS) before and after, and, as the peer of the same run,
# the throughput of the same searches through `dateline search`. Needs wrk
# (Debian's `wrk`).
#
#   bash bench/serve_load.sh                # builds the release binary first
#   INDEX=/tmp/news-index bash bench/serve_load.sh   # reuse an index
set -euo pipefail
cd "$(dirname "$0")/.."

DATA=${DATA:-../shared/data/news-folder}
CONNECTIONS=${CONNECTIONS:-50}
DURATION=${DURATION:-20s}
PORT=${PORT:-7790}
command -v wrk >/dev/null || { echo "bench: wrk is needed (apt-get install wrk)" >&2; exit 2; }

cargo build --release --quiet
BIN=target/release/dateline
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
INDEX=${INDEX:-$scratch/index}
if [ ! -f "$INDEX/meta.json" ]; then
    "$BIN" index "$DATA" --index "$INDEX" --quiet
fi

"$BIN" serve --index "$INDEX" --addr "127.0.0.1:$PORT" 2>"$scratch/serve.log" &
server=$!
trap 'kill -TERM $server 2>/dev/null || true; rm -rf "$scratch"' EXIT
for _ in $(seq 100); do
    curl -sf "http://127.0.0.1:$PORT/api/stats" >/dev/null 2>&1 && break
    sleep 0.1
done
rss() { awk '/^(VmRSS|VmHWM)/ {printf "%s %d MiB  ", $1, $2 / 1024}' "/proc/$server/status"; }
echo "server memory before: $(rss)"
# One pass over every query warms the page cache, as a used server would be.
wrk -t2 -c4 -d3s -s bench/serve_load.lua "http://127.0.0.1:$PORT" >/dev/null
echo "server memory warm:   $(rss)"
wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --timeout 10s --latency -s bench/serve_load.lua "http://127.0.0.1:$PORT"
echo "server memory after:  $(rss)"
# Searches while the index is rebuilt from scratch under the server: every
# one must still succeed (the old commit serves until the new one lands).
echo "while \`dateline index --rebuild\` runs:"
("$BIN" index "$DATA" --index "$INDEX" --rebuild --quiet 2>"$scratch/rebuild.log"; echo "rebuild exit $?") &
rebuild=$!
wrk -t2 -c"$CONNECTIONS" -d10s --timeout 10s -s bench/serve_load.lua "http://127.0.0.1:$PORT" | tail -1
wait $rebuild
echo "server memory after the rebuild: $(rss)"
# The peer, measured in the same run: the same JSON searches through the
# command line, one process per query, one after another.
start=$(date +%s.%N)
count=0
while IFS= read -r query; do
    [ -n "$query" ] || continue
    "$BIN" search "$query" --index "$INDEX" --format json >/dev/null 2>&1 || true
    count=$((count + 1))
done < bench/queries.txt
end=$(date +%s.%N)
awk -v n="$count" -v s="$start" -v e="$end" \
    'BEGIN { printf "peer: dateline search --format json, one process per query, sequential: %d queries in %.2f s: %.0f/s\n", n, e - s, n / (e - s) }'
kill -TERM $server
wait $server && echo "server stopped cleanly"
