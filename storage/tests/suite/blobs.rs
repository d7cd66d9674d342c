//! The blob stores: one table of behaviours, run against [`LocalBlobStore`]
//! (a temp folder) and [`S3BlobStore`] (moto, a real S3-compatible server on
//! loopback), then what only one of them does.

use std::future::Future;
use std::pin::Pin;

use invex_domain::service::{BlobStore, StoreError};
use invex_storage::testing::MotoServer;
use invex_storage::{LocalBlobStore, S3BlobStore};

type Check = for<'a> fn(&'a dyn BlobStore) -> Pin<Box<dyn Future<Output = ()> + Send + 'a>>;

/// What every [`BlobStore`] does. Each check uses keys of its own.
const BEHAVIOURS: &[(&str, Check)] = &[
    ("ping answers", |s| Box::pin(ping(s))),
    ("put then get returns the bytes", |s| Box::pin(round_trip(s))),
    ("a 5 MB blob comes back intact", |s| Box::pin(big_blob(s))),
    ("a missing key is NotFound and does not exist", |s| Box::pin(missing(s))),
    ("delete removes; deleting a missing key is fine", |s| Box::pin(delete(s))),
    ("list returns the keys under a prefix, sorted", |s| Box::pin(list(s))),
];

async fn run_behaviours(store: &dyn BlobStore) {
    for (name, check) in BEHAVIOURS {
        eprintln!("{}: {name}", store.kind());
        check(store).await;
    }
}

async fn ping(store: &dyn BlobStore) {
    store.ping().await.unwrap_or_else(|e| panic!("{}: ping: {e}", store.kind()));
}

async fn round_trip(store: &dyn BlobStore) {
    let key = "tenants/t1/0f3a9c";
    store.put(key, b"%PDF-1.7 first").await.unwrap();
    assert_eq!(store.get(key).await.unwrap(), b"%PDF-1.7 first", "{}", store.kind());
    assert!(store.exists(key).await.unwrap(), "{}: exists after put", store.kind());
    store.put(key, b"second").await.unwrap();
    assert_eq!(store.get(key).await.unwrap(), b"second", "{}: overwritten", store.kind());
    store.put("tenants/t1/empty", b"").await.unwrap();
    assert_eq!(store.get("tenants/t1/empty").await.unwrap(), b"", "{}", store.kind());
}

async fn big_blob(store: &dyn BlobStore) {
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let bytes: Vec<u8> = (0..5 * 1024 * 1024)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect();
    store.put("big/five-mb", &bytes).await.unwrap();
    let back = store.get("big/five-mb").await.unwrap();
    assert!(
        back == bytes,
        "{}: 5 MB blob came back as {} different bytes",
        store.kind(),
        back.len()
    );
}

async fn missing(store: &dyn BlobStore) {
    let kind = store.kind();
    assert_eq!(store.get("tenants/nobody/missing").await, Err(StoreError::NotFound), "{kind}");
    assert!(!store.exists("tenants/nobody/missing").await.unwrap(), "{kind}");
}

async fn delete(store: &dyn BlobStore) {
    let kind = store.kind();
    store.put("del/a", b"x").await.unwrap();
    store.delete("del/a").await.unwrap();
    assert!(!store.exists("del/a").await.unwrap(), "{kind}: exists after delete");
    assert_eq!(store.get("del/a").await, Err(StoreError::NotFound), "{kind}");
    store.delete("del/a").await.unwrap_or_else(|e| panic!("{kind}: deleting twice: {e}"));
    store.delete("del/never-there").await.unwrap_or_else(|e| panic!("{kind}: {e}"));
}

