//! What every provider shares, in one place: a time limit per attempt, retries with
//! exponential backoff and full jitter that honour the server's `Retry-After`, a circuit
//! breaker, a limit on calls in flight, and token budgets per lead and per day. A call over a
//! budget, or one the open breaker refuses, is never sent: the caller gets
//! [`ModelError::Refused`] and the offline engine answers.

use crate::config::ModelConfig;
use crate::model::{CallError, ChatAnswer};
use crate::ports::{ModelContext, ModelError};
use chrono::{NaiveDate, Utc};
use std::future::Future;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;

/// The numbers of `[model]` that govern calls.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    pub timeout: Duration,
    pub retries: u32,
    pub backoff: Duration,
    pub max_backoff: Duration,
    pub breaker_failures: u32,
    pub breaker_cooldown: Duration,
    pub concurrency: usize,
    pub budget_per_lead: u64,
    pub budget_per_day: u64,
}

impl Policy {
    pub fn of(cfg: &ModelConfig) -> Policy {
        Policy {
            timeout: Duration::from_millis(cfg.timeout_ms),
            retries: cfg.retries,
            backoff: Duration::from_millis(cfg.backoff_ms.max(1)),
            max_backoff: Duration::from_millis(cfg.max_backoff_ms.max(cfg.backoff_ms)),
            breaker_failures: cfg.breaker_failures.max(1),
            breaker_cooldown: Duration::from_secs(cfg.breaker_cooldown_secs),
            concurrency: cfg.concurrency.max(1),
            budget_per_lead: cfg.budget_tokens_per_lead,
            budget_per_day: cfg.budget_tokens_per_day,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Breaker {
    Closed {
        failures: u32,
    },
    Open {
        until: Instant,
    },
    /// The cooldown is over: one probe call is in flight; the others are refused until it
    /// ends (or, should the probe never report back, until another cooldown has passed).
    Probing {
        since: Instant,
    },
}

/// One provider's calls: shared by every task and every lead of the process.
#[derive(Debug)]
pub struct Resilience {
    policy: Policy,
    permits: Semaphore,
    breaker: Mutex<Breaker>,
    day: Mutex<(NaiveDate, u64)>,
    seed: AtomicU64,
}

impl Resilience {
    pub fn new(policy: Policy) -> Resilience {
        let seed = Utc::now().timestamp_nanos_opt().unwrap_or(0x9E37_79B9) as u64 | 1;
        Resilience {
            permits: Semaphore::new(policy.concurrency),
            policy,
            breaker: Mutex::new(Breaker::Closed { failures: 0 }),
            day: Mutex::new((Utc::now().date_naive(), 0)),
            seed: AtomicU64::new(seed),
        }
    }

    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// May a call of about `estimate` tokens for `ctx` go out? Checks the budgets and the
    /// breaker; an open breaker whose cooldown is over lets this one call through as a probe.
    pub fn admit(&self, ctx: &ModelContext, estimate: u64) -> Result<(), ModelError> {
        let p = &self.policy;
        if p.budget_per_lead > 0 && ctx.lead_tokens.saturating_add(estimate) > p.budget_per_lead {
            return Err(ModelError::Refused(format!(
                "over the lead's token budget ({} used, about {estimate} more, model.budget_tokens_per_lead = {})",
                ctx.lead_tokens, p.budget_per_lead
            )));
        }
        if p.budget_per_day > 0 {
            let used = self.used_today();
            if used.saturating_add(estimate) > p.budget_per_day {
                return Err(ModelError::Refused(format!(
                    "over the daily token budget ({used} used today, about {estimate} more, model.budget_tokens_per_day = {})",
                    p.budget_per_day
                )));
            }
        }
        let mut b = self.breaker.lock().unwrap_or_else(|e| e.into_inner());
        match *b {
            Breaker::Closed { .. } => Ok(()),
            Breaker::Open { until } if Instant::now() >= until => {
                *b = Breaker::Probing {
                    since: Instant::now(),
                };
                Ok(())
            }
            Breaker::Probing { since } if since.elapsed() >= p.breaker_cooldown => {
                *b = Breaker::Probing {
                    since: Instant::now(),
                };
                Ok(())
            }
            Breaker::Open { until } => Err(ModelError::Refused(format!(
                "the circuit breaker is open for {} s more after {} failed calls in a row",
                until.saturating_duration_since(Instant::now()).as_secs() + 1,
                p.breaker_failures
            ))),
            Breaker::Probing { .. } => Err(ModelError::Refused(
                "the circuit breaker is testing the provider with one call".into(),
            )),
        }
    }

    /// Tokens spent today by this process.
    pub fn used_today(&self) -> u64 {
        let mut d = self.day.lock().unwrap_or_else(|e| e.into_inner());
        let today = Utc::now().date_naive();
        if d.0 != today {
            *d = (today, 0);
        }
        d.1
    }

    /// Count tokens against today's budget.
    pub fn spent(&self, tokens: u64) {
        let mut d = self.day.lock().unwrap_or_else(|e| e.into_inner());
        let today = Utc::now().date_naive();
        if d.0 != today {
            *d = (today, 0);
        }
        d.1 = d.1.saturating_add(tokens);
    }

    fn record(&self, ok: bool) {
        let mut b = self.breaker.lock().unwrap_or_else(|e| e.into_inner());
        *b = match (*b, ok) {
            (_, true) => Breaker::Closed { failures: 0 },
            (Breaker::Closed { failures }, false)
                if failures + 1 < self.policy.breaker_failures =>
            {
                Breaker::Closed {
                    failures: failures + 1,
                }
            }
            (_, false) => {
                tracing::warn!(
                    cooldown_secs = self.policy.breaker_cooldown.as_secs(),
                    "model calls keep failing: the circuit breaker opens"
                );
                Breaker::Open {
                    until: Instant::now() + self.policy.breaker_cooldown,
                }
            }
        };
    }

    /// A number in `[0, max]` (xorshift; jitter needs no better randomness).
    fn jitter(&self, max: Duration) -> Duration {
        let mut x = self.seed.load(Ordering::Relaxed);
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.seed.store(x, Ordering::Relaxed);
        let ms = max.as_millis() as u64;
        Duration::from_millis(if ms == 0 { 0 } else { x % (ms + 1) })
    }

    /// The wait before retry number `retry` (0-based): full jitter under an exponential cap,
    /// but never less than the server's `Retry-After`.
    pub fn backoff(&self, retry: u32, retry_after: Option<Duration>) -> Duration {
        let p = &self.policy;
        let cap = p
            .backoff
            .saturating_mul(1u32.checked_shl(retry.min(20)).unwrap_or(u32::MAX))
            .min(p.max_backoff);
        let jittered = self.jitter(cap);
        match retry_after {
            Some(ra) => ra.max(jittered),
            None => jittered,
        }
    }

    /// Run one call with retries, each attempt under the time limit and holding one of the
    /// concurrency permits (a waiting retry holds none). The breaker learns the outcome.
    pub async fn call<F, Fut>(&self, mut attempt: F) -> Result<(ChatAnswer, u32), ModelError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<ChatAnswer, CallError>>,
    {
        let p = &self.policy;
        let mut tries = 0u32;
        loop {
            tries += 1;
            let result = {
                let _permit = self
                    .permits
                    .acquire()
                    .await
                    .map_err(|e| ModelError::Unexpected(anyhow::anyhow!("{e}")))?;
                tokio::time::timeout(p.timeout, attempt()).await
            };
            let err = match result {
                Ok(Ok(answer)) => {
                    self.record(true);
                    return Ok((answer, tries));
                }
                Ok(Err(e)) => e,
                Err(_) => CallError::Retryable {
                    message: format!("no answer within {} ms", p.timeout.as_millis()),
                    retry_after: None,
                },
            };
            match err {
                CallError::Fatal(message) => {
                    self.record(false);
                    return Err(ModelError::Unexpected(anyhow::anyhow!(
                        "{message} (attempt {tries}, not retried)"
                    )));
                }
                CallError::Retryable {
                    message,
                    retry_after,
                } => {
                    if tries > p.retries {
                        self.record(false);
                        return Err(ModelError::Transient(anyhow::anyhow!(
                            "{message} (gave up after {tries} attempts)"
                        )));
                    }
                    if let Some(ra) = retry_after
                        && ra > p.max_backoff
                    {
                        self.record(false);
                        return Err(ModelError::Transient(anyhow::anyhow!(
                            "{message}; the server asks to wait {} s, longer than model.max_backoff_ms",
                            ra.as_secs()
                        )));
                    }
                    let wait = self.backoff(tries - 1, retry_after);
                    tracing::debug!(attempt = tries, wait_ms = wait.as_millis() as u64, error = %message, "model call failed; retrying");
                    tokio::time::sleep(wait).await;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicU32;

    fn policy() -> Policy {
        Policy {
            timeout: Duration::from_millis(200),
            retries: 2,
            backoff: Duration::from_millis(1),
            max_backoff: Duration::from_millis(50),
            breaker_failures: 2,
            breaker_cooldown: Duration::from_secs(60),
            concurrency: 2,
            budget_per_lead: 1000,
            budget_per_day: 0,
        }
    }

    fn ok() -> ChatAnswer {
        ChatAnswer {
            text: "{}".into(),
            tokens_in: 1,
            tokens_out: 1,
        }
    }

    #[tokio::test]
    async fn retries_stop_after_the_configured_number() {
        let r = Resilience::new(policy());
        let calls = AtomicU32::new(0);
        let out = r
            .call(|| {
                calls.fetch_add(1, Ordering::SeqCst);
                async {
                    Err(CallError::Retryable {
                        message: "503".into(),
                        retry_after: None,
                    })
                }
            })
            .await;
        assert!(matches!(out, Err(ModelError::Transient(_))));
        assert_eq!(calls.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn a_fatal_error_is_not_retried_and_two_failures_open_the_breaker() {
        let r = Resilience::new(policy());
        let calls = AtomicU32::new(0);
        for _ in 0..2 {
            r.admit(&ModelContext::default(), 10).unwrap();
            let out = r
                .call(|| {
                    calls.fetch_add(1, Ordering::SeqCst);
                    async { Err(CallError::Fatal("401".into())) }
                })
                .await;
            assert!(out.is_err());
        }
        assert_eq!(calls.load(Ordering::SeqCst), 2);
        let refused = r.admit(&ModelContext::default(), 10).unwrap_err();
        assert!(
            refused.to_string().contains("circuit breaker is open"),
            "{refused}"
        );
    }

    #[tokio::test]
    async fn a_slow_attempt_times_out_and_the_next_one_succeeds() {
        let r = Resilience::new(policy());
        let calls = AtomicU32::new(0);
        let (answer, tries) = r
            .call(|| {
                let n = calls.fetch_add(1, Ordering::SeqCst);
                async move {
                    if n == 0 {
                        tokio::time::sleep(Duration::from_secs(5)).await;
                    }
                    Ok(ok())
                }
            })
            .await
            .unwrap();
        assert_eq!((answer, tries), (ok(), 2));
    }

    #[test]
    fn a_lead_over_its_budget_is_refused_before_any_call() {
        let r = Resilience::new(policy());
        let ctx = ModelContext {
            lead: None,
            lead_tokens: 950,
        };
        assert!(r.admit(&ctx, 40).is_ok());
        let e = r.admit(&ctx, 60).unwrap_err();
        assert!(e.to_string().contains("budget_tokens_per_lead"), "{e}");
    }

    #[test]
    fn retry_after_is_a_floor_under_the_jitter() {
        let r = Resilience::new(policy());
        for retry in 0..5 {
            assert!(r.backoff(retry, None) <= Duration::from_millis(50));
            assert!(r.backoff(retry, Some(Duration::from_millis(30))) >= Duration::from_millis(30));
        }
    }

    #[test]
    fn the_daily_budget_counts_what_was_spent() {
        let mut p = policy();
        p.budget_per_day = 100;
        let r = Resilience::new(p);
        r.spent(90);
        assert!(r.admit(&ModelContext::default(), 5).is_ok());
        assert!(r.admit(&ModelContext::default(), 20).is_err());
    }
}
