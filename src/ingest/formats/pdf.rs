//! PDF documents: the text layer, page by page (pdf-extract on lopdf).
//!
//! A passage's `line` is its page number, so a hit reads `source:page N`.
//! The title, author and date come from the document information
//! dictionary (`Title`, `Author`, `CreationDate`), else the XMP metadata
//! (`dc:title`, `dc:creator`, `xmp:CreateDate`); without a date the
//! article falls back to the file name and folders like any other.
//!
//! A PDF with no text layer (a scan) is reported as having no text, not
//! indexed as an empty article; an encrypted one that needs a password is
//! reported. The extractor panics on some damaged files, so it runs on a
//! thread of its own, each page caught separately: a bad page is skipped
//! and counted, a bad file skipped with a reason, and the run goes on.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::OnceLock;

use lopdf::{Dictionary, Document, Object};

use crate::ingest::dates::{DateSource, parse_date_text};
use crate::ingest::isolate::isolated;
use crate::ingest::{Article, PassageSplitter};

/// The name of the threads PDF text is extracted on.
const PDF_THREAD: &str = "dateline-pdf";

/// The threads PDF text is extracted on: a pool of their own, because
/// lopdf parallelises with rayon, and work it handed to the global pool
/// from a PDF read on that pool's threads could wait forever on them.
fn pdf_pool() -> Option<&'static rayon::ThreadPool> {
    static POOL: OnceLock<Option<rayon::ThreadPool>> = OnceLock::new();
    POOL.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .thread_name(|_| PDF_THREAD.to_string())
            .build()
            .ok()
    })
    .as_ref()
}

/// Parses a PDF's bytes into its article.
pub fn parse_pdf(bytes: &[u8], notes: &mut Vec<String>) -> Result<Article, String> {
    let pool = pdf_pool().ok_or("cannot start the PDF reader")?;
    // Isolated, so the extractor's panics on damaged files are caught
    // without being reported as bugs.
    let extracted = pool
        .install(|| isolated(|| extract(bytes)))
        .map_err(|_| "damaged PDF: its text could not be read".to_string())?;
    let Extracted {
        mut article,
        bad_pages,
        note,
    } = extracted?;
    notes.extend(note);
    if bad_pages > 0 {
        notes.push(format!("{bad_pages} damaged page(s) skipped"));
    }
    if article.passages.is_empty() {
        return Err("no text: the PDF has no text layer (a scan?)".to_string());
    }
    article.passages.shrink_to_fit();
    Ok(article)
}

struct Extracted {
    article: Article,
    bad_pages: usize,
    note: Option<String>,
}

fn extract(bytes: &[u8]) -> Result<Extracted, String> {
    let mut document =
        Document::load_mem(bytes).map_err(|e| format!("damaged PDF: cannot read it ({e})"))?;
    let mut note = None;
    if document.is_encrypted() {
        document.decrypt("").map_err(|_| {
            "encrypted PDF: its text cannot be read without the password".to_string()
        })?;
        note = Some("encrypted PDF with an empty password: read".to_string());
    }
    let mut article = metadata(&document);
    let splitter = PassageSplitter::default();
    let mut bad_pages = 0;
    for (number, _) in document.get_pages() {
        let page = catch_unwind(AssertUnwindSafe(|| {
            let mut text = String::new();
            let mut output = pdf_extract::PlainTextOutput::new(&mut text);
            pdf_extract::output_doc_page(&document, &mut output, number).map(|()| text)
        }));
        match page {
            Ok(Ok(text)) => {
                for mut passage in splitter.split(&text, 0) {
                    passage.line = number;
                    article.passages.push(passage);
                }
            }
            _ => bad_pages += 1,
        }
    }
    Ok(Extracted {
        article,
        bad_pages,
        note,
    })
}

/// Title, author and date from the information dictionary, else XMP.
fn metadata(document: &Document) -> Article {
    let info = document
        .trailer
        .get_deref(b"Info", document)
        .and_then(Object::as_dict)
        .ok();
    let info_text = |key: &[u8]| {
        info.and_then(|dict| text_string(dict, key, document))
            .filter(|t| !t.is_empty())
    };
    let xmp = xmp_packet(document);
    let xmp_text = |name: &str| xmp.as_deref().and_then(|x| xmp_value(x, name));
    let mut article = Article {
        title: info_text(b"Title").or_else(|| xmp_text("dc:title")),
        author: info_text(b"Author").or_else(|| xmp_text("dc:creator")),
        ..Article::default()
    };
    let dates = [
        (
            info_text(b"CreationDate").and_then(|d| pdf_date(&d).map(|iso| (d, iso))),
            DateSource::PdfInfo,
        ),
        (
            xmp_text("xmp:CreateDate").map(|d| (d.clone(), d)),
            DateSource::Xmp,
        ),
    ];
    for (found, source) in dates {
        if let Some((written, iso)) = found
            && let Some(date) = parse_date_text(&iso)
        {
            article.date = Some(date);
            article.date_text = Some(written);
            article.date_source = Some(source);
            break;
        }
    }
    article
}