async fn list(store: &dyn BlobStore) {
    let kind = store.kind();
    for key in ["list/t2/b", "list/t2/a", "list/t20/x", "list/t2/sub/c", "list-other/z"] {
        store.put(key, key.as_bytes()).await.unwrap();
    }
    let under = |prefix: &'static str| async move { store.list(prefix).await.unwrap() };
    assert_eq!(under("list/t2/").await, ["list/t2/a", "list/t2/b", "list/t2/sub/c"], "{kind}");
    assert_eq!(
        under("list/t2").await,
        ["list/t2/a", "list/t2/b", "list/t2/sub/c", "list/t20/x"],
        "{kind}: a prefix need not end at a /"
    );
    assert_eq!(under("list/none/").await, Vec::<String>::new(), "{kind}");
    let all = under("").await;
    assert!(all.is_sorted(), "{kind}: {all:?}");
    for key in ["list-other/z", "list/t20/x", "big/five-mb"] {
        assert!(all.iter().any(|k| k == key), "{kind}: {key} missing from {all:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn local_store() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("blobs/nested");
    let store = LocalBlobStore::new(root.clone()).unwrap();
    assert!(root.is_dir(), "new creates the folder");
    run_behaviours(&store).await;

    for bad in ["", "/etc/passwd", "../outside", "a/../../b", "a//b", "a/", "./a", ".hidden"] {
        let put = store.put(bad, b"x").await;
        assert!(matches!(put, Err(StoreError::Backend(_))), "put {bad:?}: {put:?}");
        assert!(store.get(bad).await.is_err(), "get {bad:?}");
        assert!(store.exists(bad).await.is_err(), "exists {bad:?}");
        assert!(store.delete(bad).await.is_err(), "delete {bad:?}");
    }
    assert!(store.list("../").await.is_err());
    assert!(!dir.path().join("blobs/outside").exists());

    // put leaves no temp files behind, and list never shows them.
    let mut names = std::fs::read_dir(root.join("tenants/t1")).unwrap();
    assert!(names.all(|e| !e.unwrap().file_name().to_string_lossy().starts_with('.')));
    std::fs::write(root.join("list/t2/.half-written.tmp"), b"x").unwrap();
    assert_eq!(store.list("list/t2/").await.unwrap().len(), 3);

    // A root that went away fails ping; a file is not a root.
    std::fs::remove_dir_all(&root).unwrap();
    assert!(store.ping().await.is_err());
    std::fs::write(&root, b"").unwrap();
    assert!(LocalBlobStore::new(root).is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s3_store_on_moto() {
    let moto = MotoServer::start();
    let store = moto.bucket("invex-blobs", "originals").await;
    run_behaviours(&store).await;

    // Keys live under the prefix, and list strips it.
    let raw = S3BlobStore::new(&moto.config("invex-blobs", ""));
    assert!(raw.exists("originals/tenants/t1/0f3a9c").await.unwrap());
    assert!(!raw.exists("tenants/t1/0f3a9c").await.unwrap());
    let other = S3BlobStore::new(&moto.config("invex-blobs", "elsewhere/"));
    assert_eq!(other.list("").await.unwrap(), Vec::<String>::new());

    // list follows continuation tokens.
    let paged = S3BlobStore::new(&moto.config("invex-blobs", "originals")).with_page_size(2);
    let want = store.list("list/").await.unwrap();
    assert_eq!(want.len(), 4);
    assert_eq!(paged.list("list/").await.unwrap(), want);
    let sized = paged.list_with_sizes("list/t2/").await.unwrap();
    assert_eq!(sized[0], ("list/t2/a".to_owned(), "list/t2/a".len() as u64));

    assert!(store.put("", b"x").await.is_err(), "an empty key is refused");

    // A missing bucket: ping and list fail and name the bucket.
    let gone = S3BlobStore::new(&moto.config("no-such-bucket", "p"));
    for result in [gone.ping().await.map(|_| ()), gone.list("").await.map(|_| ())] {
        let Err(StoreError::Backend(message)) = result else { panic!("{result:?}") };
        assert!(message.contains("s3://no-such-bucket"), "{message}");
    }
    let Err(StoreError::Backend(message)) = gone.list("").await else { unreachable!() };
    assert!(message.contains("NoSuchBucket"), "names the cause: {message}");
}
