//! Words to model windows, exactly as `models/training/invex_train/windows.py`
//! does it (change both together):
//!
//! - words are encoded pre-tokenized, without special tokens; a word's first
//!   sub-token carries its prediction;
//! - content tokens are cut into windows of at most `max_len - 2` tokens that
//!   overlap by `stride`: start 0, end `min(start + max_content, n)`, next
//!   start `start + max_content - stride`, until end is `n`;
//! - each window is `<s>` + tokens + `</s>`; a token's box is its word's box,
//!   special tokens get `[0, 0, 0, 0]`;
//! - a word is read from the window where its first sub-token lies farthest
//!   from the edges (ties: the earlier window).

/// The overlap between consecutive windows, in tokens.
pub const STRIDE: usize = 128;
/// The longest window, special tokens included.
pub const MAX_LEN: usize = 512;

/// A document's words as tokens.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Encoded {
    pub ids: Vec<i64>,
    /// Per token: the word it belongs to.
    pub word_ids: Vec<usize>,
    /// Per word: its first sub-token, `None` if the tokenizer gave it none.
    pub first_token: Vec<Option<usize>>,
}

impl Encoded {
    /// Builds the per-word first tokens from `ids` and `word_ids`.
    pub fn new(ids: Vec<i64>, word_ids: Vec<usize>, word_count: usize) -> Encoded {
        let mut first_token = vec![None; word_count];
        for (token, &word) in word_ids.iter().enumerate() {
            if let Some(slot) = first_token.get_mut(word)
                && slot.is_none()
            {
                *slot = Some(token);
            }
        }
        Encoded { ids, word_ids, first_token }
    }
}

/// One model input: `<s>`, the content tokens `start..end`, `</s>`.
#[derive(Debug, Clone, PartialEq)]
pub struct Window {
    pub start: usize,
    pub end: usize,
    pub input_ids: Vec<i64>,
    pub bbox: Vec<[i64; 4]>,
}

impl Window {
    pub fn len(&self) -> usize {
        self.input_ids.len()
    }
    pub fn is_empty(&self) -> bool {
        self.input_ids.is_empty()
    }
}

/// The content-token ranges of the windows over `n_tokens` tokens.
pub fn window_spans(n_tokens: usize, max_len: usize, stride: usize) -> Vec<(usize, usize)> {
    let max_content = max_len.saturating_sub(2).max(1);
    if n_tokens <= max_content {
        return vec![(0, n_tokens)];
    }
    let step = max_content.saturating_sub(stride).max(1);
    let mut spans = Vec::new();
    let mut start = 0;
    loop {
        let end = (start + max_content).min(n_tokens);
        spans.push((start, end));
        if end == n_tokens {
            return spans;
        }
        start += step;
    }
}

/// The windows of a document; `boxes` holds one 0..1000 box per word.
pub fn make_windows(
    encoded: &Encoded,
    boxes: &[[i64; 4]],
    cls_id: i64,
    sep_id: i64,
    max_len: usize,
    stride: usize,
) -> Vec<Window> {
    const NO_BOX: [i64; 4] = [0, 0, 0, 0];
    window_spans(encoded.ids.len(), max_len, stride)
        .into_iter()
        .map(|(start, end)| {
            let mut input_ids = Vec::with_capacity(end - start + 2);
            input_ids.push(cls_id);
            input_ids.extend_from_slice(&encoded.ids[start..end]);
            input_ids.push(sep_id);
            let mut bbox = Vec::with_capacity(end - start + 2);
            bbox.push(NO_BOX);
            bbox.extend(
                encoded.word_ids[start..end]
                    .iter()
                    .map(|&w| boxes.get(w).copied().unwrap_or(NO_BOX)),
            );
            bbox.push(NO_BOX);
            Window { start, end, input_ids, bbox }
        })
        .collect()
}

/// `(window number, position inside it)` for content token `token`.
pub fn best_window(windows: &[Window], token: usize) -> Option<(usize, usize)> {
    let mut best = None;
    let mut best_margin = None;
    for (n, w) in windows.iter().enumerate() {
        if w.start <= token && token < w.end {
            let margin = (token - w.start).min(w.end - 1 - token);
            if best_margin.is_none_or(|m| margin > m) {
                best = Some((n, token - w.start + 1));
                best_margin = Some(margin);
            }
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_table() {
        let check = |n: usize, max_len: usize, stride: usize, expected: &[(usize, usize)]| {
            assert_eq!(window_spans(n, max_len, stride), expected, "n={n} max_len={max_len}");
        };
        check(0, 512, 128, &[(0, 0)]);
        check(510, 512, 128, &[(0, 510)]);
        check(511, 512, 128, &[(0, 510), (382, 511)]);
        check(1000, 512, 128, &[(0, 510), (382, 892), (764, 1000)]);
        check(10, 6, 2, &[(0, 4), (2, 6), (4, 8), (6, 10)]);
        // A stride as long as the window still advances.
        check(5, 4, 9, &[(0, 2), (1, 3), (2, 4), (3, 5)]);
    }

    #[test]
    fn windows_carry_specials_and_word_boxes() {
        let encoded = Encoded::new(vec![10, 11, 12, 13, 14], vec![0, 0, 1, 2, 2], 3);
        assert_eq!(encoded.first_token, [Some(0), Some(2), Some(3)]);
        let boxes = [[1, 1, 1, 1], [2, 2, 2, 2], [3, 3, 3, 3]];
        let windows = make_windows(&encoded, &boxes, 0, 2, 5, 1);
        let ids: Vec<&[i64]> = windows.iter().map(|w| &w.input_ids[..]).collect();
        assert_eq!(ids, [&[0, 10, 11, 12, 2][..], &[0, 12, 13, 14, 2][..]]);
        assert_eq!(windows[1].bbox, [[0; 4], [2, 2, 2, 2], [3, 3, 3, 3], [3, 3, 3, 3], [0; 4]]);
    }

    #[test]
    fn best_window_prefers_the_middle() {
        let encoded = Encoded::new((0..10).collect(), (0..10).collect(), 10);
        let windows = make_windows(&encoded, &[], 0, 2, 6, 2);
        // Windows cover 0..4, 2..6, 4..8, 6..10.
        let cases: &[(usize, (usize, usize))] = &[
            (0, (0, 1)),
            (2, (0, 3)), // margin 1 in window 0 (0..4) and 0 in window 1: window 0
            (3, (1, 2)), // margin 1 in window 1, 0 in window 0
            (4, (1, 3)), // margin 1 in window 1, 0 in window 2
            (5, (2, 2)),
            (9, (3, 4)),
        ];
        for &(token, expected) in cases {
            assert_eq!(best_window(&windows, token), Some(expected), "token {token}");
        }
        assert_eq!(best_window(&windows, 10), None);
        // Windows 0..6 and 3..9: token 4 has margin 1 in both; the earlier wins.
        let encoded = Encoded::new((0..9).collect(), (0..9).collect(), 9);
        let windows = make_windows(&encoded, &[], 0, 2, 8, 3);
        assert_eq!(best_window(&windows, 4), Some((0, 5)));
    }
}
