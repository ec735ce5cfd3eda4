#!/usr/bin/env python3
"""dateline's benchmark harness: dateline against tantivy-cli and ripgrep, in one run.

    python3 bench/run.py                 # news folder + generated 10k/100k corpora
    python3 bench/run.py --sizes 10000,100000,1000000   # the full scale series
    python3 bench/run.py --quick         # news folder only, fewer repetitions
    python3 bench/run.py --warc 100000   # a web archive against the same pages as files

It builds dateline (release), installs the peers it lacks (tantivy-cli with
`cargo install` into bench/.peers, ripgrep, hyperfine and GNU time from the OS
packages), converts each corpus to the NDJSON tantivy-cli reads (not timed),
then measures in the same run:

- corpora: the news folder, Reuters-21578 in its original SGML (the
  largest shared corpus) and generated corpora of the given sizes (from
  5M articles on as JSON Lines files of 10,000 articles, which tantivy-cli
  reads as they are: a file per article would not fit the disk);
- indexing: wall time (median of N runs, the two peers taking turns; five
  for the shared corpora, whose builds take a second or two), MB/s,
  articles/s, peak RSS
  (/usr/bin/time -v), index size / raw text size, for dateline and tantivy-cli;
- queries: in-process p50/p99 latency over bench/queries.txt (210 queries:
  single words, several words, phrases), plain and date-filtered, through the
  library API (examples/search_latency.rs);
- whole-process search: `dateline search` vs `tantivy search` vs
  `rg -i -w -c` over the raw folder, medians from hyperfine;
- startup: `dateline search` on the small bundled corpus.

`--warc N` instead measures one thing: N generated pages indexed from one
`.warc.gz` (one gzip member per record, a request before each response)
against the same N pages as separate HTML files, in the same run (median
wall time and peak RSS of `dateline index`), written to
bench/results/<YYYY-MM-DD>-warc.md.

Figures are reported as ratios against the peers measured in the same run,
because the machine is shared and noisy. The table is printed and written to
bench/results/<YYYY-MM-DD>.md (today's UTC date; a second run the same day
replaces that day's file).
"""

import argparse
import datetime
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NEWS = ROOT.parent / "shared" / "data" / "news-folder"
# The largest shared corpus in bytes: Reuters-21578 as its original SGML
# (27 MB, 21,578 dated records in 22 files), which dateline parses itself.
REUTERS = ROOT.parent / "shared" / "data" / "reuters21578"
PEERS = ROOT / "bench" / ".peers"
RELEASE = ROOT / "target" / "release"
DATELINE = RELEASE / "dateline"
QUERIES = ROOT / "bench" / "queries.txt"
# Generated corpora this large are written as JSON Lines files of 10,000
# articles (bench_corpus jsonl): as one file per article, 10M articles take
# 40 GB of 4 KiB blocks, more than the disk holds beside three indexes.
JSONL_FROM = 5_000_000

# The schema tantivy-cli gets: the same content dateline indexes
# (date, source, title, body; English stemming, positions for phrases).
TANTIVY_SCHEMA = [
    {"name": "date", "type": "date", "options": {"indexed": True, "fieldnorms": True, "fast": True, "stored": True, "precision": "seconds"}},
    {"name": "source", "type": "text", "options": {"indexing": None, "stored": True, "fast": False}},
    {"name": "title", "type": "text", "options": {"indexing": {"record": "position", "fieldnorms": True, "tokenizer": "en_stem"}, "stored": True, "fast": False}},
    {"name": "body", "type": "text", "options": {"indexing": {"record": "position", "fieldnorms": True, "tokenizer": "en_stem"}, "stored": True, "fast": False}},
]


def log(message):
    print(f"bench: {message}", file=sys.stderr, flush=True)


def run(cmd, **kwargs):
    return subprocess.run(cmd, check=True, **kwargs)


def ensure_tools():
    log("building dateline (release) and the bench examples")
    run(["cargo", "build", "--release", "--bin", "dateline", "--example", "bench_corpus", "--example", "search_latency"], cwd=ROOT)
    missing = [pkg for tool, pkg in [("rg", "ripgrep"), ("hyperfine", "hyperfine")] if shutil.which(tool) is None]
    if not Path("/usr/bin/time").exists():
        missing.append("time")
    if missing:
        log(f"installing {' '.join(missing)} from the OS packages")
        run(["apt-get", "update", "-qq"])
        run(["apt-get", "install", "-y", "-qq", *missing])
    tantivy = shutil.which("tantivy") or (PEERS / "bin" / "tantivy")
    if not Path(tantivy).exists():
        log("installing tantivy-cli (cargo install, once)")
        run(["cargo", "install", "--quiet", "tantivy-cli", "--root", str(PEERS)])
    return str(tantivy)


