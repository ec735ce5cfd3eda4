//! Splitting text into words, with compounds also kept whole.
//!
//! Like tantivy's `SimpleTokenizer`, a word is a run of letters and digits.
//! Two things are added because the same name is written several ways:
//!
//! - A compound joined by hyphens (`IL-10`, `COVID-19`, `e-mail`,
//!   `anti-inflammatory`) yields its parts *and* the parts run together
//!   (`il10`, `covid19`, `email`), so `IL10` finds `IL-10` and the other way
//!   round. Grouped digits (`1,000,000`) likewise yield `1000000`. The joined
//!   word takes the position of the compound's last part, so a quoted phrase
//!   written with the hyphen (`"IL-10 levels"`) still matches exactly and
//!   one written without it (`"IL10 levels"`) finds the hyphenated form too.
//! - In English, the possessive `'s` is dropped (`Alzheimer's` → `alzheimer`)
//!   instead of becoming a word `s` of its own, without a gap in positions,
//!   so `"Alzheimer's disease"` and `"Alzheimer disease"` are one phrase.
//!
//! The same analysis runs on the index and the query side, so what a
//! phrase means does not change between them.

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

/// Longest joined compound kept, in bytes; longer chains are only parts.
const MAX_JOINED: usize = 40;

/// A tokenizer splitting on anything but letters and digits that also
/// emits hyphenated compounds and grouped digits joined, and (for English)
/// drops the possessive `'s`.
#[derive(Clone, Debug, Default)]
pub struct WordTokenizer {
    english_possessives: bool,
    token: Token,
}

impl WordTokenizer {
    /// A tokenizer; `english_possessives` drops the `s` of `'s`.
    pub fn new(english_possessives: bool) -> WordTokenizer {
        WordTokenizer {
            english_possessives,
            token: Token::default(),
        }
    }
}

impl Tokenizer for WordTokenizer {
    type TokenStream<'a> = WordStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> WordStream<'a> {
        self.token.reset();
        WordStream {
            text,
            cursor: 0,
            english_possessives: self.english_possessives,
            next_position: 0,
            previous_end: None,
            chain: Chain::default(),
            pending: None,
            token: &mut self.token,
        }
    }
}

/// How the parts of a compound are joined.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Joint {
    Hyphen,
    DigitGroup,
}

/// The compound being read: its parts run together so far.
#[derive(Debug, Default)]
struct Chain {
    joint: Option<Joint>,
    parts: usize,
    start: usize,
    end: usize,
    position: usize,
    joined: String,
    /// The previous part was a run of 1–3 digits, so `,ddd` may follow.
    digits_may_group: bool,
}

/// The token stream of [`WordTokenizer`].
pub struct WordStream<'a> {
    text: &'a str,
    cursor: usize,
    english_possessives: bool,
    next_position: usize,
    /// Where the last word read ended.
    previous_end: Option<usize>,
    chain: Chain,
    /// A word read while the joined compound before it was being emitted.
    pending: Option<(usize, usize)>,
    token: &'a mut Token,
}

