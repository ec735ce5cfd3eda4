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
//! - Chinese, Japanese and Korean are written without spaces between
//!   words, and a dictionary to find them would have to be shipped: as
//!   Lucene's CJK analyzer does, a run of CJK characters yields its
//!   overlapping pairs of characters (`中华人民` → `中华`, `华人`, `人民`),
//!   each at its own position, so a query of any length matches as the
//!   phrase of its pairs; a lone character is a word of one. A Latin word
//!   written against CJK characters (`goroutine协程`) is a word of its own.
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
            cjk: None,
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
    /// A word read while the joined compound before it was being emitted:
    /// its span and whether it is a run of CJK characters.
    pending: Option<(usize, usize, bool)>,
    /// The rest of a CJK run whose pairs are being emitted: the start of
    /// the next pair and the end of the run.
    cjk: Option<(usize, usize)>,
    token: &'a mut Token,
}

/// Whether `c` is written in a CJK script (Han, Hiragana, Katakana,
/// Hangul, Bopomofo), whose words are not separated by spaces.
pub fn is_cjk(c: char) -> bool {
    let c = c as u32;
    c >= 0x1100
        && matches!(c,
            0x1100..=0x11FF // Hangul Jamo
            | 0x3005..=0x3007 // 々 〆 〇
            | 0x3040..=0x30FF // Hiragana, Katakana
            | 0x3100..=0x312F // Bopomofo
            | 0x3130..=0x318F // Hangul compatibility Jamo
            | 0x31A0..=0x31BF // Bopomofo extended
            | 0x31F0..=0x31FF // Katakana phonetic extensions
            | 0x3400..=0x4DBF // Han extension A
            | 0x4E00..=0x9FFF // Han
            | 0xA960..=0xA97F // Hangul Jamo extended A
            | 0xAC00..=0xD7AF // Hangul syllables
            | 0xD7B0..=0xD7FF // Hangul Jamo extended B
            | 0xF900..=0xFAFF // Han compatibility
            | 0xFF66..=0xFF9F // half-width Katakana
            | 0xFFA0..=0xFFDC // half-width Hangul
            | 0x20000..=0x323AF // Han extensions B to H
        )
}

impl WordStream<'_> {
    /// The next run of letters and digits at or after the cursor, all CJK
    /// or none, and which it is.
    fn next_run(&mut self) -> Option<(usize, usize, bool)> {
        let rest = &self.text[self.cursor..];
        let (at, first) = rest.char_indices().find(|(_, c)| c.is_alphanumeric())?;
        let start = self.cursor + at;
        let cjk = is_cjk(first);
        let end = self.text[start..]
            .find(|c: char| !c.is_alphanumeric() || is_cjk(c) != cjk)
            .map_or(self.text.len(), |i| start + i);
        self.cursor = end;
        Some((start, end, cjk))
    }

    /// Starts emitting the pairs of the CJK run `start..end`.
    fn start_cjk(&mut self, start: usize, end: usize) {
        // A CJK run ends any compound and starts none.
        self.previous_end = None;
        self.cjk = Some((start, end));
        self.emit_cjk();
    }

    /// Emits the next pair of the CJK run (or its only character), at the
    /// next position.
    fn emit_cjk(&mut self) -> bool {
        let Some((at, end)) = self.cjk.take() else {
            return false;
        };
        let mut chars = self.text[at..end].chars();
        let Some(first) = chars.next() else {
            return false;
        };
        let second_start = at + first.len_utf8();
        match chars.next() {
            Some(second) => {
                let pair_end = second_start + second.len_utf8();
                self.emit_word(at, pair_end);
                if pair_end < end {
                    self.cjk = Some((second_start, end));
                }
            }
            None => self.emit_word(at, end),
        }
        true
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
        if self.emit_cjk() {
            return true;
        }
        if let Some((start, end, cjk)) = self.pending.take() {
            if cjk {
                self.start_cjk(start, end);
            } else {
                self.read_part(start, end, None);
            }
            return true;
        }
        loop {
            let Some((start, end, cjk)) = self.next_run() else {
                return self.finish_chain();
            };
            if cjk {
                if self.finish_chain() {
                    self.pending = Some((start, end, true));
                } else {
                    self.start_cjk(start, end);
                }
                return true;
            }
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
                        self.pending = Some((start, end, false));
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
    fn cjk_runs_become_overlapping_pairs_and_latin_words_stand_apart() {
        assert_eq!(
            words("中华人民 共和"),
            [
                ("中华".into(), 0),
                ("华人".into(), 1),
                ("人民".into(), 2),
                ("共和".into(), 3)
            ]
        );
        assert_eq!(
            texts("goroutine协程调度"),
            ["goroutine", "协程", "程调", "调度"]
        );
        assert_eq!(texts("用Go写"), ["用", "Go", "写"]);
        assert_eq!(
            texts("東京タワーへ行く"),
            ["東京", "京タ", "タワ", "ワー", "ーへ", "へ行", "行く"]
        );
        assert_eq!(texts("한국어 검색"), ["한국", "국어", "검색"]);
        assert_eq!(texts("COVID-19疫情"), ["COVID", "19", "COVID19", "疫情"]);
        let text = "用goroutine协程";
        let mut tokenizer = WordTokenizer::new(true);
        let mut stream = tokenizer.token_stream(text);
        let mut spans = Vec::new();
        while stream.advance() {
            let token = stream.token();
            spans.push(&text[token.offset_from..token.offset_to]);
        }
        assert_eq!(spans, ["用", "goroutine", "协程"]);
    }

    #[test]
    fn very_long_chains_keep_only_their_parts() {
        let chain = ["abcdefgh"; 10].join("-");
        let got = texts(&chain);
        assert_eq!(got.len(), 10);
    }
}
