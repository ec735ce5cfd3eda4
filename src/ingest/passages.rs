//! Splitting an article body into passages.
//!
//! A passage is what a search result shows, so it should be a readable unit:
//! a paragraph. Paragraphs longer than `max_words` are cut into windows at
//! sentence ends, so a hit never shows a wall of text and BM25 length
//! normalisation compares like with like. Formats with structure (Markdown,
//! HTML) give [`Block`]s instead of raw text: each block is a paragraph of
//! its own, and a block of code is cut at line ends, its lines kept.

use std::collections::VecDeque;

use crate::ingest::Passage;

/// What a passage holds: prose, or code (a code block, preformatted
/// source), which is kept in passages of its own with its line breaks and
/// ranks below prose that matches as well.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum PassageKind {
    /// Running text.
    #[default]
    Prose,
    /// A block of code.
    Code,
}

/// A paragraph-like unit of a structured document, before it is cut into
/// passages: the text a reader sees, the line of the source it starts on,
/// and its kind.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Block {
    /// The visible text: words separated by single spaces, line breaks
    /// where the document breaks lines (`<br>`, code).
    pub text: String,
    /// The 1-based line of the source where the block starts.
    pub line: u32,
    /// Prose or code.
    pub kind: PassageKind,
}

/// Splits text into paragraph passages, windowing long paragraphs.
#[derive(Clone, Copy, Debug)]
pub struct PassageSplitter {
    /// The most words a passage may have before it is cut at a sentence end.
    pub max_words: usize,
}

impl Default for PassageSplitter {
    fn default() -> Self {
        PassageSplitter { max_words: 120 }
    }
}

impl PassageSplitter {
    /// Splits `text[body_start..]` into passages; line numbers count from the
    /// start of `text`, so they point into the original file.
    ///
    /// Linear in the length of the text, with memory bounded by `max_words`
    /// besides the passages themselves: a 100 MB single-line file must not
    /// take quadratic time.
    pub fn split(&self, text: &str, body_start: usize) -> Vec<Passage> {
        let first_line = 1 + count_newlines(&text[..body_start]);
        self.split_from_line(&text[body_start..], first_line)
    }

    /// Splits `body`, whose first line is line `first_line` of its file,
    /// into passages: [`PassageSplitter::split`] for a caller that counts
    /// its lines as it goes.
    pub fn split_from_line(&self, body: &str, first_line: u32) -> Vec<Passage> {
        let mut lines = LineCounter::new(body, first_line);
        let mut passages = Vec::new();
        for (offset, paragraph) in split_paragraphs(body) {
            let paragraph_line = lines.line_at(offset);
            self.split_paragraph(paragraph, paragraph_line, &mut passages);
        }
        passages
    }

    /// The passages of `blocks`, in order: prose windowed like a paragraph,
    /// code cut at line ends into pieces of at most `max_words` words.
    pub fn split_blocks(&self, blocks: &[Block]) -> Vec<Passage> {
        let mut passages = Vec::new();
        for block in blocks {
            let text = block.text.trim();
            if text.is_empty() {
                continue;
            }
            match block.kind {
                PassageKind::Prose => self.split_paragraph(text, block.line, &mut passages),
                PassageKind::Code => self.split_code(&block.text, block.line, &mut passages),
            }
        }
        passages
    }

    /// Cuts code into pieces of whole lines, at most `max_words` words each
    /// (a longer line is a piece of its own), keeping every line break and
    /// the indentation of each line but the first's.
    fn split_code(&self, code: &str, line: u32, out: &mut Vec<Passage>) {
        let max = self.max_words.max(1);
        let mut piece = String::new();
        let mut piece_line = line;
        let mut words = 0;
        let push = |piece: &mut String, at: u32, out: &mut Vec<Passage>| {
            let text = piece.trim();
            if !text.is_empty() {
                out.push(Passage {
                    text: text.to_string(),
                    line: at,
                    kind: PassageKind::Code,
                });
            }
            piece.clear();
        };
        for (number, text) in code.split('\n').enumerate() {
            let line_words = text.split_whitespace().count();
            if words > 0 && words + line_words > max {
                push(&mut piece, piece_line, out);
                words = 0;
            }
            if piece.trim().is_empty() {
                piece.clear();
                piece_line = line + number as u32;
            } else {
                piece.push('\n');
            }
            piece.push_str(text.trim_end());
            words += line_words;
        }
        push(&mut piece, piece_line, out);
    }