impl WordStream<'_> {
    /// The next run of letters and digits at or after the cursor.
    fn next_run(&mut self) -> Option<(usize, usize)> {
        let rest = &self.text[self.cursor..];
        let start = self.cursor + rest.find(char::is_alphanumeric)?;
        let end = self.text[start..]
            .find(|c: char| !c.is_alphanumeric())
            .map_or(self.text.len(), |i| start + i);
        self.cursor = end;
        Some((start, end))
    }

    /// How the run starting at `start` continues the current chain, if it
    /// does.
    fn joint_to(&self, start: usize, end: usize) -> Option<Joint> {
        let previous = self.previous_end?;
        let gap = &self.text[previous..start];
        let run = &self.text[start..end];
        let is_hyphen = matches!(gap, "-" | "\u{2010}" | "\u{2011}");
        if is_hyphen && self.chain.joint != Some(Joint::DigitGroup) {
            return Some(Joint::Hyphen);
        }
        let groups = gap == ","
            && self.chain.digits_may_group
            && run.len() == 3
            && run.bytes().all(|b| b.is_ascii_digit());
        (groups && self.chain.joint != Some(Joint::Hyphen)).then_some(Joint::DigitGroup)
    }

    /// Whether the run is the `s` of an English possessive: `'s` right
    /// after a word.
    fn is_possessive(&self, start: usize, end: usize) -> bool {
        let Some(previous) = self.previous_end else {
            return false;
        };
        self.english_possessives
            && matches!(&self.text[start..end], "s" | "S")
            && matches!(&self.text[previous..start], "'" | "\u{2019}")
    }

    /// Emits the word `text[start..end]` at the next position.
    fn emit_word(&mut self, start: usize, end: usize) {
        self.token.text.clear();
        self.token.text.push_str(&self.text[start..end]);
        self.token.offset_from = start;
        self.token.offset_to = end;
        self.token.position = self.next_position;
        self.token.position_length = 1;
        self.next_position += 1;
    }

    /// Emits the finished chain joined, when it has several parts; resets
    /// it either way. Returns whether a token was emitted.
    fn finish_chain(&mut self) -> bool {
        let chain = std::mem::take(&mut self.chain);
        if chain.parts < 2 || chain.joined.len() > MAX_JOINED {
            return false;
        }
        self.token.text.clear();
        self.token.text.push_str(&chain.joined);
        self.token.offset_from = chain.start;
        self.token.offset_to = chain.end;
        self.token.position = chain.position;
        self.token.position_length = 1;
        true
    }

    /// Adds the run to the chain (starting a new one when `joint` is
    /// `None`) and emits it as a word.
    fn read_part(&mut self, start: usize, end: usize, joint: Option<Joint>) {
        let run = &self.text[start..end];
        if joint.is_none() {
            self.chain = Chain {
                start,
                ..Chain::default()
            };
        }
        self.chain.joint = self.chain.joint.or(joint);
        self.chain.parts += 1;
        self.chain.end = end;
        self.chain.position = self.next_position;
        if self.chain.joined.len() <= MAX_JOINED {
            self.chain.joined.push_str(run);
        }
        self.chain.digits_may_group = match joint {
            None => run.len() <= 3 && run.bytes().all(|b| b.is_ascii_digit()),
            Some(Joint::DigitGroup) => true,
            Some(Joint::Hyphen) => false,
        };
        self.previous_end = Some(end);
        self.emit_word(start, end);
    }
}

