//! Containers dated articles arrive in: feeds (RSS 2.0, Atom, RDF), mail
//! (MIME messages and mailboxes), web archives (WARC) and PDF. Each test
//! builds a real-shaped file and reads it back through the binary: titles,
//! dates and their sources, bodies, passages and where they point.

use std::io::Write;
use std::path::Path;

use libtest_mimic::Trial;
use serde_json::Value;

use crate::util::{
    dateline, folder_with, index_verbose, json_run, search_json, shared_data, stats_json, trials,
};

/// This module's tests, for the harness.
pub fn tests() -> Vec<Trial> {
    trials![
        needs("real-world/mbox") => the_go_blog_mailbox_is_120_dated_messages,
        feeds_give_one_article_per_item,
        a_multipart_mail_reads_its_plain_text_and_names_attachments,
        a_warc_indexes_its_html_responses_and_counts_the_rest,
        a_pdf_is_read_page_by_page_and_a_scan_is_reported,
        a_feed_saved_again_ends_with_the_union_of_its_items,
        a_mailbox_that_grows_adds_only_its_new_messages,
        a_reply_quoting_its_parent_is_a_separate_hit,
    ]
}

/// Runs `dateline index --verbose`, returning stderr; asserts success.
fn index(paths: &[&Path], index: &Path) -> String {
    index_verbose(paths, index, &[])
}

/// The only hit of a search, asserting there is exactly one.
fn only_hit(index: &Path, args: &[&str]) -> Value {
    let found = search_json(index, args);
    let results = found["results"].as_array().unwrap();
    assert_eq!(results.len(), 1, "{args:?}: {found:#}");
    results[0].clone()
}

fn hit_count(index: &Path, args: &[&str]) -> usize {
    search_json(index, args)["results"]
        .as_array()
        .unwrap()
        .len()
}

fn the_go_blog_mailbox_is_120_dated_messages() {
    let mbox = shared_data("real-world/mbox/go-blog-patches.mbox");
    let dir = tempfile::tempdir().unwrap();
    let idx = dir.path().join("idx");
    let stderr = index(&[&mbox], &idx);
    assert!(stderr.contains("; 120 articles ("), "{stderr}");
    let stats = stats_json(&idx);
    assert_eq!(stats["articles"], 120);
    assert_eq!(stats["dated"], 120);
    assert_eq!(stats["by_format"], serde_json::json!({"mbox": 120}));
    assert_eq!(
        stats["by_year"],
        serde_json::json!({"2024": 48, "2025": 52, "2026": 20})
    );
    // Each message its own date, subject and author.
    let hit = only_hit(
        &idx,
        &["\"Markdown files are no longer treated as Go templates\""],
    );
    assert_eq!(hit["date"], "2026-01-01T14:57:42+09:00");
    assert_eq!(hit["date_utc"], "2026-01-01T05:57:42Z");
    assert_eq!(hit["date_text"], "Thu, 1 Jan 2026 14:57:42 +0900");
    assert_eq!(hit["date_source"], "header");
    assert_eq!(
        hit["title"],
        "[PATCH 102/120] internal/web: do not treat Markdown files as templates by default"
    );
    assert_eq!(hit["author"], "Ryo Sakuma <ryo.sakuma.public@gmail.com>");
    assert_eq!(hit["format"], "mbox");
    assert_eq!(hit["record_line"], 27638);
    assert_eq!(hit["line"], 27644);
    assert_eq!(hit["record_id"], "fd82e1351b3c513e750e028ae21710366483b184");
    // Only 2026's mails after --since 2026.
    let found = search_json(&idx, &["blog", "--since", "2026", "--limit", "200"]);
    let results = found["results"].as_array().unwrap();
    assert!(!results.is_empty());
    for hit in results {
        assert!(hit["date"].as_str().unwrap().starts_with("2026-"), "{hit}");
    }
    let (_, all_2026, _) = json_run(
        dateline()
            .args(["timeline", "blog", "--since", "2026", "--by", "year"])
            .arg("--index")
            .arg(&idx),
    );
    assert!(all_2026.to_string().contains("2026"), "{all_2026}");
}