    /// Cuts a paragraph into windows of at most `max_words` words, each
    /// ending at the last sentence end inside it (or at the limit when the
    /// window has none).
    fn split_paragraph(&self, paragraph: &str, line: u32, out: &mut Vec<Passage>) {
        let max = self.max_words.max(1);
        let mut words = WordSpans::new(paragraph).peekable();
        let mut window: VecDeque<(usize, usize)> = VecDeque::with_capacity(max);
        let mut lines = LineCounter::new(paragraph, line);
        loop {
            while window.len() < max {
                match words.next() {
                    Some(word) => window.push_back(word),
                    None => break,
                }
            }
            if window.is_empty() {
                break;
            }
            let following = words.peek().map(|&(start, _)| start);
            let last = match following {
                None => window.len() - 1,
                Some(_) => (0..window.len())
                    .rev()
                    .find(|&i| {
                        let next = window.get(i + 1).map(|&(start, _)| start).or(following);
                        ends_sentence(paragraph, window[i], next)
                    })
                    .unwrap_or(window.len() - 1),
            };
            let start = window[0].0;
            let end = window[last].1;
            out.push(Passage::new(&paragraph[start..end], lines.line_at(start)));
            window.drain(..=last);
        }
    }
}

/// The text of a block being built from a document's pieces: running text
/// with runs of white space made one space, line breaks and cell
/// separators where the document puts them, code as written.
#[derive(Debug, Default)]
pub(crate) struct BlockText {
    text: String,
}

impl BlockText {
    /// Adds running text, white space collapsed; returns how many visible
    /// characters it added.
    pub(crate) fn push_flowing(&mut self, text: &str) -> usize {
        let mut visible = 0;
        for c in text.chars() {
            if !c.is_whitespace() {
                self.text.push(c);
                visible += 1;
            } else if !self.text.is_empty() && !self.text.ends_with([' ', '\n']) {
                self.text.push(' ');
            }
        }
        visible
    }

    /// Adds text as written (code), line ends made `\n`; returns how many
    /// visible characters it added.
    pub(crate) fn push_verbatim(&mut self, text: &str) -> usize {
        self.text
            .push_str(&text.replace("\r\n", "\n").replace('\r', "\n"));
        text.chars().filter(|c| !c.is_whitespace()).count()
    }

    /// Ends the current line, unless nothing is on it.
    pub(crate) fn line_break(&mut self) {
        self.trim_trailing_space();
        if !self.text.is_empty() && !self.text.ends_with('\n') {
            self.text.push('\n');
        }
    }

    /// Adds `separator` (between table cells) after text on the line.
    pub(crate) fn separate(&mut self, separator: &str) {
        if !self.text.is_empty() && !self.text.ends_with('\n') {
            self.trim_trailing_space();
            self.text.push_str(separator);
        }
    }

    /// Whether no visible text was added.
    pub(crate) fn is_blank(&self) -> bool {
        self.text.trim().is_empty()
    }

    /// The text so far, emptying the buffer.
    pub(crate) fn take(&mut self) -> String {
        std::mem::take(&mut self.text)
    }

    fn trim_trailing_space(&mut self) {
        while self.text.ends_with(' ') {
            self.text.pop();
        }
    }
}

/// Prose with each line's runs of white space made one, lines trimmed and
/// empty ones dropped, and a line that repeats the line before it dropped:
/// a figure's alt text followed by the same words as its caption reads
/// once, and no words are lost to search.
pub(crate) fn tidy_lines(text: &str) -> String {
    let mut lines: Vec<String> = text
        .split('\n')
        .map(|line| line.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|line| !line.is_empty())
        .collect();
    lines.dedup();
    lines.join("\n")
}

/// Joins each heading (the `bool` says a block is one) to the prose block
/// under it, so the heading reads as that passage's title and a search for
/// its words finds the text it introduces; a heading followed by code,
/// another heading or nothing stays a passage of its own.
pub fn merge_headings(blocks: impl IntoIterator<Item = (Block, bool)>) -> Vec<Block> {
    let mut merged: Vec<Block> = Vec::new();
    let mut pending: Option<Block> = None;
    for (block, heading) in blocks {
        if let Some(mut title) = pending.take() {
            if block.kind == PassageKind::Prose && !heading {
                title.text.push('\n');
                title.text.push_str(&block.text);
                merged.push(title);
                continue;
            }
            merged.push(title);
        }
        if heading {
            pending = Some(block);
        } else {
            merged.push(block);
        }
    }
    merged.extend(pending);
    merged
}

/// Line numbers of increasing byte offsets into one text, counted
/// incrementally so asking for each passage's line stays linear.
struct LineCounter<'a> {
    text: &'a str,
    offset: usize,
    line: u32,
}

