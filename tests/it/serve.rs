//! `dateline serve` over HTTP: every endpoint, its answers compared with
//! the command line's for the same query, status codes of bad requests,
//! escaping of hostile articles, the security headers, a re-index while
//! serving, and a clean stop on SIGTERM.
//!
//! Requests are written by hand on a `TcpStream` (HTTP/1.1 with
//! `Connection: close`), so a test can send what no well-behaved client
//! would: a foreign `Host`, a raw `..` in the path, a POST.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command as Process, Stdio};
use std::time::{Duration, Instant};

use libtest_mimic::Trial;
use serde_json::Value;

use crate::util::{corpus, dateline, folder_with, index_of, json_run, trials};

pub fn tests() -> Vec<Trial> {
    trials![
        the_api_answers_as_the_command_line_does,
        the_search_page_works_without_javascript,
        the_article_view_marks_the_passage_and_finds_neighbours,
        bad_requests_are_4xx_and_the_server_keeps_serving,
        hostile_articles_are_escaped_and_never_linked,
        facets_count_the_matches_and_narrow_them,
        every_response_has_the_security_headers_and_no_cors_by_default,
        cors_is_allowed_for_the_named_origin_only,
        a_reindex_while_serving_is_seen_by_the_next_request,
        sigterm_stops_the_server_cleanly,
        a_non_loopback_address_is_warned_about,
        a_missing_index_is_refused_at_start,
    ]
}

/// A running `dateline serve`, stopped when dropped.
pub struct Server {
    child: Child,
    /// `127.0.0.1:PORT`.
    pub addr: String,
    /// What it printed on stderr before serving.
    pub banner: String,
}

impl Server {
    /// Serves `index` on a free loopback port, with `extra` arguments.
    pub fn start(index: &Path, extra: &[&str]) -> Server {
        Server::start_at(index, "127.0.0.1:0", extra)
    }

    fn start_at(index: &Path, addr: &str, extra: &[&str]) -> Server {
        let binary = assert_cmd::cargo::cargo_bin("dateline");
        let mut child = Process::new(binary)
            .arg("serve")
            .arg("--index")
            .arg(index)
            .args(["--addr", addr])
            .args(extra)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("dateline serve starts");
        let mut stderr = BufReader::new(child.stderr.take().expect("stderr is piped"));
        let mut banner = String::new();
        let addr = loop {
            let mut line = String::new();
            if stderr.read_line(&mut line).unwrap_or(0) == 0 {
                let _ = child.kill();
                panic!("dateline serve stopped before serving: {banner}");
            }
            banner.push_str(&line);
            if let Some(rest) = line.split("http://").nth(1) {
                break rest.split('/').next().unwrap_or("").to_string();
            }
        };
        // The rest of stderr is drained so the server never blocks on it.
        std::thread::spawn(move || {
            let mut sink = String::new();
            let _ = stderr.read_to_string(&mut sink);
        });
        Server {
            child,
            addr,
            banner,
        }
    }

    /// `GET path` with this server as the host.
    pub fn get(&self, path: &str) -> Reply {
        self.request("GET", path, &[])
    }

    /// `GET path` parsed as JSON, which must answer 200.
    pub fn json(&self, path: &str) -> Value {
        let reply = self.get(path);
        assert_eq!(reply.status, 200, "{path}: {}", reply.body);
        serde_json::from_str(&reply.body).expect("the API answers JSON")
    }