const RSS: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel>
<title>The Daily</title>
<link>https://daily.example/</link>
<item>
<title>Rates rise</title>
<link>https://daily.example/rates</link>
<guid>https://daily.example/rates</guid>
<dc:creator>Ann Lee</dc:creator>
<pubDate>Thu, 25 Jan 2024 10:00:00 +0000</pubDate>
<description>Short summary only.</description>
<content:encoded><![CDATA[<p>The central bank raised
interest rates on Thursday.</p>
<p>Markets <b>fell</b> sharply after the announcement.</p>]]></content:encoded>
</item>
</channel>
</rss>
"#;

const ATOM: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Go Blog</title>
  <id>tag:blog.example,2024:feed</id>
  <entry>
    <title>Range over functions</title>
    <id>tag:blog.example,2024:range</id>
    <link rel="alternate" href="https://blog.example/range"/>
    <updated>2024-08-21T00:00:00Z</updated>
    <published>2024-08-20T12:00:00+02:00</published>
    <author><name>Ian</name></author>
    <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Iterators arrive with range over function types.</p></div></content>
  </entry>
</feed>
"#;

const RDF: &str = r#"<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="https://news.example/">
<title>News</title>
<link>https://news.example/</link>
</channel>
<item rdf:about="https://news.example/storm">
<title>Storm hits coast</title>
<link>https://news.example/storm</link>
<description>A storm flooded the harbour overnight.</description>
<dc:date>2003-12-13T18:30:02Z</dc:date>
</item>
</rdf:RDF>
"#;

fn feeds_give_one_article_per_item() {
    let folder = folder_with(&[("rss.xml", RSS), ("atom.xml", ATOM), ("news.rdf", RDF)]);
    let dir = tempfile::tempdir().unwrap();
    let idx = dir.path().join("idx");
    index(&[folder.path()], &idx);
    assert_eq!(
        stats_json(&idx)["by_format"],
        serde_json::json!({"feed": 3})
    );

    let rss = only_hit(&idx, &["\"interest rates on Thursday\""]);
    assert_eq!(rss["title"], "Rates rise");
    assert_eq!(rss["date"], "2024-01-25T10:00:00Z");
    assert_eq!(rss["date_source"], "pub-date");
    assert_eq!(rss["url"], "https://daily.example/rates");
    assert_eq!(rss["author"], "Ann Lee");
    assert_eq!(rss["outlet"], "The Daily");
    assert_eq!(rss["format"], "feed");
    assert_eq!(
        rss["passage"],
        "The central bank raised interest rates on Thursday."
    );
    assert_eq!(rss["line"], 13);
    assert_eq!(rss["record_line"], 6);
    // The full content, not the summary, is the body.
    assert_eq!(hit_count(&idx, &["\"Short summary only\""]), 0);

    let atom = only_hit(&idx, &["iterators"]);
    assert_eq!(atom["title"], "Range over functions");
    assert_eq!(atom["date"], "2024-08-20T12:00:00+02:00");
    assert_eq!(atom["date_utc"], "2024-08-20T10:00:00Z");
    assert_eq!(atom["date_source"], "published");
    assert_eq!(
        atom["passage"],
        "Iterators arrive with range over function types."
    );
    assert_eq!(atom["record_id"], "tag:blog.example,2024:range");

    let rdf = only_hit(&idx, &["harbour"]);
    assert_eq!(rdf["title"], "Storm hits coast");
    assert_eq!(rdf["date"], "2003-12-13T18:30:02Z");
    assert_eq!(rdf["date_source"], "dc-date");
    assert_eq!(rdf["line"], 10);
}

