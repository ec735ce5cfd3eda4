//! Reading the dates articles are written with.
//!
//! Every form goes through jiff, so calendar rules (leap years, month
//! lengths, offsets) are never hand-computed. A date with a time and zone is
//! kept to the second with the offset it was written in, so both the instant
//! and the author's calendar day are known; a bare day is kept as a day. A
//! date with a time but no zone is taken as UTC: guessing the writer's local
//! zone would be worse than a few hours' error on a day boundary, and the day
//! as written is kept either way. A value that cannot be read is said why
//! ([`DateProblem`]), so the article can be reported rather than silently
//! undated.

use std::fmt;
use std::path::Path;

use jiff::civil::{Date, DateTime};
use jiff::fmt::strtime::BrokenDownTime;

use crate::date::{ArticleDate, DatePrecision};

/// Where an article's date was found, in the fixed order they are tried:
/// the format's own metadata first, the path last, the file's modification
/// time only when asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DateSource {
    /// The reference format's ` date YYYY-MM-DD` first line.
    DateLine,
    /// YAML or TOML front matter (`date`, `published`, `pubDate`).
    FrontMatter,
    /// A front-matter key holding a site path or URL with a day in it
    /// (`path = "2025/06/26/Rust-1.88.0"`), tried after the date keys.
    FrontMatterPath(PathKey),
    /// A field of a JSON object (`date`, `published_at`, `timestamp`, ...).
    JsonField,
    /// A mail or Usenet `Date:` header.
    Header,
    /// An SGML `<DATE>` element (Reuters-21578).
    SgmlElement,
    /// HTML JSON-LD `datePublished`.
    JsonLd,
    /// An HTML `<meta>` tag such as `article:published_time`.
    MetaTag,
    /// An HTML `<time datetime>` element.
    TimeElement,
    /// A feed item's Atom `<published>`.
    Published,
    /// A feed item's RSS `<pubDate>`.
    PubDate,
    /// A feed item's Dublin Core `<dc:date>` (RSS 1.0).
    DcDate,
    /// A feed item's Atom `<updated>`, when it has no publication date.
    Updated,
    /// A WARC record's `WARC-Date`: when the page was fetched, used when
    /// the page itself carries no date.
    WarcDate,
    /// A PDF's document information `CreationDate`.
    PdfInfo,
    /// A PDF's XMP metadata `CreateDate`.
    Xmp,
    /// A date in the file name (`2024-01-25-title.md`).
    FileName,
    /// Date folders (`2024/01/25/`).
    Folders,
    /// The file's modification time (only with `--date-from-mtime`).
    Mtime,
}

impl DateSource {
    /// The stable name used in JSON output and the index.
    pub fn name(self) -> &'static str {
        match self {
            DateSource::DateLine => "date-line",
            DateSource::FrontMatter => "front-matter",
            DateSource::FrontMatterPath(key) => match key {
                PathKey::Path => "front-matter-path",
                PathKey::Slug => "front-matter-slug",
                PathKey::Url => "front-matter-url",
                PathKey::Permalink => "front-matter-permalink",
                PathKey::Aliases => "front-matter-aliases",
            },
            DateSource::JsonField => "json-field",
            DateSource::Header => "header",
            DateSource::SgmlElement => "sgml-element",
            DateSource::JsonLd => "json-ld",
            DateSource::MetaTag => "meta-tag",
            DateSource::TimeElement => "time-element",
            DateSource::Published => "published",
            DateSource::PubDate => "pub-date",
            DateSource::DcDate => "dc-date",
            DateSource::Updated => "updated",
            DateSource::WarcDate => "warc-date",
            DateSource::PdfInfo => "pdf-info",
            DateSource::Xmp => "xmp",
            DateSource::FileName => "filename",
            DateSource::Folders => "folders",
            DateSource::Mtime => "mtime",
        }
    }
}

/// The front-matter keys in which static-site generators keep a post's
/// path or address, where a day is often written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PathKey {
    /// `path` (Zola, the Rust blog).
    Path,
    /// `slug`.
    Slug,
    /// `url` (Hugo).
    Url,
    /// `permalink` (Jekyll).
    Permalink,
    /// `aliases` (Hugo), a list of older paths.
    Aliases,
}

impl PathKey {
    /// Every key, in the order they are tried.
    pub const ALL: [PathKey; 5] = [
        PathKey::Path,
        PathKey::Permalink,
        PathKey::Url,
        PathKey::Slug,
        PathKey::Aliases,
    ];

