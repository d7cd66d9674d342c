#!/usr/bin/env python3
"""The learning loop end to end at smoke size (issue 14, part 2), through
the real binary, API and training scripts:

 1. `invex serve --extractor model` on SQLite; invoices of a layout family
    the shipped model never saw are uploaded, corrected to the truth and
    approved through the API;
 2. `invex learn export` -> `models/training/run.sh finetune` ->
    `invex models register` -> `invex models gate --promote`;
 3. the running workers swap the new version in: the next invoices of the
    family record it as their model version and score higher than the
    shipped model scores on them;
 4. `invex models rollback`: later invoices are made by the shipped model again;
 5. a candidate fine-tuned on deliberately wrong labels is refused by the gate.

Fails (non-zero exit) when any step does. Prints the before/after figures.

usage: tests/retrain_loop.py [--reviewed N] [--next N] [--family NAME]
Environment: INVEX_BIN (the invex binary), FINETUNE_ARGS (passed on).
"""
import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "benches"))
sys.path.insert(0, os.path.join(ROOT, "tests", "fixtures"))
import score  # noqa: E402
from memory_replay import call, fixes, processed, right, upload  # noqa: E402

BIN = os.environ.get("INVEX_BIN") or os.path.join(
    os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target")), "release", "invex")
SHIPPED = os.path.join(ROOT, "models", "shipped", "invex-layout")


def sh(*args, check=True, env=None, quiet=False):
    print("+ " + " ".join(args), file=sys.stderr, flush=True)
    done = subprocess.run(args, text=True, capture_output=True, env=env)
    if not quiet or done.returncode != 0:
        sys.stderr.write(done.stderr[-4000:])
    if check and done.returncode != 0:
        sys.stderr.write(done.stdout[-4000:])
        raise SystemExit(f"failed ({done.returncode}): {' '.join(args)}")
    return done


def accuracy(gold_rows, invoices):
    """Share of scored fields right, with score.py's rules."""
    judged = [right(f, gold, invoice) for gold, invoice in zip(gold_rows, invoices)
              for f in score.FIELDS if score.norm(f, gold.get(f)) is not None]
    return sum(judged) / max(1, len(judged))


def read_gold(folder):
    with open(os.path.join(folder, "groundtruth.jsonl"), encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def extract_offline(folder, out):
    """The shipped model alone on a folder, as `invex extract` runs it."""
    sh(BIN, "extract", "--extractor", "model", folder, "--output", out, quiet=True)
    with open(out, encoding="utf-8") as f:
        by_file = {os.path.basename(p["file"]): p for p in map(json.loads, f) if p}
    return by_file


def wrong_labels(src, dst, seed=3):
    """The export with every label moved to another word of its invoice."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    table = pq.read_table(src)
    labels = table.column("label").to_pylist()
    ids = table.column("invoice_id").to_pylist()
    rng = random.Random(seed)
    by_invoice = {}
    for i, inv in enumerate(ids):
        by_invoice.setdefault(inv, []).append(i)
    shuffled = list(labels)
    for rows in by_invoice.values():
        values = [labels[i] for i in rows]
        rng.shuffle(values)
        for i, v in zip(rows, values):
            shuffled[i] = v
    column = table.schema.get_field_index("label")
    pq.write_table(table.set_column(column, "label", pa.array(shuffled)), dst)


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--reviewed", type=int, default=100)
    p.add_argument("--next", type=int, default=30)
    p.add_argument("--family", default="payment_slip_footer")
    p.add_argument("--keep", action="store_true", help="keep the work folder")
    args = p.parse_args()
    started = time.time()
    work = tempfile.mkdtemp(prefix="invex-loop-")
    data = os.path.join(work, "data")
    common = ["--data-dir", data, "--log", "warn"]
    serve = None
    try:
        for name, seed, count in [("reviewed", 7101, args.reviewed), ("next", 7102, args.next),
                                  ("after", 7103, 8)]:
            sh(BIN, "dataset", "generate", "--count", str(count), "--seed", str(seed),
               "--families", args.family, "--out", os.path.join(work, name), quiet=True)
        created = sh(BIN, "tenants", "create", "acme", *common).stdout
        key = next(w for w in created.split() if w.startswith("ivx_"))

        # The shipped model on the next invoices, before any learning.
        before_pred = extract_offline(os.path.join(work, "next"), os.path.join(work, "before.jsonl"))

        serve = subprocess.Popen(
            [BIN, "serve", *common, "--listen", "127.0.0.1:0", "--workers", "2",
             "--extractor", "model", "--supplier-memory", "false", "--model-poll-seconds", "1",
             "--rate-limit-per-minute", "1000000", "--model-cache", os.path.join(work, "cache")],
            stdout=subprocess.PIPE, stderr=open(os.path.join(work, "serve.log"), "w"), text=True)
        line = serve.stdout.readline()
        if "http://" not in line:
            raise SystemExit(f"invex serve did not start: {line!r}")
        base = line[line.index("http://"):].split()[0]

        # 1. Review: correct every booked field to the truth, approve.
        gold = read_gold(os.path.join(work, "reviewed"))
        ids = [upload(base, key, os.path.join(work, "reviewed", g["file"])) for g in gold]
        reviewed = [processed(base, key, i) for i in ids]
        base_label = reviewed[0]["model_version"]
        assert base_label and base_label.startswith("invex-layout@"), base_label
        corrections = 0
        for g, invoice in zip(gold, reviewed):
            fix = fixes(g, invoice)
            if fix:
                status, body = call(f"{base}/v1/invoices/{invoice['id']}", key, "PATCH", {"fields": fix})
                if status != 200:
                    raise SystemExit(f"correction refused: {status} {body}")
                corrections += len(fix)
            status, body = call(f"{base}/v1/invoices/{invoice['id']}/approve", key, "POST", {})
            if status != 200:
                raise SystemExit(f"approve refused: {status} {body}")
        print(f"reviewed {len(ids)} invoices through the API, {corrections} corrections", flush=True)

        # 2. Export, fine-tune, register, gate and promote.
        parquet = os.path.join(work, "reviewed.parquet")
        sh(BIN, "learn", "export", "--out", parquet, *common)
        candidate = os.path.join(work, "candidate")
        env = dict(os.environ, INVEX_BIN=BIN, INVEX_TRAIN_WORK=os.path.join(work, "train"))
        sh(os.path.join(ROOT, "models", "training", "run.sh"), "finetune", parquet, SHIPPED,
           candidate, env=env, quiet=True)
        registered = sh(BIN, "models", "register", candidate, *common).stdout
        version = registered.split(" as ")[1].split()[0]
        gate = sh(BIN, "models", "gate", version, "--promote", "--extractor", "model",
                  "--generated", "20", "--families", args.family, "--no-real", *common, check=False)
        print(gate.stdout)
        if gate.returncode != 0:
            raise SystemExit("the gate refused the fine-tuned model")

        # 3. Hot swap: the next invoices are made by the new version.
        next_gold = read_gold(os.path.join(work, "next"))
        time.sleep(2.5)  # the workers ask for the active version once a second
        after = [processed(base, key, upload(base, key, os.path.join(work, "next", g["file"])))
                 for g in next_gold]
        versions = {a["model_version"] for a in after}
        if versions != {version}:
            raise SystemExit(f"expected every result from {version}, got {versions}")
        before = [before_pred.get(g["file"], {}) for g in next_gold]
        acc_before, acc_after = accuracy(next_gold, before), accuracy(next_gold, after)
        print(f"next {len(next_gold)} invoices of {args.family}: shipped model {acc_before:.3f}, "
              f"fine-tuned {acc_after:.3f}", flush=True)
        if not acc_after > acc_before:
            raise SystemExit("the fine-tuned model does not score higher")
        status, models = call(f"{base}/v1/models", key)
        assert status == 200 and models["active"] == version, models
        # The active version's files come back out of the store, for the next fine-tuning.
        sh(BIN, "models", "fetch", "active", "--out", os.path.join(work, "active"), *common)

        # 4. Rollback: the shipped model again, in the running service.
        sh(BIN, "models", "rollback", *common)
        time.sleep(2.5)
        rolled = [processed(base, key, upload(base, key, os.path.join(work, "after", g["file"])))
                  for g in read_gold(os.path.join(work, "after"))]
        versions = {a["model_version"] for a in rolled}
        if versions != {base_label}:
            raise SystemExit(f"after rollback expected {base_label}, got {versions}")
        print(f"rolled back: later invoices made by {base_label}", flush=True)

        # 5. A worse candidate (labels moved to the wrong words) is refused.
        broken = os.path.join(work, "broken.parquet")
        wrong_labels(parquet, broken)
        worse = os.path.join(work, "worse")
        sh(os.path.join(ROOT, "models", "training", "run.sh"), "finetune", broken, SHIPPED, worse,
           env=env, quiet=True)
        version = sh(BIN, "models", "register", worse, *common).stdout.split(" as ")[1].split()[0]
        gate = sh(BIN, "models", "gate", version, "--promote", "--extractor", "model",
                  "--generated", "20", "--families", args.family, "--no-real", *common, check=False)
        print(gate.stdout)
        if gate.returncode == 0:
            raise SystemExit("the gate passed a model trained on wrong labels")
        print(f"the worse candidate was refused; the loop took {time.time() - started:.0f} s")
    finally:
        if serve:
            serve.terminate()
            serve.wait(timeout=60)
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
