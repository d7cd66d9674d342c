//! `invex extract s3://bucket/prefix`: the batch inputs when some are S3
//! prefixes. The objects under a prefix (`.pdf` keys, as in a folder) are
//! listed with [`S3BlobStore`], fetched concurrently a chunk at a time on a
//! small tokio runtime in a thread of their own, and each chunk is processed
//! with rayon while the next one downloads. Local-only batches go straight
//! to [`Pipeline::run_batch`].

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Arc, mpsc};

use anyhow::{Context, Result, anyhow};
use invex_domain::service::{BlobStore, StoreError};
use invex_domain::{DocumentError, Prediction};
use invex_pipeline::{Pipeline, Sink};
use invex_storage::{S3BlobStore, S3Config};
use rayon::prelude::*;
use tokio::runtime::Runtime;
use tokio::task::JoinSet;

use super::extract::collect_inputs;

/// At most this many bytes of objects are held per chunk.
const CHUNK_BYTES: u64 = 256 * 1024 * 1024;

/// The files and objects of one batch, in input order.
pub struct Inputs {
    items: Vec<Item>,
    /// Present when there are S3 objects to fetch.
    runtime: Option<Runtime>,
}

enum Item {
    File(PathBuf),
    Object { store: Arc<S3BlobStore>, key: String, size: u64 },
}

/// A chunk's item, ready for the pipeline.
enum Fetched {
    File(PathBuf),
    Bytes(String, Vec<u8>),
    Failed(String, DocumentError),
}

fn s3_url(input: &Path) -> Option<&str> {
    input.to_str().filter(|s| s.starts_with("s3://"))
}

