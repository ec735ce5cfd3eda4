//! Mailboxes: messages one after another, each starting with a `From `
//! separator line (`From ann@example.org Sat Apr 13 12:17:02 2024`).
//!
//! [`crate::ingest::records`] cuts the file at separator lines that follow
//! a blank line (or start the file); each message is then read as MIME
//! mail ([`super::mail`]) after `>From ` lines are unescaped (one `>` taken
//! off, which reads both mboxo and mboxrd as written). Unescaping keeps
//! every line, so passages point into the right lines of the mailbox.

use std::io::{self, BufRead};

use crate::ingest::detect::is_from_line;
use crate::ingest::fields::FieldOverrides;
use crate::ingest::formats::mail::parse_message;
use crate::ingest::{Article, RawRecord};

/// Cuts a mailbox into messages, keeping the bytes as they are (each
/// message is decoded by its own declared charset).
#[derive(Default)]
pub struct MboxSplitter {
    /// Lines read so far.
    line: u32,
    /// The separator line that starts the next message, read ahead.
    next: Option<(Vec<u8>, u32)>,
    /// Whether the last line read was blank (a separator must follow one).
    after_blank: bool,
}

impl MboxSplitter {
    /// The next message, separator line included, or `None` at the end.
    /// A message over `max_bytes` is read past and reported as an error
    /// (its lines still counted).
    pub fn next<R: BufRead>(
        &mut self,
        reader: &mut R,
        max_bytes: u64,
    ) -> io::Result<Option<Result<RawRecord, String>>> {
        let mut record = match self.next.take() {
            Some((separator, line)) => RawRecord {
                bytes: separator,
                line,
            },
            None => loop {
                // Anything before the first separator is not a message.
                let mut line = Vec::new();
                if reader.read_until(b'\n', &mut line)? == 0 {
                    return Ok(None);
                }
                self.line += 1;
                let first = self.line == 1 || self.after_blank;
                self.after_blank = is_blank(&line);
                if first && is_separator(&line) {
                    break RawRecord {
                        bytes: line,
                        line: self.line,
                    };
                }
            },
        };
        self.after_blank = false;
        let mut too_big = false;
        let mut line = Vec::new();
        loop {
            line.clear();
            if reader.read_until(b'\n', &mut line)? == 0 {
                break;
            }
            self.line += 1;
            if self.after_blank && is_separator(&line) {
                self.next = Some((std::mem::take(&mut line), self.line));
                break;
            }
            self.after_blank = is_blank(&line);
            if record.bytes.len() as u64 + line.len() as u64 > max_bytes {
                too_big = true;
                record.bytes.clear();
            }
            if !too_big {
                record.bytes.extend_from_slice(&line);
            }
        }
        Ok(Some(if too_big {
            Err(format!(
                "message at line {} is over --max-file-size",
                record.line
            ))
        } else {
            Ok(record)
        }))
    }
}

fn is_blank(line: &[u8]) -> bool {
    line.iter().all(u8::is_ascii_whitespace)
}

fn is_separator(line: &[u8]) -> bool {
    line.starts_with(b"From ") && is_from_line(String::from_utf8_lossy(line).trim_end())
}

/// Parses one message of a mailbox, separator line included, that starts
/// on line `line` of the file.
pub fn parse_mbox_message(
    raw: &[u8],
    line: u32,
    fields: &FieldOverrides,
) -> Result<Article, String> {
    let (separator, rest) = match raw.iter().position(|&b| b == b'\n') {
        Some(end) if raw.starts_with(b"From ") => (&raw[..end], &raw[end + 1..]),
        _ => (&raw[..0], raw),
    };
    let message = unescape_from_lines(rest);
    let mut article = parse_message(&message, line + u32::from(!separator.is_empty()), fields)?;
    article.record_line = Some(line);
    if article.record_id.is_none()
        && let Some(commit) = git_commit(separator)
    {
        // `git format-patch` writes no Message-ID but names the commit.
        article.identity = Some(format!("git-commit:{commit}"));
        article.record_id = Some(commit);
    }
    Ok(article)
}

/// The commit a `git format-patch` separator names (`From <40 hex digits>
/// Mon Sep 17 00:00:00 2001`).
fn git_commit(separator: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(separator).ok()?;
    let word = text.strip_prefix("From ")?.split_whitespace().next()?;
    (word.len() == 40 && word.bytes().all(|b| b.is_ascii_hexdigit())).then(|| word.to_string())
}

/// Takes one `>` off lines that start with `>From ` (or `>>From `...), as
/// mbox writers add it to body lines that would look like separators.
fn unescape_from_lines(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    for line in raw.split_inclusive(|&b| b == b'\n') {
        let quotes = line.iter().take_while(|&&b| b == b'>').count();
        if quotes > 0 && line[quotes..].starts_with(b"From ") {
            out.extend_from_slice(&line[1..]);
        } else {
            out.extend_from_slice(line);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_keeps_its_lines_and_git_commit() {
        let raw = b"From 5af563243b0d9cc3431629409563d696c119482e Mon Sep 17 00:00:00 2001\nFrom: Martin Kraft <martin@upspin.org>\nDate: Sat, 13 Apr 2024 12:17:02 -0400\nSubject: [PATCH 001/120] blog: fix anchor\n\nUpdates a link.\n>From here on.\n";
        let article = parse_mbox_message(raw, 40, &FieldOverrides::default()).unwrap();
        assert_eq!(
            article.title.as_deref(),
            Some("[PATCH 001/120] blog: fix anchor")
        );
        assert_eq!(
            article.author.as_deref(),
            Some("Martin Kraft <martin@upspin.org>")
        );
        assert_eq!(
            article.date.unwrap().to_string(),
            "2024-04-13T12:17:02-04:00"
        );
        assert_eq!(article.record_line, Some(40));
        assert_eq!(
            article.record_id.as_deref(),
            Some("5af563243b0d9cc3431629409563d696c119482e")
        );
        assert_eq!(article.passages[0].text, "Updates a link.\nFrom here on.");
        assert_eq!(article.passages[0].line, 45);
    }

    #[test]
    fn a_mailbox_splits_at_separators_after_blank_lines() {
        let text = b"From a@b Mon Jan  1 00:00:00 2024\nSubject: one\n\nFrom the start.\nFrom here, no separator.\n\nFrom c@d Tue Jan  2 00:00:00 2024\nSubject: two\n\nbody\n";
        let mut splitter = MboxSplitter::default();
        let mut input = &text[..];
        let mut records = Vec::new();
        while let Some(record) = splitter.next(&mut input, 1 << 20).unwrap() {
            records.push(record.unwrap());
        }
        assert_eq!(records.len(), 2);
        assert_eq!((records[0].line, records[1].line), (1, 7));
        assert!(records[0].bytes.ends_with(b"no separator.\n\n"));
        assert_eq!(
            parse_mbox_message(
                &records[1].bytes,
                records[1].line,
                &FieldOverrides::default()
            )
            .unwrap()
            .passages[0]
                .line,
            10
        );
    }

    #[test]
    fn from_lines_lose_one_quote() {
        assert_eq!(
            unescape_from_lines(b">From a\n>>From b\n> From c\n"),
            b"From a\n>From b\n> From c\n"
        );
    }
}
