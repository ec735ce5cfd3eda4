//! Decoding text: whole files and record streams read line by line.
//!
//! UTF-8 is read as is (a byte-order mark dropped); a UTF-16 byte-order
//! mark, or a charset the file declares (`<meta charset>`, an XML
//! declaration), is honoured; anything else is read as Windows-1252, the
//! superset of Latin-1 that old archives are written in, and the caller is
//! told so.

use std::borrow::Cow;
use std::io::{self, BufRead};

use encoding_rs::Encoding;

/// How far into a file a declared charset is looked for: the HTML
/// standard's prescan reads 1024 bytes; pages with long heads put it later.
const DECLARATION_BYTES: usize = 4096;

/// UTF-8 as is (without a BOM); anything else as Windows-1252, the
/// superset of Latin-1 that old archives are written in, with a note.
pub fn decode_text<'a>(bytes: &'a [u8], notes: &mut Vec<String>) -> Cow<'a, str> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text),
        Err(error) => {
            notes.push(format!(
                "not valid UTF-8 (first bad byte at offset {}): read as Windows-1252",
                error.valid_up_to()
            ));
            encoding_rs::WINDOWS_1252
                .decode_without_bom_handling(bytes)
                .0
        }
    }
}

/// The text of `bytes`: valid UTF-8 as is; else in the `declared`
/// encoding, when there is one; else as Windows-1252, with a note.
/// UTF-8 that a page mislabels as Latin-1 is read as the UTF-8 it is:
/// Latin-1 text with accents is almost never valid UTF-8.
pub fn decode_declared<'a>(
    bytes: &'a [u8],
    declared: Option<&'static Encoding>,
    notes: &mut Vec<String>,
) -> Cow<'a, str> {
    if let Some(encoding) =
        declared.filter(|e| *e == encoding_rs::UTF_16LE || *e == encoding_rs::UTF_16BE)
    {
        return encoding.decode_with_bom_removal(bytes).0;
    }
    let unmarked = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    match (std::str::from_utf8(unmarked), declared) {
        (Ok(text), _) => Cow::Borrowed(text),
        (Err(_), Some(encoding)) if encoding != encoding_rs::UTF_8 => {
            encoding.decode_without_bom_handling(unmarked).0
        }
        _ => decode_text(bytes, notes),
    }
}

/// UTF-16, when `head` starts with its byte-order mark.
pub fn utf16_encoding(head: &[u8]) -> Option<&'static Encoding> {
    Encoding::for_bom(head)
        .map(|(encoding, _)| encoding)
        .filter(|e| *e != encoding_rs::UTF_8)
}

/// The character encoding a document declares near its start: a byte-order
/// mark, `<meta charset=...>`, `<meta http-equiv="Content-Type"
/// content="...; charset=...">` or `<?xml ... encoding="..."?>`.
pub fn declared_encoding(bytes: &[u8]) -> Option<&'static Encoding> {
    if let Some((encoding, _)) = Encoding::for_bom(bytes) {
        return Some(encoding);
    }
    let head = &bytes[..bytes.len().min(DECLARATION_BYTES)];
    let lower = head.to_ascii_lowercase();
    let label = |after: usize| -> Option<&'static Encoding> {
        let rest = &lower[after..];
        let rest = rest
            .trim_ascii_start()
            .strip_prefix(b"=")?
            .trim_ascii_start();
        let rest = rest
            .strip_prefix(b"\"")
            .or_else(|| rest.strip_prefix(b"'"))
            .unwrap_or(rest);
        let end = rest
            .iter()
            .position(|b| !(b.is_ascii_alphanumeric() || b"-_.:".contains(b)))
            .unwrap_or(rest.len());
        let encoding = Encoding::for_label(&rest[..end])?;
        // The HTML standard reads a declared UTF-16 as UTF-8: the
        // declaration itself was readable as ASCII.
        Some(
            if encoding == encoding_rs::UTF_16LE || encoding == encoding_rs::UTF_16BE {
                encoding_rs::UTF_8
            } else {
                encoding
            },
        )
    };
    if lower.starts_with(b"<?xml")
        && let Some(end) = lower.iter().position(|&b| b == b'>')
        && let Some(at) = find(&lower[..end], b"encoding")
        && let Some(encoding) = label(at + "encoding".len())
    {
        return Some(encoding);
    }
    let mut from = 0;
    while let Some(at) = find(&lower[from..], b"<meta") {
        let start = from + at;
        let end = lower[start..]
            .iter()
            .position(|&b| b == b'>')
            .map_or(lower.len(), |e| start + e);
        if let Some(at) = find(&lower[start..end], b"charset")
            && let Some(encoding) = label(start + at + "charset".len())
        {
            return Some(encoding);
        }
        from = end;
    }
    None
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Lines of a record stream, decoded one by one, with their numbers.
pub struct LineReader<R> {
    reader: R,
    buffer: Vec<u8>,
    /// The number of the last line returned (1-based).
    pub line_no: u32,
    /// The first line that was not UTF-8 and was read as Windows-1252.
    pub first_recoded_line: Option<u32>,
    /// The longest line read, in bytes: a longer one is an error, so a
    /// stream with a gigabyte on one line is refused, not held in memory.
    max_line: u64,
}

impl<R: BufRead> LineReader<R> {
    /// Reads lines from `reader`.
    pub fn new(reader: R) -> LineReader<R> {
        LineReader {
            reader,
            buffer: Vec::new(),
            line_no: 0,
            first_recoded_line: None,
            max_line: u64::MAX,
        }
    }

    /// Refuses lines longer than `bytes` (an `InvalidData` error).
    pub fn max_line(mut self, bytes: u64) -> LineReader<R> {
        self.max_line = bytes;
        self
    }

    /// The next line without its line ending, or `None` at the end.
    pub fn next_line(&mut self) -> io::Result<Option<String>> {
        self.buffer.clear();
        let limit = self.max_line.saturating_add(1);
        let read = io::Read::take(&mut self.reader, limit).read_until(b'\n', &mut self.buffer)?;
        if read == 0 {
            return Ok(None);
        }
        if read as u64 >= limit && self.buffer.last() != Some(&b'\n') {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "longer than {:.1} MiB (--max-file-size)",
                    self.max_line as f64 / 1048576.0
                ),
            ));
        }
        self.line_no += 1;
        while matches!(self.buffer.last(), Some(b'\n' | b'\r')) {
            self.buffer.pop();
        }
        let bytes = if self.line_no == 1 {
            self.buffer
                .strip_prefix(b"\xef\xbb\xbf")
                .unwrap_or(&self.buffer)
        } else {
            &self.buffer
        };
        Ok(Some(match std::str::from_utf8(bytes) {
            Ok(text) => text.to_string(),
            Err(_) => {
                self.first_recoded_line.get_or_insert(self.line_no);
                encoding_rs::WINDOWS_1252
                    .decode_without_bom_handling(bytes)
                    .0
                    .into_owned()
            }
        }))
    }
}
