#!/usr/bin/env bash
# Compare nhiscan with cloudsplaining and parliament on AWS IAM exports: correctness on a
# public sample, then wall time and peak memory on generated accounts. The results are
# written up in docs/comparisons.md and in the "AWS IAM" section of docs/performance.md.
#
#   scripts/compare-peers.sh [all|correctness|performance]      (default: all)
#
# What it does:
#   1. Creates a scratch virtualenv with the peers if it is missing
#      (python3 -m venv "$PEERS_VENV"; pip install cloudsplaining==… parliament==…).
#      The peers are not a dependency of nhiscan, and CI never runs this script.
#   2. correctness: runs cloudsplaining (default exclusions, and an exclusions file that
#      excludes nothing), parliament and nhiscan on
#      ../shared/samples/aws/cloudsplaining_examples_example_authz_details.json and prints,
#      per principal flagged for privilege escalation by cloudsplaining, nhiscan's verdict
#      (AWS-002 with its method ids, or AWS-001 full admin), then the principals only nhiscan
#      flags, then a count of parliament's findings by issue.
#   3. performance: generates the inputs with the synth example if they are missing
#      (--provider aws --identities 3000 and 30000), then times under /usr/bin/time -v:
#        - nhiscan on the 3,000-principal directory (authorization details + credential
#          report) and on its authorization-details file alone, $RUNS runs each;
#        - cloudsplaining scan and parliament --auth-details-file on the same file,
#          $PEER_RUNS run(s) each, each capped by `timeout $PEER_TIMEOUT`;
#        - nhiscan on the 30,000-principal directory, $RUNS runs;
#      and prints a table (every run's wall time, median wall and CPU time, peak RSS) and the
#      speed-up factors (median peer time / median nhiscan time, wall and CPU).
#      A run of nhiscan on 3,000 principals takes a few ticks of /usr/bin/time's 10 ms clock,
#      so if `perf` is installed nhiscan's 3,000-principal runs are also timed with
#      `perf stat -r $PERF_RUNS` (mean wall time and its standard error, which is
#      what perf prints after "+-"), and the speed-ups are given against that mean as well.
#      The same runs are then repeated $PERF_RUNS times each and timed by hyperfine if it
#      is installed (else from Python); their median (with quartiles and extremes) gives a
#      third set of speed-ups that one slow run cannot move.
#      Each timed line also shows "others": the CPU time the rest of the machine used during
#      that run (from /proc/stat). On a shared machine, discard the runs it marks as busy
#      (the summary table does not leave them out by itself).
#
# Settings (environment variables, all optional):
#   PEERS_VENV=/tmp/peers        virtualenv holding cloudsplaining and parliament
#   CLOUDSPLAINING_VERSION=0.9.1 PARLIAMENT_VERSION=1.6.4   pins used when creating the venv
#   BENCH_DIR=/tmp/bench-aws     where the 3,000-principal input goes (BENCH_DIR/aws-3000)
#   BIG_DIR=/tmp/aws-30000       where the 30,000-principal input goes
#   OUT=/tmp/compare-peers       scratch output (reports, /usr/bin/time logs)
#   RUNS=5  PEER_RUNS=1  PEER_TIMEOUT=1800 (seconds; a capped run is shown as "> 30 min")
#   PERF_RUNS=20                 repetitions of `perf stat -r` (0 skips the perf stat timing)
#   WARMUP=1                     untimed runs of nhiscan before each of its timed series: on an
#                                idle virtual machine the first short run after a pause is
#                                2-3x slower (cold vCPU), which says nothing about nhiscan
#   NOW=2026-11-01T00:00:00Z     the --now passed to nhiscan
#   NHISCAN=target/release/nhiscan  the binary to measure; point it at a copy to keep a
#                                concurrent `cargo build` from replacing it during the run
#
# Nothing is written to the repository. The nhiscan release binary and the synth example
# are built only if they are missing (cargo build --release). The machine should be otherwise
# idle: the script prints the load average before it starts, and the timings mean nothing if
# something else (a cargo build, another benchmark) runs at the same time.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

mode=${1:-all}
case "$mode" in all | correctness | performance) ;; *)
  echo "usage: $0 [all|correctness|performance]" >&2
  exit 2
  ;;
esac

