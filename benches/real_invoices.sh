#!/usr/bin/env bash
# The real invoice corpus (datasets/real), one split, read three ways side by
# side: the rules alone, the layout model alone, and the two combined. Prints
# one table (overall field accuracy, four key fields, documents with every
# field right, the share booked without a person and its precision, seconds),
# then for the rules accuracy by language, kind and origin, the expected
# calibration error and the automation table. Then speed and peak memory on N
# synthetic digital invoices, rules beside combined.
#
#   benches/real_invoices.sh [--split test|tune] [--only-redistributable]
#                            [--bin PATH] [--skip-model] [--docs N]
#
#   --split                 which part of the corpus (default: test). Tune on
#                           `tune`; `test` is for the final figures only
#   --only-redistributable  score only the files the repository ships (without
#                           datasets/real/restore.py, the others are absent
#                           and skipped anyway)
#   --bin PATH              the invex binary (default: $INVEX, else
#                           ${CARGO_TARGET_DIR:-target}/release/invex, else
#                           ~/.cache/invex-target/release/invex)
#   --skip-model            rules only (the model runs are also skipped when
#                           `invex doctor` finds no working ONNX Runtime)
#   --docs N                synthetic invoices for speed and memory (default 1000)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REAL="$ROOT/datasets/real"

usage() { sed -n '10,11p' "${BASH_SOURCE[0]}" | sed 's/^#   //' >&2; exit 2; }
SPLIT=test ONLY_REDIST=0 SKIP_MODEL=0 DOCS=1000 BIN="${INVEX:-}"
while (($#)); do
  case "$1" in
    --split) [[ $# -ge 2 ]] || usage; SPLIT=$2; shift 2 ;;
    --split=*) SPLIT=${1#*=}; shift ;;
    --only-redistributable) ONLY_REDIST=1; shift ;;
    --bin) [[ $# -ge 2 ]] || usage; BIN=$2; shift 2 ;;
    --bin=*) BIN=${1#*=}; shift ;;
    --skip-model) SKIP_MODEL=1; shift ;;
    --docs) [[ $# -ge 2 ]] || usage; DOCS=$2; shift 2 ;;
    --docs=*) DOCS=${1#*=}; shift ;;
    -h|--help) sed -n '2,23p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option: $1" >&2; usage ;;
  esac
done
[[ $SPLIT == test || $SPLIT == tune ]] || { echo "--split must be test or tune, not '$SPLIT'" >&2; exit 2; }
[[ $DOCS =~ ^[1-9][0-9]*$ ]] || { echo "--docs must be a positive whole number, not '$DOCS'" >&2; exit 2; }
if [[ -z $BIN ]]; then
  BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/invex"
  [[ -x $BIN ]] || BIN="$HOME/.cache/invex-target/release/invex"
fi
[[ -x $BIN ]] || { echo "no binary at $BIN: run scripts/setup.sh, or pass --bin" >&2; exit 1; }
[[ -s $REAL/$SPLIT/files.txt && -s $REAL/$SPLIT/groundtruth.jsonl ]] \
  || { echo "no split '$SPLIT' in $REAL" >&2; exit 1; }

TMP="$(mktemp -d "${TMPDIR:-/tmp}/invex-real.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT
FAILED=0   # set when a command fails unexpectedly; the bench goes on, then exits 1

# One table printer for both tables (imported by the Python snippets below).
cat > "$TMP/bench_table.py" <<'PY'
def print_table(head, rows):
    width = [max(len(str(x)) for x in col) for col in zip(head, *rows)]
    line = lambda cells: " | ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w)
                                    for i, (c, w) in enumerate(zip(cells, width)))
    print(line(head))
    print("-+-".join("-" * w for w in width))
    for row in rows:
        print(line(row))
PY

now() { date +%s.%N; }
since() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.2f}')" "$1" "$(now)"; }

# ---------------------------------------------------------------- the files
python3 - "$REAL" "$SPLIT" "$ONLY_REDIST" "$TMP" <<'PY'
import json, os, sys
real, split, only_redist, tmp = sys.argv[1], sys.argv[2], sys.argv[3] == "1", sys.argv[4]
listed = [l.strip() for l in open(os.path.join(real, split, "files.txt"), encoding="utf-8") if l.strip()]
manifest = {}
for line in open(os.path.join(real, "manifest.jsonl"), encoding="utf-8"):
    if line.strip():
        m = json.loads(line)
        manifest[m["file"]] = m
absent = [f for f in listed if not os.path.isfile(os.path.join(real, f))]
present = [f for f in listed if f not in set(absent)]
kept = present
if only_redist:
    kept = [f for f in present if manifest.get(f, {}).get("redistributable") is True]
