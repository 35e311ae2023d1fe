#!/usr/bin/env bash
# Benchmark: build release, generate a synthetic estate (Entra tenant by default), scan it
# to each format under /usr/bin/time -v, and print wall time, CPU time (user and system:
# writing a large report into the page cache is system time), throughput (MB/s and
# identities/s) and peak RSS in decimal MB (1 MB = 10^6 bytes, the unit of the input's size)
# and as a multiple of the input's size.
#
#   scripts/bench.sh [IDENTITIES] [RUNS]      (defaults: 50000 3)
#   PROVIDER=aws|gcp|k8s scripts/bench.sh 30000 3
#
# Inputs go to ${BENCH_DIR:-/tmp/nhiscan-bench}/PROVIDER-N; nothing is written to the repo.
# FORMATS="json table" (default) lists the formats timed.
# NO_BUILD=1 skips the cargo build and uses the binaries already in target/release.
# NHISCAN=PATH measures that binary instead of target/release/nhiscan (for example a copy,
# so that a concurrent build cannot replace it during the run).
# Run it on an otherwise idle machine: the load average is printed first.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-50000}
runs=${2:-3}
provider=${PROVIDER:-entra}
dir=${BENCH_DIR:-/tmp/nhiscan-bench}/$provider-$n
now=2026-11-01T00:00:00Z

if [ "${NO_BUILD:-0}" != 1 ]; then
  cargo build --release --quiet --bin nhiscan --example synth
fi
if [ ! -d "$dir" ]; then
  ./target/release/examples/synth --provider "$provider" --identities "$n" --out "$dir"
fi
bin=${NHISCAN:-./target/release/nhiscan}
bytes=$(du -sb "$dir" | cut -f1)
echo "input: $dir, $n $provider identities, $((bytes / 1000000)) MB"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "binary: $bin, sha256 $(sha256sum "$bin" | cut -c1-16)…, built $(date -u -r "$bin" +%Y-%m-%dT%H:%M:%SZ)"
for format in ${FORMATS:-json table}; do
  for run in $(seq "$runs"); do
    out=$(mktemp)
    /usr/bin/time -v "$bin" scan "$dir" --now "$now" --format "$format" -o "$out" 2> "$out.time" || true
    wall=$(grep 'Elapsed (wall clock)' "$out.time" | awk '{print $NF}')
    rss=$(grep 'Maximum resident' "$out.time" | awk '{print $NF}')
    user=$(grep 'User time' "$out.time" | awk '{print $NF}')
    sys=$(grep 'System time' "$out.time" | awk '{print $NF}')
    secs=$(echo "$wall" | awk -F: '{ if (NF == 3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
    awk -v f="$format" -v r="$run" -v s="$secs" -v b="$bytes" -v n="$n" -v rss="$rss" -v o="$(stat -c %s "$out")" -v u="$user" -v k="$sys" \
      'BEGIN { printf "%-5s run %d: %6.2f s (cpu %.2f user + %.2f sys)  %7.1f MB/s  %8.0f identities/s  peak RSS %5.0f MB (%.3f× input)  output %4.0f MB\n", f, r, s, u, k, b/1e6/s, n/s, rss*1024/1e6, rss*1024/b, o/1e6 }'
    rm -f "$out" "$out.time"
  done
done
