//! Windows of many documents through the backend in length buckets: sorted
//! by length, cut into batches of at most `max_batch`, each padded only to
//! its own longest window, the logits scattered back in the original order.

use crate::Error;
use crate::backend::{Batch, TokenClassifierBackend};
use crate::windows::Window;

/// Per window: its logits, `[window length × num_labels]`, row-major.
pub fn run_windows(
    backend: &dyn TokenClassifierBackend,
    windows: &[&Window],
    max_batch: usize,
    pad_id: i64,
) -> Result<Vec<Vec<f32>>, Error> {
    let mut order: Vec<usize> = (0..windows.len()).collect();
    order.sort_by_key(|&i| (windows[i].len(), i));
    let mut out = vec![Vec::new(); windows.len()];
    for chunk in order.chunks(max_batch.max(1)) {
        let rows: Vec<(&[i64], &[[i64; 4]])> =
            chunk.iter().map(|&i| (&windows[i].input_ids[..], &windows[i].bbox[..])).collect();
        let batch = Batch::pad(&rows, pad_id);
        let logits = backend.predict(&batch)?;
        let labels = logits.num_labels;
        for (row, &i) in chunk.iter().enumerate() {
            let start = row * logits.seq_len * labels;
            out[i] = logits.values[start..start + windows[i].len() * labels].to_vec();
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;
    use crate::backend::Logits;

    /// A real (if trivial) classifier: label 0's logit is the token id,
    /// label 1's the position's x0; records the batch shapes it saw.
    struct Echo {
        shapes: Mutex<Vec<(usize, usize)>>,
    }

    impl TokenClassifierBackend for Echo {
        fn predict(&self, batch: &Batch) -> Result<Logits, Error> {
            self.shapes.lock().expect("lock").push((batch.batch_size, batch.seq_len));
            let values = (0..batch.batch_size * batch.seq_len)
                .flat_map(|p| [batch.input_ids[p] as f32, batch.bbox[p * 4] as f32])
                .collect();
            Ok(Logits {
                batch_size: batch.batch_size,
                seq_len: batch.seq_len,
                num_labels: 2,
                values,
            })
        }
        fn num_labels(&self) -> usize {
            2
        }
    }

    fn window(ids: &[i64]) -> Window {
        let bbox = ids.iter().map(|&i| [i * 10, 0, 0, 0]).collect();
        Window { start: 0, end: ids.len(), input_ids: ids.to_vec(), bbox }
    }

    #[test]
    fn batches_by_length_and_scatters_back() {
        let windows =
            [window(&[1, 2, 3, 4, 5]), window(&[6, 7]), window(&[8, 9, 10]), window(&[11, 12])];
        let refs: Vec<&Window> = windows.iter().collect();
        let echo = Echo { shapes: Mutex::new(Vec::new()) };
        let logits = run_windows(&echo, &refs, 2, 1).expect("run");
        // Sorted lengths 2, 2, 3, 5: batches of the two shortest, then 3 and 5.
        assert_eq!(*echo.shapes.lock().expect("lock"), [(2, 2), (2, 5)]);
        for (w, l) in windows.iter().zip(&logits) {
            let expected: Vec<f32> =
                w.input_ids.iter().flat_map(|&i| [i as f32, (i * 10) as f32]).collect();
            assert_eq!(l, &expected);
        }
    }
}
