//! `Inbox` on S3: the raw inbound messages that the SES receipt rule's S3 action stored, and
//! the knowledge documents the config names.

use crate::error::store_error;
use async_trait::async_trait;
use aws_sdk_s3::Client;
use aws_sdk_s3::operation::get_object::GetObjectError;
use sqa_core::ports::{Inbox, StoreError, StoreResult};

/// Most bytes read for one message: SES accepts at most 40 MB per inbound message.
const MAX_BYTES: u64 = 40 * 1024 * 1024;

#[derive(Clone, Debug)]
pub struct S3Inbox {
    client: Client,
    bucket: String,
    prefix: String,
}

impl S3Inbox {
    /// Keys are read as given; `prefix` (the receipt action's object key prefix) is only
    /// prepended to keys that do not already start with it.
    pub fn new(client: Client, bucket: impl Into<String>, prefix: impl Into<String>) -> Self {
        S3Inbox {
            client,
            bucket: bucket.into(),
            prefix: prefix.into(),
        }
    }

    pub fn bucket(&self) -> &str {
        &self.bucket
    }

    /// Read one object of any bucket (knowledge documents may live beside the mail).
    pub async fn get_object(client: &Client, bucket: &str, key: &str) -> StoreResult<Vec<u8>> {
        let out = client
            .get_object()
            .bucket(bucket)
            .key(key)
            .send()
            .await
            .map_err(|e| match &e {
                aws_sdk_s3::error::SdkError::ServiceError(se)
                    if matches!(se.err(), GetObjectError::NoSuchKey(_))
                        || se.raw().status().as_u16() == 404 =>
                {
                    StoreError::NotFound(format!("s3://{bucket}/{key}"))
                }
                _ => store_error(&format!("read s3://{bucket}/{key}"), e),
            })?;
        if out.content_length().is_some_and(|l| l as u64 > MAX_BYTES) {
            return Err(StoreError::Refused(format!(
                "s3://{bucket}/{key} is larger than {MAX_BYTES} bytes"
            )));
        }
        let bytes = out.body.collect().await.map_err(|e| {
            StoreError::Transient(anyhow::anyhow!("read body of s3://{bucket}/{key}: {e}"))
        })?;
        Ok(bytes.into_bytes().to_vec())
    }
}

#[async_trait]
impl Inbox for S3Inbox {
    async fn fetch(&self, key: &str) -> StoreResult<Vec<u8>> {
        if key.is_empty() || key.contains("..") {
            return Err(StoreError::NotFound(format!("bad inbox key {key:?}")));
        }
        let full = if self.prefix.is_empty() || key.starts_with(&self.prefix) {
            key.to_string()
        } else {
            format!("{}{key}", self.prefix)
        };
        Self::get_object(&self.client, &self.bucket, &full).await
    }
}
