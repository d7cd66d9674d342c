//! The seam between windows and an inference engine: a padded batch in,
//! logits out. Small and synchronous, like text-embeddings-inference's
//! `Backend`; [`crate::OrtBackend`] is the ONNX Runtime implementation.

use crate::Error;

/// A padded batch of windows: `input_ids` and `attention_mask` are `[B, L]`,
/// `bbox` is `[B, L, 4]`, all row-major.
#[derive(Debug, Clone, PartialEq)]
pub struct Batch {
    pub batch_size: usize,
    pub seq_len: usize,
    pub input_ids: Vec<i64>,
    pub bbox: Vec<i64>,
    pub attention_mask: Vec<i64>,
}

impl Batch {
    /// Pads `rows` of `(ids, boxes)` to the longest with `pad_id`, boxes
    /// `[0, 0, 0, 0]` and attention 0.
    pub fn pad(rows: &[(&[i64], &[[i64; 4]])], pad_id: i64) -> Batch {
        let seq_len = rows.iter().map(|(ids, _)| ids.len()).max().unwrap_or(0);
        let batch_size = rows.len();
        let mut batch = Batch {
            batch_size,
            seq_len,
            input_ids: vec![pad_id; batch_size * seq_len],
            bbox: vec![0; batch_size * seq_len * 4],
            attention_mask: vec![0; batch_size * seq_len],
        };
        for (row, (ids, boxes)) in rows.iter().enumerate() {
            let at = row * seq_len;
            batch.input_ids[at..at + ids.len()].copy_from_slice(ids);
            batch.attention_mask[at..at + ids.len()].fill(1);
            for (pos, b) in boxes.iter().enumerate() {
                batch.bbox[(at + pos) * 4..(at + pos + 1) * 4].copy_from_slice(b);
            }
        }
        batch
    }
}

/// Logits `[B, L, num_labels]`, row-major.
#[derive(Debug, Clone, PartialEq)]
pub struct Logits {
    pub batch_size: usize,
    pub seq_len: usize,
    pub num_labels: usize,
    pub values: Vec<f32>,
}

impl Logits {
    /// The logits of one position of one row.
    pub fn at(&self, row: usize, pos: usize) -> &[f32] {
        let start = (row * self.seq_len + pos) * self.num_labels;
        &self.values[start..start + self.num_labels]
    }
}

/// A token classifier: logits for every position of a padded batch.
pub trait TokenClassifierBackend: Send + Sync {
    fn predict(&self, batch: &Batch) -> Result<Logits, Error>;
    fn num_labels(&self) -> usize;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_padded_to_the_longest() {
        let a = [0, 5, 6, 2];
        let b = [0, 7, 2];
        let boxes_a = [[0; 4], [1, 2, 3, 4], [5, 6, 7, 8], [0; 4]];
        let boxes_b = [[0; 4], [9, 9, 9, 9], [0; 4]];
        let batch = Batch::pad(&[(&a, &boxes_a), (&b, &boxes_b)], 1);
        assert_eq!((batch.batch_size, batch.seq_len), (2, 4));
        assert_eq!(batch.input_ids, [0, 5, 6, 2, 0, 7, 2, 1]);
        assert_eq!(batch.attention_mask, [1, 1, 1, 1, 1, 1, 1, 0]);
        assert_eq!(&batch.bbox[20..24], &[9, 9, 9, 9]);
        assert_eq!(&batch.bbox[28..32], &[0, 0, 0, 0]);
    }

    #[test]
    fn logits_index_rows_and_positions() {
        let values: Vec<f32> = (0..12).map(|v| v as f32).collect();
        let logits = Logits { batch_size: 2, seq_len: 2, num_labels: 3, values };
        assert_eq!(logits.at(0, 1), &[3.0, 4.0, 5.0]);
        assert_eq!(logits.at(1, 1), &[9.0, 10.0, 11.0]);
    }
}
