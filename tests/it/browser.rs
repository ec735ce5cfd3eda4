//! The search page in a real browser: headless Chromium driven through
//! WebDriver (chromedriver) with fantoccini. Each test does what a reader
//! would — type a query, set dates, click a timeline bar, open an article,
//! go back — asserts what the page then shows, and saves a screenshot of
//! every step under `target/tmp/screenshots/` to be looked at.
//!
//! The tests need `chromium` and `chromedriver` on the PATH (Debian's
//! `chromium` and `chromium-driver`, which `.ci/run` installs); without
//! them they show as ignored. With `DATELINE_UPDATE_DOCS=1` the news-folder
//! test also refreshes the screenshots in `docs/`.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command as Process, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use libtest_mimic::Trial;
use serde_json::json;

use crate::serve::Server;
use crate::util::{Need, corpus, index_of, project_root, shared_data, trials};

pub fn tests() -> Vec<Trial> {
    trials![
        needs(chromium()) => a_reader_searches_narrows_drills_down_and_reads_an_article,
        needs(chromium()) => the_page_fits_a_phone,
        needs(chromium_and("news-folder")) => the_news_folder_in_a_browser,
    ]
}

/// The names Chromium and Chrome go by on Linux distributions.
const BROWSERS: &[&str] = &[
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
];

/// Chromium (or Chrome) and its WebDriver, as Debian's `chromium` and
/// `chromium-driver` install them; the label says which is missing.
fn chromium() -> Need {
    let browser = BROWSERS.iter().any(|name| on_path(name));
    let driver = on_path("chromedriver");
    let missing = match (browser, driver) {
        (true, true) => "chromium and chromedriver",
        (false, true) => "chromium: no chromium, chromium-browser or google-chrome on PATH",
        (true, false) => "chromedriver: not on PATH",
        (false, false) => "chromium and chromedriver: neither is on PATH",
    };
    Need::new(format!("needs {missing}"), browser && driver)
}

fn chromium_and(data: &str) -> Need {
    let data_need = Need::from(data);
    let browser = chromium();
    Need::new(
        format!("needs chromium, chromedriver and ../shared/data/{data}"),
        browser.is_met() && data_need.is_met(),
    )
}

fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()))
}

/// A chromedriver on a free loopback port, stopped when dropped.
struct Driver {
    child: Child,
    port: u16,
    profile: tempfile::TempDir,
}

impl Driver {
    fn start() -> Driver {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free port");
        let child = Process::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let start = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "chromedriver did not listen"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        Driver {
            child,
            port,
            profile: tempfile::tempdir().unwrap(),
        }
    }

