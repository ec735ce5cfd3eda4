//! Decoding text: whole files and record streams read line by line.
//!
//! UTF-8 is read as is (a byte-order mark dropped); anything else is read as
//! Windows-1252, the superset of Latin-1 that old archives are written in,
//! and the caller is told so.

use std::borrow::Cow;
use std::io::{self, BufRead};

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

/// Lines of a record stream, decoded one by one, with their numbers.
pub struct LineReader<R> {
    reader: R,
    buffer: Vec<u8>,
    /// The number of the last line returned (1-based).
    pub line_no: u32,
    /// The first line that was not UTF-8 and was read as Windows-1252.
    pub first_recoded_line: Option<u32>,
}

impl<R: BufRead> LineReader<R> {
    /// Reads lines from `reader`.
    pub fn new(reader: R) -> LineReader<R> {
        LineReader {
            reader,
            buffer: Vec::new(),
            line_no: 0,
            first_recoded_line: None,
        }
    }

    /// The next line without its line ending, or `None` at the end.
    pub fn next_line(&mut self) -> io::Result<Option<String>> {
        self.buffer.clear();
        if self.reader.read_until(b'\n', &mut self.buffer)? == 0 {
            return Ok(None);
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
