//! Attachments in an S3-compatible object store (issue 20), for hospitals whose files outgrow
//! the database: `TUMORBOARD_BLOB_URL=s3://bucket/prefix`. The database keeps every
//! attachment's metadata and SHA-256; the bytes go to `prefix/<attachment id>/<copy>`, written
//! in multipart parts from the upload's temporary file (never whole in memory) before the
//! database records them, and read back as a stream whose SHA-256 is checked.
//!
//! Credentials, region and endpoint come from the usual AWS variables, read by the
//! `object_store` crate (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_REGION`,
//! `AWS_ENDPOINT` for a store other than Amazon's, `AWS_ALLOW_HTTP=true` for one without TLS).

use std::sync::Arc;

use futures_util::StreamExt;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt, WriteMultipart};
use tokio::io::{AsyncReadExt, AsyncSeekExt};

/// Where attachments go when not in the database.
#[derive(Clone, Debug)]
pub struct BlobStore {
    store: Arc<dyn ObjectStore>,
    /// The key prefix, without slashes at either end (may be empty).
    prefix: String,
    /// The configured URL, for messages (no credentials: those come from the environment).
    pub url: String,
}

impl BlobStore {
    /// The store named by `TUMORBOARD_BLOB_URL` (`s3://bucket[/prefix]`).
    pub fn from_url(url: &str) -> Result<BlobStore, String> {
        let rest = url
            .strip_prefix("s3://")
            .ok_or_else(|| format!("TUMORBOARD_BLOB_URL must be s3://bucket[/prefix] (got {url:?})"))?;
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() {
            return Err(format!("TUMORBOARD_BLOB_URL names no bucket (got {url:?})"));
        }
        let store = object_store::aws::AmazonS3Builder::from_env()
            .with_bucket_name(bucket)
            .build()
            .map_err(|e| format!("TUMORBOARD_BLOB_URL: the object store cannot be set up: {e}"))?;
        Ok(BlobStore { store: Arc::new(store), prefix: prefix.trim_matches('/').to_string(), url: url.to_string() })
    }

    fn path(&self, id: &str, copy: &str) -> Path {
        if self.prefix.is_empty() {
            Path::from(format!("{id}/{copy}"))
        } else {
            Path::from(format!("{}/{id}/{copy}", self.prefix))
        }
    }

    /// Writes a temporary file to `id`/`copy`, part by part (5 MiB parts, two in flight).
    pub async fn put_file(&self, id: &str, copy: &str, file: &mut tokio::fs::File) -> Result<(), String> {
        file.rewind().await.map_err(|e| e.to_string())?;
        let upload = self.store.put_multipart(&self.path(id, copy)).await.map_err(|e| e.to_string())?;
        let mut writer = WriteMultipart::new(upload);
        let mut buf = vec![0u8; 256 * 1024];
        loop {
            let n = match file.read(&mut buf).await {
                Ok(n) => n,
                Err(e) => {
                    let _ = writer.abort().await;
                    return Err(e.to_string());
                }
            };
            if n == 0 {
                break;
            }
            if let Err(e) = writer.wait_for_capacity(2).await {
                return Err(e.to_string());
            }
            writer.write(&buf[..n]);
        }
        writer.finish().await.map(|_| ()).map_err(|e| e.to_string())
    }

    /// Removes what `put_file` wrote (when the database did not take the attachment).
    pub async fn remove(&self, id: &str, copy: &str) {
        if let Err(e) = self.store.delete(&self.path(id, copy)).await {
            tracing::warn!(attachment = %id, copy, error = %e, "could not remove an unrecorded object");
        }
    }

    /// The bytes of `id`/`copy`, as they arrive.
    pub async fn get(
        &self,
        id: &str,
        copy: &str,
    ) -> Result<futures_util::stream::BoxStream<'static, Result<Vec<u8>, std::io::Error>>, String> {
        let got = self.store.get(&self.path(id, copy)).await.map_err(|e| e.to_string())?;
        Ok(got.into_stream().map(|r| r.map(|b| b.to_vec()).map_err(std::io::Error::other)).boxed())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_url_names_a_bucket_and_a_prefix_or_is_refused_with_the_variable_named() {
        let store = BlobStore::from_url("s3://hospital-docs/tumorboard/").unwrap();
        assert_eq!(store.path("a1", "original").as_ref(), "tumorboard/a1/original");
        assert_eq!(BlobStore::from_url("s3://hospital-docs").unwrap().path("a1", "display").as_ref(), "a1/display");
        for bad in ["https://example.org/bucket", "s3://", "/var/lib/files"] {
            assert!(BlobStore::from_url(bad).unwrap_err().contains("TUMORBOARD_BLOB_URL"), "{bad}");
        }
    }
}