venv=${PEERS_VENV:-/tmp/peers}
cs_version=${CLOUDSPLAINING_VERSION:-0.9.1}
pa_version=${PARLIAMENT_VERSION:-1.6.4}
bench_dir=${BENCH_DIR:-/tmp/bench-aws}
small=$bench_dir/aws-3000
big=${BIG_DIR:-/tmp/aws-30000}
out=${OUT:-/tmp/compare-peers}
runs=${RUNS:-5}
perf_runs=${PERF_RUNS:-20}
warmup=${WARMUP:-1}
peer_runs=${PEER_RUNS:-1}
peer_timeout=${PEER_TIMEOUT:-1800}
now=${NOW:-2026-11-01T00:00:00Z}
sample=$repo/../shared/samples/aws/cloudsplaining_examples_example_authz_details.json
nhiscan=${NHISCAN:-$repo/target/release/nhiscan}
synth=$repo/target/release/examples/synth

[ -x /usr/bin/time ] || { echo "error: /usr/bin/time (GNU time) is required" >&2; exit 1; }
command -v timeout > /dev/null || { echo "error: timeout (coreutils) is required" >&2; exit 1; }

# --- binaries and peers -----------------------------------------------------------------
if [ ! -x "$nhiscan" ]; then
  cargo build --release --quiet --bin nhiscan
fi
if [ ! -x "$venv/bin/cloudsplaining" ] || [ ! -x "$venv/bin/parliament" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet "cloudsplaining==$cs_version" "parliament==$pa_version"
fi
py=$venv/bin/python
mkdir -p "$out"

echo "machine: $(nproc) vCPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo) RAM"
echo "versions: $("$nhiscan" --version), cloudsplaining $("$venv/bin/cloudsplaining" --version | awk '{print $NF}'), parliament $("$venv/bin/parliament" --version | awk '{print $NF}'), policy_sentry $("$venv/bin/pip" show policy_sentry 2> /dev/null | awk '/^Version/ {print $2}'), $("$py" --version)"
echo "nhiscan binary: $nhiscan, sha256 $(sha256sum "$nhiscan" | cut -c1-16)…, built $(date -u -r "$nhiscan" +%Y-%m-%dT%H:%M:%SZ)"
echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ); load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo

# --- correctness ------------------------------------------------------------------------
correctness() {
  [ -f "$sample" ] || { echo "error: sample not found: $sample" >&2; exit 1; }
  local c=$out/correctness
  rm -rf "$c"
  mkdir -p "$c/cs-default" "$c/cs-none"
  cat > "$c/no-exclusions.yml" << 'EOF'
# cloudsplaining exclusions file that excludes nothing
policies: [""]
roles: [""]
users: [""]
groups: [""]
include-actions: [""]
exclude-actions: [""]
known-accounts: [""]
EOF
  "$venv/bin/cloudsplaining" scan --input-file "$sample" --output "$c/cs-default" --skip-open-report > "$c/cs-default.log" 2>&1
  "$venv/bin/cloudsplaining" scan --input-file "$sample" --exclusions-file "$c/no-exclusions.yml" \
    --output "$c/cs-none" --skip-open-report > "$c/cs-none.log" 2>&1
  "$nhiscan" scan "$sample" --format json --now "$now" -o "$c/nhiscan.json"
  # parliament exits 1 when it has findings
  "$venv/bin/parliament" --auth-details-file "$sample" --json > "$c/parliament.jsonl" 2> "$c/parliament.err" || [ $? -eq 1 ]
  "$venv/bin/parliament" --auth-details-file "$sample" --json --include-community-auditors \
    > "$c/parliament-community.jsonl" 2> "$c/parliament-community.err" || [ $? -eq 1 ]

  "$py" - "$c" << 'EOF'
import collections, glob, json, os, sys
c = sys.argv[1]
nh = {}
for f in json.load(open(os.path.join(c, "nhiscan.json")))["findings"]:
    if f["check_id"] in ("AWS-001", "AWS-002"):
        kind = "user" if f["identity"]["kind"] == "iam_user" else "role"
        nh.setdefault((kind, f["identity"]["name"]), {})[f["check_id"]] = f["evidence"]

def verdict(key):
    v = nh.get(key, {})
    if "AWS-001" in v:
        return "AWS-001 (full admin)"
    if "AWS-002" in v:
        return "AWS-002 " + ",".join(v["AWS-002"]["method_ids"])
    return "-"

def cs_flagged(results):
    r = json.load(open(results))
    pol = {}
    for kind in ("aws_managed_policies", "customer_managed_policies", "inline_policies"):
        for pid, p in r[kind].items():
            pol[pid] = (p["PolicyName"], [x["type"] for x in p["PrivilegeEscalation"]["findings"]])
    def flagged(pr):
        return [pol[pid][0] for k in ("inline_policies", "customer_managed_policies", "aws_managed_policies")
                for pid in pr.get(k, {}) if pid in pol and pol[pid][1]]
    groups = {g["name"]: g for g in r["groups"].values()}
    out = {}
    for kind in ("users", "roles", "groups"):
        for pr in r[kind].values():
            names = flagged(pr)
            if kind == "users":
                for g in pr.get("groups", {}):
                    if g in groups:
                        names += [f"{p} (group {g})" for p in flagged(groups[g])]
            if names:
                out[(kind[:-1], pr["name"])] = names
    return out

for label, sub in (("default exclusions", "cs-default"), ("no exclusions", "cs-none")):
    cs = cs_flagged(glob.glob(os.path.join(c, sub, "iam-results-*.json"))[0])
    print(f"cloudsplaining ({label}): {len(cs)} principals flagged for PrivilegeEscalation")
    print(f"  {'principal':62} {'flagged through':45} nhiscan")
    for key in sorted(cs, key=lambda k: (k[0], k[1].lower())):
        v = verdict(key)
        print(f"  {key[0] + ' ' + key[1]:62} {', '.join(cs[key])[:45]:45} {v[:60]}")
    only = sorted((k for k in nh if "AWS-002" in nh[k] and k not in cs), key=lambda k: (k[0], k[1].lower()))
    print(f"  nhiscan AWS-002 principals not flagged by cloudsplaining: {len(only)}")
    for key in only:
        e = nh[key]["AWS-002"]
        print(f"    {key[0] + ' ' + key[1]:60} {','.join(e['method_ids'])} via {', '.join(e['policies'])}")
    print()

for f in ("parliament.jsonl", "parliament-community.jsonl"):
    rows = [json.loads(l) for l in open(os.path.join(c, f)) if l.strip()]
    counts = collections.Counter((r["issue"], r["severity"]) for r in rows)
    print(f"parliament ({f}): {len(rows)} findings: " + ", ".join(f"{i} {s} {n}" for (i, s), n in counts.most_common()))
EOF
  echo
}

