#!/usr/bin/env bash
# The language-model fallback on the real invoice corpus (datasets/real),
# against the local OpenAI-compatible test server answering truthfully from
# the corpus's ground truth (or inventing values, with --invent-every).
# Every answer still goes through invex's checks (parsed, validated, found on
# the page), so this measures the ceiling a perfect model gives under those
# checks, the share of invoices sent, tokens, and cost; not a real model.
#
#   benches/llm_fallback.sh [--split test|tune] [--below X] [--invent-every N]
#                           [--bin PATH] [--server PATH]
#
#   --split         which part of the corpus (default: test)
#   --below         --llm-below, the field confidence under which an invoice
#                   is sent (default 0.5)
#   --invent-every  the server invents one value in every N-th answer (0: never)
#   --bin           the invex binary (default: target/release/invex)
#   --server        the test server (default: target/release/invex-llm-test-server,
#                   built with `cargo build --release -p invex-llm --features
#                   test-server` when missing)
#
# Prints rules alone beside rules + fallback (accuracy, key fields, documents
# with every field right, auto-booked share and precision), then the share
# sent, requests, tokens per invoice and cost per 1,000 invoices at
# gpt-4o-mini and gpt-4o prices, a second run's requests (the cache), and
# the Batch API path (--llm-batch) beside the live one.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REAL="$ROOT/datasets/real"
SPLIT=test BELOW=0.5 INVENT=0 BIN="${INVEX:-}" SERVER=""
while (($#)); do
  case "$1" in
    --split) SPLIT=$2; shift 2 ;;
    --below) BELOW=$2; shift 2 ;;
    --invent-every) INVENT=$2; shift 2 ;;
    --bin) BIN=$2; shift 2 ;;
    --server) SERVER=$2; shift 2 ;;
    -h|--help) sed -n '2,25p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
done
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
[[ -n $BIN ]] || BIN="$TARGET/release/invex"
[[ -x $BIN ]] || { echo "no binary at $BIN: run scripts/setup.sh, or pass --bin" >&2; exit 1; }
if [[ -z $SERVER ]]; then
  SERVER="$TARGET/release/invex-llm-test-server"
  if [[ ! -x $SERVER ]]; then
    (cd "$ROOT" && cargo build -q --release -p invex-llm --features test-server --bin invex-llm-test-server)
  fi
fi
[[ -s $REAL/$SPLIT/groundtruth.jsonl ]] || { echo "no split '$SPLIT'" >&2; exit 1; }

TMP="$(mktemp -d "${TMPDIR:-/tmp}/invex-llm.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT

# The files on disk, their gold, and the server's fixture (truth by sha256).
python3 - "$REAL" "$SPLIT" "$TMP" <<'PY'
import hashlib, json, os, sys
real, split, tmp = sys.argv[1:4]
listed = [l.strip() for l in open(os.path.join(real, split, "files.txt")) if l.strip()]
present = [f for f in listed if os.path.isfile(os.path.join(real, f))]
gold = {}
for line in open(os.path.join(real, split, "groundtruth.jsonl")):
    if line.strip():
        row = json.loads(line)
        gold[row["file"]] = row
kept = [f for f in present if f in gold]
with open(os.path.join(tmp, "files.txt"), "w") as out:
    out.writelines(f + "\n" for f in kept)
with open(os.path.join(tmp, "gold.jsonl"), "w") as out:
    for f in kept:
        out.write(json.dumps(gold[f]) + "\n")
with open(os.path.join(tmp, "fixture.jsonl"), "w") as out:
    for f in kept:
        sha = hashlib.sha256(open(os.path.join(real, f), "rb").read()).hexdigest()
        answer = {k: v for k, v in gold[f].items() if k != "file"}
        out.write(json.dumps({"sha256": sha, "answer": answer}) + "\n")
print(f"split {split}: {len(listed)} listed, {len(present)} on disk, scoring {len(kept)}")
PY
mapfile -t FILES <"$TMP/files.txt"

# The server: reads its URL and key from its first two lines; stops when
# its stdin (our fd 8) closes.
FAULTS=()
((INVENT > 0)) && FAULTS=(--invent-every "$INVENT")
mkfifo "$TMP/server.in"
"$SERVER" "$TMP/fixture.jsonl" "${FAULTS[@]}" <"$TMP/server.in" >"$TMP/server.out" 2>"$TMP/server.err" &
SERVER_PID=$!
exec 8>"$TMP/server.in"
for _ in $(seq 50); do [[ $(wc -l <"$TMP/server.out") -ge 2 ]] && break; sleep 0.1; done
URL=$(sed -n 1p "$TMP/server.out") KEY=$(sed -n 2p "$TMP/server.out")
[[ -n $URL ]] || { echo "the test server did not start:" >&2; cat "$TMP/server.err" >&2; exit 1; }

