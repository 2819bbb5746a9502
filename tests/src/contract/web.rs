//! The `Web` contract: one rule for every adapter (see `Web::fetch`).
//!
//! The suite describes a small site under [`HOST`] ([`site`]); the adapter's test serves it
//! the adapter's way (files in a mirror, routes of a server on 127.0.0.1, entries in memory),
//! builds the adapter with the body cap [`MAX_BODY`] and a timeout of at most two seconds, and
//! calls [`web`]. What an adapter cannot be made to serve (a mirror has no statuses, no
//! redirects and no header charsets) is left out of both the site and the checks, by
//! [`Serves`].

use sqa_core::ports::{MAX_REDIRECTS, Web, WebError, WebPage};
use std::time::{Duration, Instant};

/// The site's host.
pub const HOST: &str = "contract.example.test";
/// The body cap the adapter under test must be built with.
pub const MAX_BODY: usize = 4096;

/// What the adapter under test can be made to serve besides plain pages.
#[derive(Debug, Clone, Copy)]
pub struct Serves {
    /// Answers with any HTTP status.
    pub statuses: bool,
    /// Redirects.
    pub redirects: bool,
    /// A server that never answers (the adapter's timeout fires).
    pub stalls: bool,
    /// A charset in the Content-Type header.
    pub header_charsets: bool,
}

impl Serves {
    /// An HTTP server.
    pub const EVERYTHING: Serves = Serves {
        statuses: true,
        redirects: true,
        stalls: true,
        header_charsets: true,
    };
    /// Files in a directory: the content type comes from the file's extension.
    pub const FILES: Serves = Serves {
        statuses: false,
        redirects: false,
        stalls: false,
        header_charsets: false,
    };
}

/// What one path of the site answers.
#[derive(Debug, Clone)]
pub enum Resource {
    /// A 200 page. Pages every adapter serves have a content type a mirror gives their
    /// extension (`text/html` for `.html`, `text/plain` for `.txt`, …).
    Page {
        content_type: &'static str,
        body: Vec<u8>,
    },
    /// A bare status.
    Status(u16),
    /// A redirect to a path on [`HOST`] (starting with `/`) or to an absolute URL.
    Redirect(String),
    /// No answer.
    Stall,
}

/// The statuses the suite asks for, with the error each must give.
const NOT_FOUND_STATUSES: [u16; 6] = [400, 401, 403, 404, 410, 451];
const TRANSIENT_STATUSES: [u16; 7] = [408, 425, 429, 500, 502, 503, 504];

const HOME: &str = "<!doctype html><html><head><meta charset=\"utf-8\"><title>Home</title>\
                    </head><body><h1>Zoë's home — ünïcödé</h1></body></html>";

