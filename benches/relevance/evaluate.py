#!/usr/bin/env python3
"""Relevance evaluation of hindsight search against the judged query set.

Usage (from the repository root):

    python3 benches/relevance/evaluate.py target/release/hindsight ../shared/corpus/real

What it does:
  1. copies the corpus to a temporary directory (the corpus itself is never
     written to) and runs `hindsight build <copy> --build-date ...` once;
  2. for every query in queries.toml, clean and misspelled, runs
     `hindsight search <copy> "<query>" --json --limit 10` (the CLI end), and
     feeds the same queries to `node tests/js/run_queries.js <copy>/public 10`
     (the browser end: the site's real search.js on the static index), mapping
     the page URLs it returns back to source files through
     <copy>/public/postmortems.json;
  3. prints a markdown table with, per query and as means: precision@5 and
     recall@10 for the clean query, recall@10 for the misspelled one, for both
     ends side by side.

Python 3.11+ standard library only. Node is optional (`--no-browser`, or it is
skipped with a warning when `node` is not found).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
K_PRECISION = 5
K_RECALL = 10


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("binary", help="path to the hindsight binary (e.g. target/release/hindsight)")
    p.add_argument("corpus", help="corpus root holding hindsight.toml (e.g. ../shared/corpus/real)")
    p.add_argument("--queries", default=str(HERE / "queries.toml"), help="judged query file")
    p.add_argument("--build-date", default="2026-11-26", help="pinned build date (YYYY-MM-DD)")
    p.add_argument("--runner", default=str(REPO / "tests/js/run_queries.js"),
                   help="node script running the browser search (tests/js/run_queries.js)")
    p.add_argument("--node", default="node", help="node executable")
    p.add_argument("--no-browser", action="store_true", help="only evaluate the CLI end")
    p.add_argument("--details", action="store_true",
                   help="also list, per query, relevant documents missing from the top 10 "
                        "(with their rank in the top 100) and irrelevant documents in the top 5")
    p.add_argument("--json-out", help="also write all rankings and metrics to this JSON file")
    p.add_argument("--keep", action="store_true", help="keep the temporary build directory")
    p.add_argument("--fail-under", nargs=2, type=float, metavar=("CLEAN", "TYPO"),
                   help="exit 1 if the mean CLI recall@10 (clean, misspelled) is below these")
    return p.parse_args()


def load_queries(path: str) -> list[dict]:
    with open(path, "rb") as f:
        data = tomllib.load(f)
    queries = data.get("query", [])
    for q in queries:
        for key in ("query", "misspelled", "relevant"):
            if key not in q:
                sys.exit(f"{path}: query {q.get('query')!r} has no {key!r}")
    return queries


def run(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    res = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if res.returncode != 0:
        sys.exit(f"command failed ({res.returncode}): {' '.join(cmd)}\n{res.stderr}")
    return res


def cli_search(binary: str, kb: Path, query: str, limit: int) -> list[str]:
    res = run([binary, "search", str(kb), query, "--json", "--limit", str(limit)])
    out = json.loads(res.stdout)
    return [r["source"] for r in out.get("results", [])]


def browser_search(node: str, runner: str, public: Path, queries: list[str], limit: int) -> dict[str, list[str]]:
    """Runs all queries through the site's search.js; returns query -> source paths."""
    index = json.loads((public / "postmortems.json").read_text(encoding="utf8"))
    by_path = {}
    for pm in index["postmortems"]:
        by_path[pm["path"].strip("/")] = pm["source"]
        by_path[pm["slug"]] = pm["source"]
    stdin = "".join(json.dumps({"query": q}) + "\n" for q in queries)
    res = run([node, runner, str(public), str(limit)], input=stdin)
    out: dict[str, list[str]] = {}
    for line in res.stdout.splitlines():
        if not line.strip():
            continue
        rec = json.loads(line)
        sources = []
        for url in rec["top"]:
            key = url.split("://", 1)[-1].strip("/")
            if key not in by_path:  # absolute URL or other prefix: fall back to the slug
                key = key.rsplit("/", 1)[-1]
            if key not in by_path:
                sys.exit(f"browser result {url!r} does not map to a postmortem")
            sources.append(by_path[key])
        out[rec["query"]] = sources
    missing = [q for q in queries if q not in out]
    if missing:
        sys.exit(f"browser runner gave no answer for {missing[:3]}")
    return out


def precision_at(ranked: list[str], relevant: set[str], k: int) -> float:
    return sum(1 for s in ranked[:k] if s in relevant) / k


def recall_at(ranked: list[str], relevant: set[str], k: int) -> float:
    if not relevant:
        return 1.0
    return sum(1 for s in ranked[:k] if s in relevant) / len(relevant)


def short(path: str) -> str:
    """postmortems/2019/2019-05-04-firefox-....md -> 2019-05-04-firefox-..."""
    name = path.rsplit("/", 1)[-1]
    return name[:-3] if name.endswith(".md") else name


def fmt(x: float | None) -> str:
    return "–" if x is None else f"{x:.2f}"


