//! The port contract suites against the embedded adapters (a SQLite file in a temporary
//! folder, the file mailer and inbox), and what only the SQLite store has to keep: data across
//! reopening, one winner per race between connections, migrations that run once.

use chrono::{TimeZone, Utc};
use sqa_core::domain::{Lead, LeadId, Stage};
use sqa_core::lifecycle::Expected;
use sqa_core::ports::{
    ConfigStore, Inbox, LeadStore, Mailer, OutgoingEmail, Queue, QueueName, StoreError,
    Suppression, Suppressions,
};
use sqa_local::{FileInbox, FileMailer, QueueSettings, SCHEMA_VERSION, SqliteStore};
use sqa_tests::contract;
use std::sync::Arc;
use std::time::Duration;

fn lead(id: &str) -> Lead {
    let at = Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).unwrap();
    let mut l = Lead::new(LeadId::parse(id).unwrap(), at);
    l.email_key = sqa_core::EmailKey::from_stored(format!("{id}@example.test"));
    l.created_at = Some(at);
    l
}

#[tokio::test]
async fn sqlite_store_keeps_every_store_contract() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("sqa.db"))
        .unwrap()
        .with_queue_settings(QueueSettings {
            visibility: Duration::from_secs(30),
            max_receives: 3,
        });
    contract::all_stores(&store, &store, &store, &store, &store, 3).await;
}

#[tokio::test]
async fn the_store_suites_rerun_on_the_same_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sqa.db");
    for _ in 0..2 {
        let store = SqliteStore::open(&path).unwrap();
        contract::lead_store(&store).await;
        contract::config_store(&store).await;
        contract::run_log(&store).await;
        contract::suppressions(&store).await;
    }
}

#[tokio::test]
async fn an_exclusive_store_keeps_every_store_contract_and_its_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sqa.db");
    {
        let store = SqliteStore::open_exclusive(&path).unwrap();
        contract::all_stores(&store, &store, &store, &store, &store, 5).await;
        store.insert(&lead("X1")).await.unwrap();
    }
    let store = SqliteStore::open(&path).unwrap();
    let kept = LeadStore::get(&store, &LeadId::parse("X1").unwrap())
        .await
        .unwrap();
    assert!(kept.is_some(), "the exclusive store's writes outlive it");
}

#[tokio::test]
async fn sqlite_queue_keeps_the_queue_contract_with_the_default_threshold() {
    let store = SqliteStore::open_in_memory().unwrap();
    assert_eq!(store.queue_settings(), QueueSettings::default());
    contract::queue(&store, QueueSettings::default().max_receives).await;
}

