#!/usr/bin/env python3
"""The report of benches/compare.sh: markdown tables of medians from its results folder.

    compare_report.py --results WORK/compare/results --sizes 1000,10000 --warmup 1

Reads runs.tsv (one row per measured process), sizes.tsv (output sizes), discard.tsv (time to
delete each run's output), meta.tsv (versions and machine) and the logs of the runs.
"""

import argparse
import csv
import os
import re
import statistics
from collections import defaultdict

PEERS = [  # (key, label); hindsight (cold build) / each is the ratio column
    ("hugo", "Hugo"),
    ("pagefind", "Pagefind alone (on Hugo's output)"),
    ("hugo+pagefind", "Hugo + Pagefind"),
    ("zola", "Zola"),
    ("floor", "floor (benches/floor, 1 thread)"),
]
OWN = [  # hindsight's other rows; the ratio column gives row / cold build
    ("hs-warm", "hindsight build, warm cache (fresh output)"),
    ("hs-rebuild2", "hindsight rebuild, no change (2nd build into the output)"),
    ("hs-rebuild3", "hindsight rebuild, no change again (3rd build)"),
    ("hs-touch", "hindsight rebuild, one postmortem edited (first real rebuild: no staging folder yet, every file written)"),
    ("hs-touch2", "hindsight rebuild, one postmortem edited again (the previous generation is the staging folder)"),
    ("hs-check", "hindsight check"),
]


def read_tsv(path):
    if not os.path.exists(path):
        return []
    with open(path, newline="") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def fmt_s(x):
    return f"{x:.2f} s" if x < 10 else f"{x:.1f} s"


def fmt_mb(b):
    return f"{b / 1e6:.1f} MB" if b < 1e8 else f"{b / 1e6:.0f} MB"


