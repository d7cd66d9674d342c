"""Encoding words into model windows. `models/src` (Rust) does exactly the
same; change both together.

- Words are encoded pre-tokenized, without special tokens; each word's first
  sub-token carries its label and its prediction.
- Content tokens are cut into windows of at most `max_len - 2` tokens that
  overlap by `stride` tokens: start = 0, end = min(start + max_content, n); the
  next start is start + max_content - stride, until end == n.
- Each window is `<s>` + tokens + `</s>`. Every token's box is its word's box;
  special and padding tokens get [0, 0, 0, 0].
- A word is predicted from the window where its first sub-token lies farthest
  from the window's edges (ties: the earlier window).
"""

from dataclasses import dataclass

STRIDE = 128
MAX_LEN = 512


@dataclass
class Window:
    start: int  # first content token (index into the document's tokens)
    end: int  # one past the last content token
    input_ids: list
    bbox: list
    word_ids: list  # per position; None for <s>, </s>


@dataclass
class Encoded:
    ids: list
    word_ids: list
    first_token: list  # per word: index of its first sub-token, or None if it has none


def encode_words(tokenizer, words):
    enc = tokenizer.encode(words, is_pretokenized=True, add_special_tokens=False)
    first = [None] * len(words)
    for i, w in enumerate(enc.word_ids):
        if w is not None and first[w] is None:
            first[w] = i
    return Encoded(list(enc.ids), list(enc.word_ids), first)


def window_spans(n_tokens, max_len=MAX_LEN, stride=STRIDE):
    max_content = max_len - 2
    if n_tokens <= max_content:
        return [(0, n_tokens)]
    spans, start = [], 0
    while True:
        end = min(start + max_content, n_tokens)
        spans.append((start, end))
        if end == n_tokens:
            return spans
        start += max_content - stride


def make_windows(encoded, boxes, cls_id, sep_id, max_len=MAX_LEN, stride=STRIDE):
    out = []
    for start, end in window_spans(len(encoded.ids), max_len, stride):
        wids = encoded.word_ids[start:end]
        out.append(
            Window(
                start=start,
                end=end,
                input_ids=[cls_id] + encoded.ids[start:end] + [sep_id],
                bbox=[[0, 0, 0, 0]] + [list(boxes[w]) for w in wids] + [[0, 0, 0, 0]],
                word_ids=[None] + wids + [None],
            )
        )
    return out


def best_window(windows, token_index):
    """(window number, position inside it) for a content token."""
    best, best_margin = None, -1
    for n, w in enumerate(windows):
        if w.start <= token_index < w.end:
            margin = min(token_index - w.start, w.end - 1 - token_index)
            if margin > best_margin:
                best, best_margin = (n, token_index - w.start + 1), margin
    return best
