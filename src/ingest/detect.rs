//! Recognising a file's format from its first bytes, the extension only
//! breaking ties: article folders are full of `.txt` files that are really
//! mail, and of extension-less files.

use std::fmt;
use std::path::Path;

/// The formats dateline reads.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Format {
    /// ` date YYYY-MM-DD` then paragraphs (the reference format).
    #[default]
    Reference,
    /// Markdown, or any text with YAML (`---`) or TOML (`+++`) front matter.
    Markdown,
    /// Plain text without recognisable metadata.
    Text,
    /// A JSON document: one article object, or an array of them.
    Json,
    /// JSON Lines: one article object per line.
    Jsonl,
    /// A mail or Usenet message: headers, a blank line, the body.
    Mail,
    /// An SGML news collection (Reuters-21578 `<REUTERS>` records).
    Sgml,
    /// An HTML page.
    Html,
    /// An RSS (0.9x, 1.0, 2.0) or Atom feed: one article per item.
    Feed,
    /// A mailbox (mboxo or mboxrd): one article per message.
    Mbox,
    /// A web archive (WARC): one article per HTML response record.
    Warc,
    /// A PDF document: its text layer, page by page.
    Pdf,
}

impl Format {
    /// Every format, in a fixed order.
    pub const ALL: [Format; 12] = [
        Format::Reference,
        Format::Markdown,
        Format::Text,
        Format::Json,
        Format::Jsonl,
        Format::Mail,
        Format::Sgml,
        Format::Html,
        Format::Feed,
        Format::Mbox,
        Format::Warc,
        Format::Pdf,
    ];

