//! Laying out a passage for a terminal: choosing the window of a long
//! passage that holds the most matches, and wrapping it to a width.
//!
//! Both work on characters, each carrying whether it is part of a match, so
//! colour is applied only after the line breaks are known and escape codes
//! never count towards the width.

use unicode_width::UnicodeWidthChar;

/// A character of a passage and whether it is part of a match.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cell {
    /// The character.
    pub ch: char,
    /// Whether it lies inside a highlight.
    pub marked: bool,
}

/// The characters of `text` with the given `[start, end)` character ranges
/// marked.
pub fn cells(text: &str, marks: &[[usize; 2]]) -> Vec<Cell> {
    let mut cells: Vec<Cell> = text.chars().map(|ch| Cell { ch, marked: false }).collect();
    for &[start, end] in marks {
        for cell in cells.iter_mut().take(end).skip(start) {
            cell.marked = true;
        }
    }
    cells
}

/// Cuts `cells` to at most about `max_chars` characters around the matches,
/// at word boundaries, with `…` where text was left out. The window is the
/// one holding the most matches, starting a little before the first of them
/// so it reads in context. `max_chars == 0` keeps everything.
pub fn trim_around_matches(cells: &[Cell], max_chars: usize) -> Vec<Cell> {
    if max_chars == 0 || cells.len() <= max_chars {
        return cells.to_vec();
    }
    let starts: Vec<usize> = (0..cells.len())
        .filter(|&i| cells[i].marked && (i == 0 || !cells[i - 1].marked))
        .collect();
    let lead = max_chars / 5;
    let mut best = (0usize, 0usize);
    for &anchor in &starts {
        let start = anchor.saturating_sub(lead);
        let count = starts
            .iter()
            .filter(|&&s| s >= start && s < start + max_chars)
            .count();
        if count > best.1 {
            best = (start, count);
        }
    }
    let mut start = best.0.min(cells.len() - max_chars);
    let mut end = start + max_chars;
    // Move inwards to whole words, unless a single word fills the window.
    let is_space = |i: usize| cells[i].ch.is_whitespace();
    if start > 0 && !is_space(start - 1) {
        if let Some(next) = (start..end).find(|&i| is_space(i)) {
            start = next;
        }
    }
    if end < cells.len() && !is_space(end) {
        if let Some(previous) = (start..end).rev().find(|&i| is_space(i)) {
            end = previous;
        }
    }
    while start < end && is_space(start) {
        start += 1;
    }
    while end > start && is_space(end - 1) {
        end -= 1;
    }
    let ellipsis = Cell {
        ch: '…',
        marked: false,
    };
    let mut trimmed = Vec::with_capacity(end - start + 2);
    if start > 0 {
        trimmed.push(ellipsis);
    }
    trimmed.extend_from_slice(&cells[start..end]);
    if end < cells.len() {
        trimmed.push(ellipsis);
    }
    trimmed
}

/// Splits `cells` into lines: at its own line breaks, and, given a `width`,
/// greedily at spaces so no line is wider than `width` columns (a longer
/// word gets a line of its own). Wrapped lines have runs of spaces
/// collapsed; without a width every line is kept exactly.
pub fn wrap(cells: &[Cell], width: Option<usize>) -> Vec<Vec<Cell>> {
    let mut lines = Vec::new();
    for line in cells.split(|c| c.ch == '\n') {
        let line = match line.last() {
            Some(Cell { ch: '\r', .. }) => &line[..line.len() - 1],
            _ => line,
        };
        match width {
            None => lines.push(line.to_vec()),
            Some(width) => wrap_line(line, width.max(10), &mut lines),
        }
    }
    lines
}