    /// A request with any method and extra header lines.
    pub fn request(&self, method: &str, path: &str, headers: &[&str]) -> Reply {
        let host_given = headers
            .iter()
            .any(|h| h.to_ascii_lowercase().starts_with("host:"));
        let mut stream = TcpStream::connect(&self.addr).expect("the server accepts connections");
        stream
            .set_read_timeout(Some(Duration::from_secs(60)))
            .unwrap();
        let mut request = format!("{method} {path} HTTP/1.1\r\nConnection: close\r\n");
        if !host_given {
            request.push_str(&format!("Host: {}\r\n", self.addr));
        }
        for header in headers {
            request.push_str(header);
            request.push_str("\r\n");
        }
        request.push_str("\r\n");
        stream.write_all(request.as_bytes()).unwrap();
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).unwrap();
        Reply::parse(&raw)
    }

    /// Sends SIGTERM and waits for the exit status (None: still running
    /// after `wait`).
    pub fn terminate(mut self, wait: Duration) -> (Option<i32>, String) {
        let _ = Process::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let start = Instant::now();
        while start.elapsed() < wait {
            if let Ok(Some(status)) = self.child.try_wait() {
                return (status.code(), self.banner.clone());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        (None, self.banner.clone())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An HTTP answer.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    fn parse(raw: &[u8]) -> Reply {
        let text = String::from_utf8_lossy(raw);
        let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
        let mut lines = head.lines();
        let status = lines
            .next()
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let headers = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
            .collect();
        Reply {
            status,
            headers,
            body: body.to_string(),
        }
    }

    /// A header's value, by lower-case name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

fn corpus_index() -> tempfile::TempDir {
    index_of(&[&corpus()])
}

/// The command line's `--format json` output for `args` on `index`.
fn cli_json(index: &Path, args: &[&str]) -> Value {
    let (_, value, stderr) = json_run(dateline().args(args).arg("--index").arg(index));
    assert!(!value.is_null(), "{args:?}: {stderr}");
    value
}

fn the_api_answers_as_the_command_line_does() {
    let index = corpus_index();
    let server = Server::start(index.path(), &[]);
    let api = server.json("/api/search?q=troops");
    assert_eq!(api, cli_json(index.path(), &["search", "troops"]));
    let api = server.json(
        "/api/search?q=%22interest+rates%22&since=1987-03&until=1987-06&sort=newest&limit=3&context=1",
    );
    let cli = cli_json(
        index.path(),
        &[
            "search",
            "\"interest rates\"",
            "--since",
            "1987-03",
            "--until",
            "1987-06",
            "--sort",
            "newest",
            "-n",
            "3",
            "-C",
            "1",
        ],
    );
    assert_eq!(api, cli);
    // The second page holds what a longer first page shows after the first.
    let long = server.json("/api/search?q=oil&limit=4");
    let second = server.json("/api/search?q=oil&limit=2&page=2");
    assert_eq!(
        second["results"].as_array().unwrap()[..],
        long["results"].as_array().unwrap()[2..]
    );

    let api = server.json("/api/timeline?q=oil&vs=cocoa&by=month");
    assert_eq!(
        api,
        cli_json(
            index.path(),
            &["timeline", "oil", "--vs", "cocoa", "--by", "month"]
        )
    );
    assert_eq!(
        server.json("/api/stats"),
        cli_json(index.path(), &["stats"])
    );

    // An article by the id a search result gives: every passage, marked.
    let hit = &api["buckets"][1]["counts"][0]["top"];
    let id = hit["article_id"]
        .as_str()
        .expect("results carry the article id");
    let article = server.json(&format!("/api/article/{id}?q=oil"));
    assert_eq!(article["article_id"], id);
    assert_eq!(article["source"], hit["source"]);
    let passages = article["passages"].as_array().unwrap();
    let found = passages
        .iter()
        .find(|p| p["line"] == hit["line"])
        .expect("the hit's passage is in the article");
    assert_eq!(found["passage"], hit["passage"]);
    assert_eq!(found["highlights"], hit["highlights"]);
    assert!(
        passages
            .windows(2)
            .all(|w| w[0]["passage_no"].as_u64() < w[1]["passage_no"].as_u64())
    );
}

fn the_search_page_works_without_javascript() {
    let index = corpus_index();
    let server = Server::start(index.path(), &[]);
    let home = server.get("/");
    assert_eq!(home.status, 200);
    assert!(home.body.contains("Search 40 articles"), "{}", home.body);
    let page = server.get("/?q=oil&vs=cocoa&by=month");
    assert_eq!(page.status, 200);
    assert_eq!(
        page.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    let html = &page.body;
    assert!(html.len() < 200 * 1024, "page weight {}", html.len());
    assert!(html.contains("<mark>oil</mark>"), "{html}");
    assert!(html.contains("<svg"), "a timeline chart");
    // Each bar drills into its period; zero periods are drawn too.
    assert!(
        html.contains("href=\"/?q=oil&amp;vs=cocoa&amp;since=1987-03-01&amp;until=1987-03-31\""),
        "{html}"
    );
    assert!(html.contains("class=\"zero\""));
    assert!(
        html.contains("/article/"),
        "results link to the article view"
    );
    assert!(!html.contains("<script>"), "no inline script");
    // More results are one link away.
    let page = server.get("/?q=the");
    assert!(page.body.contains("rel=\"next\""), "a 'more' link");
    assert!(server.get("/?q=the&page=2").body.contains("start=\"21\""));
    // A bad date is said on the page, with the form to fix it.
    let bad = server.get("/?q=oil&since=2024-02-30");
    assert_eq!(bad.status, 400);
    assert!(
        bad.body.contains("day 30 does not exist in 2024-02"),
        "{}",
        bad.body
    );
    assert!(bad.body.contains("value=\"2024-02-30\""));
    // The stylesheet and script are served from the binary.
    let css_path = html_attr(&page.body, "rel=\"stylesheet\" href=\"");
    let css = server.get(&css_path);
    assert_eq!(css.status, 200);
    assert!(css.header("content-type").unwrap().starts_with("text/css"));
    assert!(css.body.contains("prefers-color-scheme: dark"));
}

/// The value that follows `prefix` in `html`, up to the next quote.
fn html_attr(html: &str, prefix: &str) -> String {
    let start = html.find(prefix).expect(prefix) + prefix.len();
    html[start..]
        .split('"')
        .next()
        .unwrap()
        .replace("&amp;", "&")
}

fn the_article_view_marks_the_passage_and_finds_neighbours() {
    let index = corpus_index();
    let server = Server::start(index.path(), &[]);
    let page = server.get("/?q=oil");
    let link = html_attr(&page.body, "class=\"title\" href=\"");
    assert!(link.contains("#p"), "{link}");
    let article = server.get(link.split('#').next().unwrap());
    assert_eq!(article.status, 200);
    let html = &article.body;
    assert!(html.contains("class=\"hit\""), "{html}");
    assert!(html.contains("<mark>"));
    assert!(html.contains("Around it in time"));
    assert!(html.contains("Earlier") && html.contains("Later"));
    assert!(html.contains("date-line"), "the date source is shown");
    assert_eq!(server.get("/article/ffffffffffffffff").status, 404);
    assert_eq!(server.get("/article/not-an-id").status, 404);
}

fn bad_requests_are_4xx_and_the_server_keeps_serving() {
    let index = corpus_index();
    let server = Server::start(index.path(), &[]);
    let error = |path: &str, status: u16| -> String {
        let reply = server.get(path);
        assert_eq!(reply.status, status, "{path}: {}", reply.body);
        if path.starts_with("/api/") && status >= 400 {
            let json: Value = serde_json::from_str(&reply.body).expect("errors are JSON");
            assert_eq!(json["status"], status);
            json["error"].as_str().unwrap().to_string()
        } else {
            reply.body
        }
    };
    // The same message as the command line prints.
    let message = error("/api/search?q=troops&since=2024-02-30", 400);
    let cli = dateline()
        .args(["search", "troops", "--since", "2024-02-30", "--index"])
        .arg(index.path())
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&cli.stderr).trim(),
        format!("dateline: {message}")
    );
    assert!(error("/api/search?q=troops&strict=true&q=%22troops", 400).contains("unmatched"));
    assert!(error("/api/search", 400).contains("'q'"));
    assert!(error("/api/search?q=a&lmit=3", 400).contains("'lmit'"));
    error("/api/search?q=a&limit=100000", 400);
    error("/api/search?q=a&limit=-1", 400);
    error("/api/search?q=a&page=99999999999999999999999", 400);
    error("/api/search?q=a&sort=%3Cscript%3E", 400);
    error("/api/search?q=a&since=1987&until=1986", 400);
    error("/api/timeline?q=a&by=century", 400);
    error("/api/timeline?q=a&vs=b&vs=c&vs=d&vs=e&vs=f", 400);
    error(&format!("/api/search?q={}", "a".repeat(1001)), 414);
    error(
        &format!("/api/search?q=a&since={}", "9".repeat(20_000)),
        414,
    );
    error("/api/search?q=%FF%FE", 200);
    // Articles only by id: no path reaches a file.
    error("/api/article/..%2F..%2F..%2Fetc%2Fpasswd", 404);
    error("/api/article/0000000000000000", 404);
    error("/api/nothing", 404);
    let reply = server.get("/../../../../etc/passwd");
    assert!(
        reply.status == 404 || reply.status == 400,
        "{}",
        reply.status
    );
    assert!(!reply.body.contains("root:"));
    let reply = server.get("/assets/..%2F..%2FCargo.toml");
    assert_eq!(reply.status, 404);
    assert_eq!(
        server
            .request("POST", "/api/search?q=a", &["Content-Length: 0"])
            .status,
        405
    );
    assert_eq!(
        server
            .request("GET", "/api/stats", &["Host: evil.example"])
            .status,
        421
    );
    let reply = server.request("GET", "not a request line", &[]);
    assert!((400..500).contains(&reply.status) || reply.status == 0);
    // Still serving.
    assert_eq!(server.json("/api/search?q=troops")["total_hits"], 7);
}

fn hostile_articles_are_escaped_and_never_linked() {
    let folder = folder_with(&[
        (
            "2024-01-05-hostile.md",
            "---\ntitle: \"<img src=x onerror=alert(1)> Hostile\"\ndate: 2024-01-05\nurl: \"javascript:alert(document.cookie)\"\nauthor: \"<b>Mallory</b>\"\n---\n\nThe troops <script>alert('x')</script> arrived, see <a href=\"javascript:alert(2)\">here</a>.\n",
        ),
        (
            "2024-01-06-fine.md",
            "---\ntitle: Fine\ndate: 2024-01-06\nurl: https://example.com/fine?a=1&b=2\n---\n\nThe troops left.\n",
        ),
        (
            "2024-01-07-plain.txt",
            " date 2024-01-07 The troops marched <script>alert('y')</script> and <a href=\"javascript:alert(4)\">on</a>.\n",
        ),
    ]);
    let index = index_of(&[folder.path()]);
    let server = Server::start(index.path(), &[]);
    let query = "/?q=troops+%3Cscript%3Ealert(3)%3C%2Fscript%3E";
    let page = server.get(query);
    assert_eq!(page.status, 200, "{}", page.body);
    let article_id = |query: &str| {
        let found = server.json(&format!("/api/search?q={query}"));
        found["results"][0]["article_id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let article = server.get(&format!("/article/{}?q=troops", article_id("arrived")));
    let plain = server.get(&format!("/article/{}?q=troops", article_id("marched")));
    let fine_page = server.get(&format!("/article/{}", article_id("left")));
    for html in [&page.body, &article.body, &plain.body] {
        assert!(!html.contains("<script>alert"), "{html}");
        assert!(!html.contains("<img src=x"), "{html}");
        assert!(!html.contains("<b>Mallory"), "{html}");
        assert!(
            !html.to_ascii_lowercase().contains("href=\"javascript:"),
            "{html}"
        );
        assert!(html.contains("&lt;script&gt;"), "{html}");
    }
    assert!(
        article.body.contains("javascript:alert(document.cookie)"),
        "the URL is shown as text"
    );
    assert!(
        fine_page
            .body
            .contains("href=\"https://example.com/fine?a=1&amp;b=2\""),
        "{}",
        fine_page.body
    );
}

fn every_response_has_the_security_headers_and_no_cors_by_default() {
    let index = corpus_index();
    let server = Server::start(index.path(), &[]);
    for path in [
        "/",
        "/?q=oil",
        "/api/search?q=oil",
        "/api/nothing",
        "/nothing",
    ] {
        let reply = server.request("GET", path, &["Origin: http://evil.example"]);
        let csp = reply.header("content-security-policy").unwrap_or("");
        assert!(csp.contains("script-src 'self'"), "{path}: {csp}");
        assert!(!csp.contains("unsafe-inline"), "{path}: {csp}");
        assert_eq!(
            reply.header("x-content-type-options"),
            Some("nosniff"),
            "{path}"
        );
        assert_eq!(reply.header("access-control-allow-origin"), None, "{path}");
    }
}

fn cors_is_allowed_for_the_named_origin_only() {
    let index = corpus_index();
    let server = Server::start(index.path(), &["--cors", "http://localhost:3000"]);
    let allowed = server.request("GET", "/api/stats", &["Origin: http://localhost:3000"]);
    assert_eq!(
        allowed.header("access-control-allow-origin"),
        Some("http://localhost:3000")
    );
    let other = server.request("GET", "/api/stats", &["Origin: http://evil.example"]);
    assert_eq!(other.header("access-control-allow-origin"), None);
}

fn a_reindex_while_serving_is_seen_by_the_next_request() {
    let articles = tempfile::tempdir().unwrap();
    copy_tree(&corpus().join("reuters"), &articles.path().join("reuters"));
    let index = index_of(&[articles.path()]);
    let server = Server::start(index.path(), &[]);
    assert_eq!(server.json("/api/search?q=zanzibar")["total_hits"], 0);
    let before = server.json("/api/stats")["articles"].as_u64().unwrap();
    for n in 0..30 {
        std::fs::write(
            articles.path().join(format!("new-{n:02}.txt")),
            format!(" date 2024-03-{:02} Ships from Zanzibar arrived, report {n}.\n\nMore about the harbour.\n", n % 28 + 1),
        )
        .unwrap();
    }
    let mut indexing = dateline();
    indexing
        .arg("index")
        .arg(articles.path())
        .arg("--index")
        .arg(index.path())
        .args(["--quiet", "--commit-every", "5"])
        .timeout(Duration::from_secs(120));
    let searches = std::thread::scope(|scope| {
        let running = scope.spawn(|| indexing.assert().success());
        let mut statuses = Vec::new();
        while !running.is_finished() {
            statuses.push(server.get("/api/search?q=zanzibar").status);
            statuses.push(server.get("/?q=harbour").status);
        }
        statuses
    });
    assert!(searches.iter().all(|&s| s == 200), "{searches:?}");
    let after = server.json("/api/search?q=zanzibar&limit=50&per_article=1");
    assert_eq!(after["total_hits"], 30, "{after}");
    assert_eq!(server.json("/api/stats")["articles"], before + 30);
}

fn copy_tree(from: &Path, to: &PathBuf) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

fn sigterm_stops_the_server_cleanly() {
    let index = corpus_index();
    let server = Server::start(index.path(), &[]);
    assert_eq!(server.get("/api/stats").status, 200);
    let (code, _) = server.terminate(Duration::from_secs(15));
    assert_eq!(code, Some(0), "dateline serve exits 0 on SIGTERM");
}

fn a_non_loopback_address_is_warned_about() {
    let index = corpus_index();
    let server = Server::start_at(index.path(), "0.0.0.0:0", &[]);
    assert!(
        server.banner.contains("not a loopback address"),
        "{}",
        server.banner
    );
    let local = Server::start(index.path(), &[]);
    assert!(!local.banner.contains("warning"), "{}", local.banner);
}

fn a_missing_index_is_refused_at_start() {
    let empty = tempfile::tempdir().unwrap();
    let output = dateline()
        .args(["serve", "--addr", "127.0.0.1:0", "--index"])
        .arg(empty.path().join("none"))
        .timeout(Duration::from_secs(30))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("no index at"));
}

fn facets_count_the_matches_and_narrow_them() {
    let post = |day: u32, author: &str, outlet: &str| {
        format!(
            "---\ntitle: Post {day}\ndate: 2024-01-{day:02}\nauthor: {author}\npublisher: {outlet}\n---\n\nThe harbour was busy on day {day}.\n"
        )
    };
    let files = [
        ("a.md".to_string(), post(1, "Ann Lee", "The Courier")),
        ("b.md".to_string(), post(2, "Ann Lee", "The Herald")),
        ("c.md".to_string(), post(3, "Bo Chen", "The Courier")),
        (
            "d.txt".to_string(),
            " date 2023-05-06 The harbour was quiet.\n".to_string(),
        ),
    ];
    let files: Vec<(&str, &str)> = files
        .iter()
        .map(|(n, c)| (n.as_str(), c.as_str()))
        .collect();
    let folder = folder_with(&files);
    let index = index_of(&[folder.path()]);
    let server = Server::start(index.path(), &[]);

    let page = server.get("/?q=harbour");
    assert_eq!(page.status, 200);
    let facets = &page.body[page.body.find("class=\"facets\"").expect("facets")..];
    for (value, count) in [
        ("2024", 3),
        ("2023", 1),
        ("markdown", 3),
        ("reference", 1),
        ("The Courier", 2),
        ("The Herald", 1),
        ("Ann Lee", 2),
        ("Bo Chen", 1),
    ] {
        let shown =
            format!("<span class=\"value\">{value}</span><span class=\"count\">{count}</span>");
        assert!(facets.contains(&shown), "{shown} in {facets}");
    }
    assert!(!facets.contains("counted over the first"), "{facets}");

    let sources = |query: &str| -> Vec<String> {
        let mut found: Vec<String> =
            server.json(&format!("/api/search?q=harbour&{query}"))["results"]
                .as_array()
                .unwrap()
                .iter()
                .map(|hit| {
                    let source = hit["source"].as_str().unwrap();
                    source.rsplit(['/', '\\']).next().unwrap().to_string()
                })
                .collect();
        found.sort();
        found
    };
    assert_eq!(sources("author=Ann+Lee"), ["a.md", "b.md"]);
    assert_eq!(sources("outlet=The+Courier"), ["a.md", "c.md"]);
    assert_eq!(sources("outlet=The+Courier&author=Bo+Chen"), ["c.md"]);
    assert_eq!(sources("format=reference"), ["d.txt"]);
    assert!(sources("author=Nobody").is_empty());
    let narrowed = server.json("/api/timeline?q=harbour&author=Ann+Lee");
    assert_eq!(narrowed["queries"][0]["articles"], 2, "{narrowed}");
}