    /// The stable name stored in the index and shown by `stats`.
    pub fn name(self) -> &'static str {
        match self {
            Format::Reference => "reference",
            Format::Markdown => "markdown",
            Format::Text => "text",
            Format::Json => "json",
            Format::Jsonl => "jsonl",
            Format::Mail => "mail",
            Format::Sgml => "sgml",
            Format::Html => "html",
            Format::Feed => "feed",
            Format::Mbox => "mbox",
            Format::Warc => "warc",
            Format::Pdf => "pdf",
        }
    }

    /// The format with this stable name.
    pub fn from_name(name: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.name() == name)
    }

    /// Whether articles of this format can name an author or an outlet
    /// (front matter, headers, meta tags, record fields); the reference
    /// format and plain text never do.
    pub fn carries_byline(self) -> bool {
        !matches!(self, Format::Reference | Format::Text)
    }

    /// Whether files of this format hold records read one at a time, so
    /// that no size limit applies to them and memory stays flat.
    pub fn is_stream(self) -> bool {
        matches!(
            self,
            Format::Jsonl | Format::Sgml | Format::Mbox | Format::Warc
        )
    }

    /// Whether a passage's location is a page number rather than a line
    /// (`source:page N`).
    pub fn locates_by_page(self) -> bool {
        self == Format::Pdf
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Mail and Usenet headers that mark a header block.
const MAIL_HEADERS: &[&str] = &[
    "from",
    "subject",
    "date",
    "newsgroups",
    "message-id",
    "path",
    "to",
    "received",
];

/// The formats recognised from the first bytes alone, before a file is
/// taken for text: PDF and WARC (whose records may carry binary payloads).
pub fn detect_binary_container(head: &[u8]) -> Option<Format> {
    let head = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(head);
    if head.starts_with(b"%PDF-") {
        Some(Format::Pdf)
    } else if head.starts_with(b"WARC/") {
        Some(Format::Warc)
    } else {
        None
    }
}

/// Detects the format of a file from the start of its (decoded) text and
/// its name. `Err` names a format that is recognised but not supported.
pub fn detect_format(head: &str, name: &Path) -> Result<Format, String> {
    let ext = extension(name);
    let text = head.trim_start_matches('\u{feff}');
    let trimmed = text.trim_start();
    if is_reference(text) {
        return Ok(Format::Reference);
    }
    let first_line = text.lines().next().unwrap_or("").trim_end();
    if first_line == "---" || first_line == "+++" {
        return Ok(Format::Markdown);
    }
    if trimmed.starts_with('<') {
        let lower = trimmed
            .get(..trimmed.len().min(4096))
            .unwrap_or(trimmed)
            .to_ascii_lowercase();
        if matches!(root_element(&lower), Some("rss" | "feed" | "rdf:rdf")) {
            return Ok(Format::Feed);
        }
        if lower.contains("<reuters") {
            return Ok(Format::Sgml);
        }
        if lower.contains("<html")
            || lower.contains("<!doctype html")
            || matches!(ext.as_str(), "html" | "htm" | "xhtml")
        {
            return Ok(Format::Html);
        }
        if lower.starts_with("<?xml") {
            return Err(
                "XML other than RSS/Atom feeds and Reuters-style SGML is not supported".to_string(),
            );
        }
        if lower.contains("<body") || lower.contains("<p>") || lower.contains("<article") {
            return Ok(Format::Html);
        }
    }
    if trimmed.starts_with('[') {
        return Ok(Format::Json);
    }
    if trimmed.starts_with('{') {
        return Ok(json_or_lines(trimmed, &ext));
    }
    if ext == "warc" {
        // A web archive damaged at its start: the reader skips to the
        // first record and reports what it skipped.
        return Ok(Format::Warc);
    }
    if matches!(ext.as_str(), "jsonl" | "ndjson") {
        return Ok(Format::Jsonl);
    }
    if is_mail(text) {
        return Ok(if is_from_line(first_line) {
            Format::Mbox
        } else {
            Format::Mail
        });
    }
    if matches!(ext.as_str(), "html" | "htm") {
        return Ok(Format::Html);
    }
    if matches!(ext.as_str(), "md" | "markdown" | "mdx") || first_line.starts_with("# ") {
        return Ok(Format::Markdown);
    }
    Ok(Format::Text)
}

/// The kind of markup a file holds when it is markup but not an article
/// format: `svg` (a drawing, with or without an XML declaration) or `xml`
/// (an XML document whose root is not one dateline reads). Judged by the
/// first element after any declaration, comments and doctype.
pub fn non_article_markup(head: &str) -> Option<&'static str> {
    let mut rest = head.trim_start_matches('\u{feff}').trim_start();
    let declared_xml = rest.starts_with("<?xml");
    loop {
        if let Some(after) = rest.strip_prefix("<!--") {
            rest = after.split_once("-->")?.1.trim_start();
        } else if rest.starts_with("<?") || rest.starts_with("<!") {
            rest = rest.split_once('>')?.1.trim_start();
        } else {
            break;
        }
    }
    let name: String = rest
        .strip_prefix('<')?
        .chars()
        .take_while(|c| c.is_alphanumeric() || matches!(c, ':' | '-' | '_'))
        .collect::<String>()
        .to_ascii_lowercase();
    if name == "svg" || name.ends_with(":svg") {
        return Some("svg");
    }
    let read = ["html", "reuters", "rss", "feed", "rdf:rdf"];
    (declared_xml && !name.is_empty() && !read.contains(&name.as_str())).then_some("xml")
}

/// Whether plain text is configuration, not prose: every line a comment
/// (`#`), a `key:` or `key: value` line or a list item of one word or one
/// `key: value` (`- sig-leads`), and at least two of them not comments.
/// Repository files without an extension are often so (`OWNERS`, CI and
/// tool settings); a list of sentences (`- Fixed the parser`) is not.
pub fn is_configuration(head: &str) -> bool {
    fn is_key_line(line: &str) -> bool {
        line.split_once(':').is_some_and(|(key, value)| {
            !key.is_empty()
                && key
                    .chars()
                    .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '/'))
                && (value.is_empty() || value.starts_with(' '))
        })
    }
    let mut structure = 0;
    for line in head.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let item = match line.strip_prefix("- ") {
            Some(value) => {
                let value = value.trim();
                !value.contains(char::is_whitespace) || is_key_line(value)
            }
            None => line == "-",
        };
        if !(item || is_key_line(line)) {
            return false;
        }
        structure += 1;
    }
    structure >= 2
}

