//! The parts of a Hugging Face `config.json` that inference needs.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::Error;
use crate::windows::MAX_LEN;

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ModelConfig {
    /// Label per output index; JSON keys are the indices as text.
    pub id2label: BTreeMap<String, String>,
    #[serde(default)]
    pub label2id: BTreeMap<String, i64>,
    #[serde(default = "default_positions")]
    pub max_position_embeddings: usize,
    #[serde(default)]
    pub pad_token_id: Option<i64>,
    #[serde(default)]
    pub bos_token_id: Option<i64>,
    #[serde(default)]
    pub eos_token_id: Option<i64>,
}

/// RoBERTa-style models offset positions by 2 (`pad_token_id + 1`).
fn default_positions() -> usize {
    MAX_LEN + 2
}

impl ModelConfig {
    pub fn from_file(path: &Path) -> Result<ModelConfig, Error> {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        let config: ModelConfig =
            serde_json::from_slice(&bytes).map_err(|e| Error::json(path, e))?;
        config.labels()?;
        Ok(config)
    }

    /// The labels in output order; the indices must be `0..n`.
    pub fn labels(&self) -> Result<Vec<String>, Error> {
        let mut by_index = Vec::with_capacity(self.id2label.len());
        for (key, label) in &self.id2label {
            let index: usize = key
                .parse()
                .map_err(|_| Error::Config(format!("id2label key {key:?} is not an index")))?;
            by_index.push((index, label.clone()));
        }
        by_index.sort();
        if by_index.is_empty() || by_index.iter().enumerate().any(|(i, (index, _))| i != *index) {
            return Err(Error::Config("id2label must number the labels 0, 1, 2, ...".into()));
        }
        Ok(by_index.into_iter().map(|(_, label)| label).collect())
    }

    /// The longest window: 512 tokens, or fewer when the position table is
    /// shorter (two positions are reserved, as in RoBERTa).
    pub fn max_len(&self) -> usize {
        MAX_LEN.min(self.max_position_embeddings.saturating_sub(2))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> ModelConfig {
        serde_json::from_str(json).expect("config parses")
    }

    #[test]
    fn labels_and_window_length() {
        type Case<'a> = (&'a str, Result<&'a [&'a str], ()>, usize);
        let cases: &[Case] = &[
            (
                r#"{"id2label": {"1": "B-TOTAL", "0": "O"}, "max_position_embeddings": 514}"#,
                Ok(&["O", "B-TOTAL"]),
                512,
            ),
            (r#"{"id2label": {"0": "O"}, "max_position_embeddings": 130}"#, Ok(&["O"]), 128),
            (r#"{"id2label": {"0": "O", "2": "X"}}"#, Err(()), 512),
            (r#"{"id2label": {"zero": "O"}}"#, Err(()), 512),
            (r#"{"id2label": {}}"#, Err(()), 512),
        ];
        for (json, expected, max_len) in cases {
            let config = parse(json);
            let labels = config.labels().map_err(|_| ());
            let expected = expected.map(|l| l.iter().map(|s| s.to_string()).collect::<Vec<_>>());
            assert_eq!(labels, expected, "{json}");
            assert_eq!(config.max_len(), *max_len, "{json}");
        }
    }
}
