"""Word-level predictions for whole documents, from PyTorch or ONNX Runtime,
merging windows the way the Rust runtime does."""

import numpy as np
import torch

from .data import collate, special_ids
from .windows import best_window, encode_words, make_windows


def document_inputs(doc, tokenizer, max_len):
    cls_id, sep_id, _ = special_ids(tokenizer)
    encoded = encode_words(tokenizer, doc["words"])
    return encoded, make_windows(encoded, doc["boxes"], cls_id, sep_id, max_len)


def word_logits(encoded, windows, window_logits, num_labels):
    """Per word: the logits of its first sub-token in its best window
    (a word with no sub-tokens gets zeros)."""
    out = np.zeros((len(encoded.first_token), num_labels), dtype=np.float32)
    for w, tok in enumerate(encoded.first_token):
        if tok is not None:
            n, pos = best_window(windows, tok)
            out[w] = window_logits[n][pos]
    return out


def run_windows(runner, windows, pad_id, batch_size=16):
    """Logits per window (unpadded), batching windows of similar length."""
    order = sorted(range(len(windows)), key=lambda i: len(windows[i].input_ids))
    result = [None] * len(windows)
    rows = [{"input_ids": w.input_ids, "bbox": w.bbox} for w in windows]
    for k in range(0, len(order), batch_size):
        idx = order[k : k + batch_size]
        batch = collate(rows, idx, pad_id)
        logits = runner(batch)
        for n, i in enumerate(idx):
            result[i] = logits[n, : len(windows[i].input_ids)]
    return result


def torch_runner(model):
    def run(batch):
        with torch.no_grad():
            out = model(input_ids=batch["input_ids"], bbox=batch["bbox"],
                        attention_mask=batch["attention_mask"])
        return out.logits.numpy()
    return run


def ort_runner(session):
    names = {i.name for i in session.get_inputs()}

    def run(batch):
        feed = {k: batch[k].numpy() for k in ("input_ids", "bbox", "attention_mask") if k in names}
        return session.run(["logits"], feed)[0]
    return run


def predict_documents(docs, tokenizer, runner, id2label, max_len, batch_size=16):
    """Per document: the predicted BIO label of each word."""
    _, _, pad_id = special_ids(tokenizer)
    labels = []
    for doc in docs:
        encoded, windows = document_inputs(doc, tokenizer, max_len)
        logits = run_windows(runner, windows, pad_id, batch_size)
        per_word = word_logits(encoded, windows, logits, len(id2label))
        labels.append([id2label[int(i)] for i in per_word.argmax(-1)])
    return labels
