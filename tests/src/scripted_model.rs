//! A scripted model server on 127.0.0.1 for the tests: it speaks OpenAI's chat completions
//! (`POST …/chat/completions`) and Bedrock's Converse (`POST /model/{id}/converse`) over plain
//! HTTP/1.1, and answers each request with what the test's script says — a good answer, a
//! slow one, a 429 with `Retry-After`, a 500, broken JSON. It records every request, so a
//! test can count attempts and read what the model was sent.

use serde_json::{Value, json};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// One request as the server read it.
#[derive(Debug, Clone)]
pub struct Request {
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Value,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn is_converse(&self) -> bool {
        self.path.ends_with("/converse")
    }

    /// The instructions (OpenAI's system message, Converse's system block).
    pub fn system(&self) -> String {
        if self.is_converse() {
            return self.body["system"][0]["text"]
                .as_str()
                .unwrap_or("")
                .to_string();
        }
        self.body["messages"][0]["content"]
            .as_str()
            .unwrap_or("")
            .to_string()
    }

    /// The first user message (the data blocks).
    pub fn user(&self) -> String {
        if self.is_converse() {
            return self.body["messages"][0]["content"][0]["text"]
                .as_str()
                .unwrap_or("")
                .to_string();
        }
        self.body["messages"][1]["content"]
            .as_str()
            .unwrap_or("")
            .to_string()
    }

    /// True for a repair attempt (the broken answer and the problem follow).
    pub fn is_repair(&self) -> bool {
        self.body["messages"].as_array().map_or(0, Vec::len) > 2 && !self.is_converse()
            || self.is_converse() && self.body["messages"].as_array().map_or(0, Vec::len) > 1
    }

    /// The task, from the prompt that opens the instructions.
    pub fn task(&self) -> Option<sqa_core::ports::ModelTask> {
        let system = self.system();
        sqa_core::ports::ModelTask::ALL.into_iter().find(|t| {
            let first = sqa_core::model::prompts::prompt(*t)
                .text
                .lines()
                .next()
                .unwrap_or("");
            system.starts_with(first)
        })
    }

    /// The reference JSON of the instructions (the seller's part).
    pub fn reference(&self) -> Value {
        let system = self.system();
        let Some(start) = system.find("```json\n") else {
            return Value::Null;
        };
        let rest = &system[start + 8..];
        let end = rest.find("\n```").unwrap_or(rest.len());
        serde_json::from_str(&rest[..end]).unwrap_or(Value::Null)
    }

    /// The data blocks: (label, content).
    pub fn blocks(&self) -> Vec<(String, String)> {
        let user = self.user();
        let mut out = Vec::new();
        let mut rest = user.as_str();
        while let Some(start) = rest.find("<<<DATA ") {
            let head_end = rest[start..]
                .find(">>>\n")
                .map(|i| start + i)
                .unwrap_or(rest.len());
            let head = &rest[start + 8..head_end];
            let id = head.split_whitespace().next().unwrap_or("").to_string();
            let label = head
                .split("label=\"")
                .nth(1)
                .and_then(|l| l.split('"').next())
                .unwrap_or("")
                .to_string();
            let body_start = (head_end + 4).min(rest.len());
            let close = format!("\n<<<END DATA {id}>>>");
            let body_end = rest[body_start..]
                .find(&close)
                .map(|i| body_start + i)
                .unwrap_or(rest.len());
            out.push((label, rest[body_start..body_end].to_string()));
            rest = &rest[(body_end + close.len()).min(rest.len())..];
        }
        out
    }

    /// The web pages sent to the research task: (url, visible text).
    pub fn pages(&self) -> Vec<(String, String)> {
        let user = self.user();
        let urls = user.lines().filter_map(|l| {
            let head = l.strip_prefix("<<<DATA ")?;
            head.contains("label=\"web-page\"").then_some(())?;
            let rest = head.split(" url=").nth(1)?;
            let json = rest.strip_suffix(">>>")?;
            serde_json::from_str::<String>(json).ok()
        });
        let texts = self
            .blocks()
            .into_iter()
            .filter(|(l, _)| l == "web-page")
            .map(|(_, c)| c);
        urls.zip(texts).collect()
    }

    pub fn block(&self, label: &str) -> Option<String> {
        self.blocks()
            .into_iter()
            .find(|(l, _)| l == label)
            .map(|(_, c)| c)
    }
}

/// What the server answers to one request.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
    pub delay: Duration,
}

