//! [`LocalBlobStore`]: blobs as files under a root folder, written durably
//! (temp file, fsync, rename, fsync of the folder). All file I/O runs on
//! tokio's blocking pool, never on a worker thread.

use std::fs::{self, File};
use std::io::ErrorKind::{IsADirectory, NotFound};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use async_trait::async_trait;
use invex_domain::service::{BlobStore, StoreError, StoreResult};

use crate::StorageError;

/// Names temp files apart within one process (the pid parts processes).
static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

#[derive(Debug, Clone)]
pub struct LocalBlobStore {
    root: Arc<PathBuf>,
}

impl LocalBlobStore {
    /// Opens (and creates, if needed) the folder `root`.
    pub fn new(root: PathBuf) -> Result<Self, StorageError> {
        let blob_err = |cause: io::Error| StorageError::Blob {
            location: root.display().to_string(),
            cause: cause.to_string(),
        };
        fs::create_dir_all(&root).map_err(blob_err)?;
        if !fs::metadata(&root).map_err(blob_err)?.is_dir() {
            return Err(StorageError::Blob {
                location: root.display().to_string(),
                cause: "not a directory".into(),
            });
        }
        Ok(LocalBlobStore { root: Arc::new(root) })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Runs `f(root)` on the blocking pool.
    async fn blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Path) -> StoreResult<T> + Send + 'static,
    ) -> StoreResult<T> {
        let root = Arc::clone(&self.root);
        tokio::task::spawn_blocking(move || f(&root))
            .await
            .map_err(|e| StoreError::Backend(format!("local blob store: task failed: {e}")))?
    }
}

/// Checks that `key` is a relative path of plain segments: no empty, `.` or
/// `..` segments, no hidden (`.`-prefixed) segments, which are kept for temp
/// files, no absolute paths, backslashes or NUL bytes.
fn check_key(key: &str) -> StoreResult<()> {
    let bad = key.is_empty()
        || key.contains(['\\', '\0'])
        || key.split('/').any(|segment| segment.is_empty() || segment.starts_with('.'));
    if bad {
        return Err(StoreError::Backend(format!(
            "invalid blob key {key:?}: use a relative path of non-empty segments without '.' or '..'"
        )));
    }
    Ok(())
}

/// A list prefix is a key, a key with a trailing `/`, or empty.
fn check_prefix(prefix: &str) -> StoreResult<()> {
    match prefix.strip_suffix('/').unwrap_or(prefix) {
        "" if prefix.is_empty() => Ok(()),
        rest => check_key(rest),
    }
}

fn io_err(op: &str, path: &Path, e: io::Error) -> StoreError {
    StoreError::Backend(format!("local blob store: {op} {}: {e}", path.display()))
}

fn sync_dir(dir: &Path) -> StoreResult<()> {
    File::open(dir).and_then(|d| d.sync_all()).map_err(|e| io_err("syncing folder", dir, e))
}

/// Creates the folders of `dir` below `root`, syncing each new folder's
/// parent so that the new entry itself survives a crash.
fn create_dirs(root: &Path, dir: &Path) -> StoreResult<()> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut current = root.to_path_buf();
    for part in dir.strip_prefix(root).unwrap_or(dir).components() {
        let parent = current.clone();
        current.push(part);
        match fs::create_dir(&current) {
            Ok(()) => sync_dir(&parent)?,
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && current.is_dir() => {}
            Err(e) => return Err(io_err("creating folder", &current, e)),
        }
    }
    Ok(())
}

fn write_durably(root: &Path, key: &str, bytes: &[u8]) -> StoreResult<()> {
    let path = root.join(key);
    let dir = path.parent().unwrap_or(root);
    create_dirs(root, dir)?;
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("blob");
    let n = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
    let temp = dir.join(format!(".{name}.{}.{n}.tmp", std::process::id()));
    let written = File::create_new(&temp)
        .and_then(|mut file| {
            file.write_all(bytes)?;
            file.sync_all()
        })
        .map_err(|e| io_err("writing", &temp, e))
        .and_then(|()| fs::rename(&temp, &path).map_err(|e| io_err("renaming to", &path, e)));
    if written.is_err() {
        let _ = fs::remove_file(&temp);
    }
    written?;
    sync_dir(dir)
}