const MAIL: &str = "Message-ID: <b@example.org>\r\n\
In-Reply-To: <a@example.org>\r\n\
References: <root@example.org> <a@example.org>\r\n\
From: =?UTF-8?Q?Andr=C3=A9_M=C3=BCller?= <andre@example.org>\r\n\
Subject: =?UTF-8?Q?Caf=C3=A9_prices?= rise\r\n\
Date: Thu, 25 Jan 2024 10:00:00 +0100\r\n\
MIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=\"outer\"\r\n\
\r\n\
--outer\r\n\
Content-Type: multipart/alternative; boundary=\"alt\"\r\n\
\r\n\
--alt\r\n\
Content-Type: text/plain; charset=utf-8\r\n\
Content-Transfer-Encoding: quoted-printable\r\n\
\r\n\
Caf=C3=A9 prices rose again in Z=C3=BCrich this week, a long line that is =\r\n\
softly broken.\r\n\
\r\n\
Roasters blame the harvest.\r\n\
--alt\r\n\
Content-Type: text/html; charset=utf-8\r\n\
\r\n\
<p>The HTML alternative is not read twice.</p>\r\n\
--alt--\r\n\
--outer\r\n\
Content-Type: application/pdf; name=\"report.pdf\"\r\n\
Content-Disposition: attachment; filename=\"report.pdf\"\r\n\
Content-Transfer-Encoding: base64\r\n\
\r\n\
JVBERi0xLjQK\r\n\
--outer--\r\n";

fn a_multipart_mail_reads_its_plain_text_and_names_attachments() {
    let folder = folder_with(&[("message.eml", MAIL)]);
    let dir = tempfile::tempdir().unwrap();
    let idx = dir.path().join("idx");
    index(&[folder.path()], &idx);
    let hit = only_hit(&idx, &["zürich"]);
    assert_eq!(hit["title"], "Café prices rise");
    assert_eq!(hit["author"], "André Müller <andre@example.org>");
    assert_eq!(hit["date"], "2024-01-25T10:00:00+01:00");
    assert_eq!(hit["date_utc"], "2024-01-25T09:00:00Z");
    assert_eq!(hit["date_source"], "header");
    assert_eq!(hit["format"], "mail");
    assert_eq!(
        hit["passage"],
        "Café prices rose again in Zürich this week, a long line that is softly broken."
    );
    assert_eq!(hit["line"], 17);
    assert_eq!(hit["record_id"], "b@example.org");
    assert_eq!(hit["thread"], "root@example.org");
    assert_eq!(hit["attachments"], serde_json::json!(["report.pdf"]));
    assert_eq!(only_hit(&idx, &["roasters"])["line"], 20);
    assert_eq!(hit_count(&idx, &["alternative"]), 0);
}

/// A WARC record, as one gzip member when `gzip`.
fn warc_record(kind: &str, fields: &str, block: &[u8], gzip: bool) -> Vec<u8> {
    let mut record = format!(
        "WARC/1.0\r\nWARC-Type: {kind}\r\nWARC-Date: 2024-03-01T08:00:00Z\r\nWARC-Record-ID: <urn:uuid:{kind}-{}>\r\n{fields}Content-Length: {}\r\n\r\n",
        block.len(),
        block.len()
    )
    .into_bytes();
    record.extend_from_slice(block);
    record.extend_from_slice(b"\r\n\r\n");
    if !gzip {
        return record;
    }
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&record).unwrap();
    gz.finish().unwrap()
}

fn http_response(content_type: &str, body: &str) -> Vec<u8> {
    format!("HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\n\r\n{body}").into_bytes()
}