impl Reply {
    pub fn status(status: u16, body: &str) -> Reply {
        Reply {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: body.to_string(),
            delay: Duration::ZERO,
        }
    }

    /// A chat completion whose message content is `content` (JSON text, or anything).
    pub fn chat(content: &str) -> Reply {
        Reply::status(
            200,
            &json!({
                "id": "chatcmpl-test",
                "object": "chat.completion",
                "choices": [{"index": 0, "finish_reason": "stop",
                             "message": {"role": "assistant", "content": content}}],
                "usage": {"prompt_tokens": 120, "completion_tokens": 30, "total_tokens": 150}
            })
            .to_string(),
        )
    }

    /// A chat completion answering `value` as JSON.
    pub fn json(value: &Value) -> Reply {
        Reply::chat(&value.to_string())
    }

    /// A Converse answer that calls the task's tool with `input`.
    pub fn converse(tool: &str, input: &Value) -> Reply {
        Reply::status(
            200,
            &json!({
                "output": {"message": {"role": "assistant", "content": [
                    {"toolUse": {"toolUseId": "tooluse_1", "name": tool, "input": input}}
                ]}},
                "stopReason": "tool_use",
                "usage": {"inputTokens": 200, "outputTokens": 40, "totalTokens": 240},
                "metrics": {"latencyMs": 5}
            })
            .to_string(),
        )
    }

    /// Bedrock's throttling error.
    pub fn throttled() -> Reply {
        Reply::status(
            400,
            r#"{"message":"Too many requests, please wait before trying again."}"#,
        )
        .header(
            "x-amzn-ErrorType",
            "ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/",
        )
        .with_status(429)
    }

    pub fn header(mut self, k: &str, v: &str) -> Reply {
        self.headers.push((k.to_string(), v.to_string()));
        self
    }

    pub fn with_status(mut self, status: u16) -> Reply {
        self.status = status;
        self
    }

    pub fn after(mut self, delay: Duration) -> Reply {
        self.delay = delay;
        self
    }
}

type Script = dyn Fn(&Request, usize) -> Reply + Send + Sync;

/// The running server; it stops when dropped.
pub struct ScriptedModel {
    pub addr: SocketAddr,
    requests: Arc<Mutex<Vec<Request>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for ScriptedModel {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl ScriptedModel {
    /// Serve `script(request, n)` for the n-th request (0-based) on a free port.
    pub async fn start(
        script: impl Fn(&Request, usize) -> Reply + Send + Sync + 'static,
    ) -> ScriptedModel {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1");
        let addr = listener.local_addr().expect("local addr");
        let requests = Arc::new(Mutex::new(Vec::new()));
        let script: Arc<Script> = Arc::new(script);
        let count = Arc::new(AtomicUsize::new(0));
        let recorded = requests.clone();
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let script = script.clone();
                let count = count.clone();
                let recorded = recorded.clone();
                tokio::spawn(async move {
                    serve(stream, script, count, recorded).await;
                });
            }
        });
        ScriptedModel {
            addr,
            requests,
            task,
        }
    }

    /// The base URL an OpenAI client is given (`…/v1`).
    pub fn base_url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    /// The endpoint an AWS SDK client is pointed at.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn requests(&self) -> Vec<Request> {
        self.requests.lock().unwrap().clone()
    }
}

async fn serve(
    mut stream: TcpStream,
    script: Arc<Script>,
    count: Arc<AtomicUsize>,
    recorded: Arc<Mutex<Vec<Request>>>,
) {
    let mut buf: Vec<u8> = Vec::new();
    loop {
        // Headers.
        let head_end = loop {
            if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break i;
            }
            let mut chunk = [0u8; 8192];
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        };
        let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
        let mut lines = head.split("\r\n");
        let path = lines
            .next()
            .and_then(|l| l.split_whitespace().nth(1))
            .unwrap_or("/")
            .to_string();
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
            .collect();
        let len: usize = headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(0);
        let body_start = head_end + 4;
        while buf.len() < body_start + len {
            let mut chunk = [0u8; 8192];
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        }
        let body: Value =
            serde_json::from_slice(&buf[body_start..body_start + len]).unwrap_or(Value::Null);
        buf.drain(..body_start + len);
        let request = Request {
            path,
            headers,
            body,
        };
        let n = count.fetch_add(1, Ordering::SeqCst);
        recorded.lock().unwrap().push(request.clone());
        let reply = script(&request, n);
        if !reply.delay.is_zero() {
            tokio::time::sleep(reply.delay).await;
        }
        let mut out = format!("HTTP/1.1 {} Scripted\r\n", reply.status);
        for (k, v) in &reply.headers {
            out.push_str(&format!("{k}: {v}\r\n"));
        }
        out.push_str(&format!(
            "content-length: {}\r\nconnection: keep-alive\r\n\r\n{}",
            reply.body.len(),
            reply.body
        ));
        if stream.write_all(out.as_bytes()).await.is_err() {
            return;
        }
    }
}

