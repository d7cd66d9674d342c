#!/usr/bin/env python3
"""Merges the corpus parts into one corpus, checks it, and splits it by issuer.

    python3 datasets/real/build.py          # rebuild the merged files, check, print the census
    python3 datasets/real/build.py --check  # check only; exit 1 on a problem

Each part (`einvoice/`, `digital/`, `scans/`) has `groundtruth.jsonl`,
`manifest.jsonl` and optionally `groundtruth_lines.jsonl`, with `file` paths
relative to this folder. The merged files here are:

- `manifest.jsonl`: every invoice with its source, licence, issuer,
  language, kind, origin, how the truth was made, and `split`;
- `tune/groundtruth.jsonl`, `test/groundtruth.jsonl` (and `_lines`): the
  ground truth of each split, in the `shared/eval` format.

The split is by issuer, so no issuer is in both: within each (language, kind)
stratum, issuers are ordered by the SHA-256 of their folded name and dealt
alternately to test and tune (the turn carries over between strata). Once an issuer is in the merged manifest
its side is kept, so adding invoices or issuers never moves one. The test part is frozen:
report on it, never tune on it.
"""

import hashlib
import json
import os
import re
import sys
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
PARTS = ["einvoice", "digital", "scans"]
FIELDS = ["invoice_number", "invoice_date", "due_date", "currency", "total_amount",
          "vat_amount", "net_amount", "supplier_name", "supplier_vat", "iban",
          "bankgiro", "payment_reference"]
MANIFEST_KEYS = ["file", "sha256", "issuer", "language", "kind", "origin", "source_repo",
                 "commit", "source_path", "licence", "redistributable", "truth"]
RESERVED = os.path.join(HERE, "..", "..", "..", "shared", "eval", "reserved.sha256")


def read_jsonl(path):
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def write_jsonl(path, rows):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")


def issuer_key(name):
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    folded = re.sub(r"\b(gmbh|ag|ab|ltd|limited|inc|llc|sarl|sas|sa|bv|nv|srl|spa|oy|as|aps)\b", "", folded)
    return re.sub(r"[^a-z0-9]", "", folded)


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def load():
    gold, lines, manifest = [], [], []
    for part in PARTS:
        d = os.path.join(HERE, part)
        gold += read_jsonl(os.path.join(d, "groundtruth.jsonl"))
        lines += read_jsonl(os.path.join(d, "groundtruth_lines.jsonl"))
        manifest += read_jsonl(os.path.join(d, "manifest.jsonl"))
    return gold, lines, manifest


def check(gold, manifest):
    problems = []
    reserved = set()
    if os.path.exists(RESERVED):
        reserved = {l.strip() for l in open(RESERVED) if l.strip()}
    else:
        print("note: ../shared/eval/reserved.sha256 not found; reserved files not checked")
    by_file = {m["file"]: m for m in manifest}
    names = {}
    for m in manifest:
        missing = [k for k in MANIFEST_KEYS if k not in m]
        if missing:
            problems.append(f"{m.get('file')}: manifest lacks {missing}")
        base = os.path.basename(m["file"])
        if base in names:
            problems.append(f"{m['file']}: base name also used by {names[base]}")
        names[base] = m["file"]
        path = os.path.join(HERE, m["file"])
        if os.path.exists(path):
            digest = sha256(path)
            if digest != m.get("sha256"):
                problems.append(f"{m['file']}: sha256 differs from the manifest")
            if digest in reserved:
                problems.append(f"{m['file']}: RESERVED for independent evaluation")
        elif m.get("redistributable"):
            problems.append(f"{m['file']}: missing (it is redistributable, so it must be here)")
        if "ZUGFeRD/corpus" in m.get("source_repo", "") or "invoice2data" in m.get("source_repo", ""):
            problems.append(f"{m['file']}: from a repository kept for independent evaluation")
        if m.get("redistributable") and "/restored/" in m["file"]:
            problems.append(f"{m['file']}: redistributable files belong in files/")
        if not m.get("redistributable") and "/files/" in m["file"]:
            problems.append(f"{m['file']}: non-redistributable files belong in restored/")
    digests = {}
    for m in manifest:
        d = m.get("sha256")
        if d in digests:
            problems.append(f"{m['file']}: same bytes as {digests[d]}")
        digests[d] = m["file"]
    for g in gold:
        if g.get("file") not in by_file:
            problems.append(f"{g.get('file')}: ground truth without a manifest line")
        extra = set(g) - set(FIELDS) - {"file"}
        if extra or any(f not in g for f in FIELDS):
            problems.append(f"{g.get('file')}: ground-truth keys differ from the shared/eval format")
    gold_files = {g.get("file") for g in gold}
    for m in manifest:
        if m["file"] not in gold_files:
            problems.append(f"{m['file']}: manifest line without ground truth")
    return problems