    /// The key as written in front matter.
    pub fn key(self) -> &'static str {
        match self {
            PathKey::Path => "path",
            PathKey::Slug => "slug",
            PathKey::Url => "url",
            PathKey::Permalink => "permalink",
            PathKey::Aliases => "aliases",
        }
    }
}

/// How all-number dates whose first two parts could each be the day or
/// the month (`04/05/2024`) are read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DayOrder {
    /// Not guessed: such a date is reported as ambiguous. Dots
    /// (`04.05.2024`) are read day first, the only order they are written
    /// in.
    #[default]
    Unknown,
    /// Day first: `04/05/2024` is 4 May 2024.
    DayFirst,
    /// Month first: `04/05/2024` is April 5, 2024.
    MonthFirst,
}

/// Why a date value could not be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DateProblem {
    /// Not a form dateline reads, or an impossible date (`2024-13-40`).
    NotUnderstood,
    /// An all-number date that names two different days.
    Ambiguous {
        /// The day it is when read day first.
        day_first: Date,
        /// The day it is when read month first.
        month_first: Date,
    },
    /// A real date outside the years 1000–9999 (a Y2K `0100-01-05`).
    OutOfRange,
}

impl DateProblem {
    /// A stable number for the index (1, 2, 3).
    pub fn code(self) -> u64 {
        match self {
            DateProblem::NotUnderstood => 1,
            DateProblem::Ambiguous { .. } => 2,
            DateProblem::OutOfRange => 3,
        }
    }

    /// A short name for listings: `not understood`, `ambiguous`,
    /// `out of range`.
    pub fn name_of_code(code: u64) -> &'static str {
        match code {
            2 => "ambiguous",
            3 => "out of range",
            _ => "not understood",
        }
    }
}

impl fmt::Display for DateProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DateProblem::NotUnderstood => write!(f, "not understood"),
            DateProblem::Ambiguous {
                day_first,
                month_first,
            } => write!(
                f,
                "is ambiguous ({day_first} day first, {month_first} month first: index with --day-first or --month-first)"
            ),
            DateProblem::OutOfRange => write!(f, "is outside the years 1000-9999"),
        }
    }
}

/// A date value found in an article's metadata that could not be read:
/// reported with the file, counted, and listed by `stats`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnreadDate {
    /// The field, key or header it was found under (`date`, `Date`, ...).
    pub field: String,
    /// The value as written.
    pub value: String,
    /// Why it could not be read.
    pub problem: DateProblem,
}

impl fmt::Display for UnreadDate {
    /// `date "2024-13-40" not understood`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let value: String = self.value.chars().take(60).collect();
        let cut = if value.len() < self.value.len() {
            "…"
        } else {
            ""
        };
        write!(f, "{} \"{value}{cut}\" {}", self.field, self.problem)
    }
}

/// Forms with a time and a zone, tried in order after RFC 3339 and RFC
/// 2822 (offsets written `+01:00` are read as `+0100`).
const ZONED_FORMS: &[&str] = &[
    "%a, %d %b %Y %H:%M:%S %z",
    "%d %b %Y %H:%M:%S %z",
    "%a, %d %b %Y %H:%M %z",
    "%a %b %d %H:%M:%S %z %Y",
    "%Y-%m-%d %H:%M:%S %z",
    "%Y-%m-%d %H:%M %z",
    "%Y-%m-%dT%H:%M:%S %z",
    "%Y/%m/%d %H:%M:%S %z",
    "%Y/%m/%d %H:%M %z",
    "%B %d, %Y %H:%M:%S %z",
    "%B %d, %Y %H:%M %z",
];

/// Forms with a time but no zone (taken as UTC).
const LOCAL_FORMS: &[&str] = &[
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%d-%b-%Y %H:%M:%S",
    "%d %b %Y %H:%M:%S",
    "%d %b %Y %H:%M",
    "%a, %d %b %Y %H:%M:%S",
    "%B %d, %Y %H:%M:%S",
    "%B %d, %Y %H:%M",
    "%b %d, %Y %H:%M",
    "%a %b %d %H:%M:%S %Y",
];

