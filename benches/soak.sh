#!/usr/bin/env bash
# Soak test of the upload service (not run in CI): one `invex serve` (the
# API), separate `invex worker` processes, concurrent uploaders with a share
# of hostile files, and a worker killed with SIGKILL at a fixed interval and
# started again. Prints the 5xx count, lost and duplicated results, final
# statuses, and the RSS of the API, the workers and their reader helpers over
# time.
#
#   benches/soak.sh [--backend sqlite|postgres] [--minutes 30] [--clients 32]
#                   [--workers 2] [--hostile-percent 5] [--kill-every 300] [--bin PATH]
#
#   sqlite    SQLite and originals in a local folder (the embedded defaults)
#   postgres  a fresh database on INVEX_SOAK_POSTGRES_URL (default
#             postgres://postgres@127.0.0.1:5432/postgres, which must allow
#             CREATE DATABASE), and originals in S3: a moto server on
#             loopback, from the venv `scripts/test.sh` installs
#             (~/.cache/invex-moto/venv)
#
# Uploads are distinct (a counter appended after a sample PDF's %%EOF) so
# that none is a duplicate by sha256. Hostile files: truncated PDFs, random
# bytes, empty files (refused with a 4xx), and PDFs on which the reader helper
# aborts or hangs (INVEX_READER_FAULTS=1; they end `failed` with
# reader_crashed or reader_timeout). Each client uploads about one file every
# 2 s. Goals (the reliability issue): no 5xx, no lost or duplicated result,
# RSS flat after warm-up (< 10 % growth).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BACKEND=sqlite MINUTES=30 CLIENTS=32 WORKERS=2 HOSTILE=5 KILL_EVERY=300 BIN="${INVEX:-}"
while (($#)); do
  case "$1" in
    --backend) BACKEND=${2:?}; shift 2 ;;
    --minutes) MINUTES=${2:?}; shift 2 ;;
    --clients) CLIENTS=${2:?}; shift 2 ;;
    --workers) WORKERS=${2:?}; shift 2 ;;
    --hostile-percent) HOSTILE=${2:?}; shift 2 ;;
    --kill-every) KILL_EVERY=${2:?}; shift 2 ;;
    --bin) BIN=${2:?}; shift 2 ;;
    -h|--help) sed -n '2,26p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
done
[[ $BACKEND == sqlite || $BACKEND == postgres ]] || { echo "--backend sqlite|postgres" >&2; exit 2; }
for n in "$MINUTES" "$CLIENTS" "$WORKERS" "$HOSTILE" "$KILL_EVERY"; do
  [[ $n =~ ^[0-9]+$ ]] || { echo "numbers only: $n" >&2; exit 2; }
done
if [[ -z $BIN ]]; then
  BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/invex"
  [[ -x $BIN ]] || BIN="$HOME/.cache/invex-target/release/invex"
fi
[[ -x $BIN ]] || { echo "no binary at $BIN: run scripts/setup.sh, or pass --bin" >&2; exit 1; }

TMP="$(mktemp -d "${TMPDIR:-/tmp}/invex-soak.XXXXXX")"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}" $(cat "$TMP"/worker-*.pid 2>/dev/null); do kill -9 "$p" 2>/dev/null || true; done
  pkill -9 -f "$TMP" 2>/dev/null || true
  [[ -n ${KEEP_TMP:-} ]] || rm -rf "$TMP"
}
trap cleanup EXIT