def timed(cmd, stdin=None):
    """Runs cmd under GNU time: (wall seconds, peak RSS MiB)."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as report:
        run(["/usr/bin/time", "-v", "-o", report.name, *cmd], stdin=stdin, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        fields = {}
        for line in report.read().splitlines():
            key, _, value = line.strip().rpartition(": ")
            fields[key] = value
    wall = fields["Elapsed (wall clock) time (h:mm:ss or m:ss)"]
    seconds = sum(float(part) * 60 ** i for i, part in enumerate(reversed(wall.split(":"))))
    return seconds, int(fields["Maximum resident set size (kbytes)"]) / 1024


def dir_bytes(path):
    return sum(f.stat().st_size for f in Path(path).rglob("*") if f.is_file())


def count_files(path):
    return sum(1 for f in Path(path).rglob("*") if f.is_file())


def index_dateline(folder, index):
    shutil.rmtree(index, ignore_errors=True)
    return timed([str(DATELINE), "index", str(folder), "--index", str(index)])


def index_tantivy(tantivy, ndjson, index):
    shutil.rmtree(index, ignore_errors=True)
    os.makedirs(index)
    meta = {"index_settings": {"docstore_compression": "lz4", "docstore_blocksize": 16384}, "segments": [], "schema": TANTIVY_SCHEMA, "opstamp": 0}
    Path(index, "meta.json").write_text(json.dumps(meta))
    with open(ndjson, "rb") as stdin:
        return timed([tantivy, "index", "-i", str(index)], stdin=stdin)


def median_of(runs, fn):
    results = [fn() for _ in range(runs)]
    return statistics.median(r[0] for r in results), statistics.median(r[1] for r in results)


def medians_taking_turns(runs, fns):
    """(median wall, median RSS) of each of fns, run in turn `runs` times:
    a slow or fast phase of the machine falls on both peers alike."""
    results = [[] for _ in fns]
    for _ in range(runs):
        for fn, out in zip(fns, results):
            out.append(fn())
    return [(statistics.median(r[0] for r in out), statistics.median(r[1] for r in out)) for out in results]


def hyperfine_median(commands, runs):
    with tempfile.NamedTemporaryFile("r", suffix=".json") as out:
        run(["hyperfine", "--style", "none", "--warmup", "1", "--runs", str(runs), "-N", "--ignore-failure", "--export-json", out.name, *commands],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return [r["median"] for r in json.load(open(out.name))["results"]]


def latency(index, extra):
    out = subprocess.run([str(RELEASE / "examples" / "search_latency"), str(index), str(QUERIES), *extra], check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def bench_corpus(name, folder, tantivy, work, runs, date_filter, search_runs, jsonl=False):
    log(f"{name}: preparing")
    ndjson = work / f"{name}.ndjson"
    if jsonl:
        # Already tantivy-cli's input, in parts: joined into one stream.
        with open(ndjson, "wb") as out:
            for part in sorted(Path(folder).glob("*.jsonl")):
                with open(part, "rb") as inp:
                    shutil.copyfileobj(inp, out, 1 << 20)
    else:
        run([str(RELEASE / "examples" / "bench_corpus"), "ndjson", str(folder), str(ndjson)])
    articles = sum(1 for _ in open(ndjson, "rb"))
    raw = dir_bytes(folder)
    d_index, t_index = work / f"{name}.dateline", work / f"{name}.tantivy"
    log(f"{name}: indexing ({runs} runs each)")
    (d_wall, d_rss), (t_wall, t_rss) = medians_taking_turns(runs, [
        lambda: index_dateline(folder, d_index),
        lambda: index_tantivy(tantivy, ndjson, t_index)])
    row = {
        "corpus": name, "articles": articles, "raw_mb": raw / 2**20,
        "d_wall": d_wall, "t_wall": t_wall, "d_rss": d_rss, "t_rss": t_rss,
        "d_size": dir_bytes(d_index) / raw, "t_size": dir_bytes(t_index) / raw,
    }
    log(f"{name}: in-process latency")
    row["lat"] = latency(d_index, [])
    row["lat_dated"] = latency(d_index, date_filter)
    words = [q for q in QUERIES.read_text().split("\n") if q and " " not in q][:search_runs["words"]]
    log(f"{name}: whole-process search over {len(words)} words")
    ratios_t, ratios_rg, d_times, t_times, rg_times = [], [], [], [], []
    for word in words:
        d, t, r = hyperfine_median([
            f"{DATELINE} search {word} --index {d_index} --color never",
            f"{tantivy} search -i {t_index} -q {word}",
            f"rg -i -w -c {word} {folder}",
        ], search_runs["runs"])
        d_times.append(d); t_times.append(t); rg_times.append(r)
    row["search_d"] = statistics.median(d_times)
    row["search_t"] = statistics.median(t_times)
    row["search_rg"] = statistics.median(rg_times)
    return row


def startup(work):
    index = work / "corpus.dateline"
    shutil.rmtree(index, ignore_errors=True)
    run([str(DATELINE), "index", str(ROOT / "corpus"), "--index", str(index)], stderr=subprocess.DEVNULL)
    return hyperfine_median([f"{DATELINE} search troops --index {index} --color never"], 20)[0]


def render(rows, start_s, args):
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Benchmark results", "",
        f"Measured {now} on {os.cpu_count()} cores (`nproc`), one run of `python3 bench/run.py {' '.join(sys.argv[1:])}`.",
        "Ratios compare dateline with peers measured in the same run: > 1 means dateline is faster.", "",
        "## Indexing", "",
        "| corpus | articles | raw MB | dateline s | tantivy-cli s | speed ratio (tantivy/dateline) | dateline MB/s | dateline articles/s | tantivy-cli articles/s | dateline peak RSS MiB | tantivy-cli peak RSS MiB | index/raw dateline | index/raw tantivy-cli |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['corpus']} | {r['articles']:,} | {r['raw_mb']:.1f} | {r['d_wall']:.2f} | {r['t_wall']:.2f} | {r['t_wall'] / r['d_wall']:.2f} | "
            f"{r['raw_mb'] / r['d_wall']:.1f} | {r['articles'] / r['d_wall']:,.0f} | {r['articles'] / r['t_wall']:,.0f} | {r['d_rss']:.0f} | {r['t_rss']:.0f} | {r['d_size']:.2f} | {r['t_size']:.2f} |")
    lines += ["", "## Queries", "",
              "| corpus | in-process p50 ms | p99 ms | date-filtered p50 ms | date-filtered p99 ms | `dateline search` ms | `tantivy search` ms | `rg -i -w -c` ms | vs tantivy-cli | vs rg |",
              "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(
            f"| {r['corpus']} | {r['lat']['p50_ms']:.2f} | {r['lat']['p99_ms']:.2f} | {r['lat_dated']['p50_ms']:.2f} | {r['lat_dated']['p99_ms']:.2f} | "
            f"{r['search_d'] * 1000:.1f} | {r['search_t'] * 1000:.1f} | {r['search_rg'] * 1000:.1f} | {r['search_t'] / r['search_d']:.2f} | {r['search_rg'] / r['search_d']:.1f} |")
    lines += ["", f"Startup: `dateline search troops` on the bundled corpus: {start_s * 1000:.1f} ms wall (median of 20).", "",
              "In-process latency: 210 queries from bench/queries.txt, warmed up, 3 passes, through the library API; whole-process figures are medians over the single-word queries (hyperfine)."]
    return "\n".join(lines) + "\n"


def bench_warc(size, work, runs):
    """A WARC of `size` pages against the same pages as HTML files."""
    log("building dateline (release) and the corpus generator")
    run(["cargo", "build", "--release", "--bin", "dateline", "--example", "bench_corpus"], cwd=ROOT)
    if not Path("/usr/bin/time").exists():
        run(["apt-get", "update", "-qq"])
        run(["apt-get", "install", "-y", "-qq", "time"])
    folder = work / f"warc-{size}"
    if not (folder / "crawl.warc.gz").exists():
        log(f"generating {size:,} pages, as files and as a WARC")
        run([str(RELEASE / "examples" / "bench_corpus"), "warc", str(NEWS), str(folder), str(size)])
    rows = []
    for name, path in [("HTML files", folder / "pages"), ("one .warc.gz", folder / "crawl.warc.gz")]:
        index = work / "warc-index"
        seconds, rss = median_of(runs, lambda: index_dateline(path, index))
        rows.append((name, path, seconds, rss, dir_bytes(index)))
        log(f"{name}: {seconds:.1f}s, peak RSS {rss:.0f} MiB")
    shutil.rmtree(work / "warc-index", ignore_errors=True)
    files_s = rows[0][2]
    lines = [
        f"# dateline: a web archive against the same pages as files ({size:,} pages)",
        "",
        f"`python3 bench/run.py --warc {size}`, {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d}, "
        f"{os.cpu_count()} cores; median of {runs} `dateline index` runs each, peak RSS from /usr/bin/time -v.",
        "",
        "| input | raw size | index time | speed vs files | peak RSS | index size |",
        "|---|---|---|---|---|---|",
    ]
    for name, path, seconds, rss, index_bytes in rows:
        raw = dir_bytes(path) if path.is_dir() else path.stat().st_size
        lines.append(f"| {name} | {raw / 2**20:.0f} MiB | {seconds:.1f} s | {files_s / seconds:.2f}× | {rss:.0f} MiB | {index_bytes / 2**20:.0f} MiB |")
    table = "\n".join(lines) + "\n"
    print(table)
    results = ROOT / "bench" / "results" / f"{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d}-warc.md"
    results.parent.mkdir(parents=True, exist_ok=True)
    results.write_text(table)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,100000", help="generated corpus sizes (comma-separated; 0 for none)")
    parser.add_argument("--quick", action="store_true", help="news folder only, 1 indexing run, 5 words")
    parser.add_argument("--work", help="scratch folder (default: a temp dir, removed afterwards)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    parser.add_argument("--warc", type=int, default=0, help="only compare a WARC of N generated pages with the same pages as files")
    args = parser.parse_args()
    if not NEWS.exists():
        sys.exit(f"bench: {NEWS} is absent: the benchmark needs the shared news folder")
    if args.warc:
        work = Path(args.work or tempfile.mkdtemp(prefix="dateline-bench-"))
        work.mkdir(parents=True, exist_ok=True)
        try:
            bench_warc(args.warc, work, 1 if args.quick else 3)
        finally:
            if not args.keep and not args.work:
                shutil.rmtree(work, ignore_errors=True)
        return
    tantivy = ensure_tools()
    work = Path(args.work or tempfile.mkdtemp(prefix="dateline-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    runs = 1 if args.quick else 3
    search_runs = {"words": 5 if args.quick else 20, "runs": 5 if args.quick else 10}
    try:
        # The shared corpora build in a second or two: more runs for the same
        # steadiness.
        small_runs = 1 if args.quick else 5
        rows = [bench_corpus("news-folder", NEWS, tantivy, work, small_runs, ["--since", "1987-03-01", "--until", "1987-03-31"], search_runs)]
        if not args.quick and REUTERS.exists():
            rows.append(bench_corpus("reuters21578-sgml", REUTERS, tantivy, work, small_runs, ["--since", "1987-03-01", "--until", "1987-03-31"], search_runs))
        sizes = [] if args.quick else [int(s) for s in args.sizes.split(",") if s and int(s) > 0]
        for size in sizes:
            jsonl = size >= JSONL_FROM
            folder = work / (f"gen-{size}-jsonl" if jsonl else f"gen-{size}")
            if not folder.exists():
                log(f"generating {size:,} articles")
                run([str(RELEASE / "examples" / "bench_corpus"), "jsonl" if jsonl else "generate", str(NEWS), str(folder), str(size)])
            big = size >= 1_000_000
            name = f"generated-{size // 1000}k" + ("-jsonl" if jsonl else "")
            rows.append(bench_corpus(name, folder, tantivy, work, 1 if big else runs,
                                     ["--since", "2000-01-01", "--until", "2004-12-31"],
                                     {"words": 5 if big else search_runs["words"], "runs": 3 if big else search_runs["runs"]},
                                     jsonl=jsonl))
        table = render(rows, startup(work), args)
    finally:
        if not args.keep and not args.work:
            shutil.rmtree(work, ignore_errors=True)
    print(table)
    results = ROOT / "bench" / "results" / f"{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d}.md"
    results.parent.mkdir(parents=True, exist_ok=True)
    results.write_text(table)


if __name__ == "__main__":
    main()
