//! Reading the dates articles are written with.
//!
//! Every form goes through jiff, so calendar rules (leap years, month
//! lengths, offsets) are never hand-computed. A date with a time and zone is
//! converted to UTC and kept to the second; a bare day is kept as a day. A
//! date with a time but no zone is taken as UTC: guessing the writer's local
//! zone would be worse than a few hours' error on a day boundary.

use std::path::Path;

use jiff::civil::{Date, DateTime};
use jiff::fmt::strtime::BrokenDownTime;
use jiff::tz::Offset;

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

/// Forms with a time and a zone, tried in order after RFC 3339 and RFC 2822.
const ZONED_FORMS: &[&str] = &[
    "%a, %d %b %Y %H:%M:%S %z",
    "%d %b %Y %H:%M:%S %z",
    "%a, %d %b %Y %H:%M %z",
    "%a %b %d %H:%M:%S %z %Y",
    "%Y-%m-%d %H:%M:%S %z",
    "%Y/%m/%d %H:%M:%S %z",
];

/// Forms with a time but no zone (taken as UTC).
const LOCAL_FORMS: &[&str] = &[
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%d-%b-%Y %H:%M:%S",
    "%d %b %Y %H:%M:%S",
    "%a, %d %b %Y %H:%M:%S",
    "%B %d, %Y %H:%M:%S",
    "%B %d, %Y %H:%M",
    "%b %d, %Y %H:%M",
    "%a %b %d %H:%M:%S %Y",
];

/// Forms naming only a day.
const DAY_FORMS: &[&str] = &[
    "%B %d, %Y",
    "%b %d, %Y",
    "%b. %d, %Y",
    "%B %d %Y",
    "%b %d %Y",
    "%A, %B %d, %Y",
    "%a, %b %d, %Y",
    "%d %B %Y",
    "%d %b %Y",
    "%d %b. %Y",
    "%a, %d %b %Y",
    "%A, %d %B %Y",
    "%Y/%m/%d",
    "%d-%b-%Y",
    "%Y.%m.%d",
    "%B %Y",
];

/// Parses a date written in any of the common forms: RFC 3339 / ISO 8601,
/// RFC 2822, `January 25, 2024`, `25 Jan 2024`, `2024/01/25`,
/// `26-FEB-1987 15:01:01.79`, or a Unix timestamp given as digits.
///
/// Returns `None` for anything else, and for years outside 1000–9999.
pub fn parse_date_text(text: &str) -> Option<ArticleDate> {
    let text = normalise_spaces(text);
    let text = text.trim_matches(|c: char| c.is_whitespace() || c == '"' || c == '\'');
    if text.is_empty() || text.len() > 80 {
        return None;
    }
    let date = parse_iso(text)
        .or_else(|| parse_rfc2822(text))
        .or_else(|| parse_with_forms(text))
        .or_else(|| parse_reuters_date(text))
        .or_else(|| parse_unix_digits(text))?;
    in_supported_range(date)
}

/// A Unix timestamp from JSON: seconds, or milliseconds when the number is
/// too large to be seconds within the supported years.
pub fn date_from_unix(value: f64) -> Option<ArticleDate> {
    if !value.is_finite() {
        return None;
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
        Some(time) => utc_instant(DateTime::from_parts(day, time))?,
        None => ArticleDate::from_day(day),
    };
    in_supported_range(date)
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
    parts.windows(3).rev().find_map(|w| {
        let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
        if !(digits(w[0], 4) && digits(w[1], 2) && digits(w[2], 2)) {
            return None;
        }
        let day = Date::new(w[0].parse().ok()?, w[1].parse().ok()?, w[2].parse().ok()?).ok()?;
        (day.year() >= 1000).then(|| (ArticleDate::from_day(day), false))
    })
}

/// Whether `date` lies after the end of the year after `now_year`: such
/// dates are usually typos or placeholder values and are reported.
pub fn is_suspicious(date: &ArticleDate, now_year: i16) -> bool {
    date.day().year() > now_year.saturating_add(1)
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

fn parse_iso(text: &str) -> Option<ArticleDate> {
    if !text.as_bytes().first()?.is_ascii_digit() {
        return None;
    }
    if text.len() == 10
        && let Ok(day) = text.parse::<Date>()
    {
        return Some(ArticleDate::from_day(day));
    }
    if let Ok(ts) = text.parse::<jiff::Timestamp>() {
        return Some(ArticleDate::from_stored(
            ts.as_second(),
            DatePrecision::Second,
        ));
    }
    // A zone-less date-time (`2024-01-25T10:00:00`, `2024-01-25 10:00`).
    let datetime = text.parse::<DateTime>().ok()?;
    utc_instant(datetime)
}

fn parse_rfc2822(text: &str) -> Option<ArticleDate> {
    let zoned = jiff::fmt::rfc2822::parse(text).ok()?;
    Some(ArticleDate::from_stored(
        zoned.timestamp().as_second(),
        DatePrecision::Second,
    ))
}

fn parse_with_forms(text: &str) -> Option<ArticleDate> {
    // Named zones jiff's %z cannot read; US zones are the ones found in
    // old news and Usenet archives.
    let zoned_text = replace_zone_name(text);
    for form in ZONED_FORMS {
        if let Ok(parsed) = BrokenDownTime::parse(form, &zoned_text)
            && let Ok(ts) = parsed.to_timestamp()
        {
            return Some(ArticleDate::from_stored(
                ts.as_second(),
                DatePrecision::Second,
            ));
        }
    }
    for form in LOCAL_FORMS {
        if let Ok(parsed) = BrokenDownTime::parse(form, text)
            && let Ok(datetime) = parsed.to_datetime()
        {
            return utc_instant(datetime);
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

/// Replaces a trailing zone abbreviation (`GMT`, `EST`, ...) by its offset.
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
    }
    text.to_string()
}

fn utc_instant(datetime: DateTime) -> Option<ArticleDate> {
    let ts = Offset::UTC.to_timestamp(datetime).ok()?;
    Some(ArticleDate::from_stored(
        ts.as_second(),
        DatePrecision::Second,
    ))
}

fn in_supported_range(date: ArticleDate) -> Option<ArticleDate> {
    let year = date.day().year();
    (1000..=9999).contains(&year).then_some(date)
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
            ("2024-01-25T12:00:00+02:00", "2024-01-25T10:00:00Z"),
            ("2024-01-25T10:00:00.123Z", "2024-01-25T10:00:00Z"),
            ("2024-01-25 10:00:00", "2024-01-25T10:00:00Z"),
            ("2024-01-25T10:00:00", "2024-01-25T10:00:00Z"),
            ("Wed, 24 Jan 2024 10:00:00 +0000", "2024-01-24T10:00:00Z"),
            ("Wed, 24 Jan 2024 10:00:00 -0500", "2024-01-24T15:00:00Z"),
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
        ] {
            assert_eq!(parsed(text), "none", "{text}");
        }
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
