//! The model's tokenizer (`tokenizer.json`), used on words that the reader
//! already split: pre-tokenized input, no special tokens, no truncation.

use std::path::Path;

use tokenizers::Tokenizer;

use crate::Error;
use crate::config::ModelConfig;
use crate::windows::Encoded;

pub struct WordTokenizer {
    tokenizer: Tokenizer,
    /// `<s>`, `</s>` and the padding id.
    pub cls_id: i64,
    pub sep_id: i64,
    pub pad_id: i64,
}

impl std::fmt::Debug for WordTokenizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WordTokenizer")
            .field("cls_id", &self.cls_id)
            .field("sep_id", &self.sep_id)
            .field("pad_id", &self.pad_id)
            .finish()
    }
}

impl WordTokenizer {
    /// Loads `tokenizer.json`; the special ids come from its vocabulary
    /// (`<s>`, `</s>`, `<pad>`), else from `config`.
    pub fn from_file(path: &Path, config: &ModelConfig) -> Result<WordTokenizer, Error> {
        let mut tokenizer = Tokenizer::from_file(path)
            .map_err(|e| Error::Tokenizer(format!("{}: {e}", path.display())))?;
        // Windows are cut by invex; a saved truncation or padding would cut them again.
        tokenizer.with_padding(None);
        tokenizer
            .with_truncation(None)
            .map_err(|e| Error::Tokenizer(format!("{}: {e}", path.display())))?;
        let id = |token: &str, fallback: Option<i64>| -> Result<i64, Error> {
            tokenizer.token_to_id(token).map(i64::from).or(fallback).ok_or_else(|| {
                Error::Tokenizer(format!(
                    "{} has no {token} token and config.json gives no id for it",
                    path.display()
                ))
            })
        };
        let cls_id = id("<s>", config.bos_token_id)?;
        let sep_id = id("</s>", config.eos_token_id)?;
        let pad_id = match config.pad_token_id {
            Some(pad) => pad,
            None => id("<pad>", None)?,
        };
        Ok(WordTokenizer { tokenizer, cls_id, sep_id, pad_id })
    }

    /// The tokens of `words`, with the word each belongs to.
    pub fn encode(&self, words: &[&str]) -> Result<Encoded, Error> {
        if words.is_empty() {
            return Ok(Encoded::default());
        }
        let encoding =
            self.tokenizer.encode(words, false).map_err(|e| Error::Tokenizer(e.to_string()))?;
        let ids: Vec<i64> = encoding.get_ids().iter().map(|&id| i64::from(id)).collect();
        let mut word_ids = Vec::with_capacity(ids.len());
        for w in encoding.get_word_ids() {
            let w = w.ok_or_else(|| {
                Error::Tokenizer("a token without a word: the tokenizer adds special tokens".into())
            })?;
            word_ids.push(w as usize);
        }
        Ok(Encoded::new(ids, word_ids, words.len()))
    }
}