/// Forms naming only a day.
const DAY_FORMS: &[&str] = &[
    "%Y-%m-%d",
    "%B %d, %Y",
    "%b %d, %Y",
    "%b. %d, %Y",
    "%B %d %Y",
    "%b %d %Y",
    "%A, %B %d, %Y",
    "%A %B %d, %Y",
    "%a, %b %d, %Y",
    "%d %B %Y",
    "%d %b %Y",
    "%d %b. %Y",
    "%d %B, %Y",
    "%a, %d %b %Y",
    "%A, %d %B %Y",
    "%A %d %B %Y",
    "%Y/%m/%d",
    "%d-%b-%Y",
    "%Y.%m.%d",
    "%B %Y",
];

/// Parses a date written in any of the common forms (see [`read_date`]),
/// all-number dates that could be day or month first left unread.
///
/// Returns `None` for anything else, and for years outside 1000–9999.
pub fn parse_date_text(text: &str) -> Option<ArticleDate> {
    read_date(text, DayOrder::Unknown).ok()
}

/// Reads a date as articles write it: RFC 3339 / ISO 8601 (also with one
/// digit months and days, `2024-4-9`, an IANA zone in brackets, or an ISO
/// week day `2024-W15-2`), RFC 2822 (with or without the weekday, `GMT`,
/// `EST`, ...), `January 25, 2024`, `April 9th, 2024`, `9. April 2024`,
/// `25 Jan 2024`, `2024/01/25`, `2024.04.09`, `26-FEB-1987 15:01:01.79`,
/// all-number dates (`25/01/2024`, read by `order` when both readings are
/// possible) and Unix timestamps given as digits.
///
/// The offset a time was written in is kept ([`ArticleDate::offset`]); a
/// time without a zone is taken as UTC.
pub fn read_date(text: &str, order: DayOrder) -> Result<ArticleDate, DateProblem> {
    let text = normalise_spaces(text);
    let text = text.trim_matches(|c: char| c.is_whitespace() || c == '"' || c == '\'');
    if text.is_empty() || text.len() > 80 {
        return Err(DateProblem::NotUnderstood);
    }
    if let Some(numeric) = day_month_year(text, order) {
        let iso = numeric?;
        return parse_any(&iso)
            .ok_or(DateProblem::NotUnderstood)
            .and_then(in_supported_range);
    }
    let date = parse_any(text)
        .or_else(|| {
            let lenient = lenient_form(text);
            (lenient != text).then(|| parse_any(&lenient)).flatten()
        })
        .ok_or(DateProblem::NotUnderstood)?;
    in_supported_range(date)
}

/// Whether a metadata value that could not be read still looks meant as a
/// date, so that failing to read it is worth reporting: it holds a digit.
pub fn looks_like_a_date(text: &str) -> bool {
    text.bytes().any(|b| b.is_ascii_digit())
}

fn parse_any(text: &str) -> Option<ArticleDate> {
    parse_iso(text)
        .or_else(|| parse_rfc2822(text))
        .or_else(|| parse_with_forms(text))
        .or_else(|| parse_reuters_date(text))
        .or_else(|| parse_unix_digits(text))
}

/// A Unix timestamp from JSON: seconds, or milliseconds when the number is
/// too large to be seconds within the supported years.
pub fn date_from_unix(value: f64) -> Option<ArticleDate> {
    read_unix(value).ok()
}

/// [`date_from_unix`], saying why a number is not a date.
pub fn read_unix(value: f64) -> Result<ArticleDate, DateProblem> {
    if !value.is_finite() {
        return Err(DateProblem::NotUnderstood);
    }
    // 10^11 seconds is the year 5138; larger values in real data are
    // milliseconds (JavaScript's Date.now()).
    let seconds = if value.abs() >= 1e11 {
        value / 1000.0
    } else {
        value
    };
    let timestamp = seconds.floor() as i64;
    in_supported_range(ArticleDate::from_stored(timestamp, DatePrecision::Second))
}

/// Reuters-21578's `<DATE>`: `26-FEB-1987 15:01:01.79`, tolerating the
/// collection's quirks (padding spaces, junk after the time, an impossible
/// hour — then only the day is kept).
pub fn parse_reuters_date(text: &str) -> Option<ArticleDate> {
    let mut parts = text.split_whitespace();
    let day_part = parts.next()?;
    let day = BrokenDownTime::parse("%d-%b-%Y", day_part)
        .ok()?
        .to_date()
        .ok()?;
    let time = parts.next().and_then(|time| {
        let clock = time.split('.').next()?;
        let mut fields = clock.split(':').map(|f| f.parse::<i8>().ok());
        let (h, m, s) = (fields.next()??, fields.next()??, fields.next()??);
        jiff::civil::Time::new(h, m, s, 0).ok()
    });
    let date = match time {
        Some(time) => ArticleDate::from_local(DateTime::from_parts(day, time), 0),
        None => ArticleDate::from_day(day),
    };
    in_supported_range(date).ok()
}

