//! The `Queue` contract.

use super::{Run, ok};
use sqa_core::ports::{Delivery, Queue, QueueName};
use std::collections::{BTreeSet, HashSet};

/// Every body the queue suite sends starts with this, so a later run can tell its own
/// leftovers from anyone else's messages.
const QUEUE_MARKER: &str = "sqa-contract:";

/// Checks every MUST of `Queue` on an adapter built with the dead-letter threshold
/// `max_receives` and a visibility timeout longer than the suite runs (a few seconds).
pub async fn queue(q: &dyn Queue, max_receives: u32) {
    assert!(max_receives >= 1, "a dead-letter threshold is at least 1");
    let run = Run::new("q");
    let tag = format!("{QUEUE_MARKER}{}:", run.prefix);
    let main = QueueName::Validate;
    let side = QueueName::Research;

    ok(q.send(main, &[]).await, "send of no bodies");

    // More bodies than one provider batch holds.
    let bodies: Vec<String> = (0..25).map(|i| format!("{tag}many:{i}")).collect();
    ok(q.send(main, &bodies).await, "send of 25 bodies");
    let got = receive_ours(q, main, &tag, bodies.len()).await;
    let got_bodies: BTreeSet<&str> = got.iter().map(|d| d.body.as_str()).collect();
    let want: BTreeSet<&str> = bodies.iter().map(String::as_str).collect();
    assert_eq!(got_bodies, want, "send MUST keep every body");
    assert_eq!(got.len(), bodies.len(), "each body MUST be delivered once");
    let ids: HashSet<&str> = got.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids.len(), got.len(), "message ids MUST be distinct");
    assert!(
        got.iter().all(|d| d.receive_count == 1),
        "a first receive MUST report receive_count 1"
    );
    assert!(
        receive_ours(q, side, &tag, 1).await.is_empty(),
        "a message MUST arrive only on the queue it was sent to"
    );
    assert!(
        receive_ours(q, main, &tag, 1).await.is_empty(),
        "receive MUST hide the messages it returned"
    );
    for d in &got {
        ok(q.ack(main, &d.receipt).await, "ack");
    }
    ok(
        q.ack(main, &got[0].receipt).await,
        "ack again (MUST be idempotent)",
    );

    // retry_later(0) makes a message visible again, with a new receipt.
    let body = format!("{tag}retry");
    ok(q.send(main, std::slice::from_ref(&body)).await, "send");
    let first = single(receive_ours(q, main, &tag, 1).await, "the retry message");
    ok(
        q.retry_later(main, &first.receipt, 0).await,
        "retry_later 0",
    );
    let second = single(receive_ours(q, main, &tag, 1).await, "the retried message");
    assert_eq!(
        (&second.id, &second.body, second.receive_count),
        (&first.id, &body, 2),
        "retry_later(0) MUST make the same message visible again, counting the receive"
    );
    assert_ne!(
        second.receipt, first.receipt,
        "the receipt MUST change with every receive"
    );
    ok(q.ack(main, &second.receipt).await, "ack");
    assert!(
        receive_ours(q, main, &tag, 1).await.is_empty(),
        "an acknowledged message MUST NOT come back"
    );
    ok(
        q.retry_later(main, &second.receipt, 0).await,
        "retry_later of an acknowledged message (MUST succeed and change nothing)",
    );
    assert!(
        receive_ours(q, main, &tag, 1).await.is_empty(),
        "retry_later MUST NOT bring an acknowledged message back"
    );

    // pending counts what is in flight (received, not acknowledged, not visible again),
    // never what is visible or gone. Another queue, so that the counts are this run's.
    let flight = QueueName::Handover;
    let base = ok(q.pending(flight).await, "pending");
    let two = vec![format!("{tag}flight:1"), format!("{tag}flight:2")];
    ok(q.send(flight, &two).await, "send two");
    assert_eq!(
        ok(q.pending(flight).await, "pending"),
        base,
        "pending MUST NOT count visible messages"
    );
    let got = receive_ours(q, flight, &tag, 2).await;
    assert_eq!(got.len(), 2, "both messages arrive");
    assert_eq!(
        ok(q.pending(flight).await, "pending"),
        base + 2,
        "pending MUST count every received message not yet acknowledged"
    );
    ok(q.ack(flight, &got[0].receipt).await, "ack");
    ok(
        q.retry_later(flight, &got[1].receipt, 0).await,
        "retry_later 0",
    );
    assert_eq!(
        ok(q.pending(flight).await, "pending"),
        base,
        "pending MUST NOT count an acknowledged message or one visible again"
    );
    let back = single(
        receive_ours(q, flight, &tag, 1).await,
        "the retried message",
    );
    ok(
        q.retry_later(flight, &back.receipt, 30).await,
        "retry_later 30",
    );
    assert_eq!(
        ok(q.pending(flight).await, "pending"),
        base + 1,
        "pending MUST count a message hidden by retry_later"
    );
    ok(q.ack(flight, &back.receipt).await, "ack");
    assert_eq!(
        ok(q.pending(flight).await, "pending"),
        base,
        "pending MUST NOT count an acknowledged message"
    );

    // A batch groups writes; without a transaction it does nothing. Either way the writes
    // are there after its end, and an end without a begin is harmless.
    ok(q.end_batch().await, "end_batch without begin_batch");
    ok(q.begin_batch().await, "begin_batch");
    let body = format!("{tag}batch");
    ok(
        q.send(main, std::slice::from_ref(&body)).await,
        "send in a batch",
    );
    ok(q.end_batch().await, "end_batch");
    ok(q.abort_batch().await, "abort_batch without a batch");
    let d = single(receive_ours(q, main, &tag, 1).await, "the batch's message");
    assert_eq!(
        d.body, body,
        "a write in a batch MUST be there after end_batch"
    );
    ok(q.ack(main, &d.receipt).await, "ack");

    // retry_later with a delay keeps the message hidden for that long.
    let body = format!("{tag}delay");
    ok(q.send(main, std::slice::from_ref(&body)).await, "send");
    let d = single(receive_ours(q, main, &tag, 1).await, "the delayed message");
    ok(q.retry_later(main, &d.receipt, 1).await, "retry_later 1");
    assert!(
        receive_ours(q, main, &tag, 1).await.is_empty(),
        "retry_later(1) MUST keep the message hidden for a second"
    );
    tokio::time::sleep(std::time::Duration::from_millis(1300)).await;
    let d = single(receive_ours(q, main, &tag, 1).await, "the delayed message");
    assert_eq!(
        d.body, body,
        "the delayed message MUST come back after its delay"
    );
    ok(q.ack(main, &d.receipt).await, "ack");

    // After max_receives receives the message goes to the dead letters.
    let body = format!("{tag}poison");
    ok(q.send(main, std::slice::from_ref(&body)).await, "send");
    for n in 1..=max_receives {
        let d = single(receive_ours(q, main, &tag, 1).await, "the poison message");
        assert_eq!(d.receive_count, n, "receive_count MUST count every receive");
        ok(q.retry_later(main, &d.receipt, 0).await, "retry_later 0");
    }
    assert!(
        receive_ours(q, main, &tag, 1).await.is_empty(),
        "a message received {max_receives} times MUST NOT be returned again"
    );
    let dead = ok(q.dead_letters(main).await, "dead_letters");
    assert_eq!(
        dead.iter().filter(|d| d.body == body).count(),
        1,
        "a message received more than the threshold MUST move to the dead letters once"
    );
    let again = ok(q.dead_letters(main).await, "dead_letters again");
    assert_eq!(
        again.iter().filter(|d| d.body == body).count(),
        1,
        "dead_letters MUST leave the dead letters where they are"
    );
    let side_dead = ok(q.dead_letters(side).await, "dead_letters of another queue");
    assert!(
        !side_dead.iter().any(|d| d.body == body),
        "dead letters MUST stay with their queue"
    );
}

