"""Side by side: the same ONNX layout model run from Python (pdfplumber words
+ onnxruntime) and from invex (pdfium words + ort), on the same PDFs.

    models/training/run.sh's venv has everything this needs:
    ~/.cache/invex-train/venv/bin/python benches/python_side_by_side.py DIR [--model DIR]

Both sides use all cores: Python one process with onnxruntime's intra-op
threads = cores; invex `extract --extractor model` with one rayon thread per
core. The Python side stops at word labels (no value parsing, no output file),
so it does less work than invex. Prints invoices/s for each and the ratio.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "models", "training"))

import onnxruntime as ort  # noqa: E402
import pdfplumber  # noqa: E402
from tokenizers import Tokenizer  # noqa: E402

from invex_train.data import special_ids  # noqa: E402
from invex_train.predict import ort_runner, run_windows, word_logits  # noqa: E402
from invex_train.windows import encode_words, make_windows  # noqa: E402


def pdf_words(path):
    """Words and 0..1000 boxes of every page, as pdfplumber reads them."""
    words, boxes = [], []
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            w, h = float(page.width), float(page.height)
            for word in page.extract_words():
                words.append(word["text"])
                box = [word["x0"] / w, word["top"] / h, word["x1"] / w, word["bottom"] / h]
                boxes.append([int(min(1000, max(0, round(v * 1000)))) for v in box])
    return words, boxes


def python_side(pdfs, model_dir, threads):
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    session = ort.InferenceSession(os.path.join(model_dir, "model.onnx"), options,
                                   providers=["CPUExecutionProvider"])
    tokenizer = Tokenizer.from_file(os.path.join(model_dir, "tokenizer.json"))
    cls_id, sep_id, pad_id = special_ids(tokenizer)
    runner = ort_runner(session)
    pdf_time = model_time = 0.0
    for path in pdfs:
        t0 = time.perf_counter()
        words, boxes = pdf_words(path)
        t1 = time.perf_counter()
        encoded = encode_words(tokenizer, words)
        windows = make_windows(encoded, boxes, cls_id, sep_id)
        logits = run_windows(runner, windows, pad_id)
        labels = word_logits(encoded, windows, logits, logits[0].shape[-1]).argmax(-1)
        assert len(labels) == len(words)
        t2 = time.perf_counter()
        pdf_time += t1 - t0
        model_time += t2 - t1
    return pdf_time, model_time


def rust_side(inputs, model_dir, invex, threads):
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        subprocess.run([invex, "extract", *inputs, "--extractor", "model", "--model", model_dir,
                        "--threads", str(threads), "--no-progress",
                        "--output", os.path.join(tmp, "out.jsonl")],
                       check=True, stderr=subprocess.DEVNULL)
        return time.perf_counter() - started


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("dir", help="a folder of PDFs (for example from `invex dataset generate`)")
    p.add_argument("--model", default=os.path.join(ROOT, "models", "shipped", "invex-layout"))
    p.add_argument("--invex", default=os.path.join(
        os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target")), "release", "invex"))
    p.add_argument("--threads", type=int, default=os.cpu_count())
    p.add_argument("--limit", type=int, default=200)
    args = p.parse_args()
    pdfs = sorted(os.path.join(args.dir, f) for f in os.listdir(args.dir) if f.endswith(".pdf"))
    pdfs = pdfs[: args.limit]
    n = len(pdfs)
    pdf_time, model_time = python_side(pdfs, args.model, args.threads)
    py_total = pdf_time + model_time
    rust_total = rust_side(pdfs, args.model, args.invex, args.threads)
    print(f"documents: {n}, threads: {args.threads}")
    print(f"python (pdfplumber + onnxruntime): {n / py_total:7.1f} invoices/s "
          f"(pdf {pdf_time / n * 1000:.1f} ms/doc, model {model_time / n * 1000:.1f} ms/doc)")
    print(f"invex  (pdfium + ort, end to end): {n / rust_total:7.1f} invoices/s")
    print(f"ratio invex / python: {py_total / rust_total:.2f}x")


if __name__ == "__main__":
    main()
