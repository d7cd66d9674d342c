"""Fine-tune an exported invex layout model on reviewed invoices (issue 14,
part 2): the words and BIO labels that `invex learn export` writes (Parquet),
mixed with generated invoices so that the model does not forget the layouts
it knew. Resumable like training (`--resume` continues from `out/last.pt`).

The base model is an invex model directory (model.onnx, config.json,
tokenizer.json): its weights are read back from the fp32 ONNX graph, and the
result is checked against ONNX Runtime before training starts.

    python -m invex_train.finetune --base MODEL_DIR --reviewed training.parquet \
        --generated gen.jsonl --out run/ [--resume]

Then export `run/best` with `invex_train.export` and register it with
`invex models register` (models/training/run.sh finetune does all of it).
"""

import argparse
import json
import os
import random

import numpy as np
import onnx
import onnxruntime as ort
import pyarrow.parquet as pq
import torch
from onnx import numpy_helper
from tokenizers import Tokenizer
from transformers import LayoutLMv3Config, LayoutLMv3ForTokenClassification

from .data import collate, read_documents, special_ids
from .export import sha256
from .predict import predict_documents, torch_runner
from .train import log, run_training

BOX_SCALE = 1000.0
PARITY_LIMIT = 1e-4


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--base", required=True, help="invex model directory to start from")
    p.add_argument("--reviewed", required=True, help="`invex learn export` Parquet")
    p.add_argument("--generated", default=None, help="token JSONL of generated invoices")
    p.add_argument("--out", required=True)
    p.add_argument("--mix", type=float, default=1.0,
                   help="generated documents per reviewed training document")
    p.add_argument("--repeat", type=int, default=1,
                   help="times each reviewed document is seen per epoch")
    p.add_argument("--max-len", type=int, default=512)
    p.add_argument("--batch-size", type=int, default=8)
    p.add_argument("--lr", type=float, default=1e-4)
    p.add_argument("--warmup", type=int, default=20)
    p.add_argument("--epochs", type=float, default=3.0)
    p.add_argument("--max-steps", type=int, default=0)
    p.add_argument("--max-minutes", type=float, default=0)
    p.add_argument("--eval-every", type=int, default=50)
    p.add_argument("--val-docs", type=int, default=200)
    p.add_argument("--patience", type=int, default=3)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--threads", type=int, default=0)
    p.add_argument("--resume", action="store_true")
    return p.parse_args(argv)


def scale(v, extent):
    if extent <= 0 or not np.isfinite(v):
        return 0
    return int(min(max(round(v / extent * BOX_SCALE), 0), BOX_SCALE))


def reviewed_documents(path):
    """The export's invoices as token documents: words in page and reading
    order, boxes scaled to 0..1000 as invex_models::boxes::normalize_box
    does, labels; split into (train, holdout)."""
    table = pq.read_table(path).to_pylist()
    docs = {}
    for row in table:
        doc = docs.setdefault(row["invoice_id"], {"id": row["invoice_id"], "split": row["split"],
                                                  "rows": []})
        doc["rows"].append(row)
    train, holdout = [], []
    for doc in docs.values():
        rows = sorted(doc["rows"], key=lambda r: (r["page"], r["word"]))
        words, boxes, labels = [], [], []
        for r in rows:
            x0 = scale(r["x0"], r["page_width"])
            y0 = scale(r["y0"], r["page_height"])
            x1 = max(scale(r["x1"], r["page_width"]), x0)
            y1 = max(scale(r["y1"], r["page_height"]), y0)
            words.append(r["text"])
            boxes.append([x0, y0, x1, y1])
            labels.append(r["label"])
        out = {"id": doc["id"], "words": words, "boxes": boxes, "labels": labels}
        (holdout if doc["split"] == "holdout" else train).append(out)
    return train, holdout


# What a reviewer has checked on an approved invoice: the booked fields and
# the line items. A word the export leaves `O` is known to be none of these.
BOOKED = {"INVOICE_NUMBER", "INVOICE_DATE", "DUE_DATE", "CURRENCY", "TOTAL_AMOUNT",
          "VAT_AMOUNT", "NET_AMOUNT", "SUPPLIER_NAME", "SUPPLIER_VAT", "IBAN", "BANKGIRO",
          "PAYMENT_REFERENCE"}


def entity(label):
    return label.split("-", 1)[1] if "-" in label else None


def keep_unreviewed(docs, model, tokenizer, labels, max_len):
    """Where the export says `O` but the base model reads a field nobody
    reviewed (not booked, not a line cell, absent from the invoice: a
    supplier's address, a buyer's name), the target is the base model's own
    reading, so that fine-tuning does not unlearn what reviews never saw."""
    model.eval()
    pred = predict_documents(docs, tokenizer, torch_runner(model), dict(enumerate(labels)), max_len)
    model.train()
    kept = 0
    for doc, p in zip(docs, pred):
        known = BOOKED | {entity(l) for l in doc["labels"] if l != "O"}
        for i, (gold, base) in enumerate(zip(doc["labels"], p)):
            e = entity(base)
            if gold == "O" and e and not e.startswith("LINE_") and e not in known:
                doc["labels"][i] = base
                kept += 1
    return kept


def linear_order(model, tokenizer):
    """The model's Linear layers in the order a forward pass runs them."""
    order = []
    hooks = [m.register_forward_hook(lambda mod, i, o, name=name: order.append(name))
             for name, m in model.named_modules() if isinstance(m, torch.nn.Linear)]
    _, _, pad_id = special_ids(tokenizer)
    with torch.no_grad():
        model(**probe_batch(pad_id))
    for h in hooks:
        h.remove()
    return order