fn a_warc_indexes_its_html_responses_and_counts_the_rest() {
    let dated = "<html><head><title>Election results</title>\n<meta property=\"article:published_time\" content=\"2024-02-28T18:00:00Z\">\n</head><body>\n<p>Turnout reached a record high.</p>\n</body></html>";
    let undated = "<html><head><title>Weather</title></head><body>\n<article>\n<p>Fog lingers over the valley.</p>\n</article></body></html>";
    let target = |url: &str| format!("WARC-Target-URI: {url}\r\n");
    let request = b"GET / HTTP/1.1\r\nHost: news.example\r\n\r\n";
    let mut bytes = Vec::new();
    // One gzip member per record, as crawlers write them.
    let gzip = true;
    bytes.extend(warc_record("warcinfo", "", b"software: test\r\n", gzip));
    bytes.extend(warc_record(
        "request",
        &(target("https://news.example/vote")
            + "Content-Type: application/http; msgtype=request\r\n"),
        request,
        gzip,
    ));
    bytes.extend(warc_record(
        "response",
        &(target("https://news.example/vote")
            + "Content-Type: application/http; msgtype=response\r\n"),
        &http_response("text/html; charset=utf-8", dated),
        gzip,
    ));
    bytes.extend(warc_record(
        "metadata",
        &(target("https://news.example/vote") + "Content-Type: application/warc-fields\r\n"),
        b"fetchTimeMs: 12\r\n",
        gzip,
    ));
    bytes.extend(warc_record(
        "response",
        &(target("https://news.example/logo.png")
            + "Content-Type: application/http; msgtype=response\r\n"),
        &http_response("image/png", "\u{1}PNG"),
        gzip,
    ));
    bytes.extend(warc_record(
        "response",
        &(target("https://news.example/weather")
            + "Content-Type: application/http; msgtype=response\r\n"),
        &http_response("text/html", undated),
        gzip,
    ));
    let dir = tempfile::tempdir().unwrap();
    let warc = dir.path().join("crawl.warc.gz");
    std::fs::write(&warc, &bytes).unwrap();
    let idx = dir.path().join("idx");
    let stderr = index(&[&warc], &idx);
    assert!(stderr.contains("; 2 articles ("), "{stderr}");
    assert!(
        stderr.contains("left out: 1 metadata records, 1 request records, 1 responses that are not HTML, 1 warcinfo records"),
        "{stderr}"
    );
    assert_eq!(
        stats_json(&idx)["by_format"],
        serde_json::json!({"warc": 2})
    );

    let vote = only_hit(&idx, &["turnout"]);
    assert_eq!(vote["title"], "Election results");
    assert_eq!(vote["url"], "https://news.example/vote");
    assert_eq!(vote["date"], "2024-02-28T18:00:00Z");
    assert_eq!(vote["date_source"], "meta-tag");
    assert_eq!(vote["format"], "warc");
    assert!(
        vote["record_id"]
            .as_str()
            .unwrap()
            .starts_with("urn:uuid:response-")
    );
    let record_line = vote["record_line"].as_u64().unwrap();
    assert!(record_line > 1, "{vote}");
    // The passage's line is in the record, after its WARC and HTTP headers.
    assert_eq!(vote["line"].as_u64().unwrap(), record_line + 14);

    let weather = only_hit(&idx, &["fog"]);
    assert_eq!(weather["date"], "2024-03-01T08:00:00Z");
    assert_eq!(weather["date_source"], "warc-date");
    assert_eq!(weather["date_text"], "2024-03-01T08:00:00Z");

    // Damage between records is skipped and counted; the rest is indexed.
    let mut damaged = b"not a record\r\n".to_vec();
    damaged.extend(warc_record(
        "response",
        &(target("https://news.example/quake")
            + "Content-Type: application/http; msgtype=response\r\n"),
        &http_response("text/html", "<p>A small quake shook the town.</p>"),
        false,
    ));
    let damaged_path = dir.path().join("damaged.warc");
    std::fs::write(&damaged_path, damaged).unwrap();
    let stderr = index(&[&damaged_path], &dir.path().join("idx2"));
    assert!(stderr.contains("; 1 article ("), "{stderr}");
    assert!(
        stderr.contains("damaged.warc: 1 damaged record(s) skipped"),
        "{stderr}"
    );
}

