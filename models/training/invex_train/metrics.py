"""Word-level metrics: label accuracy on labelled words and entity span F1
(micro, exact span match), computed from BIO sequences."""


def spans(labels):
    out, current = set(), None
    for i, lab in enumerate(labels + ["O"]):
        kind = lab[2:] if lab != "O" else None
        starts = lab.startswith("B-") or (kind and (current is None or current[0] != kind))
        if current and (kind is None or starts):
            out.add((current[0], current[1], i))
            current = None
        if kind and current is None:
            current = (kind, i)
    return out


def score(gold_docs, pred_docs):
    tp = fp = fn = 0
    right = total = 0
    for gold, pred in zip(gold_docs, pred_docs):
        g, p = spans(gold), spans(pred)
        tp += len(g & p)
        fp += len(p - g)
        fn += len(g - p)
        for a, b in zip(gold, pred):
            if a != "O" or b != "O":
                total += 1
                right += a == b
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"f1": f1, "precision": precision, "recall": recall,
            "word_accuracy": right / total if total else 0.0}