fn wrap_line(line: &[Cell], width: usize, lines: &mut Vec<Vec<Cell>>) {
    let mut current: Vec<Cell> = Vec::new();
    let mut current_width = 0;
    let mut i = 0;
    while i < line.len() {
        if line[i].ch.is_whitespace() {
            i += 1;
            continue;
        }
        let word_start = i;
        while i < line.len() && !line[i].ch.is_whitespace() {
            i += 1;
        }
        let word = &line[word_start..i];
        let word_width: usize = word.iter().map(|c| c.ch.width().unwrap_or(0)).sum();
        if !current.is_empty() && current_width + 1 + word_width > width {
            lines.push(std::mem::take(&mut current));
            current_width = 0;
        }
        if !current.is_empty() {
            // The gap is marked when it lies inside a match (a phrase).
            let marked = line[word_start - 1].marked && word[0].marked;
            current.push(Cell { ch: ' ', marked });
            current_width += 1;
        }
        current.extend_from_slice(word);
        current_width += word_width;
    }
    lines.push(current);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(cells: &[Cell]) -> String {
        cells.iter().map(|c| c.ch).collect()
    }

    fn marked(cells: &[Cell]) -> String {
        cells
            .iter()
            .map(|c| if c.marked { c.ch } else { '.' })
            .collect()
    }

    #[test]
    fn short_passages_are_kept_whole() {
        let all = cells("A short passage.", &[[2, 7]]);
        assert_eq!(trim_around_matches(&all, 100), all);
        assert_eq!(trim_around_matches(&all, 0), all);
    }

    #[test]
    fn long_passages_are_cut_at_words_around_the_matches() {
        let passage =
            "one two three four five six seven eight nine ten eleven twelve thirteen fourteen";
        let at = passage.find("nine").unwrap();
        let trimmed = trim_around_matches(&cells(passage, &[[at, at + 4]]), 30);
        let shown = text(&trimmed);
        assert!(shown.starts_with('…') && shown.ends_with('…'), "{shown}");
        assert!(shown.contains("nine"), "{shown}");
        assert!(shown.chars().count() <= 32, "{shown}");
        assert!(
            !shown.contains("…ne ") && !shown.contains(" tw…"),
            "cut inside a word: {shown}"
        );
        let first = trim_around_matches(&cells(passage, &[]), 20);
        assert_eq!(text(&first), "one two three four…");
    }

    #[test]
    fn the_window_with_most_matches_wins() {
        let passage = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho";
        let at = |w: &str| {
            let i = passage.find(w).unwrap();
            [i, i + w.len()]
        };
        let marks = [at("alpha"), at("kappa"), at("lambda"), at("mu")];
        let shown = text(&trim_around_matches(&cells(passage, &marks), 30));
        assert!(shown.contains("kappa lambda mu"), "{shown}");
    }

    #[test]
    fn wrapping_respects_width_and_keeps_marks() {
        let passage = "Interest rates rose sharply today, said the central bank of the country.";
        let all = cells(passage, &[[0, 14]]);
        let lines = wrap(&all, Some(20));
        assert!(
            lines.iter().all(|l| l.len() <= 20),
            "{:?}",
            lines.iter().map(|l| text(l)).collect::<Vec<_>>()
        );
        assert_eq!(marked(&lines[0]), "Interest rates.....");
        assert_eq!(
            lines.iter().map(|l| text(l)).collect::<Vec<_>>().join(" "),
            passage
        );
        assert_eq!(
            wrap(&cells("a\nb  c", &[]), None)
                .iter()
                .map(|l| text(l))
                .collect::<Vec<_>>(),
            ["a", "b  c"]
        );
    }

    proptest::proptest! {
        #[test]
        fn trimming_and_wrapping_never_lose_order_or_panic(
            text in "[a-z部😀 \n—-]{0,400}",
            marks in proptest::collection::vec((0usize..400, 0usize..20), 0..6),
            max in 0usize..200,
            width in proptest::option::of(0usize..100),
        ) {
            let len = text.chars().count();
            let marks: Vec<[usize; 2]> = marks
                .into_iter()
                .map(|(start, n)| [start.min(len), (start + n).min(len)])
                .collect();
            let all = cells(&text, &marks);
            let trimmed = trim_around_matches(&all, max);
            if max > 0 {
                proptest::prop_assert!(trimmed.len() <= max + 2);
            }
            let lines = wrap(&trimmed, width);
            // Wrapping only removes or adds white space.
            let kept: String = lines.iter().flatten().map(|c| c.ch).filter(|c| !c.is_whitespace()).collect();
            let before: String = trimmed.iter().map(|c| c.ch).filter(|c| !c.is_whitespace()).collect();
            proptest::prop_assert_eq!(kept, before);
        }
    }

    #[test]
    fn wide_characters_count_two_columns() {
        let lines = wrap(&cells("部队 部队 部队", &[]), Some(10));
        assert_eq!(
            lines.iter().map(|l| text(l)).collect::<Vec<_>>(),
            ["部队 部队", "部队"]
        );
    }
}
