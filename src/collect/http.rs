//! HTTP for the collectors: one GET, retried until it succeeds or the policy
//! gives up, and never a silent drop.
//!
//! - 429, 500, 502, 503 and 504 are retried. The wait is the server's: a
//!   `Retry-After` header in seconds or as an HTTP-date, Okta's
//!   `X-Rate-Limit-Reset` or GitHub's `x-ratelimit-reset` (epoch seconds) when
//!   the remaining quota is 0; otherwise capped exponential backoff with jitter.
//! - Connection errors, timeouts and bodies cut short are retried the same way.
//! - A body that is not JSON is retried too (a proxy's error page, a truncated
//!   read); when the attempts run out it is reported as such.
//! - 401 and 403 are not retried: the token lacks a permission or a licence.
//! - Every request has a timeout.
//!
//! The token travels only in the `Authorization` header, marked sensitive, and no
//! error message built here contains it.

use std::time::Duration;

use jiff::Timestamp;
use reqwest::StatusCode;
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue};

/// How hard to try.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Attempts per request, the first included.
    pub attempts: u32,
    /// First backoff delay; doubles per attempt.
    pub base_delay: Duration,
    /// Cap on one backoff delay.
    pub max_delay: Duration,
    /// Cap on a wait the server asks for; a longer one ends the retries.
    pub max_server_wait: Duration,
    /// Timeout of one request, body included.
    pub timeout: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            attempts: 8,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
            max_server_wait: Duration::from_secs(300),
            timeout: Duration::from_secs(60),
        }
    }
}

/// A fetched page: its JSON text and the headers pagination needs.
#[derive(Debug)]
pub struct Page {
    pub body: String,
    pub json: serde_json::Value,
    /// The `Link` header's `rel="next"` target, if any.
    pub next_link: Option<String>,
}

/// Why a request did not produce a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// 401 or 403: a missing permission, scope or licence. Not retried.
    Forbidden(String),
    /// Retries ran out on transient errors.
    Exhausted(String),
    /// Any other status, not worth retrying (404, 400, …).
    Rejected(String),
}

impl Failure {
    pub fn message(&self) -> &str {
        match self {
            Failure::Forbidden(m) | Failure::Exhausted(m) | Failure::Rejected(m) => m,
        }
    }
}

/// An authenticated client with a retry policy.
pub struct Http {
    client: reqwest::Client,
    auth: HeaderValue,
    policy: RetryPolicy,
}