/// A date written in a path: a file name starting or containing
/// `YYYY-MM-DD` (or `YYYY_MM_DD`, `YYYYMMDD-`), or folders `YYYY/MM/DD/`.
/// Returns the date and whether it came from the file name (else folders).
pub fn date_from_path(relative: &Path) -> Option<(ArticleDate, bool)> {
    if let Some(name) = relative.file_name().and_then(|n| n.to_str())
        && let Some(day) = day_in_name(name)
    {
        return Some((ArticleDate::from_day(day), true));
    }
    let parts: Vec<&str> = relative
        .parent()?
        .components()
        .filter_map(|c| c.as_os_str().to_str())
        .collect();
    day_in_folders(&parts).map(|day| (ArticleDate::from_day(day), false))
}

/// A day written in a site path or URL, as static-site generators keep
/// them in `path`, `slug`, `url`, `permalink` or `aliases`:
/// `2025/06/26/Rust-1.88.0`, `/blog/2024/01/25/title/`,
/// `https://example.com/2024-01-25-title.html`. The last segment's name
/// is tried first, then `YYYY/MM/DD` segments, then the other names.
pub fn date_in_site_path(value: &str) -> Option<ArticleDate> {
    let path = value
        .split(['?', '#'])
        .next()
        .unwrap_or(value)
        .split_once("://")
        .map_or(value, |(_, rest)| {
            rest.split_once('/').map_or("", |(_, p)| p)
        });
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let (last, folders) = segments.split_last()?;
    day_in_name(last)
        .or_else(|| day_in_folders(&segments))
        .or_else(|| folders.iter().rev().find_map(|s| day_in_name(s)))
        .map(ArticleDate::from_day)
}

/// Whether `date` lies after the end of the year after `now_year`: such
/// dates are usually typos or placeholder values and are reported.
pub fn is_suspicious(date: &ArticleDate, now_year: i16) -> bool {
    date.day().year() > now_year.saturating_add(1)
}

fn day_in_folders(parts: &[&str]) -> Option<Date> {
    parts.windows(3).rev().find_map(|w| {
        let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
        if !(digits(w[0], 4) && digits(w[1], 2) && digits(w[2], 2)) {
            return None;
        }
        let day = Date::new(w[0].parse().ok()?, w[1].parse().ok()?, w[2].parse().ok()?).ok()?;
        (day.year() >= 1000).then_some(day)
    })
}

fn day_in_name(name: &str) -> Option<Date> {
    let bytes = name.as_bytes();
    (0..bytes.len().saturating_sub(7)).find_map(|start| {
        // A date starts with an ASCII digit not glued to another digit (an
        // id like 12024012599); checking the byte first also keeps every
        // slice below on character boundaries, whatever the name holds.
        if !bytes[start].is_ascii_digit() || (start > 0 && bytes[start - 1].is_ascii_digit()) {
            return None;
        }
        let rest = &name[start..];
        let (y, m, d, end) = if rest.len() >= 10
            && rest.as_bytes()[4] == rest.as_bytes()[7]
            && matches!(rest.as_bytes()[4], b'-' | b'_' | b'.')
        {
            (rest.get(0..4)?, rest.get(5..7)?, rest.get(8..10)?, 10)
        } else {
            (rest.get(0..4)?, rest.get(4..6)?, rest.get(6..8)?, 8)
        };
        let all_digits = [y, m, d]
            .iter()
            .all(|p| p.bytes().all(|b| b.is_ascii_digit()));
        if !all_digits || rest.as_bytes().get(end).is_some_and(u8::is_ascii_digit) {
            return None;
        }
        let year: i16 = y.parse().ok()?;
        if !(1000..=9999).contains(&year) {
            return None;
        }
        Date::new(year, m.parse().ok()?, d.parse().ok()?).ok()
    })
}

