//! Mail and Usenet messages: an RFC 822 header block, a blank line, the
//! body. `Subject:` is the title, `From:` the author, `Newsgroups:` the
//! outlet and `Date:` (RFC 2822) the date. A patch the message carries
//! (`git format-patch`, `diff -u`) is code, kept in passages of its own.

use crate::ingest::dates::{DateSource, parse_date_text};
use crate::ingest::{Article, Block, Passage, PassageKind, PassageSplitter, split_paragraphs};

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
    article.passages = body_passages(text, body_start.min(text.len()));
    if article.passages.is_empty() {
        let subject = article
            .title
            .clone()
            .ok_or("message has neither a body nor a Subject:")?;
        article.passages.push(Passage::new(subject, 1));
    }
    Ok(article)
}

/// The passages of a message body starting at `body_start` in `text`:
/// paragraphs at blank lines, and each patch (from `diff --git`, `Index:`
/// or `--- a/` to the signature line `-- ` or the end) as code, its lines
/// kept. Lines count from the start of `text`.
pub fn body_passages(text: &str, body_start: usize) -> Vec<Passage> {
    let mut blocks = Vec::new();
    let mut line = 1 + text[..body_start].bytes().filter(|&b| b == b'\n').count() as u32;
    let mut region_start = (body_start, line);
    let mut in_patch = false;
    let mut offset = body_start;
    let push = |blocks: &mut Vec<Block>, from: (usize, u32), to: usize, patch: bool| {
        let region = &text[from.0..to];
        if patch {
            blocks.push(Block {
                text: region.trim_end().to_string(),
                line: from.1,
                kind: PassageKind::Code,
            });
            return;
        }
        let mut at = (0, from.1);
        for (start, paragraph) in split_paragraphs(region) {
            let before = &region[at.0..start];
            at = (
                start,
                at.1 + before.bytes().filter(|&b| b == b'\n').count() as u32,
            );
            blocks.push(Block {
                text: paragraph.to_string(),
                line: at.1,
                kind: PassageKind::Prose,
            });
        }
    };
    for raw in text[body_start..].split_inclusive('\n') {
        let content = raw.trim_end_matches(['\n', '\r']);
        let starts_patch = content.starts_with("diff --git ")
            || content.starts_with("Index: ")
            || (content.starts_with("--- a/") || content.starts_with("--- /dev/null"));
        let ends_patch = content == "-- ";
        if (!in_patch && starts_patch) || (in_patch && ends_patch) {
            push(&mut blocks, region_start, offset, in_patch);
            region_start = (offset, line);
            in_patch = !in_patch;
        }
        offset += raw.len();
        line += 1;
    }
    push(&mut blocks, region_start, offset, in_patch);
    PassageSplitter::default().split_blocks(&blocks)
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
    fn a_patch_is_code_and_the_message_around_it_prose() {
        let text = "From: a\nSubject: [PATCH] blog: fix typo\n\nFix a typo in the post.\n\n---\n x.md | 2 +-\n\ndiff --git a/x.md b/x.md\n--- a/x.md\n+++ b/x.md\n@@ -1 +1 @@\n-[Go 1.22](/blog/go1.22) is ot\n+[Go 1.22](/blog/go1.22) is out\n-- \n2.45.0\n";
        let article = parse_mail(text).unwrap();
        let got: Vec<_> = article
            .passages
            .iter()
            .map(|p| (p.text.as_str(), p.line, p.kind))
            .collect();
        assert_eq!(
            got,
            [
                ("Fix a typo in the post.", 4, PassageKind::Prose),
                ("---\n x.md | 2 +-", 6, PassageKind::Prose),
                (
                    "diff --git a/x.md b/x.md\n--- a/x.md\n+++ b/x.md\n@@ -1 +1 @@\n-[Go 1.22](/blog/go1.22) is ot\n+[Go 1.22](/blog/go1.22) is out",
                    9,
                    PassageKind::Code
                ),
                ("-- \n2.45.0", 15, PassageKind::Prose),
            ]
        );
    }

    #[test]
    fn no_date_header_means_undated() {
        let article = parse_mail("From: a\nSubject: s\n\nbody\n").unwrap();
        assert_eq!(article.date, None);
        assert_eq!(article.date_source, None);
    }
}
