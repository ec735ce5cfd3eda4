#!/usr/bin/env python3
"""Compares the search latency of builds by running them in turn.

    python3 bench/ab.py INDEX QUERIES ROUNDS BINARY...

Each round runs every BINARY (a build of `examples/search_latency`) once
over QUERIES on INDEX, one after the other, so a machine that slows down
or speeds up does so for all of them. `EXTRA="--since 2000-01-01 --until
2004-12-31"` passes a date filter on. Prints the twelve slowest queries
(the median over the rounds of each binary's per-query time), then for
each binary the sum of those medians and the p99 of each round.
"""

import collections
import os
import re
import statistics
import subprocess
import sys


def main():
    index, queries, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
    binaries = sys.argv[4:]
    extra = os.environ.get("EXTRA", "").split()
    count = sum(1 for line in open(queries) if line.strip())
    times = {b: collections.defaultdict(list) for b in binaries}
    p99 = {b: [] for b in binaries}
    for _ in range(rounds):
        for binary in binaries:
            command = [binary, index, queries, "--slowest", str(count)] + extra
            run = subprocess.run(command, capture_output=True, text=True, check=True)
            for line in (run.stdout + run.stderr).splitlines():
                timed = re.match(r"\s*([\d.]+) ms\s+(\d+) matches\s+(.*)", line)
                if timed:
                    times[binary][timed.group(3)].append(float(timed.group(1)))
                elif line.startswith("{"):
                    p99[binary].append(float(re.search(r'"p99_ms":([\d.]+)', line).group(1)))
    first = times[binaries[0]]
    for query in sorted(first, key=lambda q: -statistics.median(first[q]))[:12]:
        medians = (statistics.median(times[b][query]) for b in binaries)
        print(f"{query[:34]:34}", "  ".join(f"{m:7.1f}" for m in medians))
    for binary in binaries:
        total = sum(statistics.median(v) for v in times[binary].values())
        print(binary, f"sum of medians {total:.1f}", "p99s", [round(x, 1) for x in p99[binary]])


if __name__ == "__main__":
    main()