run() {
  local name=$1; shift
  local started; started=$(date +%s.%N)
  (cd "$REAL" && INVEX_LLM_API_KEY=$KEY "$BIN" extract --no-progress --output "$TMP/$name.jsonl" "$@" "${FILES[@]}") \
    >"$TMP/$name.log" 2>&1 || true
  python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.2f}')" "$started" "$(date +%s.%N)" >"$TMP/$name.seconds"
  "$BIN" eval --gold "$TMP/gold.jsonl" --pred "$TMP/$name.jsonl" --json >"$TMP/$name.eval.json" 2>/dev/null || true
}
LLM=(--llm-when unsure --llm-below "$BELOW" --llm-base-url "$URL" --llm-model gpt-4o-mini
     --llm-cache "sqlite://$TMP/llm.db")
run rules
run fallback "${LLM[@]}"
run rerun "${LLM[@]}"
# The Batch API path, with a cache of its own: the same answers at half the price.
run batch --llm-when unsure --llm-below "$BELOW" --llm-base-url "$URL" --llm-model gpt-4o-mini \
  --llm-cache "sqlite://$TMP/llm-batch.db" --llm-batch --llm-batch-poll 1
exec 8>&-
wait "$SERVER_PID" || true

python3 - "$TMP" <<'PY'
import json, os, re, sys
tmp = sys.argv[1]
def ev(name):
    try:
        return json.load(open(os.path.join(tmp, f"{name}.eval.json")))
    except (OSError, ValueError):
        return {}
def frac(x):
    return "-" if x is None else f"{x:.3f}"
head = ["run", "overall", "invoice_number", "invoice_date", "total_amount", "currency",
        "docs all right", "auto-booked", "auto precision", "seconds"]
rows = []
for name in ["rules", "fallback", "batch"]:
    r = ev(name)
    f = r.get("fields", {})
    right = r.get("documents_all_right") or {}
    auto = r.get("automation") or {}
    label = {"rules": "rules", "fallback": "rules + llm", "batch": "rules + llm (Batch API)"}[name]
    rows.append([label, frac(r.get("overall"))]
                + [frac((f.get(k) or {}).get("accuracy")) for k in head[2:6]]
                + [f"{right.get('right')}/{right.get('docs')}", frac(auto.get("rate")),
                   frac(auto.get("precision")), open(os.path.join(tmp, f"{name}.seconds")).read().strip()])
width = [max(len(str(x)) for x in col) for col in zip(head, *rows)]
for row in [head] + rows:
    print(" | ".join(str(c).ljust(w) for c, w in zip(row, width)))

def stats(name):
    log = open(os.path.join(tmp, f"{name}.log")).read()
    m = re.search(r"language model: (\d+) asked, (\d+) requests, (\d+) from the cache, (\d+) answered, "
                  r"(\d+) gave up, (\d+) not asked; (\d+) values accepted, (\d+) refused; "
                  r"(\d+) prompt \+ (\d+) completion tokens", log)
    return [int(x) for x in m.groups()] if m else None
docs = sum(1 for _ in open(os.path.join(tmp, "files.txt")))
s = stats("fallback")
if s is None:
    print("no language model summary in the fallback run's log:")
    print(open(os.path.join(tmp, "fallback.log")).read()[-2000:])
    sys.exit(1)
asked, requests, cached, answered, gave_up, skipped, accepted, refused, prompt, completion = s
print()
print(f"sent: {asked}/{docs} invoices ({asked / docs:.1%}); {requests} requests; "
      f"{answered} answered, {gave_up} gave up; {accepted} values accepted, {refused} refused")
per_sent = lambda n: n / asked if asked else 0
print(f"tokens per sent invoice: {per_sent(prompt):.0f} prompt + {per_sent(completion):.0f} completion; "
      f"per invoice of the batch: {(prompt + completion) / docs:.0f}")
for model, (pin, pout) in {"gpt-4o-mini": (0.15, 0.60), "gpt-4o": (2.50, 10.00)}.items():
    cost = (prompt * pin + completion * pout) / 1e6
    print(f"cost per 1,000 invoices at {model} prices (${pin}/${pout} per 1M tokens): ${cost / docs * 1000:.2f}")
r = stats("rerun")
print(f"second run (cache): {r[1] if r else '?'} requests, {r[2] if r else '?'} answered from the cache")
b = open(os.path.join(tmp, "batch.log")).read()
m = re.search(r"completion tokens, \$([0-9.]+)", b)
live = re.search(r"completion tokens, \$([0-9.]+)", open(os.path.join(tmp, "fallback.log")).read())
if m and live:
    print(f"Batch API run: ${float(m.group(1)):.4f} against ${float(live.group(1)):.4f} live (gpt-4o-mini prices)")
print(open(os.path.join(tmp, "server.err")).read().strip())
PY