keep = set(kept)
gold = 0
with open(os.path.join(tmp, "gold.jsonl"), "w", encoding="utf-8") as out:
    for line in open(os.path.join(real, split, "groundtruth.jsonl"), encoding="utf-8"):
        if line.strip() and json.loads(line).get("file") in keep:
            out.write(line if line.endswith("\n") else line + "\n")
            gold += 1
with open(os.path.join(tmp, "gold_lines.jsonl"), "w", encoding="utf-8") as out:
    for line in open(os.path.join(real, split, "groundtruth_lines.jsonl"), encoding="utf-8"):
        if line.strip() and json.loads(line).get("file") in keep:
            out.write(line if line.endswith("\n") else line + "\n")
with open(os.path.join(tmp, "files.txt"), "w", encoding="utf-8") as out:
    out.writelines(f + "\n" for f in kept)
print(f"split {split}: {len(listed)} files listed, {len(absent)} absent on disk (skipped; "
      f"datasets/real/restore.py restores them)", end="")
if only_redist:
    print(f", {len(present) - len(kept)} not redistributable (left out)", end="")
print(f"; scoring {len(kept)} files, {gold} with gold")
if not kept or not gold:
    sys.exit("nothing to score")
PY
mapfile -t FILES <"$TMP/files.txt"

# --------------------------------------------------------------- extractors
# `rules` reads e-invoice XML first (the default cascade); `rules-page-only`
# is the same with `--e-invoice off`, the page alone.
EXTRACTORS=(rules rules-page-only)
if ((SKIP_MODEL)); then
  echo "model runs skipped (--skip-model)"
elif doctor=$("$BIN" doctor 2>&1 || true) && grep -q '^ok  *libonnxruntime' <<<"$doctor"; then
  EXTRACTORS+=(model combined)
else
  echo "model runs skipped: invex doctor finds no working ONNX Runtime:"
  grep 'libonnxruntime' <<<"$doctor" | sed 's/^/  /' || true
fi

# extract NAME OUT_JSONL SECONDS_FILE [inputs...]: run `invex extract
# --extractor NAME`, in datasets/real so that file names match the gold's.
# Files that fail one by one are counted, not fatal; no output at all is.
extract() {
  local name=$1 out=$2 secs=$3; shift 3
  local started code=0 how=(--extractor "$name"); started=$(now)
  [[ $name == rules-page-only ]] && how=(--extractor rules --e-invoice off)
  (cd "$REAL" && "$BIN" extract --no-progress "${how[@]}" --output "$out" "$@") \
    >"$TMP/$name.log" 2>&1 || code=$?
  since "$started" >"$secs"
  if [[ ! -s $out ]]; then
    echo "invex extract --extractor $name failed (exit $code), no output:" >&2
    tail -n 5 "$TMP/$name.log" | sed 's/^/  /' >&2
    FAILED=1
    return 1
  fi
  if ((code)); then
    echo "  $name: $(grep -c '"status":"failed"' "$out" || true) files failed to read (see below)"
    grep '^failed: ' "$TMP/$name.log" | sed 's/^/    /' || true
  fi
}

echo
for name in "${EXTRACTORS[@]}"; do
  echo "extracting with --extractor $name ..."
  if extract "$name" "$TMP/$name.jsonl" "$TMP/$name.seconds" "${FILES[@]}"; then
    "$BIN" eval --gold "$TMP/gold.jsonl" --pred "$TMP/$name.jsonl" --json >"$TMP/$name.eval.json" \
      2>"$TMP/$name.eval.log" || { echo "invex eval failed for $name:" >&2; cat "$TMP/$name.eval.log" >&2; FAILED=1; }
  fi
done

echo
python3 - "$TMP" "${EXTRACTORS[@]}" <<'PY'
import json, os, sys
tmp, names = sys.argv[1], sys.argv[2:]
sys.path.insert(0, tmp)
from bench_table import print_table
def read(path):
    try:
        return open(path, encoding="utf-8").read().strip()
    except OSError:
        return None
def frac(x):
    return "-" if x is None else f"{x:.3f}"
head = ["extractor", "overall", "invoice_number", "invoice_date", "total_amount", "currency",
        "docs all right", "auto-booked", "auto precision", "seconds"]
rows = []
for name in names:
    text = read(os.path.join(tmp, f"{name}.eval.json"))
    r = json.loads(text) if text else {}
    fields = r.get("fields", {})
    right = r.get("documents_all_right") or {}
    auto = r.get("automation") or {}
    row = [name, frac(r.get("overall"))]
    row += [frac((fields.get(f) or {}).get("accuracy")) for f in head[2:6]]
    row.append(f"{right['right']}/{right['docs']}" if "right" in right and "docs" in right else "-")
    booked = frac(auto.get("rate"))
    if booked != "-" and "booked" in auto and "docs" in auto:
        booked += f" ({auto['booked']}/{auto['docs']})"
    row += [booked, frac(auto.get("precision"))]
    row.append((read(os.path.join(tmp, f"{name}.seconds")) if r else None) or "-")
    rows.append(row)