/// An all-number date with the year last (`25/01/2024`, `4-5-2024`,
/// `25.01.2024 10:00`), rewritten year first (`2024-01-25 10:00`). `None`
/// when `text` is not of that shape.
fn day_month_year(text: &str, order: DayOrder) -> Option<Result<String, DateProblem>> {
    let (head, rest) = text.split_once(' ').unwrap_or((text, ""));
    let separator = head.chars().find(|c| matches!(c, '/' | '-' | '.'))?;
    let parts: Vec<&str> = head.trim_end_matches(separator).split(separator).collect();
    let [a, b, year] = parts.as_slice() else {
        return None;
    };
    let short = |s: &str| (1..=2).contains(&s.len()) && s.bytes().all(|c| c.is_ascii_digit());
    if !short(a) || !short(b) || year.len() != 4 || !year.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let (a, b, year): (i8, i8, i16) = (a.parse().ok()?, b.parse().ok()?, year.parse().ok()?);
    let day_first = Date::new(year, b, a).ok();
    let month_first = Date::new(year, a, b).ok();
    let day = match (day_first, month_first) {
        (Some(day), Some(other)) if day != other => match (order, separator) {
            (DayOrder::DayFirst, _) | (DayOrder::Unknown, '.') => day,
            (DayOrder::MonthFirst, _) => other,
            (DayOrder::Unknown, _) => {
                return Some(Err(DateProblem::Ambiguous {
                    day_first: day,
                    month_first: other,
                }));
            }
        },
        (Some(day), _) | (None, Some(day)) => day,
        (None, None) => return Some(Err(DateProblem::NotUnderstood)),
    };
    let rest = rest.trim();
    Some(Ok(if rest.is_empty() {
        day.to_string()
    } else {
        format!("{day} {rest}")
    }))
}

/// The forms people write that jiff's formats do not read as is, rewritten
/// into ones they do: ordinal days (`April 9th`), a dot after the day
/// (`9. April 2024`), `Sept`, and the year Ruby's `Time#to_s` repeats
/// before the offset (`2023-01-29 18:30:22 2023 -0800`).
fn lenient_form(text: &str) -> String {
    let mut words: Vec<String> = text
        .split(' ')
        .map(|word| {
            let digits = word.bytes().take_while(u8::is_ascii_digit).count();
            let (number, tail) = word.split_at(digits);
            let tail_lower = tail.to_ascii_lowercase();
            let suffix = ["st", "nd", "rd", "th", "."]
                .iter()
                .find(|s| tail_lower.trim_end_matches(',') == **s);
            match suffix {
                Some(_) if (1..=2).contains(&number.len()) => {
                    let comma = if tail.ends_with(',') { "," } else { "" };
                    format!("{number}{comma}")
                }
                _ if word.eq_ignore_ascii_case("sept") || word.eq_ignore_ascii_case("sept.") => {
                    "Sep".to_string()
                }
                _ => word.to_string(),
            }
        })
        .collect();
    if let Some(year) = words.first().and_then(|w| w.get(..4)).map(str::to_string)
        && words.len() >= 4
        && words[2] == year
    {
        words.remove(2);
    }
    words.join(" ")
}

fn parse_iso(text: &str) -> Option<ArticleDate> {
    if !text.as_bytes().first()?.is_ascii_digit() {
        return None;
    }
    if text.len() == 10
        && let Ok(day) = text.parse::<Date>()
    {
        return Some(ArticleDate::from_day(day));
    }
    if text.contains(['W', 'w'])
        && let Ok(period) = crate::date::Period::parse(text)
    {
        // An ISO week date names a day; a bare week does not.
        return (period.first_day() == period.last_day())
            .then(|| ArticleDate::from_day(period.first_day()));
    }
    if text.ends_with(']')
        && let Ok(zoned) = text.parse::<jiff::ZonedDateTime>()
    {
        return Some(ArticleDate::from_local(
            zoned.datetime(),
            zoned.offset().seconds(),
        ));
    }
    let pieces = jiff::fmt::temporal::Pieces::parse(text).ok()?;
    let Some(time) = pieces.time() else {
        return Some(ArticleDate::from_day(pieces.date()));
    };
    let offset = pieces.to_numeric_offset().map_or(0, |o| o.seconds());
    Some(ArticleDate::from_local(
        DateTime::from_parts(pieces.date(), time),
        offset,
    ))
}

fn parse_rfc2822(text: &str) -> Option<ArticleDate> {
    let zoned = jiff::fmt::rfc2822::parse(text).ok()?;
    Some(ArticleDate::from_local(
        zoned.datetime(),
        zoned.offset().seconds(),
    ))
}