/// Appends the keys of the files below `dir` (named `rel` relative to the
/// root) that start with `prefix`, skipping hidden entries (temp files).
fn walk(dir: &Path, rel: &str, prefix: &str, keys: &mut Vec<String>) -> StoreResult<()> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == NotFound => return Ok(()),
        Err(e) => return Err(io_err("reading folder", dir, e)),
    };
    for entry in entries {
        let entry = entry.map_err(|e| io_err("reading folder", dir, e))?;
        let Ok(name) = entry.file_name().into_string() else { continue };
        if name.starts_with('.') {
            continue;
        }
        let key = if rel.is_empty() { name } else { format!("{rel}/{name}") };
        let kind = entry.file_type().map_err(|e| io_err("reading", &entry.path(), e))?;
        if kind.is_dir() {
            // Only descend where keys below can still match the prefix.
            let as_dir = format!("{key}/");
            if as_dir.starts_with(prefix) || prefix.starts_with(&as_dir) {
                walk(&entry.path(), &key, prefix, keys)?;
            }
        } else if kind.is_file() && key.starts_with(prefix) {
            keys.push(key);
        }
    }
    Ok(())
}

#[async_trait]
impl BlobStore for LocalBlobStore {
    fn kind(&self) -> &'static str {
        "local"
    }

    async fn put(&self, key: &str, bytes: &[u8]) -> StoreResult<()> {
        check_key(key)?;
        let (key, bytes) = (key.to_owned(), bytes.to_vec());
        self.blocking(move |root| write_durably(root, &key, &bytes)).await
    }

    async fn get(&self, key: &str) -> StoreResult<Vec<u8>> {
        check_key(key)?;
        let key = key.to_owned();
        self.blocking(move |root| {
            let path = root.join(&key);
            match fs::read(&path) {
                Ok(bytes) => Ok(bytes),
                // A folder is not a blob.
                Err(e) if matches!(e.kind(), NotFound | IsADirectory) => Err(StoreError::NotFound),
                Err(e) => Err(io_err("reading", &path, e)),
            }
        })
        .await
    }

    async fn exists(&self, key: &str) -> StoreResult<bool> {
        check_key(key)?;
        let key = key.to_owned();
        self.blocking(move |root| {
            let path = root.join(&key);
            match fs::metadata(&path) {
                Ok(meta) => Ok(meta.is_file()),
                Err(e) if e.kind() == NotFound => Ok(false),
                Err(e) => Err(io_err("reading", &path, e)),
            }
        })
        .await
    }

    async fn delete(&self, key: &str) -> StoreResult<()> {
        check_key(key)?;
        let key = key.to_owned();
        self.blocking(move |root| {
            let path = root.join(&key);
            match fs::remove_file(&path) {
                Ok(()) => sync_dir(path.parent().unwrap_or(root)),
                Err(e) if e.kind() == NotFound => Ok(()),
                Err(e) => Err(io_err("deleting", &path, e)),
            }
        })
        .await
    }

    async fn list(&self, prefix: &str) -> StoreResult<Vec<String>> {
        check_prefix(prefix)?;
        let prefix = prefix.to_owned();
        self.blocking(move |root| {
            let mut keys = Vec::new();
            walk(root, "", &prefix, &mut keys)?;
            keys.sort();
            Ok(keys)
        })
        .await
    }

    async fn ping(&self) -> StoreResult<()> {
        self.blocking(|root| {
            if !fs::metadata(root).map_err(|e| io_err("reading", root, e))?.is_dir() {
                return Err(StoreError::Backend(format!(
                    "local blob store: {} is not a directory",
                    root.display()
                )));
            }
            let n = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
            let probe = root.join(format!(".ping.{}.{n}.tmp", std::process::id()));
            File::create_new(&probe).map_err(|e| io_err("cannot write in", root, e))?;
            fs::remove_file(&probe).map_err(|e| io_err("deleting", &probe, e))
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_checked() {
        for good in ["a", "tenants/t1/abc", "a-b_c.pdf/x"] {
            assert!(check_key(good).is_ok(), "{good}");
        }
        for bad in ["", "/a", "a//b", "a/", "../a", "a/../b", "a/./b", ".hidden", "a\\b", "a\0"] {
            assert!(check_key(bad).is_err(), "{bad:?}");
        }
        for good in ["", "tenants/", "tenants/t", "a/b/"] {
            assert!(check_prefix(good).is_ok(), "{good}");
        }
        for bad in ["/", "/a", "../", "a//"] {
            assert!(check_prefix(bad).is_err(), "{bad:?}");
        }
    }
}
