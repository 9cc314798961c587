#!/usr/bin/env bash
# `hindsight serve` benchmark: startup time and memory, save-to-reload latency, and a bounded
# loopback load test, on a generated corpus. Prints a markdown table.
#
#   benches/serve.sh [--count N] [--work DIR] [--seed S] [--saves K] [--pause SEC]
#                    [--rapid-pause SEC] [--wrk-duration SEC] [--wrk-threads T]
#                    [--wrk-connections C] [--wrk-warmup SEC] [--no-wrk]
#                    [--build-date YYYY-MM-DD]
#
#   --count N        postmortems to generate (default 10000)
#   --work DIR       cache of generated corpora and results (default /tmp/hindsight-bench,
#                    or $HINDSIGHT_BENCH_DIR); corpora are generated once into DIR/corpus/N-native
#                    (shared with benches/search.sh) and copied to a scratch folder per run,
#                    since the benchmark edits files; the scratch folder is removed at the end
#   --saves K        saves per kind of edit and pacing (default 20, at least 20)
#   --pause SEC      pause after each reload before the next save (default 3)
#   --rapid-pause S  the same for the "rapid saves" series (default 0.5)
#   --no-wrk         skip the load test
#
# Steps (benches/serve_bench.py does the measuring; its docstring has the details):
#   1. startup: `hindsight serve COPY --port 0 --build-date D --timings`, time from launch to
#      the "Serving" line, and to /api/search answering; VmRSS and VmHWM (peak) of the server
#      from /proc/PID/status then, after the saves and after the load test;
#   2. save-to-reload latency over the live-reload event stream (/__hindsight/events), for a
#      body edit (append a sentence) and a front-matter edit (title), K saves each with 3 s
#      pauses and K more with 0.5 s pauses, on published postmortems chosen with a seeded RNG;
#      saved as editors do (temporary file + rename); median, p90, max; plus the median of
#      each step of the server's --timings lines;
#   3. connections: sequential GETs on one keep-alive connection against a new connection
#      each (a ~40 ms gap is Nagle's algorithm meeting delayed ACKs), and bursts of 6 and 32
#      new keep-alive connections opened at once after 6 s idle (how many get an answer within
#      5 s); then wrk (Debian's; installed with apt-get when missing and running as root, else
#      skipped with a notice): 30 s, 2 threads, 32 connections against a postmortem page, the
#      home page and /api/search?q=database, each after a discarded 3 s warm-up run, with
#      --latency and a Lua script counting statuses; requests/s, p50, p99, non-2xx and
#      socket errors;
#   4. stops the server with SIGINT and prints the table with the machine and date.
# Every step runs under a timeout. Results (JSON, markdown, server log, wrk output) are kept
# in DIR/results/serve-N-TIMESTAMP/.
#
# Tools: the hindsight binary (HINDSIGHT, default target/release/hindsight; never builds
# it), the corpus generator (GEN_CORPUS, default /work/shared/bench/gen-corpus), python3 >= 3.8.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
work="${HINDSIGHT_BENCH_DIR:-/tmp/hindsight-bench}"
count=10000
seed=1
saves=20
pause=3
rapid_pause=0.5
wrk_duration=30
wrk_threads=2
wrk_connections=32
wrk_warmup=3
no_wrk=""
build_date="2026-11-26"
gen="${GEN_CORPUS:-/work/shared/bench/gen-corpus}"
hindsight="${HINDSIGHT:-$repo/target/release/hindsight}"

while [ $# -gt 0 ]; do
  case "$1" in
    --count) count="$2"; shift ;;
    --work) work="$2"; shift ;;
    --seed) seed="$2"; shift ;;
    --saves) saves="$2"; shift ;;
    --pause) pause="$2"; shift ;;
    --rapid-pause) rapid_pause="$2"; shift ;;
    --wrk-duration) wrk_duration="$2"; shift ;;
    --wrk-threads) wrk_threads="$2"; shift ;;
    --wrk-connections) wrk_connections="$2"; shift ;;
    --wrk-warmup) wrk_warmup="$2"; shift ;;
    --no-wrk) no_wrk=1 ;;
    --build-date) build_date="$2"; shift ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { echo "serve.sh: $*" >&2; exit 1; }