/// The site the adapter must serve under [`HOST`]: `(path, resource)`; `/` is the home page
/// (a mirror's `index.html`).
pub fn site(serves: Serves) -> Vec<(String, Resource)> {
    let page = |ct: &'static str, body: &[u8]| Resource::Page {
        content_type: ct,
        body: body.to_vec(),
    };
    let mut big = b"<p>".to_vec();
    big.extend(std::iter::repeat_n(b'a', 3 * MAX_BODY));
    let mut out: Vec<(String, Resource)> = vec![
        ("/".into(), page("text/html", HOME.as_bytes())),
        (
            "/legacy.html".into(),
            page(
                "text/html",
                b"<html><head><meta charset=\"windows-1252\"></head><body><p>caf\xe9 \x93quoted\x94</p></body></html>",
            ),
        ),
        (
            "/bom.html".into(),
            page("text/html", b"\xEF\xBB\xBF<p>na\xC3\xAFve</p>"),
        ),
        (
            "/robots.txt".into(),
            page("text/plain", b"User-agent: *\nDisallow:\n"),
        ),
        (
            "/data.json".into(),
            page("application/json", b"{\"ok\":true}"),
        ),
        ("/big.html".into(), page("text/html", &big)),
    ];
    if serves.header_charsets {
        out.push((
            "/latin1.html".into(),
            page("text/html; charset=iso-8859-1", b"<p>Malm\xf6</p>"),
        ));
    }
    if serves.statuses {
        for code in NOT_FOUND_STATUSES.into_iter().chain(TRANSIENT_STATUSES) {
            out.push((format!("/status/{code}"), Resource::Status(code)));
        }
    }
    if serves.redirects {
        let to = |p: &str| Resource::Redirect(p.to_string());
        out.push(("/moved.html".into(), to("/legacy.html")));
        // Exactly MAX_REDIRECTS hops: /hop/1 → … → /hop/N → /.
        for i in 1..=MAX_REDIRECTS {
            let next = if i == MAX_REDIRECTS {
                "/".to_string()
            } else {
                format!("/hop/{}", i + 1)
            };
            out.push((format!("/hop/{i}"), Resource::Redirect(next)));
        }
        out.push(("/loop/a".into(), to("/loop/b")));
        out.push(("/loop/b".into(), to("/loop/a")));
        out.push(("/to-ftp".into(), to(&format!("ftp://{HOST}/file"))));
        out.push(("/to-missing".into(), to("/nothing-here.html")));
        if serves.statuses {
            out.push(("/to-busy".into(), to("/status/503")));
        }
    }
    if serves.stalls {
        out.push(("/slow.html".into(), Resource::Stall));
    }
    out
}

fn url(path: &str) -> String {
    format!("https://{HOST}{path}")
}