fn parse_with_forms(text: &str) -> Option<ArticleDate> {
    // Named zones jiff's %z cannot read; US zones are the ones found in
    // old news and Usenet archives.
    let zoned_text = replace_zone_name(text);
    for form in ZONED_FORMS {
        if let Ok(parsed) = BrokenDownTime::parse(form, &zoned_text)
            && let (Ok(datetime), Some(offset)) = (parsed.to_datetime(), parsed.offset())
        {
            return Some(ArticleDate::from_local(datetime, offset.seconds()));
        }
    }
    for form in LOCAL_FORMS {
        if let Ok(parsed) = BrokenDownTime::parse(form, text)
            && let Ok(datetime) = parsed.to_datetime()
        {
            return Some(ArticleDate::from_local(datetime, 0));
        }
    }
    for form in DAY_FORMS {
        if let Ok(mut parsed) = BrokenDownTime::parse(form, text) {
            if parsed.day().is_none() {
                // `January 2024`: the month is known, the day is its first.
                parsed.set_day(Some(1)).ok()?;
            }
            if let Ok(day) = parsed.to_date() {
                return Some(ArticleDate::from_day(day));
            }
        }
    }
    None
}

fn parse_unix_digits(text: &str) -> Option<ArticleDate> {
    // Nine digits or more: shorter runs are years, ids or compact dates.
    if text.len() < 9 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    date_from_unix(text.parse::<f64>().ok()?)
}

/// Replaces a trailing zone abbreviation (`GMT`, `EST`, ...) by its offset,
/// and a trailing `+01:00` by `+0100`.
fn replace_zone_name(text: &str) -> String {
    const ZONES: &[(&str, &str)] = &[
        ("UTC", "+0000"),
        ("GMT", "+0000"),
        ("UT", "+0000"),
        ("Z", "+0000"),
        ("EST", "-0500"),
        ("EDT", "-0400"),
        ("CST", "-0600"),
        ("CDT", "-0500"),
        ("MST", "-0700"),
        ("MDT", "-0600"),
        ("PST", "-0800"),
        ("PDT", "-0700"),
    ];
    if let Some((head, zone)) = text.rsplit_once(' ') {
        let zone = zone.trim_matches(|c| c == '(' || c == ')');
        if let Some((_, offset)) = ZONES
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(zone))
        {
            return format!("{head} {offset}");
        }
        let bytes = zone.as_bytes();
        if bytes.len() == 6 && matches!(bytes[0], b'+' | b'-') && bytes[3] == b':' {
            return format!("{head} {}{}", &zone[..3], &zone[4..]);
        }
    }
    text.to_string()
}

fn in_supported_range(date: ArticleDate) -> Result<ArticleDate, DateProblem> {
    let year = date.day().year();
    if (1000..=9999).contains(&year) {
        Ok(date)
    } else {
        Err(DateProblem::OutOfRange)
    }
}