def probe_batch(pad_id):
    """40 tokens spread over the page in x and y, so that every weight
    (the x and y relative position biases too) shows in the logits."""
    rng = random.Random(7)
    ids, boxes = [0], [[0, 0, 0, 0]]
    for _ in range(40):
        x, y = rng.randrange(0, 900), rng.randrange(0, 950)
        ids.append(rng.randrange(5, 500))
        boxes.append([x, y, x + rng.randrange(5, 100), y + rng.randrange(5, 40)])
    ids.append(2)
    boxes.append([0, 0, 0, 0])
    batch = collate([{"input_ids": ids, "bbox": boxes}], [0], pad_id)
    return {k: batch[k] for k in ["input_ids", "bbox", "attention_mask"]}


def from_onnx(base):
    """The PyTorch model whose weights the fp32 graph in `base` holds.
    Parameters kept under their own names are copied by name; the weights
    the exporter folded into MatMul constants (transposed, renamed) are
    matched to the Linear layers in execution order. Checked against ONNX
    Runtime on a probe input."""
    config = LayoutLMv3Config.from_pretrained(base)
    model = LayoutLMv3ForTokenClassification(config).eval()
    tokenizer = Tokenizer.from_file(os.path.join(base, "tokenizer.json"))
    graph = onnx.load(os.path.join(base, "model.onnx")).graph
    inits = {i.name: numpy_helper.to_array(i) for i in graph.initializer}
    state = model.state_dict()
    loaded = set()
    for name in state:
        for candidate in (name, "model." + name):
            if candidate in inits and inits[candidate].shape == tuple(state[name].shape):
                state[name] = torch.from_numpy(inits[candidate].copy())
                loaded.add(name)
                break
    # Weights the exporter renamed (`onnx::MatMul_N`, `onnx::Gather_N`: folded
    # transposes), in graph order: MatMul ones belong to the Linear layers in
    # execution order; the rest (the relative position biases, read with a
    # Gather) to the remaining 2-D weights in module order.
    renamed = {"MatMul": [], "other": []}
    for node in graph.node:
        for inp in node.input:
            if inp.startswith("onnx::") and inp in inits and inits[inp].ndim == 2:
                kind = "MatMul" if node.op_type == "MatMul" else "other"
                if inp not in renamed["MatMul"] and inp not in renamed["other"]:
                    renamed[kind].append(inp)
    linears = [n + ".weight" for n in linear_order(model, tokenizer)]
    pending = [n for n in linears if n not in loaded]
    rest = [n for n in state if n not in loaded and n not in linears and state[n].ndim == 2]
    for names, inits_of in ((pending, renamed["MatMul"]), (rest, renamed["other"])):
        if len(names) != len(inits_of):
            raise SystemExit(f"cannot read the weights back: {len(names)} weights "
                             f"({names[:3]}...), {len(inits_of)} renamed initializers")
        for name, init in zip(names, inits_of):
            weight = inits[init].T
            if weight.shape != tuple(state[name].shape):
                raise SystemExit(f"{name}: shape {weight.shape} != {tuple(state[name].shape)}")
            state[name] = torch.from_numpy(weight.copy())
            loaded.add(name)
    missing = [n for n in state if n not in loaded and not n.endswith("position_ids")]
    # Buffers and parameters the graph does not use (visual parts, pooler).
    model.load_state_dict(state)
    _, _, pad_id = special_ids(tokenizer)
    batch = probe_batch(pad_id)
    session = ort.InferenceSession(os.path.join(base, "model.onnx"),
                                   providers=["CPUExecutionProvider"])
    feeds = {k: v.numpy().astype(np.int64) for k, v in batch.items()}
    expected = session.run(["logits"], feeds)[0]
    with torch.no_grad():
        got = model(**batch).logits.numpy()
    worst = float(np.abs(expected - got).max())
    if worst >= PARITY_LIMIT:
        raise SystemExit(f"the weights read back from {base} do not reproduce it: "
                         f"max |diff| {worst:.2e}; not loaded: {missing[:8]}")
    print(f"base model read back from ONNX: max |torch - onnxruntime| = {worst:.2e}")
    return model, tokenizer


def main(argv=None):
    args = parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    if args.threads:
        torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    model, tokenizer = from_onnx(args.base)
    model.train()
    labels = [model.config.id2label[i] for i in range(len(model.config.id2label))]
    tokenizer.save(os.path.join(args.out, "tokenizer.json"))

    reviewed, holdout = reviewed_documents(args.reviewed)
    if not reviewed:
        raise SystemExit(f"{args.reviewed} holds no reviewed training invoices")
    kept = keep_unreviewed(reviewed + holdout, model, tokenizer, labels, args.max_len)
    rng = random.Random(args.seed)
    generated = read_documents(args.generated) if args.generated else []
    rng.shuffle(generated)
    mixed = reviewed * max(1, args.repeat) + generated[: int(len(reviewed) * args.mix)]
    rng.shuffle(mixed)
    # Validation: the held-back reviewed invoices, else a slice of the reviewed ones.
    val = (holdout or reviewed)[: args.val_docs]
    log(args.out, {"event": "finetune", "base": os.path.abspath(args.base),
                   "reviewed": len(reviewed), "holdout": len(holdout),
                   "generated": len(mixed) - len(reviewed) * max(1, args.repeat),
                   "base_readings_kept": kept,
                   "data_sha256": sha256(args.reviewed)})
    run_training(args, model, tokenizer, labels, mixed, val)


if __name__ == "__main__":
    main()