impl<'a> LineCounter<'a> {
    fn new(text: &'a str, first_line: u32) -> LineCounter<'a> {
        LineCounter {
            text,
            offset: 0,
            line: first_line,
        }
    }

    /// The line of `offset`, which must not be before the last one asked.
    fn line_at(&mut self, offset: usize) -> u32 {
        if offset > self.offset {
            self.line += count_newlines(&self.text[self.offset..offset]);
            self.offset = offset;
        }
        self.line
    }
}

/// Splits text into paragraphs at blank lines: `(byte offset, trimmed text)`.
pub fn split_paragraphs(text: &str) -> Vec<(usize, &str)> {
    let mut paragraphs = Vec::new();
    let mut start: Option<usize> = None;
    let mut end = 0;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let blank = line.trim().is_empty();
        match (blank, start) {
            (false, None) => start = Some(offset),
            (true, Some(s)) => {
                push_trimmed(text, s, end, &mut paragraphs);
                start = None;
            }
            _ => {}
        }
        offset += line.len();
        if !blank {
            end = offset;
        }
    }
    if let Some(s) = start {
        push_trimmed(text, s, end, &mut paragraphs);
    }
    paragraphs
}

fn push_trimmed<'a>(text: &'a str, start: usize, end: usize, out: &mut Vec<(usize, &'a str)>) {
    let raw = &text[start..end];
    let trimmed_start = raw.len() - raw.trim_start().len();
    let trimmed = raw.trim();
    if !trimmed.is_empty() {
        out.push((start + trimmed_start, trimmed));
    }
}

/// The byte spans of the white-space separated words of a text, lazily.
struct WordSpans<'a> {
    text: &'a str,
    chars: std::str::CharIndices<'a>,
}

impl<'a> WordSpans<'a> {
    fn new(text: &'a str) -> WordSpans<'a> {
        WordSpans {
            text,
            chars: text.char_indices(),
        }
    }
}

impl Iterator for WordSpans<'_> {
    type Item = (usize, usize);

    fn next(&mut self) -> Option<(usize, usize)> {
        let start = loop {
            let (i, c) = self.chars.next()?;
            if !c.is_whitespace() {
                break i;
            }
        };
        for (i, c) in self.chars.by_ref() {
            if c.is_whitespace() {
                return Some((start, i));
            }
        }
        Some((start, self.text.len()))
    }
}

/// Whether `word` ends a sentence: it ends in `.`, `!` or `?` (perhaps
/// followed by closing quotes or brackets) and the next word (starting at
/// `next`) starts like a sentence does, which keeps "U.S. troops" and
/// "3.5 pct" together.
fn ends_sentence(text: &str, word: (usize, usize), next: Option<usize>) -> bool {
    let word = &text[word.0..word.1];
    let core = word.trim_end_matches(['"', '\'', '”', '’', ')', ']']);
    if !core.ends_with(['.', '!', '?']) {
        return false;
    }
    match next {
        None => true,
        Some(s) => text[s..]
            .chars()
            .next()
            .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit() || "\"'“‘([".contains(c)),
    }
}