/// The offline engine's reading of each reply, keyed by the reply's own text: what a server
/// that "answers like the offline engine" says when it is sent that text.
#[derive(Debug, Clone, Default)]
pub struct Readings(pub std::collections::HashMap<String, Value>);

impl Readings {
    /// Read every `.eml` file in `dir` with the offline classifier.
    pub fn of_dir(dir: &std::path::Path) -> Readings {
        let mut map = std::collections::HashMap::new();
        for entry in std::fs::read_dir(dir).expect("replies folder") {
            let path = entry.expect("entry").path();
            if path.extension().is_none_or(|x| x != "eml") {
                continue;
            }
            let raw = std::fs::read(&path).expect("reply");
            let Ok(mail) = sqa_core::mail::parse::parse(&raw) else {
                continue;
            };
            let c = sqa_core::agents::classify::classify(&mail);
            map.insert(mail.own_text.clone(), as_model_reading(&c));
        }
        Readings(map)
    }
}

/// A classification in the model's answer format.
pub fn as_model_reading(c: &sqa_core::domain::Classification) -> Value {
    let fact = |t: &Option<String>| match t {
        Some(t) => json!({"level": "positive", "text": t}),
        None => json!({"level": "unknown", "text": null}),
    };
    json!({
        "intent": c.intent.as_str(),
        "bant": {
            "budget": fact(&c.bant.budget),
            "authority": fact(&c.bant.authority),
            "need": fact(&c.bant.need),
            "timeline": fact(&c.bant.timeline),
        },
        "question_topics": c.question_topics,
        "referral": c.referral,
        "lang": c.lang,
        "sentiment": "neutral",
        "injection": c.injection,
    })
}

/// What the offline engine would answer to `req`, rebuilt from what the model was sent (the
/// reference and the data blocks) — a server that answers like the offline engine. `None`
/// for a task it cannot rebuild.
pub fn offline_answer(req: &Request, readings: &Readings) -> Option<Value> {
    use sqa_core::agents::outreach;
    use sqa_core::ports::ModelTask;
    let r = req.reference();
    match req.task()? {
        ModelTask::Classify => readings.0.get(&req.block("reply-text")?).cloned(),
        ModelTask::Draft => {
            let lead: Value = serde_json::from_str(&req.block("lead")?).ok()?;
            let research: Value = serde_json::from_str(&req.block("research")?).ok()?;
            let input: outreach::DraftInput = serde_json::from_value(json!({
                "touch": r["touch"],
                "first_name": lead["first_name"],
                "company": lead["company"],
                "title": lead["title"],
                "tech": lead["tech"],
                "facts": research["facts"],
                "news": research["news"],
                "seller_company": r["seller"],
                "product": r["product"],
                "value_propositions": r["value_propositions"],
                "signature": r["signature"],
                "previous_subject": r["previous_subject"],
                "compose": r["compose"],
            }))
            .ok()?;
            serde_json::to_value(outreach::draft(&input)).ok()
        }
        ModelTask::Answer => {
            let input: outreach::AnswerInput = serde_json::from_value(json!({
                "first_name": r["first_name_of_lead"],
                "question": req.block("reply-text")?,
                "subject": req.block("reply-subject")?,
                "passages": r["passages"],
                "next_question": r["follow_up_question"],
                "signature": r["signature"],
                "seller_company": r["seller"],
                "lang": r["language"],
                "phrases": r["phrases"],
            }))
            .ok()?;
            serde_json::to_value(outreach::answer_from(&input)?).ok()
        }
        ModelTask::Summarize => {
            let record: Value = serde_json::from_str(&req.block("lead-record")?).ok()?;
            Some(json!({"summary": format!(
                "{} — {} at {}. Ready for a conversation.",
                record["name"].as_str().unwrap_or(""),
                record["title"].as_str().unwrap_or(""),
                record["company"].as_str().unwrap_or("")
            )}))
        }
        // The offline engine's facts are kept whatever the model says: a model that adds
        // nothing changes nothing.
        ModelTask::Research => Some(json!({"facts": [], "injection": false})),
    }
}