/// A PDF text string: UTF-16 with a byte-order mark, else PDFDocEncoding
/// (Latin-1 for the characters that matter here).
fn text_string(dict: &Dictionary, key: &[u8], document: &Document) -> Option<String> {
    let bytes = dict.get_deref(key, document).ok()?.as_str().ok()?;
    let text = if let Some(utf16) = bytes.strip_prefix(&[0xfe, 0xff]) {
        let units: Vec<u16> = utf16
            .chunks_exact(2)
            .map(|pair| u16::from_be_bytes([pair[0], pair[1]]))
            .collect();
        String::from_utf16_lossy(&units)
    } else if let Ok(text) = std::str::from_utf8(bytes) {
        text.to_string()
    } else {
        bytes.iter().map(|&b| char::from(b)).collect()
    };
    Some(text.trim().to_string())
}

/// A PDF date (`D:20240125103000+01'00'`) as RFC 3339, or a bare day.
fn pdf_date(written: &str) -> Option<String> {
    let digits = written.trim().strip_prefix("D:").unwrap_or(written.trim());
    let part = |range: std::ops::Range<usize>| {
        digits
            .get(range)
            .filter(|s| s.bytes().all(|b| b.is_ascii_digit()))
    };
    let (year, month, day) = (part(0..4)?, part(4..6)?, part(6..8)?);
    let (Some(hour), Some(minute)) = (part(8..10), part(10..12)) else {
        return Some(format!("{year}-{month}-{day}"));
    };
    let second = part(12..14).unwrap_or("00");
    let zone = digits.get(14..).unwrap_or("").replace('\'', "");
    let offset = match zone.as_bytes().first() {
        Some(b'+' | b'-') if zone.len() >= 3 => {
            let minutes = zone.get(3..5).unwrap_or("00");
            format!("{}:{minutes}", &zone[..3])
        }
        _ => "Z".to_string(),
    };
    Some(format!(
        "{year}-{month}-{day}T{hour}:{minute}:{second}{offset}"
    ))
}

/// The XMP metadata packet of the document catalog, as text.
fn xmp_packet(document: &Document) -> Option<String> {
    let catalog = document.catalog().ok()?;
    let stream = catalog
        .get_deref(b"Metadata", document)
        .ok()?
        .as_stream()
        .ok()?;
    let content = stream
        .decompressed_content()
        .unwrap_or_else(|_| stream.content.clone());
    Some(String::from_utf8_lossy(&content).into_owned())
}

/// A value of the XMP packet: an element's text (the first `rdf:li` of a
/// list), or an attribute of an `rdf:Description`.
fn xmp_value(xmp: &str, name: &str) -> Option<String> {
    let open = format!("<{name}");
    if let Some(start) = xmp.find(&open) {
        let content = start + xmp[start..].find('>')? + 1;
        let end = content + xmp[content..].find(&format!("</{name}>"))?;
        let mut inner = &xmp[content..end];
        if let Some(li) = inner.find("<rdf:li") {
            let from = li + inner[li..].find('>')? + 1;
            let to = from + inner[from..].find("</rdf:li>")?;
            inner = &inner[from..to];
        }
        let value = inner.trim();
        return (!value.is_empty() && !value.contains('<')).then(|| value.to_string());
    }
    let attribute = format!("{name}=\"");
    let start = xmp.find(&attribute)? + attribute.len();
    let end = start + xmp[start..].find('"')?;
    Some(xmp[start..end].trim().to_string()).filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pdf_dates_become_rfc_3339() {
        assert_eq!(
            pdf_date("D:20240125103000+01'00'").as_deref(),
            Some("2024-01-25T10:30:00+01:00")
        );
        assert_eq!(
            pdf_date("D:20240125103000Z").as_deref(),
            Some("2024-01-25T10:30:00Z")
        );
        assert_eq!(pdf_date("D:20240125").as_deref(), Some("2024-01-25"));
        assert_eq!(pdf_date("yesterday"), None);
    }

    #[test]
    fn xmp_values_from_elements_lists_and_attributes() {
        let xmp = r#"<rdf:Description xmp:CreateDate="2024-01-25T10:30:00Z"><dc:title><rdf:Alt><rdf:li xml:lang="x-default">Annual report</rdf:li></rdf:Alt></dc:title></rdf:Description>"#;
        assert_eq!(xmp_value(xmp, "dc:title").as_deref(), Some("Annual report"));
        assert_eq!(
            xmp_value(xmp, "xmp:CreateDate").as_deref(),
            Some("2024-01-25T10:30:00Z")
        );
        assert_eq!(xmp_value(xmp, "dc:creator"), None);
    }

    #[test]
    fn damaged_pdfs_are_reasons_not_panics() {
        let mut notes = Vec::new();
        let error = parse_pdf(b"%PDF-1.4\nnot really a pdf", &mut notes).unwrap_err();
        assert!(error.contains("damaged"), "{error}");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        #[test]
        fn any_bytes_after_the_signature_never_panic(tail in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..400)) {
            let mut bytes = b"%PDF-1.4\n".to_vec();
            bytes.extend_from_slice(&tail);
            let _ = parse_pdf(&bytes, &mut Vec::new());
        }
    }
}
