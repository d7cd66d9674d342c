#!/usr/bin/env bash
# PEPPOL BIS 3 export of the real invoice corpus (datasets/real), one split:
# extract with the default cascade, book and export each invoice as UBL with
# `invex export --to peppol`, validate every written document against the
# UBL 2.1 XSD (xmllint) besides the exporter's own EN 16931/SE-R rules, and
# compare the exported lines with the printed ones (groundtruth_lines.jsonl).
#
#   benches/peppol_real.sh [--split test|tune] [--bin PATH]
#
# Prints: documents read, booked, written and refused (with the reasons
# counted), XSD validity, and for the written documents which carry the
# extracted lines and which one summary line per VAT rate (used when the
# extracted lines do not add up to each rate's base), how many exported item
# lines match a printed line by net amount, and how many match none
# ("invented"). Allowances and charges written as AllowanceCharge are counted
# apart. Exchange rates in the tenant config below only set the SEK VAT total
# that BR-53 asks of foreign-currency invoices; they are round figures, not
# quotes.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REAL="$ROOT/datasets/real"
SPLIT=test BIN="${INVEX:-}"
while (($#)); do
  case "$1" in
    --split) SPLIT=${2:?}; shift 2 ;;
    --bin) BIN=${2:?}; shift 2 ;;
    -h|--help) sed -n '2,18p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option: $1" >&2; exit 2 ;;
  esac
done
[[ $SPLIT == test || $SPLIT == tune ]] || { echo "--split must be test or tune" >&2; exit 2; }
if [[ -z $BIN ]]; then
  BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/invex"
  [[ -x $BIN ]] || BIN="$HOME/.cache/invex-target/release/invex"
fi
[[ -x $BIN ]] || { echo "no binary at $BIN: run scripts/setup.sh, or pass --bin" >&2; exit 1; }
XSD_DIR="${INVEX_NATIVE_DIR:-$ROOT/.native}/ubl-2.1/maindoc"
[[ -f $XSD_DIR/UBL-Invoice-2.1.xsd ]] || { echo "no UBL schemas in $XSD_DIR: run scripts/setup.sh" >&2; exit 1; }
command -v xmllint >/dev/null || { echo "no xmllint: run scripts/setup.sh" >&2; exit 1; }

TMP="$(mktemp -d "${TMPDIR:-/tmp}/invex-peppol.XXXXXX")"
trap '[[ -n ${INVEX_KEEP_TMP:-} ]] || rm -rf "$TMP"' EXIT   # INVEX_KEEP_TMP=1 keeps the files
cat >"$TMP/tenant.toml" <<'TOML'
[company]
name = "Exempelkommunen"
org_nr = "2120000142"
vat_nr = "SE212000014201"
# The reference a municipality gives its suppliers (PEPPOL-EN16931-R003), for
# the invoices that print neither a buyer reference nor an order number.
buyer_reference = "4711"
[exchange_rates]
EUR = "11.5"
USD = "10.5"
GBP = "13.5"
CHF = "12.0"
DKK = "1.55"
NOK = "1.0"
PLN = "2.65"
INR = "0.125"
MYR = "2.3"
ARS = "0.011"
TOML

mapfile -t FILES < <(cd "$REAL" && while read -r f; do [[ -n $f && -f $f ]] && echo "$f"; done <"$SPLIT/files.txt")
echo "split $SPLIT: ${#FILES[@]} files on disk ($(grep -c . "$REAL/$SPLIT/files.txt") listed)"
(cd "$REAL" && "$BIN" extract --no-progress --output "$TMP/pred.jsonl" "${FILES[@]}") >"$TMP/extract.log" 2>&1 || true
[[ -s $TMP/pred.jsonl ]] || { echo "extraction wrote nothing:" >&2; tail -5 "$TMP/extract.log" >&2; exit 1; }
# --include-unreviewed: this measures what the exporter can write, not what
# a clerk has approved (an export skips invoices that still need review).
"$BIN" export "$TMP/pred.jsonl" --to peppol --include-unreviewed --config "$TMP/tenant.toml" \
  --output "$TMP/xml" >"$TMP/export.out" 2>"$TMP/export.err" || true
