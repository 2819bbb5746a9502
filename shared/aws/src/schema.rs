//! Names of the tables' keys and indexes, shared by the adapters, the provisioning used by
//! tests and local tooling, and the template test that checks `template.yaml` matches.
//!
//! Design (one table per kind of record, so that IAM policies can grant each function only
//! the tables its step needs):
//!
//! | table | key | indexes (leads: `KEYS_ONLY` or `INCLUDE`, so that rewriting a lead's document never rewrites an index entry; pages are then read with `BatchGetItem`) |
//! |---|---|---|
//! | leads | `id` | `stage-created` (stage, created_at), `stage-due` (stage, next_touch_at), `stage-inserted` (stage, inserted_sk), `owner-inserted` (owner, inserted_sk; includes stage), `email` (email_key, inserted_sk), `account` (account, inserted_sk: the company domain, `LeadStore::find_by_account`), `inserted` (kind, inserted_sk), `waiting` (kind, waiting_since: sparse, only leads waiting for a stage's message — `LeadStore::stalled`) |
//! | config | `pk`, `sk` | — (config versions `config`/`v#0000000001`, counters `seq#KEY`/`seq`) |
//! | runs | `pk` (lead id, or `#run#RUN` for records without a lead), `sk` (time + append order) | `run` (run_id, sk; `ALL`: records are never rewritten) |
//! | suppressions | `address` | — |
//!
//! The message thread of a lead (touches and inbound messages) lives inside the lead's item:
//! the core writes thread and stage together in one conditional write, which two items could
//! only match with a transaction on every step. A lead item is capped at 400 KB by DynamoDB;
//! the adapter refuses a lead document above 380 KB with a clear error instead of failing
//! later.
//!
//! The per-stage counters behind `count_by_stage` are items `#count#STAGE` in the leads
//! table, updated in the same transaction as a stage change; they carry no index attribute,
//! so no index ever sees them. So do the items `#touch#PROVIDER_ID` (attribute `lead`) that
//! `find_by_provider_id` reads: the lead of each send, written before the lead's document.

/// What an index copies from the item besides the keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Projection {
    KeysOnly,
    Include(&'static [&'static str]),
    All,
}

/// One global secondary index: name, partition key, sort key, projection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Index {
    pub name: &'static str,
    pub pk: &'static str,
    pub sk: &'static str,
    pub projection: Projection,
}

/// One table: logical name, key attributes and indexes. Every key attribute is a string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Table {
    pub logical: &'static str,
    pub pk: &'static str,
    pub sk: Option<&'static str>,
    pub indexes: &'static [Index],
}

pub const LEADS: Table = Table {
    logical: "LeadsTable",
    pk: "id",
    sk: None,
    indexes: &[
        Index {
            name: "stage-created",
            pk: "stage",
            sk: "created_at",
            projection: Projection::KeysOnly,
        },
        Index {
            name: "stage-due",
            pk: "stage",
            sk: "next_touch_at",
            projection: Projection::KeysOnly,
        },
        Index {
            name: "stage-inserted",
            pk: "stage",
            sk: "inserted_sk",
            projection: Projection::KeysOnly,
        },
        Index {
            name: "owner-inserted",
            pk: "owner",
            sk: "inserted_sk",
            projection: Projection::Include(&["stage"]),
        },
        Index {
            name: "email",
            pk: "email_key",
            sk: "inserted_sk",
            projection: Projection::KeysOnly,
        },
        Index {
            name: "inserted",
            pk: "kind",
            sk: "inserted_sk",
            projection: Projection::KeysOnly,
        },
        Index {
            name: "account",
            pk: "account",
            sk: "inserted_sk",
            projection: Projection::KeysOnly,
        },
        Index {
            name: "waiting",
            pk: "kind",
            sk: "waiting_since",
            projection: Projection::KeysOnly,
        },
    ],
};

pub const CONFIG: Table = Table {
    logical: "ConfigTable",
    pk: "pk",
    sk: Some("sk"),
    indexes: &[],
};

pub const RUNS: Table = Table {
    logical: "RunsTable",
    pk: "pk",
    sk: Some("sk"),
    indexes: &[Index {
        name: "run",
        pk: "run_id",
        sk: "sk",
        projection: Projection::All,
    }],
};

pub const SUPPRESSIONS: Table = Table {
    logical: "SuppressionsTable",
    pk: "address",
    sk: None,
    indexes: &[],
};

pub const ALL: [Table; 4] = [LEADS, CONFIG, RUNS, SUPPRESSIONS];