impl Inputs {
    /// Expands folders into their PDF files and S3 prefixes into their PDF
    /// objects. An S3 URL that names an object rather than a prefix is that
    /// object, whatever its name.
    pub fn collect(inputs: &[PathBuf]) -> Result<Inputs> {
        if !inputs.iter().any(|i| s3_url(i).is_some()) {
            let items = collect_inputs(inputs)?.into_iter().map(Item::File).collect();
            return Ok(Inputs { items, runtime: None });
        }
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .context("starting the S3 client's runtime")?;
        let mut items = Vec::new();
        for input in inputs {
            match s3_url(input) {
                Some(url) => items.extend(runtime.block_on(list(url))?),
                None => items.extend(
                    collect_inputs(std::slice::from_ref(input))?.into_iter().map(Item::File),
                ),
            }
        }
        Ok(Inputs { items, runtime: Some(runtime) })
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Processes every input and hands the results to `sink` in input order.
    pub fn run(self, pipeline: &Pipeline, max_bytes: u64, sink: &mut dyn Sink) {
        let Some(runtime) = self.runtime else {
            let files: Vec<PathBuf> = self
                .items
                .into_iter()
                .filter_map(|item| match item {
                    Item::File(path) => Some(path),
                    Item::Object { .. } => None,
                })
                .collect();
            return pipeline.run_batch(&files, sink);
        };
        let items = &self.items;
        let (tx, rx) = mpsc::sync_channel::<Vec<Fetched>>(1);
        std::thread::scope(|scope| {
            scope.spawn(move || {
                runtime.block_on(async move {
                    for range in chunks(items, max_bytes) {
                        let fetched = fetch(&items[range], max_bytes).await;
                        // The receiver only goes away if the sink panicked.
                        if tx.send(fetched).is_err() {
                            break;
                        }
                    }
                })
            });
            let mut index = 0;
            for chunk in rx {
                let predictions: Vec<Prediction> =
                    chunk.into_par_iter().map(|item| process(pipeline, item)).collect();
                for prediction in predictions {
                    sink.on_result(index, prediction);
                    index += 1;
                }
            }
        });
    }
}

/// The PDF and image objects under `url`'s prefix, or the one object `url` names.
async fn list(url: &str) -> Result<Vec<Item>> {
    let mut config = S3Config::from_url(url)?;
    let store = Arc::new(S3BlobStore::new(&config));
    let objects = store.list_with_sizes("").await.map_err(|e| listing_error(url, e))?;
    let mut items: Vec<Item> = objects
        .into_iter()
        .filter(|(key, _)| {
            let name = key.rsplit('/').next().unwrap_or(key);
            !name.starts_with('.')
                && Path::new(name).extension().is_some_and(|e| {
                    super::extract::FOLDER_EXTENSIONS.iter().any(|x| e.eq_ignore_ascii_case(x))
                })
        })
        .map(|(key, size)| Item::Object { store: Arc::clone(&store), key, size })
        .collect();
    if items.is_empty() && !config.prefix.is_empty() {
        let key = std::mem::take(&mut config.prefix);
        let bucket = Arc::new(S3BlobStore::new(&config));
        let found = bucket.list_with_sizes(&key).await.map_err(|e| listing_error(url, e))?;
        if let Some((key, size)) = found.into_iter().find(|(k, _)| *k == key) {
            items.push(Item::Object { store: bucket, key, size });
        }
    }
    Ok(items)
}

fn listing_error(url: &str, e: StoreError) -> anyhow::Error {
    match e {
        StoreError::Backend(message) => anyhow!("{url}: {message}"),
        other => anyhow!("{url}: listing failed: {other}"),
    }
}

/// Consecutive ranges of at most twice the rayon pool's size and about
/// [`CHUNK_BYTES`] of objects.
fn chunks(items: &[Item], max_bytes: u64) -> Vec<Range<usize>> {
    let most = (rayon::current_num_threads() * 2).max(4);
    let mut ranges = Vec::new();
    let (mut start, mut bytes) = (0, 0u64);
    for (i, item) in items.iter().enumerate() {
        let size = match item {
            Item::Object { size, .. } if *size <= max_bytes => *size,
            _ => 0,
        };
        if i > start && (i - start >= most || bytes + size > CHUNK_BYTES) {
            ranges.push(start..i);
            (start, bytes) = (i, 0);
        }
        bytes += size;
    }
    if start < items.len() {
        ranges.push(start..items.len());
    }
    ranges
}

/// Downloads the chunk's objects concurrently; files pass through.
async fn fetch(items: &[Item], max_bytes: u64) -> Vec<Fetched> {
    let mut fetched: Vec<Option<Fetched>> = items.iter().map(|_| None).collect();
    let mut downloads = JoinSet::new();
    for (i, item) in items.iter().enumerate() {
        match item {
            Item::File(path) => fetched[i] = Some(Fetched::File(path.clone())),
            Item::Object { store, key, size } if *size > max_bytes => {
                let too_large = DocumentError::TooLarge { size: *size, limit: max_bytes };
                fetched[i] = Some(Fetched::Failed(store.object_url(key), too_large));
            }
            Item::Object { store, key, .. } => {
                let (store, key) = (Arc::clone(store), key.clone());
                downloads.spawn(async move { (i, store.get(&key).await) });
            }
        }
    }
    while let Some(done) = downloads.join_next().await {
        let Ok((i, result)) = done else { continue };
        let Item::Object { store, key, .. } = &items[i] else { continue };
        let name = store.object_url(key);
        fetched[i] = Some(match result {
            Ok(bytes) if bytes.len() as u64 > max_bytes => {
                let size = bytes.len() as u64;
                Fetched::Failed(name, DocumentError::TooLarge { size, limit: max_bytes })
            }
            Ok(bytes) => Fetched::Bytes(name, bytes),
            Err(StoreError::NotFound) => Fetched::Failed(
                name,
                DocumentError::Io("the object was deleted during the batch".into()),
            ),
            Err(e) => Fetched::Failed(name, DocumentError::Io(e.to_string())),
        });
    }
    // A download task that panicked leaves its slot empty.
    fetched
        .into_iter()
        .zip(items)
        .map(|(f, item)| {
            f.unwrap_or_else(|| match item {
                Item::Object { store, key, .. } => Fetched::Failed(
                    store.object_url(key),
                    DocumentError::Io("internal error while downloading".into()),
                ),
                Item::File(path) => Fetched::File(path.clone()),
            })
        })
        .collect()
}

fn process(pipeline: &Pipeline, item: Fetched) -> Prediction {
    match item {
        Fetched::File(path) => pipeline.process_file_asking(&path),
        Fetched::Bytes(name, bytes) => pipeline.process_bytes_asking(name, &bytes),
        Fetched::Failed(name, e) => Prediction::failed(name, e.code(), e.to_string()),
    }
}
