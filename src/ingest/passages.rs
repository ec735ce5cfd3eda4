//! Splitting an article body into passages.
//!
//! A passage is what a search result shows, so it should be a readable unit:
//! a paragraph. Paragraphs longer than `max_words` are cut into windows at
//! sentence ends, so a hit never shows a wall of text and BM25 length
//! normalisation compares like with like.

use crate::ingest::Passage;

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
    pub fn split(&self, text: &str, body_start: usize) -> Vec<Passage> {
        let body = &text[body_start..];
        let mut passages = Vec::new();
        // Newlines are counted from the previous paragraph on, not from the
        // start: a long file with many paragraphs must stay linear.
        let mut line = 1 + count_newlines(&text[..body_start]);
        let mut counted_to = 0;
        for (offset, paragraph) in split_paragraphs(body) {
            line += count_newlines(&body[counted_to..offset]);
            counted_to = offset;
            self.split_paragraph(paragraph, line, &mut passages);
        }
        passages
    }

    fn split_paragraph(&self, paragraph: &str, line: u32, out: &mut Vec<Passage>) {
        let words = word_spans(paragraph);
        if words.len() <= self.max_words {
            out.push(Passage {
                text: paragraph.to_string(),
                line,
            });
            return;
        }
        let max = self.max_words.max(1);
        let mut first = 0;
        while first < words.len() {
            let limit = (first + max).min(words.len());
            let last = if limit == words.len() {
                limit - 1
            } else {
                (first..limit)
                    .rev()
                    .find(|&i| ends_sentence(paragraph, &words, i))
                    .unwrap_or(limit - 1)
            };
            let start = words[first].0;
            let end = words[last].1;
            out.push(Passage {
                text: paragraph[start..end].to_string(),
                line: line + count_newlines(&paragraph[..start]),
            });
            first = last + 1;
        }
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

/// Byte spans of the white-space separated words of `text`.
fn word_spans(text: &str) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        match (c.is_whitespace(), start) {
            (false, None) => start = Some(i),
            (true, Some(s)) => {
                spans.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        spans.push((s, text.len()));
    }
    spans
}

/// Whether word `i` ends a sentence: it ends in `.`, `!` or `?` (perhaps
/// followed by closing quotes or brackets) and the next word starts like a
/// sentence does, which keeps "U.S. troops" and "3.5 pct" together.
fn ends_sentence(text: &str, words: &[(usize, usize)], i: usize) -> bool {
    let word = &text[words[i].0..words[i].1];
    let core = word.trim_end_matches(['"', '\'', '”', '’', ')', ']']);
    if !core.ends_with(['.', '!', '?']) {
        return false;
    }
    match words.get(i + 1) {
        None => true,
        Some(&(s, _)) => text[s..]
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
    fn abbreviations_do_not_end_sentences() {
        let text = "The U.S. troops left. Then more came.";
        let passages = PassageSplitter { max_words: 5 }.split(text, 0);
        assert_eq!(passages[0].text, "The U.S. troops left.");
    }

    #[test]
    fn body_start_skips_a_prefix_but_keeps_line_numbers() {
        let text = " date 2024-01-25 Body.\n\nNext.";
        let passages = PassageSplitter::default().split(text, 16);
        assert_eq!(
            passages[0],
            Passage {
                text: "Body.".into(),
                line: 1
            }
        );
        assert_eq!(
            passages[1],
            Passage {
                text: "Next.".into(),
                line: 3
            }
        );
    }
}
