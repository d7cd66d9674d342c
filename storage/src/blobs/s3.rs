//! [`S3BlobStore`]: blobs as objects of an S3 bucket (AWS or any compatible
//! server), under a key prefix, through aws-sdk-s3 with a rustls (ring) client.

use std::error::Error;
use std::fmt;

use async_trait::async_trait;
use aws_sdk_s3::Client;
use aws_sdk_s3::config::http::HttpResponse;
use aws_sdk_s3::config::{
    BehaviorVersion, Credentials, Region, RequestChecksumCalculation, ResponseChecksumValidation,
};
use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{BucketLocationConstraint, CreateBucketConfiguration};
use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode};
use invex_domain::service::{BlobStore, StoreError, StoreResult};

use super::S3Config;
use crate::StorageError;

#[derive(Clone)]
pub struct S3BlobStore {
    client: Client,
    bucket: String,
    /// Empty, or the configured prefix with a trailing `/`.
    prefix: String,
    region: String,
    /// Keys per ListObjectsV2 page; `None` for the server's default (1000).
    page_size: Option<i32>,
}

impl fmt::Debug for S3BlobStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("S3BlobStore").field("url", &self.url()).finish()
    }
}

impl S3BlobStore {
    /// Builds the client; nothing is sent until the first operation (see
    /// [`BlobStore::ping`] to check the bucket and credentials).
    pub fn new(config: &S3Config) -> Self {
        let http = aws_smithy_http_client::Builder::new()
            .tls_provider(tls::Provider::Rustls(CryptoMode::Ring))
            .build_https();
        let credentials = Credentials::new(
            config.access_key_id.clone(),
            config.secret_access_key.clone(),
            None,
            None,
            "invex",
        );
        let mut builder = aws_sdk_s3::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .http_client(http)
            .region(Region::new(config.region.clone()))
            .credentials_provider(credentials)
            .force_path_style(config.force_path_style)
            // Checksums only where S3 demands them: several S3-compatible
            // servers refuse the newer default trailing checksums.
            .request_checksum_calculation(RequestChecksumCalculation::WhenRequired)
            .response_checksum_validation(ResponseChecksumValidation::WhenRequired);
        if let Some(endpoint) = &config.endpoint {
            builder = builder.endpoint_url(endpoint.clone());
        }
        let prefix = match config.prefix.trim_matches('/') {
            "" => String::new(),
            prefix => format!("{prefix}/"),
        };
        S3BlobStore {
            client: Client::from_conf(builder.build()),
            bucket: config.bucket.clone(),
            prefix,
            region: config.region.clone(),
            page_size: None,
        }
    }

    /// [`S3Config::from_url`] then [`S3BlobStore::new`].
    pub fn from_url(url: &str) -> Result<Self, StorageError> {
        Ok(Self::new(&S3Config::from_url(url)?))
    }

    /// Lists at most `keys` keys per request (tests use it to page).
    pub fn with_page_size(mut self, keys: i32) -> Self {
        self.page_size = Some(keys.max(1));
        self
    }

    pub fn bucket(&self) -> &str {
        &self.bucket
    }

    /// `s3://bucket/prefix`.
    pub fn url(&self) -> String {
        self.object_url("").trim_end_matches('/').to_owned()
    }

    /// `s3://bucket/prefix/key`: where `key` lives.
    pub fn object_url(&self, key: &str) -> String {
        format!("s3://{}/{}{key}", self.bucket, self.prefix)
    }

    /// Creates the bucket (in the configured region). For tests and setups.
    pub async fn create_bucket(&self) -> StoreResult<()> {
        let mut request = self.client.create_bucket().bucket(&self.bucket);
        if self.region != "us-east-1" {
            let constraint = BucketLocationConstraint::from(self.region.as_str());
            request = request.create_bucket_configuration(
                CreateBucketConfiguration::builder().location_constraint(constraint).build(),
            );
        }
        request.send().await.map_err(|e| self.fail("creating bucket", None, e))?;
        Ok(())
    }