#[tokio::test]
async fn a_received_message_comes_back_after_the_visibility_timeout() {
    let store = SqliteStore::open_in_memory()
        .unwrap()
        .with_queue_settings(QueueSettings {
            visibility: Duration::from_millis(150),
            max_receives: 5,
        });
    store
        .send(QueueName::Outreach, &["hello".to_string()])
        .await
        .unwrap();
    let first = store.receive(QueueName::Outreach, 10).await.unwrap();
    assert_eq!(first.len(), 1);
    assert!(
        store
            .receive(QueueName::Outreach, 10)
            .await
            .unwrap()
            .is_empty()
    );

    tokio::time::sleep(Duration::from_millis(250)).await;
    let again = store.receive(QueueName::Outreach, 10).await.unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(
        (again[0].id.as_str(), again[0].receive_count),
        (first[0].id.as_str(), 2)
    );

    // The first receipt went stale with the second receive: it acknowledges nothing.
    store
        .ack(QueueName::Outreach, &first[0].receipt)
        .await
        .unwrap();
    store
        .retry_later(QueueName::Outreach, &again[0].receipt, 0)
        .await
        .unwrap();
    let third = store.receive(QueueName::Outreach, 10).await.unwrap();
    assert_eq!(
        third.len(),
        1,
        "a stale receipt must not delete the message"
    );
    store
        .ack(QueueName::Outreach, &third[0].receipt)
        .await
        .unwrap();
    assert!(
        store
            .receive(QueueName::Outreach, 10)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn file_mailer_keeps_the_mailer_contract_and_writes_each_message_once() {
    let dir = tempfile::tempdir().unwrap();
    let outbox = dir.path().join("outbox");
    let mailer = FileMailer::new(&outbox);

    let (email, id) = contract::mailer(&mailer).await;

    assert_eq!(id, email.message_id, "the provider id is the Message-ID");
    let path = mailer.path_of(&email.message_id);
    assert_eq!(path.parent(), Some(outbox.as_path()));
    assert_eq!(std::fs::read(&path).unwrap(), email.raw);
    let names: Vec<String> = std::fs::read_dir(&outbox)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names.len(),
        1,
        "no temporary file is left behind: {names:?}"
    );
    assert!(names[0].ends_with(".eml"));

    // A second send of the same message finds the file and does not rewrite it.
    let changed = OutgoingEmail {
        raw: b"Subject: something else\r\n\r\nx".to_vec(),
        ..email.clone()
    };
    assert_eq!(mailer.send(&changed).await.unwrap(), email.message_id);
    assert_eq!(std::fs::read(&path).unwrap(), email.raw);
}

#[tokio::test]
async fn file_mailer_refuses_a_message_without_id_or_recipient() {
    let dir = tempfile::tempdir().unwrap();
    let mailer = FileMailer::new(dir.path());
    let ok = OutgoingEmail {
        from: "ava@example.test".into(),
        to: vec!["lead@example.test".into()],
        message_id: "<a@example.test>".into(),
        raw: b"Subject: x\r\n\r\nx".to_vec(),
    };
    let no_id = OutgoingEmail {
        message_id: " ".into(),
        ..ok.clone()
    };
    let no_to = OutgoingEmail {
        to: Vec::new(),
        ..ok.clone()
    };
    for bad in [no_id, no_to] {
        assert!(matches!(
            mailer.send(&bad).await,
            Err(sqa_core::ports::MailError::Rejected(_))
        ));
    }
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[tokio::test]
async fn concurrent_sends_of_one_message_write_one_file() {
    let dir = tempfile::tempdir().unwrap();
    let mailer = Arc::new(FileMailer::new(dir.path()));
    let email = OutgoingEmail {
        from: "ava@example.test".into(),
        to: vec!["lead@example.test".into()],
        message_id: "<race@example.test>".into(),
        raw: b"Subject: race\r\n\r\nbody".to_vec(),
    };
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let (m, e) = (mailer.clone(), email.clone());
            tokio::spawn(async move { m.send(&e).await })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.unwrap().unwrap(), email.message_id);
    }
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    assert_eq!(
        std::fs::read(mailer.path_of(&email.message_id)).unwrap(),
        email.raw
    );
}

#[tokio::test]
async fn file_inbox_keeps_the_inbox_contract_for_relative_and_absolute_keys() {
    let dir = tempfile::tempdir().unwrap();
    let raw = b"From: lead@example.test\r\nSubject: Re: hi\r\n\r\nYes, \xC3\xBC.\r\n".to_vec();
    std::fs::create_dir_all(dir.path().join("replies")).unwrap();
    let file = dir.path().join("replies").join("r1.eml");
    std::fs::write(&file, &raw).unwrap();

    let inbox = FileInbox::new(dir.path());
    contract::inbox(&inbox, "replies/r1.eml", &raw).await;
    contract::inbox(&inbox, file.to_str().unwrap(), &raw).await;

    let elsewhere = FileInbox::new(dir.path().join("nowhere"));
    assert!(matches!(
        elsewhere.fetch("r1.eml").await,
        Err(StoreError::NotFound(_))
    ));
}

