//! Mail and Usenet messages: an RFC 822 header block, a blank line, the
//! body. `Subject:` is the title, `From:` the author, `Newsgroups:` the
//! outlet and `Date:` (RFC 2822) the date.

use crate::ingest::dates::{DateSource, parse_date_text};
use crate::ingest::{Article, Passage, PassageSplitter};

/// Parses one message.
pub fn parse_mail(text: &str) -> Result<Article, String> {
    let mut headers: Vec<(String, String)> = Vec::new();
    let mut offset = 0;
    let mut body_start = text.len();
    for line in text.split_inclusive('\n') {
        let content = line.trim_end_matches(['\n', '\r']);
        offset += line.len();
        if content.trim().is_empty() {
            body_start = offset;
            break;
        }
        if content.starts_with([' ', '\t']) {
            if let Some((_, value)) = headers.last_mut() {
                value.push(' ');
                value.push_str(content.trim());
            }
        } else if let Some((name, value)) = content.split_once(':') {
            headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
        }
    }
    let header = |name: &str| {
        headers
            .iter()
            .find(|(n, v)| n == name && !v.is_empty())
            .map(|(_, v)| v.clone())
    };
    let mut article = Article {
        title: header("subject"),
        author: header("from"),
        outlet: header("newsgroups"),
        record_id: header("message-id"),
        ..Article::default()
    };
    if let Some(written) = header("date")
        && let Some(date) = parse_date_text(&written)
    {
        article.date = Some(date);
        article.date_source = Some(DateSource::Header);
        article.date_text = Some(written);
    }
    article.passages = PassageSplitter::default().split(text, body_start.min(text.len()));
    if article.passages.is_empty() {
        let subject = article
            .title
            .clone()
            .ok_or("message has neither a body nor a Subject:")?;
        article.passages.push(Passage::new(subject, 1));
    }
    Ok(article)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_give_title_author_group_and_date() {
        let text = "From: ann@example.org (Ann)\nSubject: Big amateur\n rockets\nNewsgroups: sci.space\nDate: Sat, 17 Apr 1993 02:42:51 GMT\nLines: 3\n\nI was reading.\n\nSecond para.\n";
        let article = parse_mail(text).unwrap();
        assert_eq!(article.title.as_deref(), Some("Big amateur rockets"));
        assert_eq!(article.author.as_deref(), Some("ann@example.org (Ann)"));
        assert_eq!(article.outlet.as_deref(), Some("sci.space"));
        assert_eq!(article.date.unwrap().to_string(), "1993-04-17T02:42:51Z");
        assert_eq!(article.date_source, Some(DateSource::Header));
        let got: Vec<_> = article
            .passages
            .iter()
            .map(|p| (p.text.as_str(), p.line))
            .collect();
        assert_eq!(got, [("I was reading.", 8), ("Second para.", 10)]);
    }

    proptest::proptest! {
        #[test]
        fn any_message_parses_without_panicking(text in "\\PC{0,200}") {
            let _ = parse_mail(&format!("From: a\n{text}"));
        }
    }

    #[test]
    fn no_date_header_means_undated() {
        let article = parse_mail("From: a\nSubject: s\n\nbody\n").unwrap();
        assert_eq!(article.date, None);
        assert_eq!(article.date_source, None);
    }
}