COMMON=(--data-dir "$TMP/data" --log warn)
if [[ $BACKEND == postgres ]]; then
  admin="${INVEX_SOAK_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
  db="invex_soak_$$"
  psql "$admin" -qc "CREATE DATABASE $db" >/dev/null
  DB_URL="${admin%/*}/$db"
  VENV="$HOME/.cache/invex-moto/venv"
  [[ -x $VENV/bin/moto_server ]] || { echo "no moto in $VENV: run scripts/test.sh once" >&2; exit 1; }
  PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  "$VENV/bin/moto_server" -H 127.0.0.1 -p "$PORT" >"$TMP/moto.log" 2>&1 &
  PIDS+=($!)
  disown $!
  for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/"$PORT") 2>/dev/null && break; sleep 0.2; done
  export AWS_ACCESS_KEY_ID=soak AWS_SECRET_ACCESS_KEY=soak AWS_REGION=us-east-1
  export AWS_ENDPOINT_URL="http://127.0.0.1:$PORT"
  "$VENV/bin/python" -c "import boto3; boto3.client('s3', endpoint_url='$AWS_ENDPOINT_URL').create_bucket(Bucket='soak')"
  COMMON+=(--database-url "$DB_URL" --blob-store s3://soak/originals)
  trap 'cleanup; psql "$admin" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true' EXIT
fi

"$BIN" dataset generate --count 200 --seed 9090 --out "$TMP/corpus" >/dev/null 2>&1
KEY=$("$BIN" tenants create Soak "${COMMON[@]}" | grep -o 'ivx_[A-Za-z0-9_]*' | head -1)
[[ -n $KEY ]] || { echo "no key from invex tenants create" >&2; exit 1; }

# No rate limit: the soak is about load (the limit is tested elsewhere).
"$BIN" serve --workers 0 --listen 127.0.0.1:0 --rate-limit-per-minute 10000000 "${COMMON[@]}" \
  >"$TMP/serve.out" 2>"$TMP/serve.log" &
SERVE=$!
disown $SERVE
PIDS+=("$SERVE")
for _ in $(seq 100); do grep -q 'http://' "$TMP/serve.out" 2>/dev/null && break; sleep 0.1; done
URL=$(grep -o 'http://[0-9.:]*' "$TMP/serve.out" | head -1)
[[ -n $URL ]] || { echo "invex serve did not start:" >&2; tail -5 "$TMP/serve.log" >&2; exit 1; }

start_worker() {
  INVEX_READER_FAULTS=1 "$BIN" worker --workers 1 --poll-ms 100 --lease-seconds 15 \
    --max-attempts 2 --retry-base-ms 200 --reader-timeout-seconds 5 "${COMMON[@]}" \
    >/dev/null 2>>"$TMP/worker-$1.log" &
  echo $! >"$TMP/worker-$1.pid"
  disown $!
}
for w in $(seq "$WORKERS"); do start_worker "$w"; done

# The killer: every KILL_EVERY seconds, SIGKILL one worker (in turn) and start it again.
(
  w=1
  while sleep "$KILL_EVERY"; do
    kill -9 "$(cat "$TMP/worker-$w.pid")" 2>/dev/null || true
    echo "$(date +%s) killed worker $w" >>"$TMP/kills.log"
    start_worker "$w"
    w=$((w % WORKERS + 1))
  done
) &
PIDS+=($!)
disown $!

# RSS every 10 s: the API, the workers, and the workers' reader helpers (kB).
(
  while sleep 10; do
    api=$(awk '/VmRSS/{print $2}' /proc/"$SERVE"/status 2>/dev/null || echo 0)
    workers=0 helpers=0
    for f in "$TMP"/worker-*.pid; do
      p=$(cat "$f")
      workers=$((workers + $(awk '/VmRSS/{print $2}' /proc/"$p"/status 2>/dev/null || echo 0)))
      for c in $(pgrep -P "$p" 2>/dev/null); do
        helpers=$((helpers + $(awk '/VmRSS/{print $2}' /proc/"$c"/status 2>/dev/null || echo 0)))
      done
    done
    echo "$(date +%s) $api $workers $helpers" >>"$TMP/rss.log"
  done
) &
PIDS+=($!)
disown $!

echo "soak: $BACKEND, $MINUTES min, $CLIENTS clients, $WORKERS workers, $HOSTILE % hostile, a worker killed every $KILL_EVERY s; $URL"
python3 - "$URL" "$KEY" "$TMP" "$MINUTES" "$CLIENTS" "$HOSTILE" <<'PY'
import collections, glob, http.client, json, os, random, sys, threading, time, urllib.parse
url, key, tmp, minutes, clients, hostile = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4]), int(sys.argv[5]), float(sys.argv[6])
host = urllib.parse.urlparse(url)
corpus = [open(p, "rb").read() for p in sorted(glob.glob(os.path.join(tmp, "corpus", "*.pdf")))]
lock = threading.Lock()
statuses, errors, accepted, duplicates = collections.Counter(), collections.Counter(), {}, 0
deadline = time.time() + minutes * 60

def request(method, path, body=None, headers=None):
    c = http.client.HTTPConnection(host.hostname, host.port, timeout=60)
    try:
        c.request(method, path, body=body, headers={"authorization": f"Bearer {key}", **(headers or {})})
        r = c.getresponse()
        return r.status, r.read()
    finally:
        c.close()

