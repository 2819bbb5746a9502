//! A DNS responder on 127.0.0.1 for the tests of the `Resolver` port: it answers UDP
//! queries from a table of zones, and can answer NXDOMAIN, SERVFAIL or nothing at all.

use hickory_proto::op::{Message, MessageType, ResponseCode};
use hickory_proto::rr::{Name, RData, Record, RecordType};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::net::UdpSocket;

/// How the test server answers one name.
#[derive(Clone)]
pub enum Zone {
    /// Records by type; a type with no entry answers NOERROR with no records (NODATA).
    Records(Vec<(RecordType, RData)>),
    NxDomain,
    ServFail,
    /// Never answers.
    Silent,
}

/// A running responder; it stops when dropped.
pub struct TestDns {
    pub addr: SocketAddr,
    queries: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl TestDns {
    /// Queries received so far.
    pub fn queries(&self) -> usize {
        self.queries.load(Ordering::SeqCst)
    }
}

impl Drop for TestDns {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A name from its text (test data: a bad one is a bug in the test).
pub fn name(s: &str) -> Name {
    Name::from_ascii(s).unwrap_or_else(|e| panic!("bad name {s}: {e}"))
}

/// Start a responder for `zones` (keys: lowercased names without the trailing dot). A name
/// not in the table answers NXDOMAIN.
pub async fn start_dns(zones: HashMap<String, Zone>) -> TestDns {
    let socket = UdpSocket::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("cannot bind a UDP port on 127.0.0.1: {e}"));
    let addr = socket.local_addr().unwrap_or_else(|e| panic!("{e}"));
    let queries = Arc::new(AtomicUsize::new(0));
    let counter = queries.clone();
    let task = tokio::spawn(async move {
        let mut buf = vec![0u8; 4096];
        loop {
            let Ok((n, peer)) = socket.recv_from(&mut buf).await else {
                return;
            };
            let Ok(request) = Message::from_vec(&buf[..n]) else {
                continue;
            };
            counter.fetch_add(1, Ordering::SeqCst);
            let Some(query) = request.queries.first().cloned() else {
                continue;
            };
            let qname = query
                .name()
                .to_ascii()
                .trim_end_matches('.')
                .to_ascii_lowercase();
            let zone = zones.get(&qname).cloned().unwrap_or(Zone::NxDomain);
            let mut response = Message::new(
                request.metadata.id,
                MessageType::Response,
                request.metadata.op_code,
            );
            response.metadata.recursion_desired = request.metadata.recursion_desired;
            response.metadata.recursion_available = true;
            response.metadata.authoritative = true;
            response.add_query(query.clone());
            match zone {
                Zone::Silent => continue,
                Zone::NxDomain => response.metadata.response_code = ResponseCode::NXDomain,
                Zone::ServFail => response.metadata.response_code = ResponseCode::ServFail,
                Zone::Records(records) => {
                    for (rtype, rdata) in records {
                        if rtype == query.query_type() {
                            response.add_answer(Record::from_rdata(
                                query.name().clone(),
                                60,
                                rdata,
                            ));
                        }
                    }
                }
            }
            if let Ok(bytes) = response.to_vec()
                && let Err(e) = socket.send_to(&bytes, peer).await
            {
                eprintln!("test DNS: could not answer {peer}: {e}");
            }
        }
    });
    TestDns {
        addr,
        queries,
        task,
    }
}
