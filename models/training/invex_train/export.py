"""Export a trained checkpoint in the Hugging Face/optimum ONNX layout:
model.onnx (inputs input_ids, bbox, attention_mask; output logits; dynamic
batch and sequence axes), model_quantized.onnx (int8, dynamic), config.json
with id2label, tokenizer.json, manifest.json (sha256 of every file, labels,
metrics) and reference.json (inputs and outputs the Rust tests compare with).

    python -m invex_train.export --checkpoint run/best --out DIR \
        --eval heldout=test.jsonl --eval val=val.jsonl --version 1.0.0
"""

import argparse
import datetime
import hashlib
import json
import os
import shutil

import numpy as np
import onnxruntime as ort
import torch
from onnxruntime.quantization import QuantType, quantize_dynamic
from tokenizers import Tokenizer
from transformers import LayoutLMv3ForTokenClassification

from .data import collate, read_documents, special_ids
from .metrics import score
from .model import LogitsOnly
from .predict import document_inputs, ort_runner, predict_documents, run_windows, word_logits

PARITY_LIMIT = 1e-4


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--checkpoint", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--name", default="invex-layout")
    p.add_argument("--version", default="0.0.0")
    p.add_argument("--eval", action="append", default=[], help="NAME=path.jsonl")
    p.add_argument("--eval-docs", type=int, default=300)
    p.add_argument("--reference-docs", type=int, default=3)
    p.add_argument("--max-len", type=int, default=512)
    p.add_argument("--training", default="{}", help="JSON describing the training run")
    return p.parse_args(argv)


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def export_onnx(model, path, pad_id):
    ids = torch.tensor([[0, 10, 11, 12, 2], [0, 13, 2, pad_id, pad_id]])
    bbox = torch.tensor([[[0, 0, 0, 0], [10, 10, 20, 20], [30, 10, 40, 20], [50, 10, 60, 20],
                          [0, 0, 0, 0]]] * 2)
    mask = torch.tensor([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0]])
    axes = {"batch_size": 0, "sequence_length": 1}
    torch.onnx.export(
        LogitsOnly(model).eval(), (ids, bbox, mask), path,
        input_names=["input_ids", "bbox", "attention_mask"], output_names=["logits"],
        dynamic_axes={n: {0: "batch_size", 1: "sequence_length"}
                      for n in ["input_ids", "bbox", "attention_mask", "logits"]},
        opset_version=17, do_constant_folding=True, dynamo=False,
    )
    del axes


def parity(model, session, docs, tokenizer, max_len):
    """Largest |logit difference| between PyTorch and ONNX Runtime, on real
    padded batches of windows."""
    _, _, pad_id = special_ids(tokenizer)
    worst = 0.0
    for doc in docs:
        _, windows = document_inputs(doc, tokenizer, max_len)
        rows = [{"input_ids": w.input_ids, "bbox": w.bbox} for w in windows]
        batch = collate(rows, list(range(len(rows))), pad_id)
        with torch.no_grad():
            expected = model(input_ids=batch["input_ids"], bbox=batch["bbox"],
                             attention_mask=batch["attention_mask"]).logits.numpy()
        got = ort_runner(session)(batch)
        mask = batch["attention_mask"].numpy().astype(bool)
        worst = max(worst, float(np.abs(expected - got)[mask].max()))
    return worst


def reference(docs, tokenizer, session, id2label, max_len):
    _, _, pad_id = special_ids(tokenizer)
    out = []
    for doc in docs:
        encoded, windows = document_inputs(doc, tokenizer, max_len)
        logits = run_windows(ort_runner(session), windows, pad_id)
        per_word = word_logits(encoded, windows, logits, len(id2label))
        out.append({
            "id": doc.get("id"), "words": doc["words"], "boxes": doc["boxes"],
            "windows": [{"start": w.start, "end": w.end, "input_ids": w.input_ids,
                         "bbox": w.bbox} for w in windows],
            "word_logits": [[round(float(v), 5) for v in row] for row in per_word],
            "labels": [id2label[int(i)] for i in per_word.argmax(-1)],
        })
    return out


def main(argv=None):
    args = parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    model = LayoutLMv3ForTokenClassification.from_pretrained(args.checkpoint).eval()
    tokenizer = Tokenizer.from_file(os.path.join(args.checkpoint, "tokenizer.json"))
    id2label = {int(k): v for k, v in model.config.id2label.items()}
    _, _, pad_id = special_ids(tokenizer)

    fp32 = os.path.join(args.out, "model.onnx")
    int8 = os.path.join(args.out, "model_quantized.onnx")
    export_onnx(model, fp32, pad_id)
    quantize_dynamic(fp32, int8, weight_type=QuantType.QInt8)
    model.config.save_pretrained(args.out)
    shutil.copy(os.path.join(args.checkpoint, "tokenizer.json"), args.out)

    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    sessions = {name: ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
                for name, path in [("fp32", fp32), ("int8", int8)]}
    evals = {name: read_documents(path)[: args.eval_docs]
             for name, path in (e.split("=", 1) for e in args.eval)}
    probe = next(iter(evals.values()), [])
    longest = sorted(probe, key=lambda d: len(d["words"]))[-1:] if probe else []
    ref_docs = probe[: args.reference_docs] + longest
    worst = parity(model, sessions["fp32"], ref_docs, tokenizer, args.max_len)
    print(f"parity: max |torch - onnxruntime| = {worst:.2e} (limit {PARITY_LIMIT})")
    if worst >= PARITY_LIMIT:
        raise SystemExit(f"parity failed: {worst} >= {PARITY_LIMIT}")

    metrics = {"parity_max_abs_diff": worst}
    for name, docs in evals.items():
        gold = [d["labels"] for d in docs]
        for variant, session in sessions.items():
            pred = predict_documents(docs, tokenizer, ort_runner(session), id2label, args.max_len)
            metrics[f"{name}_{variant}"] = {k: round(v, 4) for k, v in score(gold, pred).items()}
            metrics[f"{name}_{variant}"]["documents"] = len(docs)
            print(name, variant, metrics[f"{name}_{variant}"])
    with open(os.path.join(args.out, "reference.json"), "w") as f:
        json.dump({"max_len": args.max_len, "documents": reference(
            ref_docs, tokenizer, sessions["fp32"], id2label, args.max_len)}, f)

    files = ["model.onnx", "model_quantized.onnx", "config.json", "tokenizer.json"]
    manifest = {
        "name": args.name,
        "version": args.version,
        "created": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "architecture": "LayoutLMv3ForTokenClassification",
        "parameters": sum(p.numel() for p in model.parameters()),
        "files": {f: sha256(os.path.join(args.out, f)) for f in files},
        "labels": [id2label[i] for i in range(len(id2label))],
        "metrics": metrics,
        "training": json.loads(args.training),
    }
    with open(os.path.join(args.out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