# --- performance ------------------------------------------------------------------------
rows=$out/performance.tsv

# busy: CPU time used so far by the whole machine (user+nice+system+irq+softirq+steal), in s
tick=$(getconf CLK_TCK)
busy() { awk -v t="$tick" '/^cpu / {print ($2 + $3 + $4 + $7 + $8 + $9) / t}' /proc/stat; }

# others SECONDS_BEFORE SECONDS_AFTER OWN_CPU WALL: CPU that the rest of the machine used
# meanwhile, with a warning when it exceeds max(0.15 s, 5 % of the wall time): the run then
# competed with other work and its time is not a measurement of the tool alone
others() {
  awk -v a="$1" -v b="$2" -v c="$3" -v w="$4" 'BEGIN {
    o = b - a - c; l = 0.05 * w; if (l < 0.15) l = 0.15
    printf "others %5.2f s%s", o, (o > l ? "  <- the machine was busy: discard this run" : "") }'
}

# timed LABEL INPUT RUN CMD...: run CMD under /usr/bin/time -v and append one row to $rows
timed() {
  local label=$1 input=$2 run=$3
  shift 3
  local slug=${label// /_}-${input// /_}-$run rc=0
  local log=$out/time-$slug.log
  local b1 b2
  b1=$(busy)
  /usr/bin/time -v "$@" > "$out/stdout-$slug.log" 2> "$log" || rc=$?
  b2=$(busy)
  local wall rss secs cpu
  wall=$(grep 'Elapsed (wall clock)' "$log" | awk '{print $NF}')
  rss=$(grep 'Maximum resident' "$log" | awk '{print $NF}')
  secs=$(echo "$wall" | awk -F: '{ if (NF == 3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
  cpu=$(awk '/User time|System time/ {t += $NF} END {print t}' "$log")
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$label" "$input" "$run" "$secs" "$rss" "$rc" "$cpu" >> "$rows"
  awk -v l="$label" -v i="$input" -v r="$run" -v s="$secs" -v m="$rss" -v c="$rc" -v u="$cpu" -v t="$peer_timeout" \
    'BEGIN { w = (c == 124 ? sprintf("> %d min", t / 60) : sprintf("%.2f s", s));
             printf "  %-15s %-31s run %d: wall %10s  cpu %7.2f s  peak RSS %5.0f MB  exit %d  ", l, i, r, w, u, m / 1024, c }'
  others "$b1" "$b2" "$cpu" "$secs"
  echo
}

# perfstat LABEL INPUT CMD...: run CMD $perf_runs times under `perf stat -r` and append the
# mean wall time, its standard error (perf's "+-") and the mean task-clock (CPU) to $prows
prows=$out/perf-stat.tsv
perfstat() {
  local label=$1 input=$2
  shift 2
  local log=$out/perf-${label// /_}-${input// /_}.txt
  local b1 b2 t1 t2 own
  b1=$(busy)
  t1=$(date +%s.%N)
  /usr/bin/time -f '%U %S' -o "$log.time" perf stat -r "$perf_runs" -o "$log" "$@" > /dev/null 2> "$log.stderr"
  t2=$(date +%s.%N)
  b2=$(busy)
  own=$(awk '{print $1 + $2}' "$log.time")
  awk -v l="$label" -v i="$input" -v n="$perf_runs" -v f="$prows" '
    /task-clock/ { cpu = $1 / 1000; util = $5 }
    /seconds time elapsed/ { mean = $1; se = $3 }
    END {
      printf "%s\t%s\t%s\t%s\t%s\n", l, i, mean, se, cpu >> f
      printf "  %-15s %-31s perf stat -r %d: wall mean %.4f s +- %.4f s (std. error)  task-clock %.4f s (%s CPUs)  ", l, i, n, mean, se, cpu, util
    }' "$log"
  others "$b1" "$b2" "$own" "$(awk -v a="$t1" -v b="$t2" 'BEGIN {print b - a}')"
  echo
}

# precise LABEL INPUT CMD...: run CMD $perf_runs times and append the median wall time to
# $mrows, printing it with the quartiles and the extremes. With hyperfine installed
# (`cargo install hyperfine`) it times the runs (no shell, 3 warm-up runs); otherwise
# Python does (fork and exec included, so about 1 ms more). The median is not moved by the
# odd run the host slows down, which the perf stat mean is.
mrows=$out/median.tsv
precise() {
  local label=$1 input=$2 json=$out/hyperfine.json
  shift 2
  if command -v hyperfine > /dev/null; then
    hyperfine -N --warmup 3 --runs "$perf_runs" --style none --export-json "$json" -- "$(printf '%q ' "$@")" > /dev/null 2>&1
    "$py" - "$json" "$label" "$input" "$mrows" << 'PY'
import json, statistics, sys
r = json.load(open(sys.argv[1]))["results"][0]
t, label, inp, rows = sorted(r["times"]), sys.argv[2], sys.argv[3], sys.argv[4]
q = statistics.quantiles(t, n=4)
with open(rows, "a") as f:
    f.write(f"{label}\t{inp}\t{statistics.median(t)}\n")
print(f"  {label:<15} {inp:<31} hyperfine {len(t)} runs: wall median {statistics.median(t):.4f} s "
      f"(quartiles {q[0]:.4f}-{q[2]:.4f}, min {t[0]:.4f}, max {t[-1]:.4f}; mean {r['mean']:.4f} +- {r['stddev']:.4f} s.d.)")
PY
    return
  fi
  "$py" - "$perf_runs" "$label" "$input" "$mrows" "$@" << 'PY'
import statistics, subprocess, sys, time
n, label, inp, rows, cmd = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:]
t = []
for _ in range(n):
    a = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    t.append(time.perf_counter() - a)
t.sort()
q = statistics.quantiles(t, n=4)
with open(rows, "a") as f:
    f.write(f"{label}\t{inp}\t{statistics.median(t)}\n")
print(f"  {label:<15} {inp:<31} {n} runs (Python clock): wall median {statistics.median(t):.4f} s "
      f"(quartiles {q[0]:.4f}-{q[2]:.4f}, min {t[0]:.4f}, max {t[-1]:.4f})")
PY
}

# warm CMD...: run CMD $warmup times, untimed, output discarded
warm() {
  local i
  for i in $(seq "$warmup"); do "$@" > /dev/null 2>&1 || true; done
}

performance() {
  if [ ! -f "$small/authorization-details.json" ] || [ ! -f "$big/authorization-details.json" ]; then
    [ -x "$synth" ] || cargo build --release --quiet --example synth
    [ -f "$small/authorization-details.json" ] || "$synth" --provider aws --identities 3000 --out "$small"
    [ -f "$big/authorization-details.json" ] || "$synth" --provider aws --identities 30000 --out "$big"
  fi
  local file=$small/authorization-details.json
  "$py" - "$file" "$big/authorization-details.json" << 'EOF'
import json, os, sys
for p in sys.argv[1:]:
    d = json.load(open(p))
    print(f"input {p}: {len(d['UserDetailList'])} users, {len(d['RoleDetailList'])} roles, "
          f"{len(d['GroupDetailList'])} groups, {len(d['Policies'])} managed policies, {os.path.getsize(p) / 1e6:.1f} MB")
EOF
  : > "$rows"
  : > "$prows"
  echo "timings (/usr/bin/time -v; wall clock has 10 ms resolution):"
  warm "$nhiscan" scan "$small" --now "$now" --format json -o "$out/nhiscan-3000.json"
  for r in $(seq "$runs"); do
    timed "nhiscan" "aws-3000 dir" "$r" "$nhiscan" scan "$small" --now "$now" --format json -o "$out/nhiscan-3000.json"
  done
  warm "$nhiscan" scan "$file" --now "$now" --format json -o "$out/nhiscan-3000-ad.json"
  for r in $(seq "$runs"); do
    timed "nhiscan" "aws-3000 authorization-details" "$r" "$nhiscan" scan "$file" --now "$now" --format json -o "$out/nhiscan-3000-ad.json"
  done
  if [ "$perf_runs" -gt 0 ] && command -v perf > /dev/null; then
    warm "$nhiscan" scan "$small" --now "$now" --format json -o "$out/nhiscan-3000.json"
    perfstat "nhiscan" "aws-3000 dir" "$nhiscan" scan "$small" --now "$now" --format json -o "$out/nhiscan-3000.json"
    perfstat "nhiscan" "aws-3000 authorization-details" "$nhiscan" scan "$file" --now "$now" --format json -o "$out/nhiscan-3000-ad.json"
  elif [ "$perf_runs" -gt 0 ]; then
    echo "  (perf not installed: no perf stat timing)"
  fi
  if [ "$perf_runs" -gt 0 ]; then
    : > "$mrows"
    warm "$nhiscan" scan "$small" --now "$now" --format json -o "$out/nhiscan-3000.json"
    precise "nhiscan" "aws-3000 dir" "$nhiscan" scan "$small" --now "$now" --format json -o "$out/nhiscan-3000.json"
    precise "nhiscan" "aws-3000 authorization-details" "$nhiscan" scan "$file" --now "$now" --format json -o "$out/nhiscan-3000-ad.json"
  fi
  for r in $(seq "$peer_runs"); do
    rm -rf "$out/cs-out" && mkdir -p "$out/cs-out"
    timed "cloudsplaining" "aws-3000 authorization-details" "$r" timeout "$peer_timeout" \
      "$venv/bin/cloudsplaining" scan --input-file "$file" --output "$out/cs-out" --skip-open-report
  done
  for r in $(seq "$peer_runs"); do
    timed "parliament" "aws-3000 authorization-details" "$r" timeout "$peer_timeout" \
      "$venv/bin/parliament" --auth-details-file "$file" --json
  done
  warm "$nhiscan" scan "$big" --now "$now" --format json -o "$out/nhiscan-30000.json"
  for r in $(seq "$runs"); do
    timed "nhiscan" "aws-30000 dir" "$r" "$nhiscan" scan "$big" --now "$now" --format json -o "$out/nhiscan-30000.json"
  done
  echo
  awk -F'\t' -v t="$peer_timeout" '
    function median(a, n,   i, j, x) {
      for (i = 2; i <= n; i++) { x = a[i]; for (j = i - 1; j > 0 && a[j] > x; j--) a[j + 1] = a[j]; a[j + 1] = x }
      return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    }
    function wall(k, v) { return capped[k] ? sprintf("> %d min", t / 60) : sprintf("%.2f s", v) }
    {
      k = $1 " | " $2
      if (!(k in n)) keys[++o] = k
      n[k]++; s[k, n[k]] = $4; c[k, n[k]] = $7
      all[k] = all[k] (all[k] == "" ? "" : ", ") ($6 == 124 ? "capped" : sprintf("%.2f", $4))
      if ($5 > m[k]) m[k] = $5
      if ($6 == 124) capped[k] = 1
    }
    END {
      print "| tool | input | wall time, all runs (s) | median wall | median CPU (user+sys) | peak RSS |"
      print "|---|---|---|---|---|---|"
      for (i = 1; i <= o; i++) {
        k = keys[i]
        split("", a); for (j = 1; j <= n[k]; j++) a[j] = s[k, j]; med[k] = median(a, n[k])
        split("", a); for (j = 1; j <= n[k]; j++) a[j] = c[k, j]; cpu[k] = median(a, n[k])
        split(k, f, " \\| ")
        printf "| %s | %s | %s | %s | %.2f s | %.0f MB |\n", f[1], f[2], all[k], wall(k, med[k]), cpu[k], m[k] / 1024
      }
      ad = "nhiscan | aws-3000 authorization-details"; dir = "nhiscan | aws-3000 dir"
      print ""
      for (i = 1; i <= o; i++) {
        k = keys[i]; if (k ~ /^nhiscan/) continue
        split(k, f, " \\| "); g = capped[k] ? ">" : ""
        printf "speed-up %s / nhiscan (wall): %s%.0fx vs the file alone, %s%.0fx vs the directory; (CPU): %s%.0fx, %s%.0fx\n", f[1],
          g, med[k] / (med[ad] > 0 ? med[ad] : 0.01), g, med[k] / (med[dir] > 0 ? med[dir] : 0.01),
          g, cpu[k] / (cpu[ad] > 0 ? cpu[ad] : 0.01), g, cpu[k] / (cpu[dir] > 0 ? cpu[dir] : 0.01)
      }
      printf "nhiscan, 30,000 principals: median %.2f s (target: under 1 s)\n", med["nhiscan | aws-30000 dir"]
    }' "$rows"
  [ -s "$prows" ] || return 0
  # speed-ups against the perf stat means: median peer wall (or CPU) time / mean nhiscan time
  awk -F'\t' -v n="$perf_runs" '
    function median(a, k,   i, j, x) {
      for (i = 2; i <= k; i++) { x = a[i]; for (j = i - 1; j > 0 && a[j] > x; j--) a[j + 1] = a[j]; a[j + 1] = x }
      return (k % 2) ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
    }
    FNR == NR { pm[$2] = $3; pc[$2] = $5; next }
    $1 != "nhiscan" { k = $1; if (!(k in c)) peers[++o] = k; c[k]++; w[k, c[k]] = $4; u[k, c[k]] = $7; if ($6 == 124) capped[k] = 1 }
    END {
      ad = "aws-3000 authorization-details"; dir = "aws-3000 dir"
      for (i = 1; i <= o; i++) {
        k = peers[i]; g = capped[k] ? ">" : ""
        split("", a); for (j = 1; j <= c[k]; j++) a[j] = w[k, j]; mw = median(a, c[k])
        split("", a); for (j = 1; j <= c[k]; j++) a[j] = u[k, j]; mc = median(a, c[k])
        printf "speed-up %s / nhiscan perf-stat mean (%d runs), wall: %s%.0fx vs the file alone (%.4f s), %s%.0fx vs the directory (%.4f s); CPU (task-clock): %s%.0fx, %s%.0fx\n",
          k, n, g, mw / pm[ad], pm[ad], g, mw / pm[dir], pm[dir], g, mc / pc[ad], g, mc / pc[dir]
      }
    }' "$prows" "$rows"
  [ -s "$mrows" ] || return 0
  # speed-ups against the nanosecond medians: median peer wall time / median nhiscan time
  awk -F'\t' -v n="$perf_runs" '
    function median(a, k,   i, j, x) {
      for (i = 2; i <= k; i++) { x = a[i]; for (j = i - 1; j > 0 && a[j] > x; j--) a[j + 1] = a[j]; a[j + 1] = x }
      return (k % 2) ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
    }
    FNR == NR { md[$2] = $3; next }
    $1 != "nhiscan" { k = $1; if (!(k in c)) peers[++o] = k; c[k]++; w[k, c[k]] = $4; if ($6 == 124) capped[k] = 1 }
    END {
      ad = "aws-3000 authorization-details"; dir = "aws-3000 dir"
      for (i = 1; i <= o; i++) {
        k = peers[i]; g = capped[k] ? ">" : ""
        split("", a); for (j = 1; j <= c[k]; j++) a[j] = w[k, j]; mw = median(a, c[k])
        printf "speed-up %s / nhiscan median (%d runs), wall: %s%.0fx vs the file alone (%.4f s), %s%.0fx vs the directory (%.4f s)\n",
          k, n, g, mw / md[ad], md[ad], g, mw / md[dir], md[dir]
      }
    }' "$mrows" "$rows"
}

case "$mode" in
  all) correctness; performance ;;
  correctness) correctness ;;
  performance) performance ;;
esac