#[tokio::test]
async fn reopening_the_file_keeps_every_kind_of_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state").join("sqa.db");
    let at = Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).unwrap();
    {
        let store = SqliteStore::open(&path).unwrap();
        let l = lead("R1");
        store.insert(&l).await.unwrap();
        let mut moved = l.clone();
        moved.stage = Stage::Selected;
        store.update(&moved, Expected::of(&l)).await.unwrap();
        store.save("[agent]\n", 0, at).await.unwrap();
        assert_eq!(store.next_in_sequence("sellers").await.unwrap(), 0);
        store
            .add(&Suppression {
                address: "gone@example.test".into(),
                reason: "unsubscribe".into(),
                source: "link".into(),
                at,
            })
            .await
            .unwrap();
        store
            .send(QueueName::Research, &["m1".to_string(), "m2".to_string()])
            .await
            .unwrap();
    }

    let store = SqliteStore::open(&path).unwrap();
    let l = LeadStore::get(&store, &LeadId::parse("R1").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!((l.stage, l.version), (Stage::Selected, 1));
    assert_eq!(
        store.count_by_stage().await.unwrap().get(&Stage::Selected),
        Some(&1)
    );
    assert_eq!(store.active().await.unwrap().unwrap().version, 1);
    assert_eq!(store.next_in_sequence("sellers").await.unwrap(), 1);
    let gone = Suppressions::get(&store, "GONE@example.test")
        .await
        .unwrap();
    assert_eq!(gone.map(|s| s.reason).as_deref(), Some("unsubscribe"));
    let bodies: Vec<String> = store
        .receive(QueueName::Research, 10)
        .await
        .unwrap()
        .into_iter()
        .map(|d| d.body)
        .collect();
    assert_eq!(bodies, ["m1", "m2"]);
}

#[tokio::test]
async fn migrations_run_once_and_reopening_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sqa.db");
    let first = SqliteStore::open(&path).unwrap();
    assert_eq!(first.schema_version().unwrap(), SCHEMA_VERSION);
    first.insert(&lead("M1")).await.unwrap();
    // A second connection while the first is open, then a third after both: neither
    // re-creates a table (which would fail) nor loses the row.
    let second = SqliteStore::open(&path).unwrap();
    assert_eq!(second.schema_version().unwrap(), SCHEMA_VERSION);
    drop((first, second));
    let third = SqliteStore::open(&path).unwrap();
    assert_eq!(third.schema_version().unwrap(), SCHEMA_VERSION);
    assert_eq!(
        third.count_by_stage().await.unwrap().get(&Stage::New),
        Some(&1)
    );
}