impl Http {
    /// `scheme` is `Bearer` (Graph, GitHub) or `SSWS` (Okta API tokens).
    pub fn new(token: &super::Token, scheme: &str, policy: RetryPolicy) -> Result<Http, String> {
        // One process-wide TLS provider (ring); installing it twice is harmless.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::builder()
            .timeout(policy.timeout)
            .connect_timeout(policy.timeout.min(Duration::from_secs(30)))
            .user_agent(concat!("nhiscan/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| format!("cannot set up the HTTP client: {e}"))?;
        let mut auth = HeaderValue::from_str(&format!("{scheme} {}", token.expose()))
            .map_err(|_| "the token holds characters an HTTP header cannot carry".to_string())?;
        auth.set_sensitive(true);
        Ok(Http {
            client,
            auth,
            policy,
        })
    }

    /// GETs `url` and parses the body as JSON, retrying as the policy allows.
    pub async fn get(&self, url: &str) -> Result<Page, Failure> {
        let shown = redact_url(url);
        let mut last = String::new();
        for attempt in 1..=self.policy.attempts {
            let wait = match self.try_once(url).await {
                Ok(Outcome::Page(page)) => return Ok(page),
                Ok(Outcome::Forbidden(status, detail)) => {
                    return Err(Failure::Forbidden(
                        format!("{status} {detail}").trim().to_string(),
                    ));
                }
                Ok(Outcome::Rejected(status, detail)) => {
                    return Err(Failure::Rejected(
                        format!("{status} on {shown} {detail}").trim().to_string(),
                    ));
                }
                Ok(Outcome::Retry(why, server_wait)) => {
                    last = why;
                    match server_wait {
                        Some(w) if w > self.policy.max_server_wait => {
                            return Err(Failure::Exhausted(format!(
                                "{last} on {shown}; the server asked to wait {} s, longer than the {} s allowed",
                                w.as_secs(),
                                self.policy.max_server_wait.as_secs()
                            )));
                        }
                        Some(w) => w,
                        None => self.backoff(attempt),
                    }
                }
                Err(why) => {
                    last = why;
                    self.backoff(attempt)
                }
            };
            if attempt < self.policy.attempts {
                tokio::time::sleep(wait).await;
            }
        }
        Err(Failure::Exhausted(format!(
            "{last} on {shown} after {} attempts",
            self.policy.attempts
        )))
    }

    async fn try_once(&self, url: &str) -> Result<Outcome, String> {
        let response = self
            .client
            .get(url)
            .header(AUTHORIZATION, self.auth.clone())
            .header("Accept", "application/json")
            .send()
            .await
            .map_err(|e| transport_error(&e))?;
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.text().await.map_err(|e| transport_error(&e))?;
        if status.is_success() {
            return match serde_json::from_str::<serde_json::Value>(&body) {
                Ok(json) => Ok(Outcome::Page(Page {
                    next_link: next_link(&headers),
                    body,
                    json,
                })),
                Err(e) => Ok(Outcome::Retry(
                    format!(
                        "malformed JSON in the response (line {}, column {})",
                        e.line(),
                        e.column()
                    ),
                    None,
                )),
            };
        }
        let detail = error_detail(&body);
        if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
            // GitHub signals an exhausted rate limit with 403 and a zero quota.
            if let Some(w) = rate_limit_wait(&headers, Timestamp::now()) {
                return Ok(Outcome::Retry(format!("{status} (rate limit)"), Some(w)));
            }
            return Ok(Outcome::Forbidden(status.as_u16(), detail));
        }
        if matches!(status.as_u16(), 429 | 500 | 502 | 503 | 504) {
            let wait = retry_after(&headers, Timestamp::now())
                .or_else(|| rate_limit_wait(&headers, Timestamp::now()));
            return Ok(Outcome::Retry(status.to_string(), wait));
        }
        Ok(Outcome::Rejected(status.as_u16(), detail))
    }

    /// Capped exponential backoff with full jitter: a random wait in
    /// [delay/2, delay], where delay doubles per attempt up to the cap.
    fn backoff(&self, attempt: u32) -> Duration {
        let exp = self
            .policy
            .base_delay
            .saturating_mul(1u32 << attempt.saturating_sub(1).min(16));
        let delay = exp.min(self.policy.max_delay);
        let half = delay / 2;
        half + half.mul_f64(jitter())
    }
}

enum Outcome {
    Page(Page),
    Forbidden(u16, String),
    Rejected(u16, String),
    /// Why, and the wait the server asked for, if it did.
    Retry(String, Option<Duration>),
}

/// A number in [0, 1) from the clock's low bits: enough to spread retries.
fn jitter() -> f64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let mut x = u64::from(nanos) ^ 0x9E37_79B9_7F4A_7C15;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    (x % 1_000_000) as f64 / 1_000_000.0
}

/// A transport error, without the URL's query (which can carry cursors) and
/// never with headers.
fn transport_error(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "timed out".into()
    } else if e.is_connect() {
        "connection failed".into()
    } else if e.is_body() || e.is_decode() {
        "response body cut short".into()
    } else {
        "request failed".into()
    }
}

/// The error message of a JSON error body (Graph's `error.message`, Okta's
/// `errorSummary`, GitHub's `message`), shortened.
fn error_detail(body: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
    let text = v
        .pointer("/error/code")
        .and_then(|c| c.as_str())
        .map(|code| {
            let message = v
                .pointer("/error/message")
                .and_then(|m| m.as_str())
                .unwrap_or("");
            format!("{code}: {message}")
        })
        .or_else(|| {
            v.get("errorSummary")
                .and_then(|m| m.as_str())
                .map(str::to_string)
        })
        .or_else(|| {
            v.get("message")
                .and_then(|m| m.as_str())
                .map(str::to_string)
        })
        .unwrap_or_default();
    text.chars().take(200).collect()
}

/// `Retry-After`: delay-seconds or an HTTP-date (RFC 9110 §10.2.3).
pub fn retry_after(headers: &HeaderMap, now: Timestamp) -> Option<Duration> {
    let value = headers.get("retry-after")?.to_str().ok()?.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = jiff::fmt::rfc2822::parse(value).ok()?.timestamp();
    Some(until(at, now))
}

