//! Blob stores for original files: a local folder, or S3.
// Filled in by the blob-store work.

pub struct LocalBlobStore;
pub struct S3BlobStore;
pub struct S3Config;