/// A PDF whose pages hold `pages` (one line each), with document
/// information when `info`.
fn pdf(pages: &[&str], info: bool) -> Vec<u8> {
    use lopdf::content::{Content, Operation};
    use lopdf::{Document, Object, Stream, dictionary};
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let font_id = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
    });
    let resources_id = doc.add_object(dictionary! { "Font" => dictionary! { "F1" => font_id } });
    let mut kids = Vec::new();
    for text in pages {
        let mut operations = Vec::new();
        if !text.is_empty() {
            operations = vec![
                Operation::new("BT", vec![]),
                Operation::new("Tf", vec!["F1".into(), 12.into()]),
                Operation::new("Td", vec![72.into(), 720.into()]),
                Operation::new("Tj", vec![Object::string_literal(*text)]),
                Operation::new("ET", vec![]),
            ];
        }
        let content = Content { operations };
        let content_id = doc.add_object(Stream::new(dictionary! {}, content.encode().unwrap()));
        let page_id = doc.add_object(dictionary! {
            "Type" => "Page", "Parent" => pages_id, "Contents" => content_id,
        });
        kids.push(Object::Reference(page_id));
    }
    let count = kids.len() as i64;
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages", "Kids" => kids, "Count" => count,
            "Resources" => resources_id, "MediaBox" => vec![0.into(), 0.into(), 612.into(), 792.into()],
        }),
    );
    let catalog_id = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog_id);
    if info {
        let info_id = doc.add_object(dictionary! {
            "Title" => Object::string_literal("Annual report 2023"),
            "Author" => Object::string_literal("Finance Office"),
            "CreationDate" => Object::string_literal("D:20240125103000+01'00'"),
        });
        doc.trailer.set("Info", info_id);
    }
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes).unwrap();
    bytes
}

fn a_pdf_is_read_page_by_page_and_a_scan_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("docs");
    std::fs::create_dir(&folder).unwrap();
    std::fs::write(
        folder.join("report.pdf"),
        pdf(
            &[
                "Revenue grew by a tenth over the year.",
                "Costs fell thanks to cheaper shipping.",
            ],
            true,
        ),
    )
    .unwrap();
    std::fs::write(folder.join("2023-05-02-scan.pdf"), pdf(&[""], false)).unwrap();
    std::fs::write(folder.join("broken.pdf"), b"%PDF-1.4\nnot a pdf at all").unwrap();
    let idx = dir.path().join("idx");
    let stderr = index(&[&folder], &idx);
    assert!(stderr.contains("; 1 article ("), "{stderr}");
    assert!(
        stderr.contains("2023-05-02-scan.pdf: no text: the PDF has no text layer"),
        "{stderr}"
    );
    assert!(stderr.contains("broken.pdf: damaged PDF"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");

    let hit = only_hit(&idx, &["shipping"]);
    assert_eq!(hit["title"], "Annual report 2023");
    assert_eq!(hit["author"], "Finance Office");
    assert_eq!(hit["date"], "2024-01-25T10:30:00+01:00");
    assert_eq!(hit["date_utc"], "2024-01-25T09:30:00Z");
    assert_eq!(hit["date_source"], "pdf-info");
    assert_eq!(hit["date_text"], "D:20240125103000+01'00'");
    assert_eq!(hit["format"], "pdf");
    assert_eq!(hit["page"], 2);
    assert!(hit.get("line").is_none(), "{hit}");
    assert!(
        hit["passage"]
            .as_str()
            .unwrap()
            .contains("Costs fell thanks to cheaper shipping."),
        "{hit}"
    );
    assert_eq!(only_hit(&idx, &["revenue"])["page"], 1);
    let output = dateline()
        .args(["search", "revenue", "--color", "never", "--index"])
        .arg(&idx)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("report.pdf:page 1"), "{text}");
}

