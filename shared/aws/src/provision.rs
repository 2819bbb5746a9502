//! Create the tables, queues and bucket that `template.yaml` declares, from the same
//! definitions (`schema`): used by the tests against moto server and for a quick sandbox.
//! Production resources come from the template only.

use crate::clients::Clients;
use crate::queue::QueueUrls;
use crate::schema::{Projection, Table};
use anyhow::Context;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType,
    Projection as DynProjection, ProjectionType, ScalarAttributeType,
};
use aws_sdk_sqs::types::QueueAttributeName;
use sqa_core::ports::QueueName;
use std::collections::{BTreeMap, BTreeSet};

/// The names of one deployment's resources.
#[derive(Debug, Clone)]
pub struct Names {
    pub leads_table: String,
    pub config_table: String,
    pub runs_table: String,
    pub suppressions_table: String,
    pub bucket: String,
    pub queues: BTreeMap<QueueName, QueueUrls>,
}

/// Receives before SQS moves a message to its dead-letter queue (the template uses the same).
pub const MAX_RECEIVE_COUNT: u32 = 5;

fn key(name: &str, kind: KeyType) -> anyhow::Result<KeySchemaElement> {
    Ok(KeySchemaElement::builder()
        .attribute_name(name)
        .key_type(kind)
        .build()?)
}

/// Create one table (on-demand) with its indexes.
pub async fn create_table(clients: &Clients, table: &Table, name: &str) -> anyhow::Result<()> {
    let mut attrs = BTreeSet::from([table.pk]);
    attrs.extend(table.sk);
    let mut req = clients
        .dynamodb
        .create_table()
        .table_name(name)
        .billing_mode(BillingMode::PayPerRequest)
        .key_schema(key(table.pk, KeyType::Hash)?);
    if let Some(sk) = table.sk {
        req = req.key_schema(key(sk, KeyType::Range)?);
    }
    for ix in table.indexes {
        attrs.insert(ix.pk);
        attrs.insert(ix.sk);
        let projection = match ix.projection {
            Projection::KeysOnly => DynProjection::builder()
                .projection_type(ProjectionType::KeysOnly)
                .build(),
            Projection::All => DynProjection::builder()
                .projection_type(ProjectionType::All)
                .build(),
            Projection::Include(extra) => DynProjection::builder()
                .projection_type(ProjectionType::Include)
                .set_non_key_attributes(Some(extra.iter().map(|s| s.to_string()).collect()))
                .build(),
        };
        req = req.global_secondary_indexes(
            GlobalSecondaryIndex::builder()
                .index_name(ix.name)
                .key_schema(key(ix.pk, KeyType::Hash)?)
                .key_schema(key(ix.sk, KeyType::Range)?)
                .projection(projection)
                .build()?,
        );
    }
    for a in attrs {
        req = req.attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name(a)
                .attribute_type(ScalarAttributeType::S)
                .build()?,
        );
    }
    req.send()
        .await
        .with_context(|| format!("create table {name}"))?;
    Ok(())
}

/// Create a queue and its dead-letter queue with the redrive policy.
pub async fn create_queue(
    clients: &Clients,
    name: &str,
    visibility_secs: u32,
) -> anyhow::Result<QueueUrls> {
    let dlq = clients
        .sqs
        .create_queue()
        .queue_name(format!("{name}-dlq"))
        .send()
        .await
        .with_context(|| format!("create queue {name}-dlq"))?;
    let dlq_url = dlq.queue_url().unwrap_or_default().to_string();
    let attrs = clients
        .sqs
        .get_queue_attributes()
        .queue_url(&dlq_url)
        .attribute_names(QueueAttributeName::QueueArn)
        .send()
        .await
        .context("read the dead-letter queue's ARN")?;
    let dlq_arn = attrs
        .attributes()
        .and_then(|a| a.get(&QueueAttributeName::QueueArn))
        .cloned()
        .context("the dead-letter queue has no ARN")?;
    let policy = serde_json::json!({
        "deadLetterTargetArn": dlq_arn,
        "maxReceiveCount": MAX_RECEIVE_COUNT,
    });
    let q = clients
        .sqs
        .create_queue()
        .queue_name(name)
        .attributes(QueueAttributeName::RedrivePolicy, policy.to_string())
        .attributes(
            QueueAttributeName::VisibilityTimeout,
            visibility_secs.to_string(),
        )
        .send()
        .await
        .with_context(|| format!("create queue {name}"))?;
    Ok(QueueUrls {
        url: q.queue_url().unwrap_or_default().to_string(),
        dlq_url: Some(dlq_url),
    })
}

/// Create every table, queue and the inbound bucket with names that start with `prefix`
/// (lowercase letters, digits and `-`; a test gives each run its own prefix).
pub async fn create_all(clients: &Clients, prefix: &str) -> anyhow::Result<Names> {
    let names = Names {
        leads_table: format!("{prefix}-leads"),
        config_table: format!("{prefix}-config"),
        runs_table: format!("{prefix}-runs"),
        suppressions_table: format!("{prefix}-suppressions"),
        bucket: format!("{prefix}-inbound"),
        queues: BTreeMap::new(),
    };
    create_table(clients, &crate::schema::LEADS, &names.leads_table).await?;
    create_table(clients, &crate::schema::CONFIG, &names.config_table).await?;
    create_table(clients, &crate::schema::RUNS, &names.runs_table).await?;
    create_table(
        clients,
        &crate::schema::SUPPRESSIONS,
        &names.suppressions_table,
    )
    .await?;
    let mut queues = BTreeMap::new();
    for q in QueueName::ALL {
        // Tests move messages by hand; a short visibility timeout keeps retries quick.
        let urls = create_queue(clients, &format!("{prefix}-{}", q.as_str()), 30).await?;
        queues.insert(q, urls);
    }
    clients
        .s3
        .create_bucket()
        .bucket(&names.bucket)
        .send()
        .await
        .with_context(|| format!("create bucket {}", names.bucket))?;
    Ok(Names { queues, ..names })
}

/// Verify a sender address in SES (moto refuses mail from an unverified address, as SES does).
pub async fn verify_sender(clients: &Clients, address: &str) -> anyhow::Result<()> {
    let ses = clients.ses();
    ses.verify_email_identity()
        .email_address(address)
        .send()
        .await
        .with_context(|| format!("verify {address}"))?;
    if let Some((_, domain)) = address.rsplit_once('@') {
        ses.verify_domain_identity()
            .domain(domain)
            .send()
            .await
            .with_context(|| format!("verify {domain}"))?;
    }
    Ok(())
}