/// Why the start of a file shows it is not text, if it does: a known
/// binary signature, NUL bytes, or mostly control characters.
pub fn binary_reason(head: &[u8]) -> Option<String> {
    const SIGNATURES: &[(&[u8], &str)] = &[
        (b"%PDF-", "PDF"),
        (b"PK\x03\x04", "ZIP archive (or Office document)"),
        (b"\xff\xd8\xff", "JPEG image"),
        (b"GIF87a", "GIF image"),
        (b"GIF89a", "GIF image"),
        (b"\x89PNG", "PNG image"),
        (b"BZh", "bzip2 archive"),
        (b"\xfd7zXZ", "xz archive"),
        (b"\x7fELF", "executable"),
    ];
    if let Some((_, kind)) = SIGNATURES.iter().find(|(magic, _)| head.starts_with(magic)) {
        return Some(format!("binary file ({kind})"));
    }
    if head.contains(&0) {
        return Some("binary file (contains NUL bytes)".to_string());
    }
    let control = head
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x0c))
        .count();
    // Reuters SGML uses a few control characters as framing; real binary
    // data has them everywhere.
    (control * 10 > head.len()).then(|| "binary file (mostly control characters)".to_string())
}

/// The lower-cased extension, looking through a `.gz` suffix.
pub fn extension(name: &Path) -> String {
    let lower = name.to_string_lossy().to_ascii_lowercase();
    let lower = lower.strip_suffix(".gz").unwrap_or(&lower);
    Path::new(lower)
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_string()
}

fn is_reference(text: &str) -> bool {
    let line = text.lines().next().unwrap_or("");
    let line = line.strip_prefix(' ').unwrap_or(line);
    line.strip_prefix("date ").is_some_and(|rest| {
        let b = rest.as_bytes();
        b.len() >= 10
            && b[4] == b'-'
            && b[7] == b'-'
            && b[..10]
                .iter()
                .enumerate()
                .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
    })
}

/// The name of the first element of an XML or HTML text (lower-cased),
/// past the XML declaration, processing instructions, comments and the
/// document type.
fn root_element(lower: &str) -> Option<&str> {
    let mut rest = lower.trim_start();
    loop {
        if let Some(after) = rest.strip_prefix("<?") {
            rest = after.split_once("?>")?.1.trim_start();
        } else if let Some(after) = rest.strip_prefix("<!--") {
            rest = after.split_once("-->")?.1.trim_start();
        } else if let Some(after) = rest.strip_prefix("<!") {
            rest = after.split_once('>')?.1.trim_start();
        } else {
            let name = rest.strip_prefix('<')?;
            let end = name
                .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
                .unwrap_or(name.len());
            return Some(&name[..end]);
        }
    }
}

/// An mbox separator line: `From ` then the sender and a date (`From
/// ann@example.org Sat Apr 13 12:17:02 2024`); a header line is `From:`.
pub fn is_from_line(line: &str) -> bool {
    line.strip_prefix("From ").is_some_and(|rest| {
        let mut words = rest.split_whitespace();
        words.next().is_some() && words.any(|w| w.bytes().any(|b| b.is_ascii_digit()))
    })
}

/// JSON Lines when the extension says so, or when the first line is a
/// whole object and another object follows on the next line.
fn json_or_lines(text: &str, ext: &str) -> Format {
    match ext {
        "jsonl" | "ndjson" => return Format::Jsonl,
        "json" => return Format::Json,
        _ => {}
    }
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let first = lines.next().unwrap_or("");
    let second_is_object = lines
        .next()
        .is_some_and(|l| l.trim_start().starts_with('{'));
    if second_is_object && serde_json::from_str::<serde_json::Value>(first).is_ok() {
        Format::Jsonl
    } else {
        Format::Json
    }
}