/// An RSS feed of `(guid, title, body)` items.
fn feed(items: &[(&str, &str, &str)]) -> String {
    let mut text = String::from(
        "<?xml version=\"1.0\"?>\n<rss version=\"2.0\"><channel><title>Wire</title><link>https://wire.example/</link>\n",
    );
    for (guid, title, body) in items {
        text.push_str(&format!(
            "<item><guid>https://wire.example/{guid}</guid><title>{title}</title><pubDate>Mon, 01 Jan 2024 10:00:00 +0000</pubDate><description>{body}</description></item>\n"
        ));
    }
    text.push_str("</channel></rss>\n");
    text
}

fn a_feed_saved_again_ends_with_the_union_of_its_items() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("feeds");
    std::fs::create_dir(&folder).unwrap();
    let first = [
        ("a", "Alpha", "Alpha story about lighthouses on the coast."),
        ("b", "Beta", "Beta story about orchards in early spring."),
        ("c", "Gamma", "Gamma story about glaciers retreating fast."),
    ];
    std::fs::write(folder.join("2024-01-01.xml"), feed(&first)).unwrap();
    let idx = dir.path().join("idx");
    let stderr = index(&[&folder], &idx);
    assert!(stderr.contains("; 3 articles ("), "{stderr}");
    // Saved again a day later: Beta changed, Delta and Epsilon are new.
    let second = [
        ("e", "Epsilon", "Epsilon story about volcanoes waking up."),
        ("d", "Delta", "Delta story about rivers changing course."),
        (
            "b",
            "Beta",
            "Beta story about orchards blooming late this year.",
        ),
        ("c", "Gamma", "Gamma story about glaciers retreating fast."),
    ];
    std::thread::sleep(std::time::Duration::from_millis(20));
    std::fs::write(folder.join("2024-01-02.xml"), feed(&second)).unwrap();
    let stderr = index(&[&folder], &idx);
    assert!(stderr.contains("; 3 articles ("), "{stderr}");
    assert_eq!(stats_json(&idx)["articles"], 5, "{stderr}");
    for word in ["lighthouses", "volcanoes", "rivers", "glaciers"] {
        assert_eq!(hit_count(&idx, &[word]), 1, "{word}");
    }
    let beta = only_hit(&idx, &["orchards"]);
    assert_eq!(
        beta["passage"],
        "Beta story about orchards blooming late this year."
    );
    assert!(beta["source"].as_str().unwrap().ends_with("2024-01-02.xml"));
    assert_eq!(hit_count(&idx, &["spring"]), 0);
    // A rebuild reaches the same union.
    let rebuilt = dir.path().join("rebuilt");
    index(&[&folder], &rebuilt);
    assert_eq!(stats_json(&rebuilt)["articles"], 5);
    assert_eq!(hit_count(&rebuilt, &["spring"]), 0);
    // The feed gaining an item (above the others, as feeds do) adds that
    // item only.
    let mut grown = second.to_vec();
    grown.insert(0, ("z", "Zeta", "Zeta story about deserts in bloom."));
    std::fs::write(folder.join("2024-01-02.xml"), feed(&grown)).unwrap();
    let stderr = index(&[&folder], &idx);
    assert!(stderr.contains("; 1 article ("), "{stderr}");
    assert!(
        stderr.contains("3 articles of changed files already indexed as they are: kept"),
        "{stderr}"
    );
    assert_eq!(stats_json(&idx)["articles"], 6);
    assert_eq!(hit_count(&idx, &["spring"]), 0);
    // When the newer feed goes, the older one's versions of its items
    // come back: the index holds what a rebuild of what is left holds.
    std::fs::remove_file(folder.join("2024-01-02.xml")).unwrap();
    let stderr = index(&[&folder], &idx);
    assert_eq!(stats_json(&idx)["articles"], 3, "{stderr}");
    assert_eq!(hit_count(&idx, &["spring"]), 1);
    assert_eq!(hit_count(&idx, &["glaciers"]), 1);
    assert_eq!(hit_count(&idx, &["volcanoes"]), 0);
}

