//! The export ledger: which invoice went to which target under which id, so
//! that a rerun skips what is already there without asking the target.
//!
//! [`ExportLedger`] is small on purpose; [`JsonLedger`] keeps it in one JSON
//! file (rewritten atomically after each new entry), [`MemoryLedger`] in
//! memory. The target is still asked before every create (the ledger may be
//! new, or lost), so the ledger saves requests; idempotency does not hinge
//! on it.

use std::collections::BTreeMap;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};

use crate::Error;

/// Identifies one invoice in one target.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct LedgerKey {
    /// `fortnox`, `visma`.
    pub target: String,
    /// The supplier's organisationsnummer (`NNNNNN-NNNN`), or its name when
    /// the invoice has none.
    pub supplier: String,
    pub invoice_number: String,
}

impl LedgerKey {
    fn flat(&self) -> String {
        format!("{}|{}|{}", self.target, self.supplier, self.invoice_number)
    }
}

/// Where an invoice ended up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerEntry {
    /// The target's id: Fortnox `GivenNumber`, Visma draft `Id`.
    pub target_id: String,
    /// The target's supplier number or id.
    pub supplier_id: String,
    /// The input file the invoice was extracted from.
    pub source: String,
    /// RFC 3339, UTC.
    pub exported_at: String,
}

/// Records exports. Async so that a database-backed ledger fits.
pub trait ExportLedger: Send + Sync {
    fn get(
        &self,
        key: &LedgerKey,
    ) -> impl Future<Output = Result<Option<LedgerEntry>, Error>> + Send;
    fn record(
        &self,
        key: LedgerKey,
        entry: LedgerEntry,
    ) -> impl Future<Output = Result<(), Error>> + Send;
}

/// A ledger that forgets when dropped.
#[derive(Debug, Default)]
pub struct MemoryLedger {
    entries: Mutex<BTreeMap<LedgerKey, LedgerEntry>>,
}

impl MemoryLedger {
    pub fn len(&self) -> usize {
        self.entries.lock().map_or(0, |e| e.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl ExportLedger for MemoryLedger {
    async fn get(&self, key: &LedgerKey) -> Result<Option<LedgerEntry>, Error> {
        Ok(self.entries.lock().ok().and_then(|e| e.get(key).cloned()))
    }

    async fn record(&self, key: LedgerKey, entry: LedgerEntry) -> Result<(), Error> {
        if let Ok(mut entries) = self.entries.lock() {
            entries.insert(key, entry);
        }
        Ok(())
    }
}

/// The file format: one object keyed by `target|supplier|invoice number`.
#[derive(Debug, Default, Serialize, Deserialize)]
struct File {
    entries: BTreeMap<String, (LedgerKey, LedgerEntry)>,
}

/// A ledger in one JSON file.
#[derive(Debug)]
pub struct JsonLedger {
    path: PathBuf,
    file: Arc<Mutex<File>>,
    /// Serialises writes, so the last snapshot is the one on disk.
    writer: tokio::sync::Mutex<()>,
}

impl JsonLedger {
    /// Opens `path`, or starts an empty ledger when it does not exist yet.
    pub fn open(path: impl Into<PathBuf>) -> Result<JsonLedger, Error> {
        let path = path.into();
        let error = |detail: String| Error::Ledger { path: path.display().to_string(), detail };
        let file = match std::fs::read_to_string(&path) {
            Ok(text) => {
                serde_json::from_str(&text).map_err(|e| error(format!("not a ledger: {e}")))?
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => File::default(),
            Err(e) => return Err(error(e.to_string())),
        };
        Ok(JsonLedger {
            path,
            file: Arc::new(Mutex::new(file)),
            writer: tokio::sync::Mutex::new(()),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn len(&self) -> usize {
        self.file.lock().map_or(0, |f| f.entries.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl ExportLedger for JsonLedger {
    async fn get(&self, key: &LedgerKey) -> Result<Option<LedgerEntry>, Error> {
        let file = self.file.lock().map_err(|_| self.poisoned())?;
        Ok(file.entries.get(&key.flat()).map(|(_, e)| e.clone()))
    }

    async fn record(&self, key: LedgerKey, entry: LedgerEntry) -> Result<(), Error> {
        let _writing = self.writer.lock().await;
        let text = {
            let mut file = self.file.lock().map_err(|_| self.poisoned())?;
            file.entries.insert(key.flat(), (key, entry));
            serde_json::to_string_pretty(&*file).map_err(|e| self.error(e.to_string()))?
        };
        let path = self.path.clone();
        tokio::task::spawn_blocking(move || {
            crate::atomic::write_atomically(&path, |f| {
                std::io::Write::write_all(f, text.as_bytes())
                    .map_err(|source| Error::Io { path: path.clone(), cause: source })
            })
        })
        .await
        .map_err(|e| self.error(e.to_string()))?
    }
}

impl JsonLedger {
    fn error(&self, detail: String) -> Error {
        Error::Ledger { path: self.path.display().to_string(), detail }
    }

    fn poisoned(&self) -> Error {
        self.error("a writer panicked".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn entries_survive_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ledger.json");
        let key = |n: &str| LedgerKey {
            target: "fortnox".into(),
            supplier: "556677-8899".into(),
            invoice_number: n.into(),
        };
        let entry = LedgerEntry {
            target_id: "17".into(),
            supplier_id: "3".into(),
            source: "a.pdf".into(),
            exported_at: "2026-01-01T00:00:00Z".into(),
        };
        let ledger = JsonLedger::open(&path).unwrap();
        assert!(ledger.is_empty());
        ledger.record(key("F-1"), entry.clone()).await.unwrap();
        let reopened = JsonLedger::open(&path).unwrap();
        assert_eq!(reopened.get(&key("F-1")).await.unwrap(), Some(entry));
        assert_eq!(reopened.get(&key("F-2")).await.unwrap(), None);
        std::fs::write(&path, "not json").unwrap();
        let err = JsonLedger::open(&path).unwrap_err().to_string();
        assert!(err.contains("ledger.json") && err.contains("not a ledger"), "{err}");
    }
}