    /// As [`BlobStore::list`], with each object's size in bytes.
    pub async fn list_with_sizes(&self, prefix: &str) -> StoreResult<Vec<(String, u64)>> {
        let mut objects = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let page = self
                .client
                .list_objects_v2()
                .bucket(&self.bucket)
                .prefix(format!("{}{prefix}", self.prefix))
                .set_continuation_token(token.take())
                .set_max_keys(self.page_size)
                .send()
                .await
                .map_err(|e| self.fail("listing", Some(prefix), e))?;
            for object in page.contents() {
                let Some(key) = object.key().and_then(|k| k.strip_prefix(&self.prefix)) else {
                    continue;
                };
                let size = object.size().and_then(|s| u64::try_from(s).ok()).unwrap_or(0);
                objects.push((key.to_owned(), size));
            }
            match page.next_continuation_token() {
                Some(next) if page.is_truncated() == Some(true) => token = Some(next.to_owned()),
                _ => break,
            }
        }
        objects.sort();
        Ok(objects)
    }

    fn full_key(&self, key: &str) -> StoreResult<String> {
        if key.is_empty() {
            return Err(self.backend("using", key, "empty blob key"));
        }
        Ok(format!("{}{key}", self.prefix))
    }

    /// A `Backend` error naming the object and the cause: S3's error code,
    /// message and HTTP status when the server answered, else the whole
    /// error chain (as `DisplayErrorContext`, without its `Debug` dump).
    fn fail<E>(&self, op: &str, key: Option<&str>, err: SdkError<E, HttpResponse>) -> StoreError
    where
        E: ProvideErrorMetadata + Error + 'static,
    {
        let status = err.raw_response().map(|r| r.status().as_u16());
        let cause = match (err.as_service_error(), status) {
            (Some(service), Some(status)) => format!(
                "{} (HTTP {status}): {}",
                service.code().unwrap_or("error"),
                service.message().unwrap_or(match status {
                    403 => "access denied: check the credentials and their permissions",
                    404 => "no such bucket or key",
                    _ => "no message",
                })
            ),
            _ => chain(&err),
        };
        match key {
            Some(key) => self.backend(op, key, cause),
            None => StoreError::Backend(format!("S3 {op} s3://{}: {cause}", self.bucket)),
        }
    }

    fn backend(&self, op: &str, key: &str, cause: impl fmt::Display) -> StoreError {
        StoreError::Backend(format!("S3 {op} {}: {cause}", self.object_url(key)))
    }
}

#[async_trait]
impl BlobStore for S3BlobStore {
    fn kind(&self) -> &'static str {
        "s3"
    }

    async fn put(&self, key: &str, bytes: &[u8]) -> StoreResult<()> {
        self.client
            .put_object()
            .bucket(&self.bucket)
            .key(self.full_key(key)?)
            .body(ByteStream::from(bytes.to_vec()))
            .send()
            .await
            .map_err(|e| self.fail("writing", Some(key), e))?;
        Ok(())
    }

    async fn get(&self, key: &str) -> StoreResult<Vec<u8>> {
        let object = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(self.full_key(key)?)
            .send()
            .await
            .map_err(|e| match e.as_service_error() {
                Some(service) if service.is_no_such_key() => StoreError::NotFound,
                _ => self.fail("reading", Some(key), e),
            })?;
        let body =
            object.body.collect().await.map_err(|e| self.backend("reading", key, chain(&e)))?;
        Ok(body.to_vec())
    }

    async fn exists(&self, key: &str) -> StoreResult<bool> {
        let head =
            self.client.head_object().bucket(&self.bucket).key(self.full_key(key)?).send().await;
        match head {
            Ok(_) => Ok(true),
            Err(e) if e.as_service_error().is_some_and(|s| s.is_not_found()) => Ok(false),
            Err(e) => Err(self.fail("checking", Some(key), e)),
        }
    }

    async fn delete(&self, key: &str) -> StoreResult<()> {
        // S3 answers 204 whether or not the object was there.
        self.client
            .delete_object()
            .bucket(&self.bucket)
            .key(self.full_key(key)?)
            .send()
            .await
            .map_err(|e| self.fail("deleting", Some(key), e))?;
        Ok(())
    }

    async fn list(&self, prefix: &str) -> StoreResult<Vec<String>> {
        Ok(self.list_with_sizes(prefix).await?.into_iter().map(|(key, _)| key).collect())
    }

    async fn ping(&self) -> StoreResult<()> {
        self.client
            .head_bucket()
            .bucket(&self.bucket)
            .send()
            .await
            .map_err(|e| self.fail("checking bucket", None, e))?;
        Ok(())
    }
}

/// `err: its source: its source's source ...`.
fn chain(err: &dyn Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
