#!/usr/bin/env python3
"""Supplier-memory replay (issue 14) through a running `invex serve`.

For each supplier (in order) of a set, on tenant AFTER: upload its first
invoice, wait for the result, correct every booked field that differs from
the ground truth (PATCH /v1/invoices/{id}; a field the truth leaves empty is
removed) and approve it; then upload its later invoices. Tenant BEFORE gets
the same uploads and no review, so its results are the extraction without
memory. Scored on the later invoices, with score.py's rules:

- corrected fields: the fields corrected on the supplier's first invoice;
- all fields: every scored field of the later invoices (memory must not
  make the rest worse).

usage: memory_replay.py URL BEFORE_KEY AFTER_KEY NAME:GROUNDTRUTH:ROOT:GROUP_BY ...
GROUP_BY is a ground-truth key (`supplier`) or `manifest:issuer` (the real
corpus's manifest.jsonl next to GROUNDTRUTH's parent).
"""
import json, os, sys, time, urllib.request, urllib.error
from collections import OrderedDict

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures"))
import score  # noqa: E402  (the vendored scorer: FIELDS, norm, match)

VERBOSE = bool(os.environ.get("MEMORY_REPLAY_VERBOSE"))


def call(url, key, method="GET", body=None, content_type="application/json", name=None):
    data = body if isinstance(body, (bytes, type(None))) else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method)
    req.add_header("authorization", f"Bearer {key}")
    if data is not None:
        req.add_header("content-type", content_type)
    if name:
        req.add_header("x-file-name", name)
    try:
        with urllib.request.urlopen(req, timeout=120) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


def upload(base, key, path):
    with open(path, "rb") as f:
        status, body = call(f"{base}/v1/invoices", key, "POST", f.read(),
                            "application/octet-stream", os.path.basename(path))
    if status not in (200, 202):
        raise SystemExit(f"upload {path}: {status} {body}")
    return body["id"]


def processed(base, key, invoice_id):
    for _ in range(1200):
        status, body = call(f"{base}/v1/invoices/{invoice_id}", key)
        if status == 200 and body["status"] not in ("queued", "processing"):
            return body
        time.sleep(0.1)
    raise SystemExit(f"invoice {invoice_id} not processed in 2 minutes")


def value(invoice, field):
    f = invoice.get("fields", {}).get(field)
    return f.get("value") if isinstance(f, dict) else None


def right(field, gold, invoice):
    g = score.norm(field, gold.get(field))
    return score.match(field, g, score.norm(field, value(invoice, field)))


def correction(field, gold_value):
    """The truth's value as a correction body value."""
    if gold_value is None or gold_value == "":
        return None
    return gold_value


def fixes(gold, invoice):
    """The corrections that make `invoice` read as `gold`: every scored field
    that differs, with the truth's value (None removes a field)."""
    fix = {}
    for f in score.FIELDS:
        g = score.norm(f, gold.get(f))
        p = score.norm(f, value(invoice, f))
        if g is None and p is not None:
            fix[f] = None
        elif g is not None and not score.match(f, g, p):
            fix[f] = correction(f, gold.get(f))
    return fix


def groups(gold_path, root, group_by):
    gold = [json.loads(l) for l in open(gold_path, encoding="utf-8") if l.strip()]
    if group_by.startswith("manifest:"):
        manifest = os.path.join(os.path.dirname(os.path.dirname(gold_path)), "manifest.jsonl")
        key = group_by.split(":", 1)[1]
        by_file = {}
        for line in open(manifest, encoding="utf-8"):
            m = json.loads(line)
            by_file[m["file"].split("/")[-1]] = m.get(key)
        label = lambda g: by_file.get(g["file"].split("/")[-1])
    else:
        label = lambda g: g.get(group_by)
    out = OrderedDict()
    for g in gold:
        path = os.path.join(root, g["file"])
        if os.path.exists(path) and label(g):
            out.setdefault(label(g), []).append((g, path))
    return OrderedDict((k, v) for k, v in out.items() if len(v) > 1)


def replay(base, before_key, after_key, name, gold_path, root, group_by):
    sets = groups(gold_path, root, group_by)
    tally = {"corrected": [0, 0, 0], "all": [0, 0, 0]}  # before right, after right, scored
    per_field = {}
    corrections = 0
    memory_fields = 0
    for supplier, invoices in sets.items():
        (first_gold, first_path), later = invoices[0], invoices[1:]
        upload(base, before_key, first_path)
        first = processed(base, after_key, upload(base, after_key, first_path))
        fix = fixes(first_gold, first)
        if fix:
            status, body = call(f"{base}/v1/invoices/{first['id']}", after_key, "PATCH", {"fields": fix})
            if status != 200:
                # A truth value the validators refuse (a foreign form): correct the rest.
                for f in list(fix):
                    s, _ = call(f"{base}/v1/invoices/{first['id']}", after_key, "PATCH", {"fields": {f: fix[f]}})
                    if s != 200:
                        del fix[f]
            corrections += len(fix)
        if VERBOSE:
            print(f"  {supplier}: corrected {fix}", file=sys.stderr)
        call(f"{base}/v1/invoices/{first['id']}/approve", after_key, "POST", {})
        for gold, path in later:
            b = processed(base, before_key, upload(base, before_key, path))
            a = processed(base, after_key, upload(base, after_key, path))
            memory_fields += sum(1 for f in a.get("fields", {}).values() if f.get("source") == "memory")
            for f in score.FIELDS:
                if score.norm(f, gold.get(f)) is None:
                    continue
                rb, ra = right(f, gold, b), right(f, gold, a)
                buckets = ["all"] + (["corrected"] if f in fix else [])
                for k in buckets:
                    tally[k][0] += rb
                    tally[k][1] += ra
                    tally[k][2] += 1
                pf = per_field.setdefault(f, [0, 0, 0])
                pf[0] += rb; pf[1] += ra; pf[2] += 1
                if VERBOSE and f in fix:
                    print(f"    {os.path.basename(path)} {f}: truth {gold.get(f)!r} before {value(b, f)!r} "
                          f"after {value(a, f)!r} ({a['fields'].get(f, {}).get('source')})", file=sys.stderr)
                if ra < rb:
                    print(f"  worse: {os.path.basename(path)} {f}: truth {gold.get(f)!r}, "
                          f"before {value(b, f)!r}, after {value(a, f)!r}", file=sys.stderr)
    later_docs = sum(len(v) - 1 for v in sets.values())
    print(f"\n== {name}: {len(sets)} suppliers, {later_docs} later invoices, "
          f"{corrections} corrections on first invoices, {memory_fields} fields read by memory")
    for k, (b, a, n) in tally.items():
        if n:
            print(f"{k + ' fields':18s} {n:5d} scored   without memory {b / n:.3f}   with memory {a / n:.3f}")
    print(f"{'field':18s} {'scored':>6s} {'without':>8s} {'with':>8s}")
    for f in score.FIELDS:
        if f in per_field:
            b, a, n = per_field[f]
            print(f"{f:18s} {n:6d} {b / n:8.3f} {a / n:8.3f}")
    return tally


def main():
    base, before_key, after_key, *specs = sys.argv[1:]
    for spec in specs:
        name, gold, root, group_by = spec.split(":", 3)
        replay(base, before_key, after_key, name, gold, root, group_by)


if __name__ == "__main__":
    main()
