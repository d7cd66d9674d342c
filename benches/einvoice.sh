#!/usr/bin/env bash
# E-invoice throughput and memory: N ZUGFeRD/Factur-X/XRechnung PDFs (copies
# of the PDFs in tests/fixtures/einvoice/zugferd and datasets/real/einvoice/files),
# read three ways side by side:
#   --trust-xml        the embedded XML alone (the page is not read)
#   --e-invoice check  the XML, checked against the page (the default)
#   --e-invoice off    the page alone (rules), as before e-invoices were read
# and N plain XML e-invoices (copies of the test-suite instances). Prints
# files per second and peak memory (RSS) for each.
#
#   benches/einvoice.sh [--files N] [--bin PATH]     (default N = 1000)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
N=1000 BIN="${INVEX:-}"
while (($#)); do
  case "$1" in
    --files) N=$2; shift 2 ;;
    --bin) BIN=$2; shift 2 ;;
    -h|--help) sed -n '2,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
done
[[ $N =~ ^[1-9][0-9]*$ ]] || { echo "--files must be a positive whole number" >&2; exit 2; }
if [[ -z $BIN ]]; then
  BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/invex"
  [[ -x $BIN ]] || BIN="$HOME/.cache/invex-target/release/invex"
fi
[[ -x $BIN ]] || { echo "no binary at $BIN: run scripts/setup.sh, or pass --bin" >&2; exit 1; }
TMP="$(mktemp -d "${TMPDIR:-/tmp}/invex-einvoice.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT

copy_n() { # copy_n DEST FILE... : N files, cycling through the sources
  local dest=$1; shift
  local sources=("$@") i
  mkdir -p "$dest"
  for ((i = 0; i < N; i++)); do
    cp "${sources[i % ${#sources[@]}]}" "$dest/$i.${sources[i % ${#sources[@]}]##*.}"
  done
}
mapfile -t PDFS < <(ls "$ROOT"/tests/fixtures/einvoice/zugferd/*.pdf "$ROOT"/datasets/real/einvoice/files/*.pdf)
mapfile -t XMLS < <(find "$ROOT/tests/fixtures/einvoice" -name '*.xml' -not -path '*not_invoice*' | sort)
copy_n "$TMP/pdf" "${PDFS[@]}"
copy_n "$TMP/xml" "${XMLS[@]}"
echo "$N e-invoice PDFs (from ${#PDFS[@]} distinct), $N XML files (from ${#XMLS[@]}); $(nproc) cores"

# run NAME DIR ARGS...: extract DIR, print files/s, peak RSS and the e-invoice share.
run() {
  local name=$1 dir=$2; shift 2
  local out="$TMP/$name.jsonl" start end kb
  start=$(date +%s.%N)
  /usr/bin/time -v -o "$TMP/$name.time" "$BIN" extract --no-progress "$dir" --output "$out" "$@" \
    >"$TMP/$name.log" 2>&1 || true
  end=$(date +%s.%N)
  kb=$(awk -F': *' '/Maximum resident set size/ {print $2}' "$TMP/$name.time")
  python3 - "$out" "$name" "$start" "$end" "$kb" "$N" <<'PY'
import json, sys
path, name, start, end, kb, n = sys.argv[1:]
rows = [json.loads(l) for l in open(path) if l.strip()]
secs = float(end) - float(start)
xml = sum(1 for r in rows if r.get("fields", {}).get("total_amount", {}).get("source") == "e-invoice")
failed = sum(1 for r in rows if r["status"] != "ok")
flagged = sum(1 for r in rows if (r.get("e_invoice") or {}).get("mismatches"))
print(f"{name:<26} {int(n)/secs:8.0f} files/s  {secs:7.2f} s  peak {int(kb)/1024:6.0f} MB  "
      f"total from XML {xml}/{len(rows)}  failed {failed}  flagged {flagged}")
PY
}
run "pdf --trust-xml" "$TMP/pdf" --trust-xml
run "pdf --e-invoice check" "$TMP/pdf" --e-invoice check
run "pdf --e-invoice off" "$TMP/pdf" --e-invoice off
run "xml" "$TMP/xml"