def body_for(client, n, rng):
    pdf = rng.choice(corpus) + f"\n%soak-{client}-{n}\n".encode()
    if rng.random() * 100 >= hostile:
        return "good", pdf
    kind = rng.choice(["truncated", "random", "empty", "abort", "hang"])
    if kind == "truncated":
        return kind, pdf[: len(pdf) // 2]
    if kind == "random":
        return kind, os.urandom(rng.randint(1, 50_000))
    if kind == "empty":
        return kind, b""
    mark = b"%INVEX-TEST-ABORT" if kind == "abort" else b"%INVEX-TEST-HANG"
    return kind, pdf + mark + f"-{client}-{n}\n".encode()

def client(i):
    global duplicates
    rng = random.Random(i)
    n = 0
    while time.time() < deadline:
        n += 1
        kind, body = body_for(i, n, rng)
        try:
            status, raw = request("POST", "/v1/invoices", body, {"x-file-name": f"{kind}-{i}-{n}.pdf", "content-type": "application/pdf"})
        except Exception as e:
            with lock:
                errors[type(e).__name__] += 1
            continue
        with lock:
            statuses[status] += 1
            if status == 202:
                doc = json.loads(raw)
                if doc.get("duplicate"):
                    duplicates += 1
                accepted[doc["id"]] = kind
        time.sleep(rng.uniform(0, 4))

threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
for t in threads: t.start()
for t in threads: t.join()
print(f"uploads: {sum(statuses.values())} answered ({dict(sorted(statuses.items()))}), connection errors {dict(errors)}, 5xx {sum(n for s, n in statuses.items() if s >= 500)}")
print(f"accepted: {len(accepted)} ({dict(collections.Counter(accepted.values()))}); accepted as duplicates: {duplicates}")

# Every accepted file must end done/needs_review/failed (10 minutes at most).
final, missing, pending = {}, [], set(accepted)
wait_until = time.time() + 600
while pending and time.time() < wait_until:
    for inv in list(pending):
        status, raw = request("GET", f"/v1/invoices/{inv}")
        if status == 404:
            missing.append(inv); pending.discard(inv); continue
        doc = json.loads(raw) if status == 200 else {}
        if doc.get("status") in ("done", "needs_review", "failed"):
            final[inv] = (doc["status"], doc.get("error_type"))
            pending.discard(inv)
    if pending:
        time.sleep(2)
print(f"results: {len(final)} final, {len(pending)} still pending after 10 min, {len(missing)} lost (404)")
by_kind = collections.defaultdict(collections.Counter)
for inv, (status, error) in final.items():
    by_kind[accepted[inv]][status + (f" ({error})" if error else "")] += 1
for kind, counts in sorted(by_kind.items()):
    print(f"  {kind}: {dict(counts)}")
# The list endpoint holds each accepted invoice exactly once (no duplicated result).
seen, cursor = collections.Counter(), None
while True:
    q = "/v1/invoices?limit=500" + (f"&cursor={urllib.parse.quote(cursor)}" if cursor else "")
    status, raw = request("GET", q)
    if status != 200:
        print(f"listing failed: {status} {raw[:200]!r}"); break
    doc = json.loads(raw)
    for inv in doc.get("invoices", []):
        seen[inv["id"]] += 1
    cursor = doc.get("next_cursor")
    if not cursor:
        break
print(f"listed: {len(seen)} invoices, {sum(1 for c in seen.values() if c > 1)} listed twice, "
      f"{len(set(accepted) - set(seen))} accepted but not listed")
PY

python3 - "$TMP/rss.log" "$TMP/kills.log" "$MINUTES" <<'PY'
import sys
rows = [list(map(int, l.split())) for l in open(sys.argv[1]) if l.strip()]
kills = sum(1 for _ in open(sys.argv[2])) if __import__("os").path.exists(sys.argv[2]) else 0
if not rows:
    sys.exit("no RSS samples")
t0 = rows[0][0]
warm = [r for r in rows if r[0] - t0 >= min(300, float(sys.argv[3]) * 60 / 6)] or rows
print(f"workers killed with SIGKILL: {kills}")
print("RSS (MB)     after warm-up   end   max   growth")
for i, name in [(1, "API"), (2, "workers"), (3, "helpers")]:
    a, b, m = warm[0][i] / 1024, rows[-1][i] / 1024, max(r[i] for r in rows) / 1024
    g = (b - a) / a * 100 if a else 0
    print(f"{name:<10} {a:>12.1f} {b:>6.1f} {m:>5.1f} {g:>+7.1f} %")
PY