/// A header block: every line up to the first blank one is `Name: value`
/// or a continuation, and one of the names is a mail header.
fn is_mail(text: &str) -> bool {
    let mut known = false;
    let mut lines = 0;
    for line in text.lines() {
        let line = line.trim_end_matches('\r');
        if line.is_empty() {
            return known && lines > 0;
        }
        lines += 1;
        // A continuation line, even first: the 20 Newsgroups "bydate" set
        // removed some headers but left their continuation lines behind.
        if line.starts_with([' ', '\t']) {
            continue;
        }
        if lines == 1 && line.starts_with("From ") {
            continue; // an mbox separator line
        }
        let Some((name, _)) = line.split_once(':') else {
            return false;
        };
        // RFC 5322: any printable ASCII but the colon (`Article-I.D.:` is real).
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_graphic()) {
            return false;
        }
        known |= MAIL_HEADERS.contains(&name.to_ascii_lowercase().as_str());
    }
    // The head may end inside a long header block.
    known && lines > 2
}

#[cfg(test)]
mod tests {
    use super::*;

    fn detect(text: &str, name: &str) -> Result<Format, String> {
        detect_format(text, Path::new(name))
    }

    proptest::proptest! {
        #[test]
        fn detection_never_panics(text in "\\PC{0,200}", name in "[a-z.]{0,12}") {
            let _ = detect(&text, &name);
        }
    }

    #[test]
    fn binary_files_are_recognised_by_signature_or_content() {
        assert_eq!(
            binary_reason(b"%PDF-1.7\n%text-like"),
            Some("binary file (PDF)".into())
        );
        assert_eq!(
            binary_reason(b"\x89PNG\r\n\x1a\n\0\0"),
            Some("binary file (PNG image)".into())
        );
        assert!(binary_reason(b"a\0b").unwrap().contains("NUL"));
        assert!(
            binary_reason(b"\x01\x02\x03\x04abc")
                .unwrap()
                .contains("control")
        );
        assert_eq!(
            binary_reason(b"<REUTERS>\n&#2;\x02 plain text \x03\n"),
            None
        );
        assert_eq!(binary_reason("caf\u{e9} \u{1F600}\n".as_bytes()), None);
    }

    #[test]
    fn drawings_and_other_xml_are_markup_that_is_not_an_article() {
        let svg = "<?xml version=\"1.0\"?>\n<!DOCTYPE svg PUBLIC \"x\">\n<!-- made by hand -->\n<svg width=\"1\">";
        assert_eq!(non_article_markup(svg), Some("svg"));
        assert_eq!(
            non_article_markup("<svg xmlns=\"x\"><g/></svg>"),
            Some("svg")
        );
        assert_eq!(
            non_article_markup("<?xml version=\"1.0\"?><urlset>"),
            Some("xml")
        );
        for article in [
            "<?xml version=\"1.0\"?><!DOCTYPE html><html>",
            "<?xml version=\"1.0\"?><rss>",
            "<p>\n<!--include os.svg -->\n<?xml version=\"1.0\"?><svg>",
            "<!DOCTYPE lewis SYSTEM \"lewis.dtd\">\n<REUTERS>",
            "plain text",
        ] {
            assert_eq!(non_article_markup(article), None, "{article}");
        }
    }