/// Okta's `X-Rate-Limit-Reset` (with `X-Rate-Limit-Remaining: 0`) and GitHub's
/// `x-ratelimit-reset` (with `x-ratelimit-remaining: 0`): epoch seconds.
pub fn rate_limit_wait(headers: &HeaderMap, now: Timestamp) -> Option<Duration> {
    let remaining = headers
        .get("x-rate-limit-remaining")
        .or_else(|| headers.get("x-ratelimit-remaining"))?
        .to_str()
        .ok()?
        .trim()
        .parse::<u64>()
        .ok()?;
    if remaining > 0 {
        return None;
    }
    let reset = headers
        .get("x-rate-limit-reset")
        .or_else(|| headers.get("x-ratelimit-reset"))?
        .to_str()
        .ok()?
        .trim()
        .parse::<i64>()
        .ok()?;
    Some(until(Timestamp::from_second(reset).ok()?, now))
}

fn until(at: Timestamp, now: Timestamp) -> Duration {
    let secs = at.as_second() - now.as_second();
    Duration::from_secs(secs.max(0) as u64)
}

/// The `rel="next"` target of a `Link` header (Okta, GitHub).
pub fn next_link(headers: &HeaderMap) -> Option<String> {
    for value in headers.get_all("link") {
        let Ok(text) = value.to_str() else { continue };
        for part in text.split(',') {
            let mut pieces = part.split(';');
            let target = pieces.next()?.trim();
            let is_next = pieces.any(|p| {
                let p = p.trim().replace(' ', "");
                p.eq_ignore_ascii_case("rel=\"next\"") || p.eq_ignore_ascii_case("rel=next")
            });
            if is_next {
                return Some(
                    target
                        .trim_start_matches('<')
                        .trim_end_matches('>')
                        .to_string(),
                );
            }
        }
    }
    None
}

/// A URL for messages: scheme, host and path, without the query.
pub fn redact_url(url: &str) -> String {
    url.split(['?', '#']).next().unwrap_or(url).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        let now: Timestamp = "2026-11-01T00:00:00Z".parse().unwrap();
        assert_eq!(
            retry_after(&headers(&[("retry-after", "7")]), now),
            Some(Duration::from_secs(7))
        );
        assert_eq!(
            retry_after(
                &headers(&[("retry-after", "Sun, 01 Nov 2026 00:00:30 GMT")]),
                now
            ),
            Some(Duration::from_secs(30))
        );
        // A date in the past means "now".
        assert_eq!(
            retry_after(
                &headers(&[("retry-after", "Sat, 31 Oct 2026 23:00:00 GMT")]),
                now
            ),
            Some(Duration::ZERO)
        );
        assert_eq!(retry_after(&headers(&[("retry-after", "soon")]), now), None);
    }

    #[test]
    fn rate_limit_resets_apply_only_when_the_quota_is_spent() {
        let now: Timestamp = "2026-11-01T00:00:00Z".parse().unwrap();
        let reset = (now.as_second() + 12).to_string();
        assert_eq!(
            rate_limit_wait(
                &headers(&[
                    ("x-rate-limit-remaining", "0"),
                    ("x-rate-limit-reset", &reset)
                ]),
                now
            ),
            Some(Duration::from_secs(12))
        );
        assert_eq!(
            rate_limit_wait(
                &headers(&[
                    ("x-ratelimit-remaining", "4"),
                    ("x-ratelimit-reset", &reset)
                ]),
                now
            ),
            None
        );
    }

    #[test]
    fn link_headers_give_the_next_page() {
        let h = headers(&[(
            "link",
            r#"<https://api.github.com/orgs/o/repos?page=1>; rel="prev", <https://api.github.com/orgs/o/repos?page=3>; rel="next""#,
        )]);
        assert_eq!(
            next_link(&h).as_deref(),
            Some("https://api.github.com/orgs/o/repos?page=3")
        );
        let okta = headers(&[
            (
                "link",
                r#"<https://x.okta.com/api/v1/apps?limit=2>; rel="self""#,
            ),
            (
                "link",
                r#"<https://x.okta.com/api/v1/apps?after=0oa2&limit=2>; rel="next""#,
            ),
        ]);
        assert_eq!(
            next_link(&okta).as_deref(),
            Some("https://x.okta.com/api/v1/apps?after=0oa2&limit=2")
        );
        assert_eq!(next_link(&headers(&[])), None);
    }

    #[test]
    fn error_details_come_from_each_api_shape() {
        assert_eq!(
            error_detail(
                r#"{"error": {"code": "Authorization_RequestDenied", "message": "Insufficient privileges"}}"#
            ),
            "Authorization_RequestDenied: Insufficient privileges"
        );
        assert_eq!(
            error_detail(r#"{"errorSummary": "Invalid token provided"}"#),
            "Invalid token provided"
        );
        assert_eq!(error_detail("<html>"), "");
    }
}