def main() -> int:
    args = parse_args()
    binary = os.path.abspath(args.binary)
    corpus = Path(args.corpus).resolve()
    if not (corpus / "hindsight.toml").is_file():
        sys.exit(f"{corpus} does not look like a knowledge base (no hindsight.toml)")
    queries = load_queries(args.queries)

    browser = not args.no_browser
    if browser and shutil.which(args.node) is None:
        print(f"warning: {args.node!r} not found; skipping the browser end", file=sys.stderr)
        browser = False

    tmp = Path(tempfile.mkdtemp(prefix="hindsight-relevance-"))
    try:
        kb = tmp / "corpus"
        shutil.copytree(corpus, kb, ignore=shutil.ignore_patterns("public", ".hindsight"))
        run([binary, "build", str(kb), "--build-date", args.build_date])

        texts = [t for q in queries for t in (q["query"], q["misspelled"])]
        cli = {t: cli_search(binary, kb, t, K_RECALL) for t in texts}
        web = browser_search(args.node, args.runner, kb / "public", texts, K_RECALL) if browser else {}
        deep = {}
        if args.details:
            deep = {t: cli_search(binary, kb, t, 100) for t in texts}
    finally:
        if args.keep:
            print(f"kept build in {tmp}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)

    rows = []
    for q in queries:
        rel = set(q["relevant"])
        row = {"query": q["query"], "misspelled": q["misspelled"], "relevant": sorted(rel)}
        for end, ranks in (("cli", cli), ("web", web)):
            if not ranks:
                continue
            row[end] = {
                "p5": precision_at(ranks[q["query"]], rel, K_PRECISION),
                "r10": recall_at(ranks[q["query"]], rel, K_RECALL),
                "p5_typo": precision_at(ranks[q["misspelled"]], rel, K_PRECISION),
                "r10_typo": recall_at(ranks[q["misspelled"]], rel, K_RECALL),
                "top": ranks[q["query"]],
                "top_typo": ranks[q["misspelled"]],
            }
        rows.append(row)

    def mean(end: str, key: str) -> float | None:
        vals = [r[end][key] for r in rows if end in r]
        return sum(vals) / len(vals) if vals else None

    ends = ["cli"] + (["web"] if browser else [])
    label = {"cli": "CLI", "web": "browser"}
    print(f"# hindsight relevance: {len(rows)} queries, "
          f"{sum(len(r['relevant']) for r in rows)} judgments\n")
    print(f"P@5 = precision at 5, R@10 = recall at 10; *typo* = the misspelled form. "
          f"Ends: {', '.join(label[e] for e in ends)}.\n")
    head = ["query", "rel"]
    for e in ends:
        head += [f"{label[e]} P@5", f"{label[e]} R@10", f"{label[e]} R@10 typo"]
    print("| " + " | ".join(head) + " |")
    print("|" + "|".join(["---"] + ["--:"] * (len(head) - 1)) + "|")
    for r in rows:
        cells = [f"`{r['query']}` / `{r['misspelled']}`", str(len(r["relevant"]))]
        for e in ends:
            cells += [fmt(r[e]["p5"]), fmt(r[e]["r10"]), fmt(r[e]["r10_typo"])]
        print("| " + " | ".join(cells) + " |")
    cells = ["**mean**", ""]
    for e in ends:
        cells += [f"**{fmt(mean(e, 'p5'))}**", f"**{fmt(mean(e, 'r10'))}**", f"**{fmt(mean(e, 'r10_typo'))}**"]
    print("| " + " | ".join(cells) + " |")
    print()
    for e in ends:
        print(f"- {label[e]}: P@5 {fmt(mean(e, 'p5'))}, R@10 {fmt(mean(e, 'r10'))}, "
              f"misspelled P@5 {fmt(mean(e, 'p5_typo'))}, misspelled R@10 {fmt(mean(e, 'r10_typo'))}")
    if browser:
        differ = [r["query"] for r in rows
                  if r["cli"]["top"] != r["web"]["top"] or r["cli"]["top_typo"] != r["web"]["top_typo"]]
        print(f"- CLI and browser top-10 lists differ for {len(differ)} of {len(rows)} queries"
              + (f": {', '.join(differ)}" if differ else ""))

    if args.details:
        print("\n## Details (CLI)\n")
        for r in rows:
            rel = set(r["relevant"])
            for form in ("query", "misspelled"):
                text = r[form]
                ranked = deep[text]
                top = cli[text]
                missing = [s for s in r["relevant"] if s not in top[:K_RECALL]]
                noise = [s for s in top[:K_PRECISION] if s not in rel]
                if not missing and not noise:
                    continue
                print(f"- `{text}`")
                for s in missing:
                    rank = ranked.index(s) + 1 if s in ranked else None
                    print(f"  - missing: {short(s)} (rank {rank if rank else '>100 / not matched'})")
                for s in noise:
                    print(f"  - top-5 irrelevant: #{top.index(s) + 1} {short(s)}")

    if args.json_out:
        Path(args.json_out).write_text(json.dumps({"queries": rows, "means": {
            e: {k: mean(e, k) for k in ("p5", "r10", "p5_typo", "r10_typo")} for e in ends}},
            indent=1), encoding="utf8")

    if args.fail_under:
        clean, typo = args.fail_under
        if mean("cli", "r10") < clean or mean("cli", "r10_typo") < typo:
            print(f"FAIL: mean CLI recall@10 below {clean} (clean) / {typo} (misspelled)", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