print_table(head, rows)
thr = next((json.loads(t).get("automation", {}).get("threshold") for t in
            (read(os.path.join(tmp, f"{n}.eval.json")) for n in names) if t), None)
if thr is not None:
    print(f"(auto-booked: document confidence >= {thr}; precision: of those, the share with every field right)")
PY

if [[ -s $TMP/rules.jsonl ]]; then
  echo
  echo "== rules, by language, kind and origin; calibration and automation"
  "$BIN" eval --gold "$TMP/gold.jsonl" --pred "$TMP/rules.jsonl" --lines "$TMP/gold_lines.jsonl" \
    --groups "$REAL/manifest.jsonl" --group-by language,kind,origin --calibration \
    || { echo "invex eval --groups failed" >&2; FAILED=1; }
fi

# ------------------------------------------------------------ speed, memory
echo
echo "== speed and memory: $DOCS synthetic digital invoices (seed 4711)"
if ! "$BIN" dataset generate --count "$DOCS" --seed 4711 --out "$TMP/synth" >"$TMP/generate.log" 2>&1; then
  echo "invex dataset generate failed:" >&2; tail -n 5 "$TMP/generate.log" >&2
  exit 1
fi
# `rules` reads in helper processes (the default); `rules-in-process` with
# --in-process-reader, for the isolation's overhead.
SPEED=(rules rules-in-process)
[[ " ${EXTRACTORS[*]} " == *" combined "* ]] && SPEED+=(combined)

# measure NAME: extract the synthetic folder; write seconds, peak RSS (kB) and
# the failed count to $TMP/s-NAME.{seconds,kb,failed}.
measure() {
  local name=$1 out="$TMP/s-$1.jsonl" started code=0 kb=-
  local how=(--extractor "$name")
  [[ $name == rules-in-process ]] && how=(--extractor rules --in-process-reader)
  local cmd=("$BIN" extract --no-progress "${how[@]}" "$TMP/synth" --output "$out")
  started=$(now)
  if [[ -x /usr/bin/time ]]; then
    /usr/bin/time -v -o "$TMP/s-$name.time" "${cmd[@]}" >"$TMP/s-$name.log" 2>&1 || code=$?
    kb=$(awk -F': *' '/Maximum resident set size/ {print $2}' "$TMP/s-$name.time" 2>/dev/null || true)
  else
    # No /usr/bin/time: poll the high-water mark of the process's memory.
    "${cmd[@]}" >"$TMP/s-$name.log" 2>&1 &
    local pid=$! v
    while kill -0 "$pid" 2>/dev/null; do
      v=$(awk '/^VmHWM:/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
      [[ -n $v ]] && kb=$v
      sleep 0.05
    done
    wait "$pid" || code=$?
  fi
  since "$started" >"$TMP/s-$name.seconds"
  echo "${kb:--}" >"$TMP/s-$name.kb"
  if [[ ! -s $out ]]; then
    echo "invex extract --extractor $name on the synthetic invoices failed (exit $code):" >&2
    tail -n 5 "$TMP/s-$name.log" | sed 's/^/  /' >&2
    FAILED=1
    echo "-" >"$TMP/s-$name.failed"
  else
    grep -c '"status":"failed"' "$out" >"$TMP/s-$name.failed" || true
  fi
}
for name in "${SPEED[@]}"; do
  echo "extracting with --extractor $name ..."
  measure "$name"
done
echo
python3 - "$TMP" "$DOCS" "${SPEED[@]}" <<'PY'
import os, sys
tmp, docs, names = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
sys.path.insert(0, tmp)
from bench_table import print_table
def read(name, ext):
    try:
        return open(os.path.join(tmp, f"s-{name}.{ext}")).read().strip() or "-"
    except OSError:
        return "-"
head = ["extractor", "invoices", "failed", "seconds", "invoices/s", "peak MB", "goal"]
rows = []
for name in names:
    secs, kb, failed = read(name, "seconds"), read(name, "kb"), read(name, "failed")
    rate = docs / float(secs) if secs != "-" and float(secs) > 0 else None
    mb = int(kb) / 1024 if kb.isdigit() else None
    goal = "-" if rate is None or mb is None else \
        ("met" if rate >= 50 and mb < 500 else "missed")
    rows.append([name, docs, failed, secs, "-" if rate is None else f"{rate:.1f}",
                 "-" if mb is None else f"{mb:.0f}", goal])
print_table(head, rows)
print("goal: >= 50 invoices/s, < 500 MB; peak MB is the main process's (reader helpers run apart)")
PY

exit "$FAILED"
