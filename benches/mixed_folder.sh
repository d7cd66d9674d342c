#!/usr/bin/env bash
# A mixed folder of at least 200 pages, as an operator's inbox looks:
# digital PDFs, image-only scanned PDFs, phone photos (JPEG), multi-page TIFF
# from a scanner, PNG scans, and hostile files (truncated, encrypted, empty,
# a decompression bomb, noise, wrong types, a blank scan). `invex extract`
# runs over it with its progress bar (recorded through `script`, so that it
# draws as on a terminal); then this prints pages, wall time, pages/s, each
# failed file's error line, and field accuracy on the good files.
#
#   benches/mixed_folder.sh [WORK_DIR]        (default /tmp/invex-mixed)
#   INVEX=path/to/invex  INVEX_MIXED_SCALE=2 (twice the files)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK="${1:-/tmp/invex-mixed}"
INVEX="${INVEX:-${CARGO_TARGET_DIR:-$ROOT/target}/release/invex}"
SCALE="${INVEX_MIXED_SCALE:-1}"
[[ -x "$INVEX" ]] || { echo "no binary at $INVEX: run scripts/setup.sh" >&2; exit 1; }
rm -rf "$WORK" && mkdir -p "$WORK/parts" "$WORK/inbox"

# part NAME COUNT SEED [generate options...]: generated, then moved into the
# inbox as NAME-<file> so that names from different parts do not collide.
part() {
  local name=$1 count=$(($2 * SCALE)) seed=$3; shift 3
  "$INVEX" dataset generate --count "$count" --seed "$seed" --out "$WORK/parts/$name" "$@" >/dev/null
  python3 - "$WORK/parts/$name" "$WORK/inbox" "$name" <<'PY'
import json, os, sys
src, inbox, prefix = sys.argv[1:]
with open(os.path.join(inbox, "..", "gold.jsonl"), "a") as gold:
    for line in open(os.path.join(src, "groundtruth.jsonl")):
        record = json.loads(line)
        record["file"] = f"{prefix}-{record['file']}"
        gold.write(json.dumps(record, ensure_ascii=False) + "\n")
for f in sorted(os.listdir(src)):
    if f.endswith((".pdf", ".tif", ".png", ".jpg")):
        os.replace(os.path.join(src, f), os.path.join(inbox, f"{prefix}-{f}"))
PY
}

echo "building the folder in $WORK/inbox ..."
part digital 75 5101
part scan 50 5102 --scan
part photo 30 5103 --scan --degradations photo --scan-format jpeg
part tiff 15 5104 --scan --scan-format tiff
part png 20 5105 --scan --scan-format png --degradations clean,rotate,rotate90,blur_noise,stamp

python3 - "$WORK/inbox" "$ROOT/tests/fixtures" <<'PY'
import os, random, struct, sys, zlib
inbox, fixtures = sys.argv[1:]
def put(name, data):
    open(os.path.join(inbox, "bad-" + name), "wb").write(data)
good = open(os.path.join(inbox, sorted(f for f in os.listdir(inbox) if f.startswith("digital-"))[0]), "rb").read()
def chunk(kind, body):
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
def png(w, h, rows):  # 8-bit gray; `rows` are the filtered scanlines
    header = chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0))
    return b"\x89PNG\r\n\x1a\n" + header + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
rng = random.Random(7)
put("truncated.pdf", good[: len(good) // 2])
put("encrypted.pdf", open(os.path.join(fixtures, "encrypted.pdf"), "rb").read())
put("empty.pdf", b"")
put("bomb.png", png(100000, 100000, b"\0" * 100001 * 50))  # claims 10^10 pixels
put("noise.pdf", bytes(rng.getrandbits(8) for _ in range(4096)))
put("webpage.pdf", b"<!DOCTYPE html><html><body>Faktura</body></html>")
put("truncated.jpg", b"\xff\xd8\xff\xe0\0\x10JFIF\0")
put("blank-scan.png", png(850, 1100, (b"\0" + b"\xff" * 850) * 1100))  # OCR finds no words
PY

files=$(find "$WORK/inbox" -type f | wc -l)
echo "$files files; running invex extract (progress bar below) ..."
started=$(date +%s.%N)
set +e
script -qfec "'$INVEX' extract '$WORK/inbox' --output '$WORK/results.jsonl'" "$WORK/extract.log"
code=$?
set -e
elapsed=$(python3 -c "import time; print(f'{time.time() - $started:.1f}')")

python3 - "$WORK" "$elapsed" "$code" <<'PY'
import json, sys
work, elapsed, code = sys.argv[1], float(sys.argv[2]), sys.argv[3]
rows = [json.loads(l) for l in open(f"{work}/results.jsonl")]
pages = sum(r.get("pages") or 0 for r in rows)
ok = [r for r in rows if r["status"] != "failed"]
failed = [r for r in rows if r["status"] == "failed"]
print(f"\nfiles {len(rows)}: {len(ok)} read, {len(failed)} failed; exit code {code}")
print(f"pages read {pages} in {elapsed:.0f} s: {pages / elapsed:.2f} pages/s")
for r in failed:
    print(f"  failed  {r['file'].rsplit('/', 1)[-1]:<28} {r['error_type']:<16} {r['error']}")
PY
"$INVEX" eval --gold "$WORK/gold.jsonl" --pred "$WORK/results.jsonl" | tail -n 2
