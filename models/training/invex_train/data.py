"""Training data: the JSONL that `invex dataset tokens` writes (one document
per line: words, 0..1000 boxes, BIO labels) turned into padded windows."""

import json
import random

import torch

from .windows import encode_words, make_windows

IGNORE = -100


def read_documents(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def special_ids(tokenizer):
    return tokenizer.token_to_id("<s>"), tokenizer.token_to_id("</s>"), tokenizer.token_to_id("<pad>")


def document_windows(doc, tokenizer, label2id, max_len):
    """Windows of one document with token labels (first sub-token only)."""
    cls_id, sep_id, _ = special_ids(tokenizer)
    encoded = encode_words(tokenizer, doc["words"])
    windows = make_windows(encoded, doc["boxes"], cls_id, sep_id, max_len)
    out = []
    for w in windows:
        labels = []
        for pos, wid in enumerate(w.word_ids):
            tok = w.start + pos - 1
            is_first = wid is not None and encoded.first_token[wid] == tok
            labels.append(label2id.get(doc["labels"][wid], 0) if is_first else IGNORE)
        out.append({"input_ids": w.input_ids, "bbox": w.bbox, "labels": labels})
    return out


def build_windows(docs, tokenizer, label2id, max_len):
    windows = []
    for doc in docs:
        windows.extend(document_windows(doc, tokenizer, label2id, max_len))
    return windows


def batches(windows, batch_size, seed, epoch):
    """Length-bucketed batches in a seeded order: shuffle, sort within chunks of
    50 batches by length, cut, shuffle the batches."""
    rng = random.Random(seed * 1000 + epoch)
    order = list(range(len(windows)))
    rng.shuffle(order)
    chunk = batch_size * 50
    out = []
    for i in range(0, len(order), chunk):
        part = sorted(order[i : i + chunk], key=lambda j: len(windows[j]["input_ids"]))
        out.extend(part[k : k + batch_size] for k in range(0, len(part), batch_size))
    rng.shuffle(out)
    return out


def collate(windows, indices, pad_id):
    rows = [windows[i] for i in indices]
    length = max(len(r["input_ids"]) for r in rows)
    ids = torch.full((len(rows), length), pad_id, dtype=torch.long)
    bbox = torch.zeros((len(rows), length, 4), dtype=torch.long)
    mask = torch.zeros((len(rows), length), dtype=torch.long)
    labels = torch.full((len(rows), length), IGNORE, dtype=torch.long)
    for n, r in enumerate(rows):
        k = len(r["input_ids"])
        ids[n, :k] = torch.tensor(r["input_ids"])
        bbox[n, :k] = torch.tensor(r["bbox"])
        mask[n, :k] = 1
        if "labels" in r:
            labels[n, :k] = torch.tensor(r["labels"])
    return {"input_ids": ids, "bbox": bbox, "attention_mask": mask, "labels": labels}