    /// A new headless browser session, `width` × `height`.
    async fn browser(&self, width: u32, height: u32) -> Client {
        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "goog:chromeOptions".to_string(),
            json!({
                "args": [
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-quic",
                    "--no-first-run",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--hide-scrollbars",
                    format!("--user-data-dir={}", self.profile.path().display()),
                    format!("--window-size={width},{height}"),
                ]
            }),
        );
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{}", self.port))
            .await
            .expect("a WebDriver session");
        client
            .set_window_size(width, height)
            .await
            .expect("the window can be sized");
        client
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs a browser test on a fresh single-threaded runtime.
fn block_on<F: std::future::Future<Output = ()>>(test: F) {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime")
        .block_on(test);
}

/// Where a test's screenshots go.
fn screenshots(test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("screenshots")
        .join(test);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

async fn snap(client: &Client, dir: &Path, name: &str) -> PathBuf {
    let png = client.screenshot().await.expect("a screenshot");
    let path = dir.join(format!("{name}.png"));
    std::fs::write(&path, png).unwrap();
    path
}

/// The text of every element matching `css`.
async fn texts(client: &Client, css: &str) -> Vec<String> {
    let mut texts = Vec::new();
    for element in client.find_all(Locator::Css(css)).await.unwrap() {
        texts.push(element.text().await.unwrap());
    }
    texts
}

/// The value of `query`'s parameter `name` in the browser's URL.
async fn url_param(client: &Client, name: &str) -> Option<String> {
    let url = client.current_url().await.unwrap();
    url.query_pairs()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.into_owned())
}

/// Clicks `css` and waits for the next page to load.
async fn click_and_wait(client: &Client, css: &str) {
    let before = current_url(client).await;
    client
        .find(Locator::Css(css))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_loaded(client, &before).await;
}

async fn current_url(client: &Client) -> String {
    client.current_url().await.unwrap().to_string()
}

/// Waits until the browser has left `before` and loaded the next page.
async fn wait_loaded(client: &Client, before: &str) {
    let start = Instant::now();
    loop {
        let now = current_url(client).await;
        let ready = client
            .execute("return document.readyState", vec![])
            .await
            .unwrap();
        if now != before && ready == "complete" {
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "no navigation from {before}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn a_reader_searches_narrows_drills_down_and_reads_an_article() {
    let index = index_of(&[&corpus()]);
    let server = Server::start(index.path(), &[]);
    let driver = Driver::start();
    let dir = screenshots("reader");
    block_on(async {
        let client = driver.browser(1280, 1000).await;
        reader_steps(&client, &server, &dir, "oil", ("1987-03", "1987-06")).await;
        client.close().await.unwrap();
    });
}

/// The steps a reader takes, with assertions and a screenshot each.
async fn reader_steps(
    client: &Client,
    server: &Server,
    dir: &Path,
    query: &str,
    (since, until): (&str, &str),
) {
    let home = format!("http://{}/", server.addr);
    client.goto(&home).await.unwrap();
    snap(client, dir, "1-home").await;

    // `/` focuses the search box (the script runs under the CSP).
    client
        .find(Locator::Css("body"))
        .await
        .unwrap()
        .send_keys("/")
        .await
        .unwrap();
    let focused = client
        .execute("return document.activeElement.id", vec![])
        .await
        .unwrap();
    assert_eq!(focused, "q", "/ focuses the search box");

    let before = current_url(client).await;
    let box_ = client.find(Locator::Css("#q")).await.unwrap();
    box_.send_keys(&format!("{query}\u{e007}")).await.unwrap();
    wait_loaded(client, &before).await;
    let marks = texts(client, ".hit .passage mark").await;
    assert!(!marks.is_empty(), "the matches are highlighted");
    assert!(
        marks
            .iter()
            .all(|m| m.to_lowercase().starts_with(&query[..query.len().min(3)])),
        "{marks:?}"
    );
    assert!(client.find(Locator::Css(".timeline svg")).await.is_ok());
    snap(client, dir, "2-results").await;

    // Only what was chosen is in the URL.
    let url = current_url(client).await;
    assert!(url.ends_with(&format!("/?q={query}")), "{url}");

    // Dates: open the options (closed while all are defaults), type a
    // range, search.
    let options = client.find(Locator::Css("details.options")).await.unwrap();
    assert_eq!(options.attr("open").await.unwrap(), None);
    client
        .find(Locator::Css("details.options summary"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    for (name, value) in [("since", since), ("until", until)] {
        let field = client
            .find(Locator::Css(&format!("input[name={name}]")))
            .await
            .unwrap();
        field.clear().await.unwrap();
        field.send_keys(value).await.unwrap();
    }
    snap(client, dir, "3-dates-typed").await;
    click_and_wait(client, "form.search button[type=submit]").await;
    let dates = texts(client, ".hit time").await;
    assert!(!dates.is_empty(), "results in the range");
    let last_day = format!("{until}-99");
    assert!(
        dates
            .iter()
            .all(|d| d.as_str() >= since && d.as_str() <= last_day.as_str()),
        "{dates:?} within {since}..{until}"
    );
    snap(client, dir, "4-date-range").await;

    // Drill down: the tallest bar narrows the dates to its period.
    let bars = client
        .find_all(Locator::Css(".timeline svg a"))
        .await
        .unwrap();
    let mut best = None;
    for bar in bars {
        if let Ok(rect) = bar.find(Locator::Css("rect.bar")).await {
            let height: f64 = rect
                .attr("height")
                .await
                .unwrap()
                .and_then(|h| h.parse().ok())
                .unwrap_or(0.0);
            if best.as_ref().is_none_or(|(h, _)| height > *h) {
                best = Some((height, bar));
            }
        }
    }
    let (_, bar) = best.expect("a bar with matches");
    let before = current_url(client).await;
    bar.click().await.unwrap();
    wait_loaded(client, &before).await;
    let drill_since = url_param(client, "since")
        .await
        .expect("since set by the bar");
    let drill_until = url_param(client, "until")
        .await
        .expect("until set by the bar");
    let dates = texts(client, ".hit time").await;
    assert!(!dates.is_empty());
    assert!(
        dates
            .iter()
            .all(|d| d.as_str() >= drill_since.as_str() && &d[..10] <= drill_until.as_str()),
        "{dates:?} within {drill_since}..{drill_until}"
    );
    snap(client, dir, "5-drill-down").await;
    let drilled = current_url(client).await;

    // The article view: the hit passage marked and scrolled into view.
    click_and_wait(client, ".hit a.title").await;
    let hit = client
        .find(Locator::Css(".text p.hit"))
        .await
        .expect("the hit passage is marked");
    assert!(
        hit.find(Locator::Css("mark")).await.is_ok(),
        "with its matches"
    );
    let in_view = client
        .execute(
            "const r = document.querySelector('.text p.hit').getBoundingClientRect(); return r.top >= 0 && r.top < window.innerHeight;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(in_view, true, "the hit passage is scrolled to");
    snap(client, dir, "6-article").await;

    // Back to the drilled-down results.
    client.back().await.unwrap();
    let start = Instant::now();
    while current_url(client).await != drilled {
        assert!(start.elapsed() < Duration::from_secs(20), "back goes back");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(!texts(client, ".hit time").await.is_empty());
    snap(client, dir, "7-back").await;
}

fn the_page_fits_a_phone() {
    let index = index_of(&[&corpus()]);
    let server = Server::start(index.path(), &[]);
    let driver = Driver::start();
    let dir = screenshots("phone");
    block_on(async {
        let client = driver.browser(390, 844).await;
        client
            .goto(&format!("http://{}/?q=oil&vs=cocoa", server.addr))
            .await
            .unwrap();
        let overflow = client
            .execute(
                "return document.documentElement.scrollWidth <= window.innerWidth + 1",
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(overflow, true, "no sideways scrolling on a phone");
        snap(&client, &dir, "1-results").await;
        client.close().await.unwrap();
    });
}

fn the_news_folder_in_a_browser() {
    // The canonical path, as a reader's own folder would read.
    let folder = shared_data("news-folder").canonicalize().unwrap();
    let index = index_of(&[&folder]);
    let server = Server::start(index.path(), &[]);
    let driver = Driver::start();
    let dir = screenshots("news-folder");
    block_on(async {
        let client = driver.browser(1280, 1000).await;
        reader_steps(&client, &server, &dir, "cocoa", ("1987-03", "1987-04")).await;
        // The page of the README: a query compared with another.
        client
            .goto(&format!("http://{}/?q=cocoa&vs=coffee", server.addr))
            .await
            .unwrap();
        let search = snap(&client, &dir, "8-compare").await;
        click_and_wait(&client, ".hit a.title").await;
        let article = snap(&client, &dir, "9-article").await;
        client.close().await.unwrap();
        if std::env::var_os("DATELINE_UPDATE_DOCS").is_some() {
            let docs = project_root().join("docs");
            std::fs::copy(search, docs.join("serve-search.png")).unwrap();
            std::fs::copy(article, docs.join("serve-article.png")).unwrap();
        }
    });
}
