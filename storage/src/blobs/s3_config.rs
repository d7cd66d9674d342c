//! [`S3Config`]: where an [`super::S3BlobStore`] keeps its blobs, from an
//! `s3://bucket/prefix` URL and the usual `AWS_*` environment variables.

use std::fmt;

use crate::StorageError;

/// Bucket, key prefix, endpoint and credentials of an S3-compatible store.
/// Its `Debug` leaves the secret out.
#[derive(Clone, PartialEq, Eq)]
pub struct S3Config {
    pub bucket: String,
    /// Keys are stored as `<prefix>/<key>`; empty for the bucket's root.
    pub prefix: String,
    /// A custom endpoint (MinIO, moto, R2, ...); `None` for AWS.
    pub endpoint: Option<String>,
    pub region: String,
    pub access_key_id: String,
    pub secret_access_key: String,
    /// `https://endpoint/bucket/key` instead of `https://bucket.endpoint/key`,
    /// as most self-hosted servers need.
    pub force_path_style: bool,
}

impl fmt::Debug for S3Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("S3Config")
            .field("bucket", &self.bucket)
            .field("prefix", &self.prefix)
            .field("endpoint", &self.endpoint)
            .field("region", &self.region)
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"<hidden>")
            .field("force_path_style", &self.force_path_style)
            .finish()
    }
}

impl S3Config {
    /// `s3://bucket[/prefix]`, with the endpoint, region, credentials and
    /// path style from `AWS_ENDPOINT_URL`, `AWS_REGION` (default
    /// `us-east-1`), `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and
    /// `INVEX_S3_FORCE_PATH_STYLE` (`1`/`true`/`yes`).
    pub fn from_url(url: &str) -> Result<Self, StorageError> {
        Self::from_url_and_env(url, |name| std::env::var(name).ok())
    }

    /// As [`S3Config::from_url`], reading variables through `env`.
    pub fn from_url_and_env(
        url: &str,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, StorageError> {
        let (bucket, prefix) = parse_url(url)?;
        let env = |name: &str| env(name).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
        let credential = |name: &str| {
            env(name).ok_or_else(|| StorageError::Blob {
                location: url.to_owned(),
                cause: format!(
                    "{name} is not set: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
                ),
            })
        };
        Ok(S3Config {
            bucket,
            prefix,
            endpoint: env("AWS_ENDPOINT_URL"),
            region: env("AWS_REGION").unwrap_or_else(|| "us-east-1".into()),
            access_key_id: credential("AWS_ACCESS_KEY_ID")?,
            secret_access_key: credential("AWS_SECRET_ACCESS_KEY")?,
            force_path_style: env("INVEX_S3_FORCE_PATH_STYLE").is_some_and(|v| {
                matches!(v.to_ascii_lowercase().as_str(), "1" | "true" | "yes" | "on")
            }),
        })
    }

    /// `s3://bucket/prefix`, for messages.
    pub fn url(&self) -> String {
        match self.prefix.trim_matches('/') {
            "" => format!("s3://{}", self.bucket),
            prefix => format!("s3://{}/{prefix}", self.bucket),
        }
    }
}

/// Splits `s3://bucket/some/prefix/` into `("bucket", "some/prefix")`.
fn parse_url(url: &str) -> Result<(String, String), StorageError> {
    let invalid =
        |cause: &str| StorageError::Blob { location: url.to_owned(), cause: cause.into() };
    let rest = url
        .strip_prefix("s3://")
        .ok_or_else(|| invalid("not an S3 URL: use s3://bucket/prefix"))?;
    let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
    if bucket.is_empty() {
        return Err(invalid("the URL names no bucket: use s3://bucket/prefix"));
    }
    if bucket.contains(['?', '#', '@', ':']) {
        return Err(invalid("invalid bucket name"));
    }
    Ok((bucket.to_owned(), prefix.trim_matches('/').to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Option<String> {
        match name {
            "AWS_ACCESS_KEY_ID" => Some("AKID".into()),
            "AWS_SECRET_ACCESS_KEY" => Some("s3cr3t".into()),
            "INVEX_S3_FORCE_PATH_STYLE" => Some("true".into()),
            _ => None,
        }
    }

    #[test]
    fn parses_urls_and_env() {
        let config = S3Config::from_url_and_env("s3://invoices/in/2024/", env).unwrap();
        assert_eq!(config.bucket, "invoices");
        assert_eq!(config.prefix, "in/2024");
        assert_eq!(config.region, "us-east-1");
        assert_eq!(config.endpoint, None);
        assert!(config.force_path_style);
        assert_eq!(config.url(), "s3://invoices/in/2024");
        let bare = S3Config::from_url_and_env("s3://invoices", env).unwrap();
        assert_eq!((bare.prefix.as_str(), bare.url()), ("", "s3://invoices".into()));
        for bad in ["invoices/x", "s3://", "s3:///x", "https://x/y"] {
            assert!(S3Config::from_url_and_env(bad, env).is_err(), "{bad}");
        }
        let no_keys = S3Config::from_url_and_env("s3://b", |_| None).unwrap_err();
        assert!(no_keys.to_string().contains("AWS_ACCESS_KEY_ID"), "{no_keys}");
    }

    #[test]
    fn debug_hides_the_secret() {
        let config = S3Config::from_url_and_env("s3://b/p", env).unwrap();
        let shown = format!("{config:?}");
        assert!(!shown.contains("s3cr3t") && shown.contains("AKID"), "{shown}");
    }
}
