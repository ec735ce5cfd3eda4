#!/usr/bin/env python3
"""Writes the news judgment set in the BEIR layout `dateline eval` reads.

    python3 bench/news/make_judgments.py OUT_DIR
    python3 bench/news/make_judgments.py OUT_DIR --with-unjudged
    python3 bench/news/make_judgments.py OUT_DIR --update-qrels

The articles are the news folder's (`../shared/data/news-folder`, one
Reuters-21578 record per file); what each is about comes from the
`<TOPICS>` of the same record in `../shared/data/reuters21578`. OUT_DIR
receives:

- `corpus.jsonl`: one line per article, `_id` its path in the news folder
  (`1987-03/reut-01234.txt`), `title` the record's `<TITLE>`, `text` the
  news folder's text (paragraphs separated by blank lines), `date` its day;
- `queries.jsonl`: a copy of `bench/news/queries.jsonl`, the hand-written
  queries, each with the `topic` it asks about and, for some, the period
  (`since`, `until`, inclusive days) it is searched in;
- `qrels/test.tsv`: an article is relevant (1) to a query when it carries
  the query's topic and, for a dated query, is dated within its period.

Only the records Reuters' indexers judged for topics (`TOPICS="YES"`) are
in the corpus: the collection's README says those without a topic are
negative examples for every topic, while `TOPICS="NO"` and `"BYPASS"`
records were often never categorised, so whether they are about a topic is
unknown. `--with-unjudged` adds them anyway, as unjudged articles (counted
as not relevant), to see how often they come up.

The judgments are committed (`bench/news/qrels/test.tsv`); the script
computes them again and stops when they differ, unless `--update-qrels`
rewrites the committed file.
"""

import argparse
import datetime
import html
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
QUERIES = HERE / "queries.jsonl"
QRELS = HERE / "qrels" / "test.tsv"
MONTHS = {m: i + 1 for i, m in enumerate("JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC".split())}
RECORD = re.compile(r"<REUTERS ([^>]*)>(.*?)</REUTERS>", re.S)
DATE = re.compile(r"<DATE>\s*(\d+)-([A-Z]{3})-(\d{4})")


def read_records(reuters):
    """Every record of the SGML files: id, topics judged or not, topics, day, title."""
    records = []
    for path in sorted(reuters.glob("reut2-*.sgm")):
        data = path.read_bytes().decode("latin-1")
        for match in RECORD.finditer(data):
            attributes = dict(re.findall(r'(\w+)="([^"]*)"', match.group(1)))
            body = match.group(2)
            topics = re.search(r"<TOPICS>(.*?)</TOPICS>", body, re.S)
            day = DATE.search(body)
            title = re.search(r"<TITLE>(.*?)</TITLE>", body, re.S)
            records.append(
                {
                    "newid": int(attributes["NEWID"]),
                    "judged": attributes["TOPICS"] == "YES",
                    "topics": re.findall(r"<D>(.*?)</D>", topics.group(1)) if topics else [],
                    "date": datetime.date(int(day.group(3)), MONTHS[day.group(2)], int(day.group(1))),
                    "title": " ".join(html.unescape(title.group(1)).split()) if title else "",
                }
            )
    return records


def news_text(news, record):
    """The record's file in the news folder, and its text after the date line."""
    relative = f"{record['date']:%Y-%m}/reut-{record['newid']:05d}.txt"
    path = news / relative
    if not path.exists():
        return relative, None
    text = path.read_text(encoding="utf-8")
    prefix = f" date {record['date']:%Y-%m-%d} "
    if not text.startswith(prefix):
        sys.exit(f"make_judgments: {path} does not start with {prefix!r}")
    return relative, text[len(prefix):].strip()


def period(text, end):
    """The first (or last, when `end`) day of YYYY, YYYY-MM or YYYY-MM-DD."""
    parts = [int(p) for p in text.split("-")]
    if len(parts) == 3:
        return datetime.date(*parts)
    if len(parts) == 2:
        year, month = parts
        if not end:
            return datetime.date(year, month, 1)
        following = datetime.date(year + month // 12, month % 12 + 1, 1)
        return following - datetime.timedelta(days=1)
    return datetime.date(parts[0], 12, 31) if end else datetime.date(parts[0], 1, 1)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="the folder to write the collection to")
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data", help="the shared data folder")
    parser.add_argument("--with-unjudged", action="store_true", help="also the records never judged for topics")
    parser.add_argument("--update-qrels", action="store_true", help="rewrite bench/news/qrels/test.tsv")
    args = parser.parse_args()

    records = read_records(args.data / "reuters21578")
    queries = [json.loads(line) for line in QUERIES.read_text().splitlines() if line.strip()]
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "qrels").mkdir(exist_ok=True)

    corpus = []
    with open(args.out / "corpus.jsonl", "w", encoding="utf-8") as out:
        for record in records:
            if not (record["judged"] or args.with_unjudged):
                continue
            relative, text = news_text(args.data / "news-folder", record)
            if text is None:
                continue  # the one record with no text at all
            line = {"_id": relative, "title": record["title"], "text": text, "date": f"{record['date']}"}
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
            if record["judged"]:
                corpus.append((relative, record))

    lines = ["query-id\tcorpus-id\tscore"]
    for query in queries:
        since = period(query["since"], end=False) if "since" in query else datetime.date.min
        until = period(query["until"], end=True) if "until" in query else datetime.date.max
        relevant = [
            relative
            for relative, record in corpus
            if query["topic"] in record["topics"] and since <= record["date"] <= until
        ]
        if not relevant:
            sys.exit(f"make_judgments: query {query['_id']} ({query['text']!r}) has no relevant article")
        lines.extend(f"{query['_id']}\t{relative}\t1" for relative in relevant)
    qrels = "\n".join(lines) + "\n"

    if args.update_qrels:
        QRELS.parent.mkdir(exist_ok=True)
        QRELS.write_text(qrels)
    elif QRELS.read_text() != qrels:
        sys.exit(f"make_judgments: the judgments computed differ from {QRELS}; --update-qrels rewrites it")
    (args.out / "qrels" / "test.tsv").write_text(qrels)
    (args.out / "queries.jsonl").write_text(QUERIES.read_text())
    judged = len(lines) - 1
    print(
        f"make_judgments: {args.out}: {len(corpus)} judged articles"
        f"{' and the unjudged ones' if args.with_unjudged else ''}, {len(queries)} queries,"
        f" {judged} relevant judgments",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