    #[test]
    fn configuration_is_told_from_prose() {
        let owners = "# See the OWNERS docs at https://go.k8s.io/owners\n\n\
                      approvers:\n  - sig-leads\nreviewers:\n  -  sig-leads\nlabels:\n- area/blog\n";
        assert!(is_configuration(owners));
        assert!(is_configuration(
            "options:\n  # no_parent_owners: true\nreviewers:\n"
        ));
        assert!(is_configuration("steps:\n  - name: build\n  - run: make\n"));
        for prose in [
            "To update html files with new SVGs:\n\n\tgo run mkhtml.go *.html\n",
            "Note: the meeting moved.\nIt is on Tuesday now.\n",
            "title: a lone key\n",
            "# A heading only\n",
            "Date: 2024-01-02\n\nPrices rose 3% in January, the agency said.\n",
            "# Changes\n- Fixed the date parser\n- Added feeds\n",
            "---\n---\n",
        ] {
            assert!(!is_configuration(prose), "{prose}");
        }
    }

    #[test]
    fn content_decides_before_the_extension() {
        assert_eq!(
            detect(" date 2024-01-25 Body", "a.md"),
            Ok(Format::Reference)
        );
        assert_eq!(
            detect("---\ntitle: x\n---\nbody", "a.txt"),
            Ok(Format::Markdown)
        );
        assert_eq!(
            detect("+++\ntitle = 'x'\n+++\nbody", "a"),
            Ok(Format::Markdown)
        );
        assert_eq!(
            detect("From: a@b\nSubject: hi\n\nbody", "12345"),
            Ok(Format::Mail)
        );
        assert_eq!(
            detect("From: a@b\nArticle-I.D.: x.1\nSubject: hi\n\nbody", "1"),
            Ok(Format::Mail)
        );
        assert_eq!(
            detect(" uunet!host!user\nSubject: Re: x\nFrom: a@b\n\nbody", "1"),
            Ok(Format::Mail)
        );
        assert_eq!(
            detect(
                "<!DOCTYPE lewis SYSTEM \"lewis.dtd\">\n<REUTERS NEWID=\"1\">",
                "x.sgm"
            ),
            Ok(Format::Sgml)
        );
        assert_eq!(
            detect("<!doctype html><html><title>x</title>", "page"),
            Ok(Format::Html)
        );
        assert_eq!(detect("[{\"title\": 1}]", "a.txt"), Ok(Format::Json));
        assert_eq!(
            detect("{\"a\": 1}\n{\"a\": 2}\n", "data"),
            Ok(Format::Jsonl)
        );
        assert_eq!(detect("{\"a\": 1,\n \"b\": 2}\n", "data"), Ok(Format::Json));
        assert_eq!(detect("{\"a\": 1}", "x.jsonl.gz"), Ok(Format::Jsonl));
        assert_eq!(detect("# Heading\n\ntext", "notes"), Ok(Format::Markdown));
        assert_eq!(
            detect("Just some words.\nMore: words", "a.txt"),
            Ok(Format::Text)
        );
        assert_eq!(
            detect("<?xml version=\"1.0\"?><rss version=\"2.0\">", "feed.xml"),
            Ok(Format::Feed)
        );
        assert_eq!(
            detect(
                "<?xml version=\"1.0\"?>\n<!-- hi -->\n<feed xmlns=\"http://www.w3.org/2005/Atom\">",
                "atom"
            ),
            Ok(Format::Feed)
        );
        assert_eq!(
            detect("<rdf:RDF xmlns=\"http://purl.org/rss/1.0/\">", "x.rdf"),
            Ok(Format::Feed)
        );
        assert!(detect("<?xml version=\"1.0\"?><svg>", "x.svg").is_err());
        assert_eq!(
            detect(
                "From ann@example.org Sat Apr 13 12:17:02 2024\nFrom: Ann\nSubject: s\n\nbody",
                "list"
            ),
            Ok(Format::Mbox)
        );
        assert_eq!(
            detect_binary_container(b"WARC/1.0\r\nWARC-Type: warcinfo\r\n"),
            Some(Format::Warc)
        );
        assert_eq!(detect_binary_container(b"%PDF-1.7\n"), Some(Format::Pdf));
    }
}