fn media_type(page: &WebPage) -> String {
    page.content_type
        .as_deref()
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

async fn page(w: &dyn Web, path: &str) -> WebPage {
    match w.fetch(&url(path)).await {
        Ok(p) => {
            assert!(
                (200..300).contains(&p.status),
                "fetch MUST return Ok only for a 2xx page; {path} came back with status {}",
                p.status
            );
            p
        }
        Err(e) => panic!("{path} is served: fetch MUST return the page, got {e:?}"),
    }
}

fn expect_not_found(got: Result<WebPage, WebError>, what: &str) {
    match got {
        Err(WebError::NotFound(_)) => {}
        other => panic!("{what} MUST be NotFound, got {other:?}"),
    }
}

fn expect_transient(got: Result<WebPage, WebError>, what: &str) {
    match got {
        Err(WebError::Transient(_)) => {}
        other => panic!("{what} MUST be Transient, got {other:?}"),
    }
}

/// Checks every MUST of `Web::fetch` on an adapter serving [`site`]`(serves)`, built with
/// [`MAX_BODY`] and a timeout of at most two seconds.
pub async fn web(w: &dyn Web, serves: Serves) {
    // Pages: status, URL, content type as sent, body decoded.
    let home = page(w, "/").await;
    assert_eq!(
        (home.url.as_str(), home.body.as_str()),
        (url("/").as_str(), HOME),
        "fetch MUST return the page's URL and its body decoded as UTF-8"
    );
    assert_eq!(media_type(&home), "text/html", "the content type as sent");
    let legacy = page(w, "/legacy.html").await;
    assert!(
        legacy.body.contains("<p>café \u{201c}quoted\u{201d}</p>"),
        "without a charset in the content type, the body MUST be decoded by its \
         <meta charset>: {:?}",
        legacy.body
    );
    let bom = page(w, "/bom.html").await;
    assert_eq!(
        bom.body, "<p>naïve</p>",
        "a byte-order mark MUST decide the encoding and be dropped"
    );
    let robots = page(w, "/robots.txt").await;
    assert_eq!(
        (media_type(&robots).as_str(), robots.body.as_str()),
        ("text/plain", "User-agent: *\nDisallow:\n"),
        "a text page MUST come back with its content type"
    );
    let json = page(w, "/data.json").await;
    assert_eq!(
        (media_type(&json).as_str(), json.body.as_str()),
        ("application/json", "{\"ok\":true}"),
        "a page of any content type MUST come back with it (the caller decides what it reads)"
    );
    let big = page(w, "/big.html").await;
    assert_eq!(
        big.body.len(),
        MAX_BODY,
        "a page over the cap MUST be cut at the cap, not refused"
    );
    assert!(
        big.body.starts_with("<p>aaa") && big.body.bytes().skip(3).all(|b| b == b'a'),
        "a cut page MUST be the page's first bytes"
    );
    let upper = w
        .fetch(&format!("https://{}/robots.txt", HOST.to_ascii_uppercase()))
        .await;
    assert!(
        matches!(&upper, Ok(p) if p.body == robots.body),
        "host names MUST compare case-insensitively: {upper:?}"
    );
    if serves.header_charsets {
        let latin = page(w, "/latin1.html").await;
        assert_eq!(
            latin.body, "<p>Malmö</p>",
            "the body MUST be decoded by the content type's charset"
        );
    }

    // Not there.
    expect_not_found(w.fetch(&url("/nothing-here.html")).await, "a missing page");
    expect_not_found(
        w.fetch(&format!("https://absent.{HOST}/")).await,
        "a site that is not there",
    );

    // Never requested.
    for bad in [
        "",
        "not a url",
        "ftp://contract.example.test/",
        "file:///etc/passwd",
        "mailto:someone@contract.example.test",
    ] {
        match w.fetch(bad).await {
            Err(WebError::Unexpected(_)) => {}
            other => {
                panic!("{bad:?} is not an http(s) URL: fetch MUST be Unexpected, got {other:?}")
            }
        }
    }

    // Hostile input: any error, never a panic, never a page.
    let long = format!("https://{HOST}/{}", "a".repeat(10_000));
    for hostile in [
        format!("https://{HOST}/%zz"),
        format!("https://{HOST}/a/../../../../etc/passwd"),
        format!("https://{HOST}/\u{202e}txt.exe"),
        "https://[::1]:99999/".to_string(),
        "http://".to_string(),
        long,
    ] {
        let got = w.fetch(&hostile).await;
        assert!(
            got.is_err(),
            "{hostile:.60} names no page of the site, yet came back as {got:?}"
        );
    }

    if serves.statuses {
        for code in NOT_FOUND_STATUSES {
            expect_not_found(
                w.fetch(&url(&format!("/status/{code}"))).await,
                &format!("HTTP {code}"),
            );
        }
        for code in TRANSIENT_STATUSES {
            expect_transient(
                w.fetch(&url(&format!("/status/{code}"))).await,
                &format!("HTTP {code}"),
            );
        }
    }

    if serves.redirects {
        let moved = page(w, "/moved.html").await;
        assert_eq!(
            moved.url,
            url("/legacy.html"),
            "after a redirect the page's url MUST be where it ended"
        );
        assert!(moved.body.contains("café"), "{:?}", moved.body);
        let hops = page(w, "/hop/1").await;
        assert_eq!(
            (hops.url.as_str(), hops.body.as_str()),
            (url("/").as_str(), HOME),
            "fetch MUST follow {MAX_REDIRECTS} redirects"
        );
        expect_not_found(w.fetch(&url("/loop/a")).await, "a redirect loop");
        expect_not_found(
            w.fetch(&url("/to-ftp")).await,
            "a redirect to another scheme",
        );
        expect_not_found(
            w.fetch(&url("/to-missing")).await,
            "a redirect to a missing page",
        );
        if serves.statuses {
            expect_transient(w.fetch(&url("/to-busy")).await, "a redirect to a 503");
        }
    }

    if serves.stalls {
        let started = Instant::now();
        expect_transient(w.fetch(&url("/slow.html")).await, "a timeout");
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "a timeout MUST end the fetch (took {:?})",
            started.elapsed()
        );
    }
}