#[tokio::test]
async fn a_database_from_a_newer_build_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sqa.db");
    drop(SqliteStore::open(&path).unwrap());
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
        .unwrap();
    drop(conn);
    match SqliteStore::open(&path) {
        Err(StoreError::Unexpected(e)) => assert!(e.to_string().contains("newer"), "{e}"),
        Err(e) => panic!("expected Unexpected, got {e:?}"),
        Ok(_) => panic!("a newer schema must be refused"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_conditional_updates_have_exactly_one_winner() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(SqliteStore::open(dir.path().join("sqa.db")).unwrap());
    for i in 0..50 {
        let l = lead(&format!("C{i}"));
        store.insert(&l).await.unwrap();
        let expected = Expected::of(&l);
        let tasks: Vec<_> = (0..2)
            .map(|w| {
                let (store, mut mine) = (store.clone(), l.clone());
                mine.stage = Stage::Selected;
                mine.claimed_by = Some(format!("worker-{w}"));
                tokio::spawn(async move { store.update(&mine, expected).await })
            })
            .collect();
        let mut won = 0;
        for t in tasks {
            match t.await.unwrap() {
                Ok(saved) => {
                    won += 1;
                    assert_eq!(saved.version, 1);
                }
                Err(StoreError::Conflict(_)) => {}
                Err(e) => panic!("a loser must get Conflict, got {e:?}"),
            }
        }
        assert_eq!(won, 1, "lead C{i}");
    }
    let counts = store.count_by_stage().await.unwrap();
    assert_eq!(counts.get(&Stage::Selected), Some(&50));
    assert_eq!(counts.get(&Stage::New), None);
}

#[test]
fn two_connections_racing_on_one_file_have_exactly_one_winner_per_lead() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sqa.db");
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let setup = SqliteStore::open(&path).unwrap();
    rt.block_on(async {
        for i in 0..100 {
            setup.insert(&lead(&format!("P{i}"))).await.unwrap();
        }
    });
    // Two stores are two connections, as two processes sharing the file would have.
    let workers: Vec<_> = (0..2)
        .map(|w| {
            let path = path.clone();
            std::thread::spawn(move || {
                let store = SqliteStore::open(&path).unwrap();
                let rt = tokio::runtime::Builder::new_current_thread()
                    .build()
                    .unwrap();
                rt.block_on(async {
                    let mut won = 0;
                    for i in 0..100 {
                        let l = lead(&format!("P{i}"));
                        let mut mine = l.clone();
                        mine.stage = Stage::Selected;
                        mine.claimed_by = Some(format!("worker-{w}"));
                        match store.update(&mine, Expected::of(&l)).await {
                            Ok(_) => won += 1,
                            Err(StoreError::Conflict(_)) => {}
                            Err(e) => panic!("worker {w}: {e:?}"),
                        }
                    }
                    won
                })
            })
        })
        .collect();
    let won: u32 = workers.into_iter().map(|h| h.join().unwrap()).sum();
    assert_eq!(won, 100, "each lead is claimed exactly once");
    let counts = rt.block_on(setup.count_by_stage()).unwrap();
    assert_eq!(counts.get(&Stage::Selected), Some(&100));
}

#[tokio::test]
async fn next_in_sequence_is_shared_by_connections_on_one_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sqa.db");
    let a = SqliteStore::open(&path).unwrap();
    let b = SqliteStore::open(&path).unwrap();
    let mut got = Vec::new();
    for _ in 0..5 {
        got.push(a.next_in_sequence("rr").await.unwrap());
        got.push(b.next_in_sequence("rr").await.unwrap());
    }
    assert_eq!(got, (0..10).collect::<Vec<u64>>());
}

fn email(id: &str) -> OutgoingEmail {
    OutgoingEmail {
        from: "ava@example.test".into(),
        to: vec!["lead@example.test".into()],
        message_id: format!("<{id}@example.test>"),
        raw: format!("Message-ID: <{id}@example.test>\r\nSubject: x\r\n\r\nbody").into_bytes(),
    }
}

fn eml_files(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[tokio::test]
async fn a_store_backed_outbox_keeps_the_mailer_contract_and_never_resends_what_a_relay_took() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(SqliteStore::open(dir.path().join("sqa.db")).unwrap());
    let outbox = dir.path().join("outbox");
    let mailer = FileMailer::with_store(&outbox, store.clone());
    assert!(mailer.idempotent());
    let (sent, id) = contract::mailer(&mailer).await;
    assert_eq!(id, sent.message_id);
    assert_eq!(
        std::fs::read(mailer.path_of(&sent.message_id)).unwrap(),
        sent.raw
    );

    // A relay takes the message; the process restarts; the same touch is sent again.
    let relayed = dir.path().join("relayed");
    std::fs::create_dir_all(&relayed).unwrap();
    for name in eml_files(&outbox) {
        std::fs::rename(outbox.join(&name), relayed.join(&name)).unwrap();
    }
    drop(mailer);
    let store = Arc::new(SqliteStore::open(dir.path().join("sqa.db")).unwrap());
    let mailer = FileMailer::with_store(&outbox, store.clone());
    mailer.recover().unwrap();
    assert_eq!(mailer.send(&sent).await.unwrap(), sent.message_id);
    assert!(
        eml_files(&outbox).is_empty(),
        "the store records the send: nothing is written again"
    );
    assert!(
        store
            .mail_sent(&FileMailer::name_of(&sent.message_id))
            .unwrap()
    );
}