[[ "$count" =~ ^[0-9]+$ ]] && [ "$count" -ge 100 ] || die "--count must be a number >= 100"
[[ "$saves" =~ ^[0-9]+$ ]] && [ "$saves" -ge 20 ] || die "--saves must be a number >= 20"
[ "$(uname -s)" = Linux ] || die "Linux only (memory is read from /proc/PID/status)"
[ -x "$hindsight" ] || die "no hindsight binary at $hindsight (build it with cargo build --release, or set HINDSIGHT)"
[ -x "$gen" ] || die "no corpus generator at $gen (set GEN_CORPUS)"
command -v python3 >/dev/null || die "python3 is required"
python3 -c 'import sys; sys.exit(sys.version_info < (3, 8))' || die "python3 >= 3.8 is required"

# Bounds: generation and startup grow with N; the measuring script's own steps are bounded
# too, and the whole of it is bounded here.
t_gen=$(( 120 + count / 20 ))
t_startup=$(( 120 + count / 20 ))
t_total=$(( 2 * t_startup + 8 * saves * 30 + 3 * (wrk_duration + wrk_warmup + 120) + 600 ))

# --- wrk ---------------------------------------------------------------------------------
wrk_bin=""
wrk_skip=""
if [ -n "$no_wrk" ]; then
  wrk_skip="--no-wrk given"
elif command -v wrk >/dev/null; then
  wrk_bin="$(command -v wrk)"
elif [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  log "wrk not found: installing Debian's wrk with apt-get"
  if ! timeout 300 apt-get install -y -q wrk >&2; then
    timeout 300 apt-get update -q >&2 || true
    timeout 300 apt-get install -y -q wrk >&2 || true
  fi
  wrk_bin="$(command -v wrk || true)"
  [ -n "$wrk_bin" ] || wrk_skip="apt-get install wrk failed"
else
  wrk_skip="wrk is not installed (apt-get install wrk as root, then run again)"
fi
[ -z "$wrk_skip" ] || log "NOTICE: skipping the load test: $wrk_skip"

# --- corpus ------------------------------------------------------------------------------
mkdir -p "$work/corpus" "$work/results" "$work/scratch"
corpus="$work/corpus/$count-native"
if [ ! -f "$corpus/.complete" ]; then
  log "generating $count native postmortems into $corpus"
  rm -rf "$corpus" "$corpus.tmp"
  timeout "$t_gen" "$gen" --count "$count" --out "$corpus.tmp" --flavor native >&2
  touch "$corpus.tmp/.complete"
  mv "$corpus.tmp" "$corpus"
fi

scratch="$(mktemp -d "$work/scratch/serve-$count.XXXXXX")"
stamp="$(date +%Y%m%d-%H%M%S)"
results="$work/results/serve-$count-$stamp"
mkdir -p "$results"
pid_file="$scratch/server.pid"

cleanup() {
  local code=$?
  # The measuring script stops the server; if it could not, stop it here (SIGINT, then KILL).
  if [ -f "$pid_file" ]; then
    local pid
    pid="$(cat "$pid_file" 2>/dev/null || true)"
    if [ -n "$pid" ] && grep -qa hindsight "/proc/$pid/cmdline" 2>/dev/null; then
      log "stopping the server (pid $pid)"
      kill -INT "$pid" 2>/dev/null || true
      for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  rm -rf "$scratch"
  exit "$code"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# A fresh copy without any earlier build output or search index (benches/search.sh builds
# into the cached corpus).
log "copying $corpus to $scratch/kb"
mkdir "$scratch/kb"
for entry in "$corpus"/* ; do
  case "$(basename "$entry")" in public) continue ;; esac
  timeout 600 cp -a "$entry" "$scratch/kb/"
done

log "hindsight $("$hindsight" --version) ($(date -u -r "$hindsight" '+built %Y-%m-%d %H:%M UTC')); work dir $work"
set +e
timeout -s TERM -k 60 "$t_total" python3 "$here/serve_bench.py" \
  --hindsight "$hindsight" --kb "$scratch/kb" --count "$count" --build-date "$build_date" \
  --seed "$seed" --saves "$saves" --pause "$pause" --rapid-pause "$rapid_pause" \
  --wrk "$wrk_bin" --wrk-skip-reason "$wrk_skip" --wrk-duration "$wrk_duration" \
  --wrk-threads "$wrk_threads" --wrk-connections "$wrk_connections" --wrk-warmup "$wrk_warmup" \
  --startup-timeout "$t_startup" --out "$results/results.json" --logs "$results" \
  --pid-file "$pid_file" | tee "$results/report.md"
code=${PIPESTATUS[0]}
set -e
[ "$code" = 124 ] && log "the measuring script ran out of time (${t_total} s)"
log "results, server log and wrk output: $results"
exit "$code"
