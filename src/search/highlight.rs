//! Where the query's words occur in a passage.
//!
//! tantivy's `SnippetGenerator` finds the matched tokens with the same
//! analyzer the index used (so `troops` highlights `Troops` and `troop`).
//! It works in byte offsets; the output formats promise character offsets,
//! which are computed here at the boundary.

use std::ops::Range;

use tantivy::snippet::SnippetGenerator;

/// Finds highlight ranges in passages, in byte offsets.
pub struct Highlighter {
    generator: SnippetGenerator,
}

impl Highlighter {
    /// Wraps a snippet generator built for the query and the text field.
    pub fn new(generator: SnippetGenerator) -> Highlighter {
        Highlighter { generator }
    }

    /// The byte ranges of `passage` that match the query, in order.
    pub fn byte_ranges(&mut self, passage: &str) -> Vec<Range<usize>> {
        // One fragment as long as the passage: the whole passage is shown.
        self.generator.set_max_num_chars(passage.len() + 1);
        let snippet = self.generator.snippet(passage);
        let base = snippet.fragment_range().start;
        snippet
            .highlighted()
            .iter()
            .map(|r| base + r.start..base + r.end)
            .collect()
    }
}

/// Converts byte ranges into `[start, end)` character offsets.
pub fn to_char_ranges(text: &str, byte_ranges: &[Range<usize>]) -> Vec<[usize; 2]> {
    let char_index = |byte: usize| text[..byte].chars().count();
    byte_ranges
        .iter()
        .map(|r| [char_index(r.start), char_index(r.end)])
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn char_offsets_count_characters_not_bytes() {
        let text = "The talks — planned — troops 部队 😀 end";
        let start = text.find("troops").unwrap();
        let ranges = to_char_ranges(text, std::slice::from_ref(&(start..start + 6)));
        let [s, e] = ranges[0];
        let picked: String = text.chars().skip(s).take(e - s).collect();
        assert_eq!(picked, "troops");
        let cjk = text.find("部队").unwrap();
        let [s, e] = to_char_ranges(text, std::slice::from_ref(&(cjk..cjk + "部队".len())))[0];
        assert_eq!(e - s, 2);
    }
}