#[tokio::test]
async fn mail_sent_in_a_batch_goes_out_only_when_the_batch_commits() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(SqliteStore::open(dir.path().join("sqa.db")).unwrap());
    let outbox = dir.path().join("outbox");
    let mailer = FileMailer::with_store(&outbox, store.clone());

    store.begin_batch().await.unwrap();
    mailer.send(&email("kept")).await.unwrap();
    assert!(
        eml_files(&outbox).is_empty(),
        "nothing goes out before the commit"
    );
    store.end_batch().await.unwrap();
    assert_eq!(
        eml_files(&outbox),
        vec!["kept@example.test.eml".to_string()]
    );

    store.begin_batch().await.unwrap();
    mailer.send(&email("dropped")).await.unwrap();
    store.abort_batch().await.unwrap();
    assert_eq!(
        eml_files(&outbox),
        vec!["kept@example.test.eml".to_string()]
    );
    assert!(!store.mail_sent("dropped@example.test").unwrap());
    assert!(
        eml_files(&sqa_local::store::staging_dir(&outbox)).is_empty(),
        "a rolled back batch leaves no staged message"
    );
    // The send of a rolled back batch was never made: sent again, it goes out once.
    mailer.send(&email("dropped")).await.unwrap();
    assert_eq!(eml_files(&outbox).len(), 2);
}

#[tokio::test]
async fn the_recovery_at_start_delivers_committed_mail_and_drops_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sqa.db");
    let outbox = dir.path().join("outbox");
    let staging = sqa_local::store::staging_dir(&outbox);
    {
        // A process dies after committing a batch with one message, before moving it into
        // the outbox; another dies with a batch open.
        let store = Arc::new(SqliteStore::open(&path).unwrap());
        let mailer = FileMailer::with_store(&outbox, store.clone());
        store.begin_batch().await.unwrap();
        mailer.send(&email("committed")).await.unwrap();
        store.end_batch().await.unwrap();
        // Put the delivered file back where a crash before the move would have left it.
        std::fs::rename(
            outbox.join("committed@example.test.eml"),
            staging.join("committed@example.test.eml"),
        )
        .unwrap();
        store.begin_batch().await.unwrap();
        mailer.send(&email("lost")).await.unwrap();
        // The connection closes with the batch open: rolled back.
    }
    std::fs::write(outbox.join(".x.123-0.tmp"), b"").unwrap();
    assert_eq!(eml_files(&staging).len(), 2);

    let store = Arc::new(SqliteStore::open(&path).unwrap());
    let mailer = FileMailer::with_store(&outbox, store.clone());
    let report = mailer.recover().unwrap();
    assert_eq!((report.delivered, report.removed), (1, 2), "{report:?}");
    assert_eq!(
        eml_files(&outbox),
        vec!["committed@example.test.eml".to_string()]
    );
    assert!(eml_files(&staging).is_empty());
    assert!(!store.mail_sent("lost@example.test").unwrap());
}

#[tokio::test]
async fn pending_counts_a_dead_workers_messages_until_their_visibility_ends() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sqa.db");
    let settings = QueueSettings {
        visibility: Duration::from_secs(1),
        max_receives: 5,
    };
    {
        let worker = SqliteStore::open(&path)
            .unwrap()
            .with_queue_settings(settings);
        worker
            .send(QueueName::Validate, &["a".into(), "b".into()])
            .await
            .unwrap();
        assert_eq!(
            worker.receive(QueueName::Validate, 10).await.unwrap().len(),
            2
        );
        // The worker dies holding both.
    }
    let next = SqliteStore::open(&path)
        .unwrap()
        .with_queue_settings(settings);
    assert_eq!(next.pending(QueueName::Validate).await.unwrap(), 2);
    assert!(
        next.receive(QueueName::Validate, 10)
            .await
            .unwrap()
            .is_empty()
    );
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(next.pending(QueueName::Validate).await.unwrap(), 0);
    assert_eq!(
        next.receive(QueueName::Validate, 10).await.unwrap().len(),
        2
    );
}