cat "$TMP/export.out"
: >"$TMP/xsd.txt"
for x in "$TMP"/xml/*.xml; do
  [[ -e $x ]] || break
  root=Invoice; grep -q '<CreditNote' "$x" && root=CreditNote
  if xmllint --noout --nonet --schema "$XSD_DIR/UBL-$root-2.1.xsd" "$x" >/dev/null 2>"$TMP/one.err"; then
    echo "ok $(basename "$x")" >>"$TMP/xsd.txt"
  else
    echo "invalid $(basename "$x") $(head -c 300 "$TMP/one.err" | tr '\n' ' ')" >>"$TMP/xsd.txt"
  fi
done

# OpenPEPPOL's schematrons (CEN EN 16931 and PEPPOL BIS 3, compiled to XSLT
# in exporters/schemas/peppol-bis3), one Saxon run over the folder each.
SCH="$ROOT/exporters/schemas/peppol-bis3"
: >"$TMP/schematron.txt"
if compgen -G "$TMP/xml/*.xml" >/dev/null; then
  for sheet in CEN-EN16931-UBL PEPPOL-EN16931-UBL; do
    mkdir -p "$TMP/svrl-$sheet"
    java -cp /usr/share/java/Saxon-HE.jar net.sf.saxon.Transform -s:"$TMP/xml" \
      -xsl:"$SCH/$sheet.xslt" -o:"$TMP/svrl-$sheet" 2>/dev/null \
      || echo "saxon failed on $sheet" >>"$TMP/schematron.txt"
    for r in "$TMP/svrl-$sheet"/*.xml; do
      [[ -e $r ]] || continue
      # failed assertions flagged fatal (fired rules carry a flag too)
      n=$(python3 -c 'import re, sys
t = open(sys.argv[1], encoding="utf-8").read()
print(sum("flag=\"fatal\"" in m for m in re.findall(r"<svrl:failed-assert[^>]*>", t)))' "$r")
      echo "$sheet $(basename "$r") $n" >>"$TMP/schematron.txt"
    done
  done
fi

python3 - "$TMP" "$REAL/$SPLIT/groundtruth_lines.jsonl" <<'PY'
import collections, glob, json, os, re, sys
import xml.etree.ElementTree as ET
tmp, gold_path = sys.argv[1], sys.argv[2]
NS = {"cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
      "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"}

def safe(source):
    stem = source.rsplit(".", 1)[0] if "." in source else source
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in stem) + ".xml"

gold = {}
for line in open(gold_path, encoding="utf-8"):
    if line.strip():
        d = json.loads(line)
        gold[safe(d["file"])] = [l.get("line_total_net") for l in d["line_items"]]
preds = [json.loads(l) for l in open(os.path.join(tmp, "pred.jsonl"), encoding="utf-8") if l.strip()]
reasons = collections.Counter()
for line in open(os.path.join(tmp, "export.err"), encoding="utf-8"):
    if line.startswith("skipped "):
        why = line.split(": ", 1)[-1].strip()
        why = re.sub(r"[-0-9.,]+", "N", why)[:110]
        reasons[why] += 1
xsd = [l.split()[0] for l in open(os.path.join(tmp, "xsd.txt"), encoding="utf-8") if l.strip()]
written = sorted(glob.glob(os.path.join(tmp, "xml", "*.xml")))
own_docs = summary_docs = items = matched = invented = others = gold_lines = 0
for path in written:
    root = ET.parse(path).getroot()
    lines = root.findall("cac:InvoiceLine", NS) + root.findall("cac:CreditNoteLine", NS)
    others += len(root.findall("cac:AllowanceCharge", NS))
    names = [l.findtext("cac:Item/cbc:Name", "", NS) for l in lines]
    if all(n.startswith("Varor och tjänster, ") for n in names):
        summary_docs += 1
        continue
    own_docs += 1
    want = list(gold.get(os.path.basename(path), []))
    gold_lines += len(want)
    for l in lines:
        items += 1
        amount = float(l.findtext("cbc:LineExtensionAmount", "0", NS))
        hit = next((i for i, g in enumerate(want) if g is not None and abs(abs(g) - abs(amount)) <= 0.011), None)
        if hit is None:
            invented += 1
        else:
            matched += 1
            want.pop(hit)
print(f"\ndocuments read {len(preds)}, written {len(written)}, refused {sum(reasons.values())}")
for why, n in reasons.most_common():
    print(f"  {n:3d} × {why}")
print(f"XSD (UBL 2.1): {xsd.count('ok')} of {len(xsd)} written documents valid")
fatal = collections.defaultdict(int)
for line in open(os.path.join(tmp, "schematron.txt"), encoding="utf-8"):
    parts = line.split()
    if len(parts) == 3:
        fatal[parts[1]] += int(parts[2])
    elif line.strip():
        print(line.strip())
clean = sum(1 for n in fatal.values() if n == 0)
print(f"schematron (CEN + PEPPOL BIS 3): {clean} of {len(fatal)} written documents without a fatal finding")
print(f"written with the extracted lines: {own_docs}; with one summary line per VAT rate: {summary_docs}")
print(f"extracted item lines written: {items}; matching a printed line: {matched}; matching none (invented): {invented}")
print(f"printed lines of those documents: {gold_lines}; allowances and charges written: {others}")
PY