fn normalise_spaces(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(text: &str) -> String {
        parse_date_text(text)
            .map(|d| d.to_string())
            .unwrap_or_else(|| "none".into())
    }

    #[test]
    fn every_listed_form_parses() {
        let cases = [
            ("2024-01-25", "2024-01-25"),
            ("2024-01-25T10:00:00Z", "2024-01-25T10:00:00Z"),
            ("2024-01-25T12:00:00+02:00", "2024-01-25T12:00:00+02:00"),
            ("2024-01-25T10:00:00.123Z", "2024-01-25T10:00:00Z"),
            ("2024-01-25 10:00:00", "2024-01-25T10:00:00Z"),
            ("2024-01-25T10:00:00", "2024-01-25T10:00:00Z"),
            ("Wed, 24 Jan 2024 10:00:00 +0000", "2024-01-24T10:00:00Z"),
            (
                "Wed, 24 Jan 2024 10:00:00 -0500",
                "2024-01-24T10:00:00-05:00",
            ),
            ("24 Jan 2024 10:00 -0500", "2024-01-24T10:00:00-05:00"),
            ("Wed, 24 Jan 2024 10:00:00 EST", "2024-01-24T10:00:00-05:00"),
            ("2013-11-04 21:46:02 -0600", "2013-11-04T21:46:02-06:00"),
            ("2024-01-25 10:00:00 +01:00", "2024-01-25T10:00:00+01:00"),
            ("2024-01-25 10:00 +0530", "2024-01-25T10:00:00+05:30"),
            (
                "2023-01-29 18:30:22 2023 -0800",
                "2023-01-29T18:30:22-08:00",
            ),
            (
                "2024-01-25T10:00:00[America/New_York]",
                "2024-01-25T10:00:00-05:00",
            ),
            ("2024-4-9", "2024-04-09"),
            ("2024-4-09", "2024-04-09"),
            ("2024.04.09", "2024-04-09"),
            ("2024/4/9", "2024-04-09"),
            ("April 9th, 2024", "2024-04-09"),
            ("April 1st 2024", "2024-04-01"),
            ("9. April 2024", "2024-04-09"),
            ("Sept. 9, 2024", "2024-09-09"),
            ("Tuesday, April 9, 2024", "2024-04-09"),
            ("2024-W15-2", "2024-04-09"),
            ("2024W152", "2024-04-09"),
            ("25/01/2024", "2024-01-25"),
            ("01/25/2024", "2024-01-25"),
            ("09.04.2024", "2024-04-09"),
            ("09.04.2024 10:30", "2024-04-09T10:30:00Z"),
            ("04/04/2024", "2024-04-04"),
            ("Sat, 17 Apr 1993 02:42:51 GMT", "1993-04-17T02:42:51Z"),
            ("January 25, 2024", "2024-01-25"),
            ("Jan 25, 2024", "2024-01-25"),
            ("25 Jan 2024", "2024-01-25"),
            ("25 January 2024", "2024-01-25"),
            ("2024/01/25", "2024-01-25"),
            ("26-FEB-1987 15:01:01.79", "1987-02-26T15:01:01Z"),
            (" 1-MAR-1987  01:41:26.47", "1987-03-01T01:41:26Z"),
            ("1706176800", "2024-01-25T10:00:00Z"),
            ("1851-09-18", "1851-09-18"),
            ("1492-10-12", "1492-10-12"),
            ("October 12, 1492", "1492-10-12"),
        ];
        for (text, want) in cases {
            assert_eq!(parsed(text), want, "{text}");
        }
    }

    #[test]
    fn non_dates_and_out_of_range_years_are_none() {
        for text in [
            "",
            "yesterday",
            "2024-13-01",
            "2023-02-29",
            "0999-01-01",
            "12",
            "hello world",
            "2024",
            "Q3 2024",
            "2024-W15",
            "04/05/2024",
            "31/31/2024",
            "2024-13-40",
        ] {
            assert_eq!(parsed(text), "none", "{text}");
        }
    }

    #[test]
    fn problems_say_why_and_the_day_order_settles_ambiguity() {
        let day = |text: &str| text.parse::<Date>().unwrap();
        assert_eq!(
            read_date("04/05/2024", DayOrder::Unknown),
            Err(DateProblem::Ambiguous {
                day_first: day("2024-05-04"),
                month_first: day("2024-04-05"),
            })
        );
        let read = |order| read_date("04/05/2024", order).unwrap().to_string();
        assert_eq!(read(DayOrder::DayFirst), "2024-05-04");
        assert_eq!(read(DayOrder::MonthFirst), "2024-04-05");
        assert_eq!(
            read_date("04-05-2024 10:00:00 +0200", DayOrder::DayFirst)
                .unwrap()
                .to_string(),
            "2024-05-04T10:00:00+02:00"
        );
        assert_eq!(
            read_date("0100-01-05", DayOrder::Unknown),
            Err(DateProblem::OutOfRange)
        );
        assert_eq!(
            read_date("2024-13-40", DayOrder::Unknown),
            Err(DateProblem::NotUnderstood)
        );
        let problem = DateProblem::Ambiguous {
            day_first: day("2024-05-04"),
            month_first: day("2024-04-05"),
        };
        assert!(problem.to_string().contains("--day-first"));
    }

    #[test]
    fn daylight_saving_changes_keep_each_offset_and_day() {
        // Central Europe springs forward at 02:00 on 2024-03-31; New York
        // falls back at 02:00 on 2024-11-03, so 01:30 happens twice.
        let before = read_date("2024-03-31T01:30:00+01:00", DayOrder::Unknown).unwrap();
        let after = read_date("2024-03-31T03:30:00+02:00", DayOrder::Unknown).unwrap();
        assert_eq!(after.timestamp - before.timestamp, 3_600);
        assert_eq!(before.day(), after.day());
        let first = read_date("2024-11-03 01:30:00 EDT", DayOrder::Unknown).unwrap();
        let second = read_date("2024-11-03 01:30:00 EST", DayOrder::Unknown).unwrap();
        assert_eq!(second.timestamp - first.timestamp, 3_600);
        assert_eq!(first.to_string(), "2024-11-03T01:30:00-04:00");
        assert_eq!(second.to_string(), "2024-11-03T01:30:00-05:00");
        // A time in the spring gap of a named zone moves past the gap.
        let gap = read_date("2024-03-10T02:30:00[America/New_York]", DayOrder::Unknown).unwrap();
        assert_eq!(gap.to_string(), "2024-03-10T03:30:00-04:00");
    }

    #[test]
    fn days_in_site_paths() {
        let day = |text: &str| date_in_site_path(text).map(|d| d.to_string());
        assert_eq!(day("2025/06/26/Rust-1.88.0").as_deref(), Some("2025-06-26"));
        assert_eq!(
            day("/blog/2024/01/25/launch/").as_deref(),
            Some("2024-01-25")
        );
        assert_eq!(
            day("https://example.com/2023-05-01-notes.html?x=1").as_deref(),
            Some("2023-05-01")
        );
        assert_eq!(
            day("https://2024.example.com/posts/20240125-x").as_deref(),
            Some("2024-01-25")
        );
        assert_eq!(day("/2024/01/slug/"), None);
        assert_eq!(day("2019"), None);
        assert_eq!(day("/p/120240125999"), None);
    }

    #[test]
    fn reuters_quirks_are_tolerated() {
        let junk = parse_reuters_date("27-MAR-1987 00:03:35.68\u{5}\u{5}F").unwrap();
        assert_eq!(junk.to_string(), "1987-03-27T00:03:35Z");
        let bad_hour = parse_reuters_date("31-MAR-1987 605:12:19.12").unwrap();
        assert_eq!(bad_hour.to_string(), "1987-03-31");
        let comment =
            parse_reuters_date("9-APR-1987 00:00:00.00    # date added by S Finch as guesswork")
                .unwrap();
        assert_eq!(comment.to_string(), "1987-04-09T00:00:00Z");
    }

    #[test]
    fn unix_milliseconds_are_recognised() {
        assert_eq!(
            date_from_unix(1_706_176_800_000.0).unwrap().to_string(),
            "2024-01-25T10:00:00Z"
        );
        assert_eq!(
            date_from_unix(1_706_176_800.0).unwrap().to_string(),
            "2024-01-25T10:00:00Z"
        );
    }

    #[test]
    fn dates_in_paths() {
        let name =
            |p: &str| date_from_path(Path::new(p)).map(|(d, from_name)| (d.to_string(), from_name));
        assert_eq!(
            name("posts/2024-01-25-title.md"),
            Some(("2024-01-25".into(), true))
        );
        assert_eq!(
            name("2024/01/25/story.html"),
            Some(("2024-01-25".into(), false))
        );
        assert_eq!(
            name("news/20240125_story.txt"),
            Some(("2024-01-25".into(), true))
        );
        assert_eq!(name("1987-02/000_13dcff22e6eeeb5b.txt"), None);
        assert_eq!(name("ids/120240125999.txt"), None);
        assert_eq!(name("2024-02-30-no.md"), None);
        assert_eq!(name("ઈ2é24-01-25ü.md"), None);
        assert_eq!(
            name("café-2024-01-25.md"),
            Some(("2024-01-25".into(), true))
        );
    }

    proptest::proptest! {
        #[test]
        fn any_text_parses_or_not_without_panicking(text in "\\PC{0,40}") {
            if let Some(date) = parse_date_text(&text) {
                proptest::prop_assert!((1000..=9999).contains(&date.day().year()));
            }
            let _ = parse_reuters_date(&text);
            let _ = date_from_path(Path::new(&text));
        }

        #[test]
        fn every_day_in_range_round_trips_in_three_forms(days in 0i32..3_287_181) {
            let day = Date::new(1000, 1, 1).unwrap().checked_add(jiff::Span::new().days(days)).unwrap();
            let iso = day.to_string();
            proptest::prop_assert_eq!(parse_date_text(&iso).map(|d| d.to_string()), Some(iso.clone()));
            let long = day.strftime("%B %-d, %Y").to_string();
            proptest::prop_assert_eq!(parse_date_text(&long).map(|d| d.to_string()), Some(iso.clone()));
            let slashed = day.strftime("%Y/%m/%d").to_string();
            proptest::prop_assert_eq!(parse_date_text(&slashed).map(|d| d.to_string()), Some(iso));
        }
    }

    #[test]
    fn far_future_dates_are_suspicious() {
        let date = parse_date_text("2031-01-01").unwrap();
        assert!(is_suspicious(&date, 2026));
        assert!(!is_suspicious(
            &parse_date_text("2027-12-31").unwrap(),
            2026
        ));
    }
}