/// A mailbox message.
fn message(n: usize, extra_headers: &str, body: &str) -> String {
    format!(
        "From sender{n}@example.org Mon Jan  {n} 10:00:00 2024\nFrom: Sender {n} <sender{n}@example.org>\nMessage-ID: <m{n}@example.org>\n{extra_headers}Subject: Message {n}\nDate: {n} Jan 2024 10:00:00 +0000\n\n{body}\n\n"
    )
}

fn a_mailbox_that_grows_adds_only_its_new_messages() {
    let dir = tempfile::tempdir().unwrap();
    let mbox = dir.path().join("list.mbox");
    let bodies = [
        "First message about the harbour renovation budget.",
        "Second message about the library opening hours.\n>From the minutes: unchanged.",
        "Third message about the new cycling lanes downtown.",
        "Fourth message about the school lunch menu.",
        "Fifth message about the summer festival schedule.",
    ];
    let text: String = (1..=3).map(|n| message(n, "", bodies[n - 1])).collect();
    std::fs::write(&mbox, &text).unwrap();
    let idx = dir.path().join("idx");
    let stderr = index(&[&mbox], &idx);
    assert!(stderr.contains("; 3 articles ("), "{stderr}");
    let hit = only_hit(&idx, &["minutes"]);
    assert_eq!(
        hit["passage"],
        "Second message about the library opening hours.\nFrom the minutes: unchanged."
    );
    assert_eq!(hit["record_line"], 9);
    assert_eq!(hit["line"], 15);
    let grown: String = (1..=5).map(|n| message(n, "", bodies[n - 1])).collect();
    std::fs::write(&mbox, &grown).unwrap();
    let stderr = index(&[&mbox], &idx);
    assert!(stderr.contains("; 2 articles ("), "{stderr}");
    assert!(
        stderr.contains("3 articles of changed files already indexed as they are: kept"),
        "{stderr}"
    );
    assert_eq!(stats_json(&idx)["articles"], 5);
    assert_eq!(
        only_hit(&idx, &["festival"])["date"],
        "2024-01-05T10:00:00Z"
    );
}

fn a_reply_quoting_its_parent_is_a_separate_hit() {
    let parent_body = "The council approved the harbour renovation plan on Monday evening after a long debate. \
The budget covers new piers, a sea wall and a ferry terminal, and work starts in spring. \
Residents raised concerns about noise during construction and about parking near the quay, \
and the mayor promised a public meeting every quarter until the works are finished. \
The harbour master said the ferry timetable would change twice while the terminal is rebuilt. \
Shop owners on the quay asked for compensation, which the council will consider in June. \
An engineering firm from the capital won the contract with the lowest of five bids";
    let quoted: String = parent_body
        .split(". ")
        .map(|sentence| format!("> {sentence}.\n"))
        .collect();
    let reply_body = format!(
        "Thanks for the summary, I will attend the first public meeting and report back here.\n\nOn Mon, 1 Jan 2024, Sender 1 wrote:\n{quoted}"
    );
    let text = message(1, "", parent_body)
        + &message(
            2,
            "In-Reply-To: <m1@example.org>\nReferences: <m1@example.org>\n",
            &reply_body,
        );
    let folder = folder_with(&[("list.mbox", text.as_str())]);
    let dir = tempfile::tempdir().unwrap();
    let idx = dir.path().join("idx");
    let stderr = index(&[folder.path()], &idx);
    assert!(stderr.contains("0 stories with near-copies"), "{stderr}");
    let found = search_json(&idx, &["harbour renovation plan"]);
    let results = found["results"].as_array().unwrap();
    assert_eq!(results.len(), 2, "{found:#}");
    for hit in results {
        assert!(hit.get("also_in").is_none(), "{hit}");
        assert_eq!(hit["thread"], "m1@example.org");
    }
}