fn count_newlines(text: &str) -> u32 {
    text.bytes().filter(|&b| b == b'\n').count() as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_split_at_blank_lines_with_their_lines() {
        let text = "one\ntwo\n\n\n  three  \n \t\nfour";
        let passages = PassageSplitter::default().split(text, 0);
        let got: Vec<_> = passages.iter().map(|p| (p.text.as_str(), p.line)).collect();
        assert_eq!(got, [("one\ntwo", 1), ("three", 5), ("four", 7)]);
    }

    #[test]
    fn long_paragraphs_are_windowed_at_sentence_ends() {
        let sentence = "The quick brown fox jumps over the lazy dog again.";
        let paragraph = vec![sentence; 30].join(" ");
        let passages = PassageSplitter { max_words: 25 }.split(&paragraph, 0);
        assert!(passages.len() >= 10);
        for passage in &passages {
            assert!(passage.text.split_whitespace().count() <= 25);
            assert!(passage.text.ends_with('.'), "{:?}", passage.text);
        }
        let rejoined: Vec<_> = passages.iter().map(|p| p.text.as_str()).collect();
        assert_eq!(rejoined.join(" "), paragraph);
    }

    #[test]
    fn a_window_inside_a_multi_line_paragraph_knows_its_line() {
        let text = "intro\n\nA b c. D e f.\nG h i. J k l.";
        let passages = PassageSplitter { max_words: 4 }.split(text, 0);
        let got: Vec<_> = passages.iter().map(|p| (p.text.as_str(), p.line)).collect();
        assert_eq!(
            got,
            [
                ("intro", 1),
                ("A b c.", 3),
                ("D e f.", 3),
                ("G h i.", 4),
                ("J k l.", 4)
            ]
        );
    }

    #[test]
    fn code_blocks_keep_their_lines_and_are_cut_at_line_ends() {
        let code = "\nfunc main() {\n    go work()\n    go rest()\n}\n";
        let blocks = [
            Block {
                text: "A paragraph\nof prose.".into(),
                line: 1,
                kind: PassageKind::Prose,
            },
            Block {
                text: code.into(),
                line: 4,
                kind: PassageKind::Code,
            },
        ];
        let passages = PassageSplitter { max_words: 5 }.split_blocks(&blocks);
        let got: Vec<_> = passages
            .iter()
            .map(|p| (p.text.as_str(), p.line, p.kind))
            .collect();
        assert_eq!(
            got,
            [
                ("A paragraph\nof prose.", 1, PassageKind::Prose),
                ("func main() {\n    go work()", 5, PassageKind::Code),
                ("go rest()\n}", 7, PassageKind::Code),
            ]
        );
    }

    #[test]
    fn abbreviations_do_not_end_sentences() {
        let text = "The U.S. troops left. Then more came.";
        let passages = PassageSplitter { max_words: 5 }.split(text, 0);
        assert_eq!(passages[0].text, "The U.S. troops left.");
    }

    #[test]
    fn body_start_skips_a_prefix_but_keeps_line_numbers() {
        let text = " date 2024-01-25 Body.\n\nNext.";
        let passages = PassageSplitter::default().split(text, 16);
        assert_eq!(passages[0], Passage::new("Body.", 1));
        assert_eq!(passages[1], Passage::new("Next.", 3));
    }

    mod properties {
        use proptest::prelude::*;

        use super::*;

        /// Text made of words, sentence ends, spaces, newlines and blank lines,
        /// with some non-ASCII, so paragraphs and windows both happen.
        fn article_text() -> impl Strategy<Value = String> {
            proptest::collection::vec(
                prop_oneof![
                    "[a-zA-Z0-9]{1,8}",
                    Just(". ".to_string()),
                    Just("? ".to_string()),
                    Just(" ".to_string()),
                    Just("\n".to_string()),
                    Just("\n\n".to_string()),
                    Just(" \t\r\n".to_string()),
                    Just("é\u{2028}".to_string()),
                    Just("U.S. ".to_string()),
                ],
                0..200,
            )
            .prop_map(|parts| parts.concat())
        }

        proptest! {
            #[test]
            fn passages_cover_the_body_in_order(text in article_text(), max_words in 0usize..12, body_start in 0usize..8) {
                let body_start = (0..=body_start.min(text.len())).rev().find(|&i| text.is_char_boundary(i)).unwrap_or(0);
                let passages = PassageSplitter { max_words }.split(&text, body_start);
                // Each passage is a piece of the body, after the previous one,
                // and starts on the line it claims.
                let mut cursor = body_start;
                for passage in &passages {
                    prop_assert!(!passage.text.is_empty());
                    prop_assert!(passage.text.split_whitespace().count() <= max_words.max(1));
                    let found = text[cursor..].find(&passage.text);
                    prop_assert!(found.is_some(), "{:?} not found after {}", passage.text, cursor);
                    let at = cursor + found.unwrap();
                    prop_assert_eq!(passage.line, 1 + text[..at].matches('\n').count() as u32);
                    cursor = at + passage.text.len();
                }
                // Together they hold every word of the body, in order.
                let body_words: Vec<&str> = text[body_start..].split_whitespace().collect();
                let passage_words: Vec<&str> = passages.iter().flat_map(|p| p.text.split_whitespace()).collect();
                prop_assert_eq!(passage_words, body_words);
            }

            #[test]
            fn splitting_never_panics_on_any_string(text in "\\PC*", max_words in 0usize..5) {
                let _ = PassageSplitter { max_words }.split(&text, 0);
            }
        }
    }

    #[test]
    fn a_huge_single_line_splits_in_linear_time() {
        // 2 MB here; quadratic work would take minutes, linear takes well
        // under a second even unoptimised.
        let line = "Word word word word. ".repeat(100_000);
        let started = std::time::Instant::now();
        let passages = PassageSplitter::default().split(&line, 0);
        assert!(passages.len() > 1000);
        assert!(passages.iter().all(|p| p.line == 1));
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "{:?}",
            started.elapsed()
        );
    }
}