def median_round(values):
    """The round whose value is the median (the lower middle one for an even count)."""
    ordered = sorted(values.items(), key=lambda kv: (kv[1], kv[0]))
    return ordered[(len(ordered) - 1) // 2][0]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--results", required=True)
    ap.add_argument("--sizes", required=True)
    ap.add_argument("--warmup", type=int, default=1)
    args = ap.parse_args()
    res = args.results

    meta = {}
    for line in open(os.path.join(res, "meta.tsv")):
        key, _, value = line.rstrip("\n").partition("\t")
        meta[key] = value

    # runs[n][tool][round] = measurements
    runs = defaultdict(lambda: defaultdict(dict))
    for row in read_tsv(os.path.join(res, "runs.tsv")):
        m = {
            "wall": float(row["wall_s"]),
            "user": float(row["user_s"]),
            "sys": float(row["sys_s"]),
            "rss": int(row["maxrss_kb"]) * 1024,
            "written": int(row["written_blocks"]) * 512,
            "busy": row["busy"] == "1",
            "load1": float(row["load1"]),
        }
        runs[int(row["n"])][row["tool"]][int(row["round"])] = m
    sizes = defaultdict(dict)
    for row in read_tsv(os.path.join(res, "sizes.tsv")):
        sizes[int(row["n"])][row["tool"]] = (int(row["bytes"]), int(row["allocated"]), int(row["files"]))
    discards = defaultdict(list)
    for row in read_tsv(os.path.join(res, "discard.tsv")):
        discards[int(row["n"])].append((row["label"], int(row["ms"]), int(row["files"])))

    skipped = {
        "hugo": "no Hugo that builds the generator's layouts",
        "pagefind": "not installed",
        "zola": "no zola binary on PATH",
    }
    print(f"### Build benchmark, {meta.get('date', '?')}")
    print()
    print(f"Machine: {meta.get('machine', '?')}.  ")
    tools = [f"hindsight {meta.get('hindsight', '?')}"]
    tools.append(f"Hugo {meta['hugo']}" if meta.get("hugo") else "Hugo: skipped")
    tools.append(f"Pagefind {meta['pagefind']}" if meta.get("pagefind") else "Pagefind: skipped")
    tools.append(f"Zola {meta['zola']}" if meta.get("zola") else f"Zola: skipped ({skipped['zola']})")
    tools.append(f"floor: {meta.get('floor', '?')}")
    print("Tools: " + "; ".join(tools) + ".  ")
    print(f"Corpora: {meta.get('generator', '?')}.")

    for n in [int(s) for s in args.sizes.split(",") if s]:
        by_tool = runs.get(n)
        if not by_tool:
            continue
        # hugo + pagefind, round by round.
        if "hugo" in by_tool and "pagefind" in by_tool:
            both = {}
            for r, h in by_tool["hugo"].items():
                p = by_tool["pagefind"].get(r)
                if p:
                    both[r] = {
                        "wall": h["wall"] + p["wall"],
                        "user": h["user"] + p["user"],
                        "sys": h["sys"] + p["sys"],
                        "rss": max(h["rss"], p["rss"]),
                        "written": h["written"] + p["written"],
                        "busy": h["busy"] or p["busy"],
                        "load1": max(h["load1"], p["load1"]),
                    }
            by_tool["hugo+pagefind"] = both
        counted = {t: {r: m for r, m in rs.items() if r > args.warmup} for t, rs in by_tool.items()}
        cold = counted.get("hs-cold", {})
        rounds = len(cold)

        def med(tool, key):
            return statistics.median(m[key] for m in counted[tool].values())

        def ratio(num, den):
            """Median over the counted rounds of num[r] / den[r]."""
            rs = [num[r]["wall"] / den[r]["wall"] for r in num if r in den and den[r]["wall"] > 0]
            return statistics.median(rs) if rs else None

        def size_cell(tool):
            s = sizes[n].get(tool)
            if not s:
                return "—"
            return f"{fmt_mb(s[0])}, {s[2]:,} files"

        def cells(tool):
            user, sys_ = med(tool, "user"), med(tool, "sys")
            cpu = statistics.median(m["user"] + m["sys"] for m in counted[tool].values())
            return [
                fmt_s(med(tool, "wall")),
                f"{fmt_s(cpu)} ({user:.1f} user + {sys_:.1f} sys)",
                f"{med(tool, 'rss') / 1e6:.0f} MB",
            ]

        print()
        print(f"#### {n:,} postmortems: medians of {rounds} runs after {args.warmup} warm-up")
        print()
        print("| tool | wall | CPU (user + sys) | peak RSS | output | hindsight ÷ tool (wall) |")
        print("|---|---|---|---|---|---|")
        if cold:
            print("| **hindsight build, cold** (no .hindsight cache, fresh output) | "
                  + " | ".join(cells("hs-cold")) + f" | {size_cell('hs-cold')} | 1 |")
        for tool, label in PEERS:
            if counted.get(tool):
                r = ratio(cold, counted[tool])
                size = size_cell(tool) if tool != "pagefind" else (
                    f"+{fmt_mb(sizes[n]['hugo+pagefind'][0] - sizes[n]['hugo'][0])}, "
                    f"+{sizes[n]['hugo+pagefind'][2] - sizes[n]['hugo'][2]:,} files"
                    if "hugo+pagefind" in sizes[n] and "hugo" in sizes[n] else "—")
                print(f"| {label} | " + " | ".join(cells(tool)) + f" | {size} | **{r:.2f}** |")
            else:
                why = skipped.get(tool.split("+")[-1], "not measured")
                print(f"| {label} | skipped ({why}) | | | | |")
        for tool, label in OWN:
            if counted.get(tool):
                r = ratio(counted[tool], cold)
                size = {"hs-warm": "same as cold", "hs-check": "(writes nothing)"}.get(tool, "same output folder")
                print(f"| {label} | " + " | ".join(cells(tool)) + f" | {size} | ({r:.2f} × cold build) |")
        if cache := sizes[n].get("hs-cache"):
            print()
            print(f"hindsight's cache DIR/.hindsight after a cold build (parse cache, tantivy index, manifests): "
                  f"{fmt_mb(cache[0])}, {cache[2]:,} files (not in the output column).")

        # Targets (the are for 10,000 postmortems).
        if cold:
            print()
            lines = []
            if counted.get("hugo"):
                r = ratio(cold, counted["hugo"])
                lines.append(f"wall ≤ 0.4 × Hugo's: {r:.2f} × ({'met' if r <= 0.4 else 'missed'})")
            if counted.get("floor"):
                r = ratio(cold, counted["floor"])
                lines.append(f"wall ≤ 1.5 × the floor's: {r:.2f} × ({'met' if r <= 1.5 else 'missed'})")
            rss = med("hs-cold", "rss") / 1e6
            lines.append(f"peak RSS ≤ 400 MB: {rss:.0f} MB ({'met' if rss <= 400 else 'missed'})")
            print("Targets (hindsight cold build; the issue sets them at 10,000): " + "; ".join(lines) + ".")

        # --timings of the median cold run, and the floor's own breakdown.
        for tool, title in (("hs-cold", "cold"), ("hs-warm", "warm")):
            if not counted.get(tool):
                continue
            r = median_round({k: m["wall"] for k, m in counted[tool].items()})
            path = os.path.join(res, f"{n}-{tool}.{r}.log")
            if os.path.exists(path):
                text = open(path).read()
                at = text.find("stage ")
                table = text[at:].strip() if at >= 0 else "(no --timings table in the log)"
                print()
                print(f"hindsight `--timings`, median {title} build (round {r}, "
                      f"{counted[tool][r]['wall']:.2f} s wall under /usr/bin/time):")
                print()
                print("```")
                print(table)
                print("```")
        if counted.get("floor"):
            r = median_round({k: m["wall"] for k, m in counted["floor"].items()})
            path = os.path.join(res, f"{n}-floor.{r}.log")
            if os.path.exists(path):
                line = next((l for l in open(path) if l.startswith("floor:")), "").strip()
                print()
                print(f"Floor, median run: `{line}`")

        # Details: every run, bytes written, machine load, deletions.
        print()
        print("<details><summary>all runs</summary>")
        print()
        for tool in ["hs-cold", "hs-warm", "hs-rebuild2", "hs-rebuild3", "hs-touch", "hs-touch2", "hs-check",
                     "hugo", "pagefind", "zola", "floor"]:
            rs = by_tool.get(tool)
            if not rs:
                continue
            walls = ", ".join(
                (f"({m['wall']:.2f})" if r <= args.warmup else f"{m['wall']:.2f}") + ("*" if m["busy"] else "")
                for r, m in sorted(rs.items()))
            written = statistics.median(m["written"] for m in counted[tool].values())
            loads = [m["load1"] for m in counted[tool].values()]
            print(f"- {tool}: wall s {walls}; bytes written (kernel count, median) {fmt_mb(written)}; "
                  f"load average before: {min(loads):.2f}–{max(loads):.2f}")
        for label, ms, files in discards[n]:
            print(f"- deleting {label} (rm -rf + sync, after the measurements): "
                  f"{ms / 1000:.1f} s for {files:,} files and folders")
        print()
        print("(warm-up) in brackets; * = cargo or rustc was running at the start or end of the run.")
        print()
        print("</details>")

    print()
    print("Wall: whole process, from the fork of /usr/bin/time to its exit. CPU: user + system time of "
          "the process and its threads. Peak RSS: maximum resident set size. Output: apparent bytes "
          "and files of the output folder (Hugo + Pagefind: with pagefind/; Pagefind's row: what it "
          "adds). Ratio: median over the runs of hindsight's cold build wall time ÷ the tool's, "
          "measured in the same round (tools interleaved, order rotated each round); hindsight's "
          "own rows give row ÷ cold build. Every build writes into a new folder; outputs are deleted "
          "only after all runs of a size, and no run starts within 65 s of a deletion (ext4 without "
          "a journal scans recently freed inodes on every file creation; see benches/compare.sh).")


if __name__ == "__main__":
    main()
