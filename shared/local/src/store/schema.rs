//! The schema: the migrations, one per entry, and the code that applies those a database
//! file lacks.

use super::db_error;
use rusqlite::{Connection, TransactionBehavior};
use sqa_core::ports::{StoreError, StoreResult};

/// The schema, one migration per entry; `PRAGMA user_version` counts those applied.
/// Append new migrations; never edit one that has shipped.
const MIGRATIONS: &[&str] = &[
    // 1: the first schema.
    r#"
CREATE TABLE leads (
    -- Insertion order, and the rowid: every secondary index carries it for free.
    seq           INTEGER PRIMARY KEY,
    id            TEXT    NOT NULL UNIQUE,
    stage         TEXT    NOT NULL,
    version       INTEGER NOT NULL,
    created_at    INTEGER,
    email_key     TEXT    NOT NULL,
    owner         TEXT    NOT NULL,
    next_touch_at INTEGER,
    doc           TEXT    NOT NULL
);
CREATE INDEX leads_stage_created ON leads (stage, created_at, seq);
CREATE INDEX leads_due ON leads (next_touch_at, seq) WHERE next_touch_at IS NOT NULL;
CREATE INDEX leads_email ON leads (email_key, seq);
CREATE INDEX leads_owner ON leads (owner, seq);
CREATE INDEX leads_stage ON leads (stage, seq);

CREATE TABLE stage_counts (
    stage TEXT PRIMARY KEY,
    n     INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TRIGGER leads_count_insert AFTER INSERT ON leads BEGIN
    INSERT OR IGNORE INTO stage_counts (stage, n) VALUES (NEW.stage, 0);
    UPDATE stage_counts SET n = n + 1 WHERE stage = NEW.stage;
END;
CREATE TRIGGER leads_count_update AFTER UPDATE OF stage ON leads
WHEN OLD.stage <> NEW.stage BEGIN
    UPDATE stage_counts SET n = n - 1 WHERE stage = OLD.stage;
    INSERT OR IGNORE INTO stage_counts (stage, n) VALUES (NEW.stage, 0);
    UPDATE stage_counts SET n = n + 1 WHERE stage = NEW.stage;
END;
CREATE TRIGGER leads_count_delete AFTER DELETE ON leads BEGIN
    UPDATE stage_counts SET n = n - 1 WHERE stage = OLD.stage;
END;

CREATE TABLE configs (
    version  INTEGER PRIMARY KEY,
    saved_at TEXT    NOT NULL,
    toml     TEXT    NOT NULL
);

CREATE TABLE counters (
    key   TEXT PRIMARY KEY,
    value INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE runs (
    seq     INTEGER PRIMARY KEY,
    run_id  TEXT    NOT NULL,
    lead_id TEXT,
    at      INTEGER NOT NULL,
    doc     TEXT    NOT NULL
);
CREATE INDEX runs_lead ON runs (lead_id, at, seq) WHERE lead_id IS NOT NULL;
CREATE INDEX runs_run ON runs (run_id, at, seq);

CREATE TABLE suppressions (
    seq     INTEGER PRIMARY KEY,
    address TEXT NOT NULL UNIQUE,
    reason  TEXT NOT NULL,
    source  TEXT NOT NULL,
    at      TEXT NOT NULL
);

-- AUTOINCREMENT: acknowledged messages are deleted, and an id (and so a receipt) must never
-- be handed out twice.
CREATE TABLE queue_messages (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    queue         TEXT    NOT NULL,
    body          TEXT    NOT NULL,
    sent_at       INTEGER NOT NULL,
    visible_at    INTEGER NOT NULL,
    receive_count INTEGER NOT NULL DEFAULT 0,
    receipt       TEXT
);
CREATE INDEX queue_messages_visible ON queue_messages (queue, visible_at, id);

CREATE TABLE dead_letters (
    seq           INTEGER PRIMARY KEY,
    queue         TEXT    NOT NULL,
    id            INTEGER NOT NULL,
    body          TEXT    NOT NULL,
    receive_count INTEGER NOT NULL,
    sent_at       INTEGER NOT NULL,
    dead_at       INTEGER NOT NULL
);
CREATE INDEX dead_letters_queue ON dead_letters (queue, seq);
"#,
    // 2: the mailbox readers' record of the messages they queued (`mailbox_seen`).
    r#"
-- The messages of a mailbox folder already queued for the engage stage, by UID (IMAP): a
-- message is read once however often the folder is polled. A new UIDVALIDITY starts afresh.
CREATE TABLE mailbox_seen (
    mailbox     TEXT    NOT NULL,
    uidvalidity INTEGER NOT NULL,
    uid         INTEGER NOT NULL,
    key         TEXT    NOT NULL,
    at          INTEGER NOT NULL,
    PRIMARY KEY (mailbox, uidvalidity, uid)
) WITHOUT ROWID;
"#,
    // 3: the send record (`sent_mail`: a message the outbox delivers once its transaction has
    // committed) and the waiting time of a lead (`Lead::waiting_since`) with its index, for the
    // selection sweep. Leads of an older file that wait get time 0: the first sweep resends their
    // message once (the stages skip what is done), and their next write sets the real time.
    r#"
ALTER TABLE leads ADD COLUMN waiting_since INTEGER;
UPDATE leads SET waiting_since = 0
 WHERE (stage IN ('selected', 'validated')
        OR (stage = 'researched' AND json_array_length(doc, '$.touches') = 0))
   AND coalesce(json_extract(doc, '$.blocked.kind'), '') <> 'stage_failed';
CREATE INDEX leads_waiting ON leads (waiting_since, seq) WHERE waiting_since IS NOT NULL;

CREATE TABLE sent_mail (
    file    TEXT PRIMARY KEY,
    message_id TEXT NOT NULL,
    sent_at INTEGER NOT NULL
) WITHOUT ROWID;
"#,
    // 4: the provider id of every touch, to its lead (`LeadStore::find_by_provider_id`),
    // kept by triggers in the lead's own write.
    r#"
CREATE TABLE touch_ids (
    provider_id TEXT PRIMARY KEY,
    lead_id     TEXT NOT NULL
) WITHOUT ROWID;
INSERT OR REPLACE INTO touch_ids (provider_id, lead_id)
 SELECT json_extract(t.value, '$.provider_id'), leads.id
   FROM leads, json_each(leads.doc, '$.touches') AS t
  WHERE json_extract(t.value, '$.provider_id') IS NOT NULL;
CREATE TRIGGER leads_touch_ids_insert AFTER INSERT ON leads BEGIN
  INSERT OR REPLACE INTO touch_ids (provider_id, lead_id)
   SELECT json_extract(t.value, '$.provider_id'), NEW.id
     FROM json_each(NEW.doc, '$.touches') AS t
    WHERE json_extract(t.value, '$.provider_id') IS NOT NULL;
END;
CREATE TRIGGER leads_touch_ids_update AFTER UPDATE OF doc ON leads BEGIN
  INSERT OR REPLACE INTO touch_ids (provider_id, lead_id)
   SELECT json_extract(t.value, '$.provider_id'), NEW.id
     FROM json_each(NEW.doc, '$.touches') AS t
    WHERE json_extract(t.value, '$.provider_id') IS NOT NULL;
END;
"#,
    // 5: the account of a lead (`Lead::account`, its company domain) with its index, for
    // `LeadStore::find_by_account`. Existing leads get theirs from their documents right
    // after (`backfill_accounts`), in the same transaction.
    r#"
ALTER TABLE leads ADD COLUMN account TEXT;
CREATE INDEX leads_account ON leads (account, seq) WHERE account IS NOT NULL;
"#,
];

/// Migration 5's data: the account of every stored lead, computed from its document by
/// the same code that computes it on every write.
fn backfill_accounts(tx: &rusqlite::Transaction<'_>) -> rusqlite::Result<()> {
    let rows: Vec<(String, String)> = tx
        .prepare("SELECT id, doc FROM leads")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut set = tx.prepare("UPDATE leads SET account = ?1 WHERE id = ?2")?;
    for (id, doc) in rows {
        // A document this build cannot read keeps no account; reading it fails loudly
        // elsewhere, where the lead is used.
        let Ok(lead) = serde_json::from_str::<sqa_core::domain::Lead>(&doc) else {
            continue;
        };
        if let Some(account) = lead.account() {
            set.execute(rusqlite::params![account, id])?;
        }
    }
    Ok(())
}

/// The schema version this build writes.
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

pub(super) fn user_version(conn: &Connection) -> rusqlite::Result<u32> {
    conn.query_row("PRAGMA user_version", [], |r| r.get(0))
}

/// Apply the migrations the file lacks, each in its own immediate transaction, re-reading the
/// version inside it so that two processes opening a new file at once migrate it once.
pub(super) fn migrate(conn: &mut Connection) -> StoreResult<()> {
    let found = user_version(conn).map_err(|e| db_error(e, "read the schema version"))?;
    if found > SCHEMA_VERSION {
        return Err(StoreError::Unexpected(anyhow::anyhow!(
            "the database has schema version {found}, newer than this build understands \
             ({SCHEMA_VERSION}); use a newer sqa"
        )));
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        let target = i as u32 + 1;
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| db_error(e, "start a migration"))?;
        let current = user_version(&tx).map_err(|e| db_error(e, "read the schema version"))?;
        if current >= target {
            continue;
        }
        tx.execute_batch(sql)
            .map_err(|e| db_error(e, &format!("apply migration {target}")))?;
        if target == 5 {
            backfill_accounts(&tx).map_err(|e| db_error(e, "fill in the leads' accounts"))?;
        }
        tx.pragma_update(None, "user_version", target)
            .map_err(|e| db_error(e, "record the schema version"))?;
        tx.commit()
            .map_err(|e| db_error(e, &format!("commit migration {target}")))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::store::SqliteStore;

    fn plan(store: &SqliteStore, sql: &str) -> String {
        let conn = store.conn();
        let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        let rows: Vec<String> = stmt
            .query_map([], |r| r.get::<_, String>(3))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        rows.join("; ")
    }

    #[test]
    fn migration_5_gives_stored_leads_their_account() {
        use sqa_core::domain::{Lead, LeadId};
        let mut conn = rusqlite::Connection::open_in_memory().unwrap();
        for sql in &super::MIGRATIONS[..4] {
            conn.execute_batch(sql).unwrap();
        }
        conn.pragma_update(None, "user_version", 4).unwrap();
        let now = chrono::Utc::now();
        let mut with_site = Lead::new(LeadId::parse("L0001").unwrap(), now);
        with_site.website = "https://www.Acme.example/about".into();
        let without = Lead::new(LeadId::parse("L0002").unwrap(), now);
        for l in [&with_site, &without] {
            conn.execute(
                "INSERT INTO leads (id, stage, version, email_key, owner, doc) \
                 VALUES (?1, 'new', 0, '', '', ?2)",
                rusqlite::params![l.id.as_str(), serde_json::to_string(l).unwrap()],
            )
            .unwrap();
        }
        super::migrate(&mut conn).unwrap();
        let account = |id: &str| -> Option<String> {
            conn.query_row("SELECT account FROM leads WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .unwrap()
        };
        assert_eq!(account("L0001").as_deref(), Some("acme.example"));
        assert_eq!(account("L0002"), None);
        assert_eq!(super::user_version(&conn).unwrap(), super::SCHEMA_VERSION);
    }

    #[test]
    fn every_lead_query_uses_an_index_and_no_scan() {
        let store = SqliteStore::open_in_memory().unwrap();
        for sql in [
            "SELECT seq, created_at, doc FROM leads WHERE stage = 'new' AND created_at = 1 \
             AND seq > 7 ORDER BY seq LIMIT 5",
            "SELECT seq, created_at, doc FROM leads WHERE stage = 'new' AND created_at > 1 \
             AND created_at <= 9 ORDER BY created_at, seq LIMIT 5",
            "SELECT stage, version, created_at, email_key, owner, next_touch_at \
             FROM leads WHERE id = 'a'",
            "SELECT seq, next_touch_at, doc FROM leads WHERE next_touch_at <= 5 \
             ORDER BY next_touch_at, seq LIMIT 5",
            "SELECT seq, waiting_since, doc FROM leads WHERE waiting_since <= 5 \
             ORDER BY waiting_since, seq LIMIT 5",
            "SELECT id FROM leads WHERE email_key = 'a' ORDER BY seq",
            "SELECT id FROM leads WHERE account = 'a' ORDER BY seq",
            "SELECT seq, created_at, doc FROM leads WHERE owner = 'a' AND seq < 9 \
             ORDER BY seq DESC LIMIT 3",
            "SELECT seq, created_at, doc FROM leads WHERE stage = 'new' AND seq < 9 \
             ORDER BY seq DESC LIMIT 3",
            "SELECT doc FROM runs WHERE lead_id = 'a' ORDER BY at, seq",
            "SELECT doc FROM runs WHERE run_id = 'a' ORDER BY at, seq",
            "SELECT id, body, receive_count FROM queue_messages WHERE queue = 'validate' \
             AND visible_at <= 5 ORDER BY visible_at, id LIMIT 10",
        ] {
            let p = plan(&store, sql);
            assert!(p.contains("USING"), "{sql}\n→ {p}");
            assert!(!p.contains("TEMP B-TREE"), "sorts in memory: {sql}\n→ {p}");
            assert!(!p.starts_with("SCAN leads"), "scans: {sql}\n→ {p}");
        }
    }
}