/// Receive until `want` messages of this run arrived or the queue has nothing more to give.
/// Leftovers of earlier runs of the suite are acknowledged; anyone else's message fails the
/// suite, which needs queues of its own.
async fn receive_ours(q: &dyn Queue, name: QueueName, tag: &str, want: usize) -> Vec<Delivery> {
    let mut ours = Vec::new();
    let mut empty_rounds = 0;
    // Remote queues may answer a receive with fewer messages than are visible, so an empty
    // answer is only believed after a few in a row.
    while ours.len() < want && empty_rounds < 3 {
        let batch = ok(q.receive(name, 10).await, "receive");
        assert!(
            batch.len() <= 10,
            "receive MUST return at most max messages"
        );
        if batch.is_empty() {
            empty_rounds += 1;
            continue;
        }
        empty_rounds = 0;
        for d in batch {
            if d.body.starts_with(tag) {
                ours.push(d);
            } else if d.body.starts_with(QUEUE_MARKER) {
                ok(
                    q.ack(name, &d.receipt).await,
                    "ack a leftover of an earlier run",
                );
            } else {
                panic!(
                    "queue {} holds a message the suite did not send ({:?}); run the queue \
                     suite on queues no one else uses",
                    name.as_str(),
                    d.body
                );
            }
        }
    }
    ours
}

fn single(mut got: Vec<Delivery>, what: &str) -> Delivery {
    assert_eq!(got.len(), 1, "expected {what} exactly once, got {got:?}");
    got.remove(0)
}