def split(manifest, frozen):
    """{issuer key: 'test' | 'tune'}: `frozen` issuers keep their split; new
    ones alternate within (language, kind) strata."""
    strata = {}
    first = {}
    for m in manifest:
        key = issuer_key(m["issuer"])
        # An issuer's stratum is that of its first invoice in the manifest.
        if key not in first:
            first[key] = (m["language"], m["kind"] if m["kind"] == "digital" else "image")
            strata.setdefault(first[key], []).append(key)
    out = {}
    turn = 0  # carried across strata, so that singletons alternate too
    for stratum in sorted(strata):
        issuers = sorted(set(strata[stratum]), key=lambda k: hashlib.sha256(k.encode()).hexdigest())
        for key in issuers:
            if key in frozen:
                out[key] = frozen[key]
                continue
            out[key] = "test" if turn % 2 == 0 else "tune"
            turn += 1
    return out


def census(manifest):
    from collections import Counter
    def show(title, counter):
        print(f"  {title}: " + ", ".join(f"{k} {v}" for k, v in sorted(counter.items())))
    print(f"invoices {len(manifest)}, issuers {len({issuer_key(m['issuer']) for m in manifest})}")
    for split_name in ["test", "tune"]:
        part = [m for m in manifest if m["split"] == split_name]
        print(f"{split_name}: {len(part)} invoices, {len({issuer_key(m['issuer']) for m in part})} issuers")
        show("language", Counter(m["language"] for m in part))
        show("kind", Counter(m["kind"] for m in part))
        show("origin", Counter(m["origin"] for m in part))
        show("redistributable", Counter(str(m["redistributable"]) for m in part))


def main():
    gold, lines, manifest = load()
    problems = check(gold, manifest)
    for p in problems:
        print("problem:", p)
    if "--check" in sys.argv:
        sys.exit(1 if problems else 0)
    # Issuers already split keep their side: the test part stays frozen.
    previous = read_jsonl(os.path.join(HERE, "manifest.jsonl"))
    frozen = {issuer_key(m["issuer"]): m["split"] for m in previous if "split" in m}
    splits = split(manifest, frozen)
    for m in manifest:
        m["split"] = splits[issuer_key(m["issuer"])]
    manifest.sort(key=lambda m: m["file"])
    write_jsonl(os.path.join(HERE, "manifest.jsonl"), manifest)
    by_file = {m["file"]: m for m in manifest}
    for split_name in ["test", "tune"]:
        keep = lambda r: by_file.get(r["file"], {}).get("split") == split_name
        write_jsonl(os.path.join(HERE, split_name, "groundtruth.jsonl"),
                    sorted((g for g in gold if keep(g)), key=lambda g: g["file"]))
        write_jsonl(os.path.join(HERE, split_name, "groundtruth_lines.jsonl"),
                    sorted((l for l in lines if keep(l)), key=lambda l: l["file"]))
        # The files of the split, one per line, for `xargs invex extract`.
        with open(os.path.join(HERE, split_name, "files.txt"), "w") as f:
            for m in manifest:
                if m["split"] == split_name:
                    f.write(m["file"] + "\n")
    census(manifest)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