impl TokenStream for WordStream<'_> {
    fn advance(&mut self) -> bool {
        if let Some((start, end)) = self.pending.take() {
            self.read_part(start, end, None);
            return true;
        }
        loop {
            let Some((start, end)) = self.next_run() else {
                return self.finish_chain();
            };
            if self.is_possessive(start, end) {
                // Not a word, and it ends any compound.
                self.previous_end = None;
                if self.finish_chain() {
                    return true;
                }
                continue;
            }
            match self.joint_to(start, end) {
                Some(joint) => self.read_part(start, end, Some(joint)),
                None => {
                    if self.finish_chain() {
                        self.pending = Some((start, end));
                        return true;
                    }
                    self.read_part(start, end, None);
                }
            }
            return true;
        }
    }

    fn token(&self) -> &Token {
        self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        self.token
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<(String, usize)> {
        let mut tokenizer = WordTokenizer::new(true);
        let mut stream = tokenizer.token_stream(text);
        let mut out = Vec::new();
        while stream.advance() {
            let token = stream.token();
            out.push((token.text.clone(), token.position));
        }
        out
    }

    fn texts(text: &str) -> Vec<String> {
        words(text).into_iter().map(|(t, _)| t).collect()
    }

    #[test]
    fn plain_words_split_like_the_simple_tokenizer() {
        assert_eq!(
            words("The cat, the HAT/5.5 ratio"),
            [
                ("The".into(), 0),
                ("cat".into(), 1),
                ("the".into(), 2),
                ("HAT".into(), 3),
                ("5".into(), 4),
                ("5".into(), 5),
                ("ratio".into(), 6)
            ]
        );
        assert!(words("").is_empty());
        assert!(words(" -- ,, ").is_empty());
    }

    #[test]
    fn hyphenated_compounds_yield_parts_and_the_joined_word_at_the_last_part() {
        assert_eq!(
            words("IL-10 levels"),
            [
                ("IL".into(), 0),
                ("10".into(), 1),
                ("IL10".into(), 1),
                ("levels".into(), 2)
            ]
        );
        assert_eq!(
            texts("anti-inflammatory COVID-19 e\u{2010}mail"),
            [
                "anti",
                "inflammatory",
                "antiinflammatory",
                "COVID",
                "19",
                "COVID19",
                "e",
                "mail",
                "email"
            ]
        );
        assert_eq!(texts("G-to-A."), ["G", "to", "A", "GtoA"]);
        // A spaced dash is punctuation, not a compound.
        assert_eq!(texts("cats - dogs"), ["cats", "dogs"]);
        assert_eq!(texts("cats--dogs"), ["cats", "dogs"]);
        // At the very end of the text.
        assert_eq!(texts("TNF-alpha"), ["TNF", "alpha", "TNFalpha"]);
    }

    #[test]
    fn grouped_digits_are_also_one_number() {
        assert_eq!(
            texts("1,000,000 people"),
            ["1", "000", "000", "1000000", "people"]
        );
        assert_eq!(texts("$1,500."), ["1", "500", "1500"]);
        // Not thousands: a list or decimals with a comma.
        assert_eq!(
            texts("3,4-biphosphate"),
            ["3", "4", "biphosphate", "4biphosphate"]
        );
        assert_eq!(texts("1,5"), ["1", "5"]);
        assert_eq!(texts("1234,567"), ["1234", "567"]);
        assert_eq!(texts("a,bcd"), ["a", "bcd"]);
    }

    #[test]
    fn english_possessives_lose_their_s_without_a_gap() {
        assert_eq!(
            words("Alzheimer's disease"),
            [("Alzheimer".into(), 0), ("disease".into(), 1)]
        );
        assert_eq!(
            texts("the patient\u{2019}s chart"),
            ["the", "patient", "chart"]
        );
        // Only after a word, and only a lone s.
        assert_eq!(texts("'s avonds"), ["s", "avonds"]);
        assert_eq!(texts("it's o'clock"), ["it", "o", "clock"]);
        assert_eq!(texts("rock'n'roll"), ["rock", "n", "roll"]);
        let mut other = WordTokenizer::new(false);
        let mut stream = other.token_stream("Alzheimer's");
        let mut kept = Vec::new();
        while stream.advance() {
            kept.push(stream.token().text.clone());
        }
        assert_eq!(kept, ["Alzheimer", "s"]);
    }

    #[test]
    fn a_possessive_ends_a_compound() {
        assert_eq!(
            texts("non-Hodgkin's lymphoma"),
            ["non", "Hodgkin", "nonHodgkin", "lymphoma"]
        );
    }

    #[test]
    fn offsets_point_at_the_text() {
        let text = "Ünïcode-wörds 2,500";
        let mut tokenizer = WordTokenizer::new(true);
        let mut stream = tokenizer.token_stream(text);
        let mut spans = Vec::new();
        while stream.advance() {
            let token = stream.token();
            spans.push(&text[token.offset_from..token.offset_to]);
        }
        assert_eq!(
            spans,
            ["Ünïcode", "wörds", "Ünïcode-wörds", "2", "500", "2,500"]
        );
    }

    mod properties {
        use proptest::prelude::*;
        use tantivy::tokenizer::SimpleTokenizer;

        use super::*;

        type Spans = Vec<(String, usize, usize, usize)>;

        fn all<T: Tokenizer>(tokenizer: &mut T, text: &str) -> Spans {
            let mut stream = tokenizer.token_stream(text);
            let mut out = Vec::new();
            while stream.advance() {
                let t = stream.token();
                out.push((t.text.clone(), t.offset_from, t.offset_to, t.position));
            }
            out
        }

        proptest! {
            /// Without the possessive rule, the words are exactly tantivy's
            /// `SimpleTokenizer`'s; every other token is a compound of them,
            /// spelled as its span without the joints, at the position of
            /// its last part.
            #[test]
            fn parts_are_the_simple_tokenizers_words(text in "[a-zA-Z0-9é ,.'’-]{0,40}") {
                let ours = all(&mut WordTokenizer::new(false), &text);
                let simple = all(&mut SimpleTokenizer::default(), &text);
                let (parts, joined): (Spans, Spans) = ours
                    .into_iter()
                    .partition(|(_, from, to, _)| text[*from..*to].chars().all(char::is_alphanumeric));
                prop_assert_eq!(parts.clone(), simple);
                for (word, from, to, position) in joined {
                    let spelled: String = text[from..to].chars().filter(|c| c.is_alphanumeric()).collect();
                    prop_assert_eq!(word, spelled);
                    let last = parts.iter().rfind(|p| p.2 == to);
                    prop_assert_eq!(last.map(|p| p.3), Some(position));
                }
            }

            #[test]
            fn never_panics_and_offsets_are_char_boundaries(text in "\\PC{0,60}") {
                for tokens in [all(&mut WordTokenizer::new(true), &text), all(&mut WordTokenizer::new(false), &text)] {
                    for (_, from, to, _) in tokens {
                        prop_assert!(text.is_char_boundary(from) && text.is_char_boundary(to) && from < to);
                    }
                }
            }
        }
    }

    #[test]
    fn very_long_chains_keep_only_their_parts() {
        let chain = ["abcdefgh"; 10].join("-");
        let got = texts(&chain);
        assert_eq!(got.len(), 10);
    }
}
