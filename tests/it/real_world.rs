//! Folders as people keep them (`../shared/data/real-world`): a blog's
//! repository with its images and programs, a Jekyll site's posts, a Hugo
//! site, a mailbox of patches. Only articles are indexed, assets are
//! counted by kind, and what a search shows is the text a reader sees: for
//! fifteen realistic queries per folder, no top-10 passage of prose holds
//! Markdown syntax, a link's address, a template directive or an HTML tag,
//! unless the file itself shows that text as code (between backticks).

use std::path::Path;

use libtest_mimic::Trial;
use serde_json::Value;

use crate::util::{index_json, search_json, shared_data, trials};

/// This module's tests, for the harness.
pub fn tests() -> Vec<Trial> {
    trials![
        needs("real-world/go-blog") => the_go_blog_indexes_its_posts_not_its_assets,
        needs("real-world/jekyll-posts") => the_jekyll_posts_read_as_text,
        needs("real-world/k8s-contributor-site") => the_hugo_site_reads_as_text_without_shortcodes,
        needs("real-world/mbox") => the_mailbox_of_patches_keeps_its_patches_as_code,
    ]
}

fn left_out(summary: &Value, kind: &str) -> u64 {
    summary["left_out"]["kinds"][kind].as_u64().unwrap_or(0)
}

/// Extensions of files that must never be indexed from these folders.
const ASSETS: &[&str] = &[
    ".svg",
    ".png",
    ".jpg",
    ".jpeg",
    ".gif",
    ".webp",
    ".go",
    ".js",
    ".css",
    ".graffle",
    ".tmpl",
    ".gotmpl",
    ".excalidraw",
    ".pem",
];

/// Runs each query and checks its top ten: no asset, and no markup in
/// prose unless the file shows it as code. Returns how many hits each
/// query had, so a test can see that the queries found something.
fn check_queries(index: &Path, queries: &[&str]) -> Vec<usize> {
    let mut problems = Vec::new();
    let mut counts = Vec::new();
    for query in queries {
        let output = search_json(index, &[query, "-n", "10"]);
        let hits = output["results"].as_array().unwrap();
        counts.push(hits.len());
        for hit in hits {
            let source = hit["source"].as_str().unwrap();
            if ASSETS
                .iter()
                .any(|ext| source.to_lowercase().ends_with(ext))
            {
                problems.push(format!("{query:?}: an asset was indexed: {source}"));
            }
            if hit["code"] == true {
                continue;
            }
            let passage = hit["passage"].as_str().unwrap();
            let shown_as_code = inline_code(&std::fs::read_to_string(source).unwrap_or_default());
            for (what, unit) in markup_in(passage) {
                if !shown_as_code.iter().any(|code| code.contains(&unit)) {
                    problems.push(format!(
                        "{query:?}: {what} {unit:?} in {source}:{}:\n{passage}",
                        hit["line"]
                    ));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
    counts
}

/// The text between backticks on each line of a file: what Markdown shows
/// as code.
fn inline_code(source: &str) -> Vec<String> {
    source
        .lines()
        .flat_map(|line| {
            line.split('`')
                .skip(1)
                .step_by(2)
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect()
}

/// The markup found in a passage: what kind, and the text from where it
/// starts to the end of its token (so a directive is its whole `{% ... %}`).
fn markup_in(passage: &str) -> Vec<(&'static str, String)> {
    let mut found = Vec::new();
    let unit = |at: usize, closer: &str| -> String {
        let rest = &passage[at..];
        let end = rest
            .find(closer)
            .map(|i| i + closer.len())
            .unwrap_or_else(|| rest.find('\n').unwrap_or(rest.len()));
        rest[..end].to_string()
    };
    for (i, _) in passage.match_indices("](") {
        let after = &passage[i + 2..];
        if ["http", "/", "#", "./", "../", "mailto:"]
            .iter()
            .any(|p| after.starts_with(p))
        {
            found.push(("a Markdown link", unit(i, ")")));
        }
    }
    for token in ["![", "]: http", "```", "~~~"] {
        if let Some(at) = passage.find(token) {
            found.push(("Markdown syntax", unit(at, " ")));
        }
    }
    for (i, _) in passage.match_indices("**") {
        let next = passage[i + 2..].chars().next();
        if next.is_some_and(char::is_alphanumeric) {
            found.push(("emphasis marks", unit(i, " ")));
        }
    }
    for line in passage.lines() {
        let hashes = line.len() - line.trim_start_matches('#').len();
        if (1..=6).contains(&hashes) && line[hashes..].starts_with(' ') {
            found.push(("a Markdown heading", line.to_string()));
        }
        if line.trim_start().starts_with('|') || line.contains("|---") || line.contains("| ---") {
            found.push(("a table row", line.to_string()));
        }
    }
    for (open, close) in [
        ("{{<", ">}}"),
        ("{{%", "%}}"),
        ("{%", "%}"),
        ("{{image", "}}"),
        ("{{code", "}}"),
        ("{{play", "}}"),
        ("{{raw", "}}"),
        ("{{video", "}}"),
    ] {
        for (i, _) in passage.match_indices(open) {
            found.push(("a template directive", unit(i, close)));
        }
    }
    for attribute in ["href=", "src="] {
        if let Some(at) = passage.find(attribute) {
            found.push(("an HTML attribute", unit(at, " ")));
        }
    }
    const TAGS: &[&str] = &[
        "a", "p", "div", "span", "br", "img", "b", "i", "em", "strong", "center", "table", "tr",
        "td", "th", "h1", "h2", "h3", "h4", "ul", "ol", "li", "pre", "code", "script", "style",
        "iframe", "figure", "sup", "small", "section",
    ];
    for (i, _) in passage.match_indices('<') {
        let rest = passage[i + 1..].trim_start_matches('/');
        let name: String = rest
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect();
        let after = rest[name.len()..].chars().next();
        if TAGS.contains(&name.to_ascii_lowercase().as_str())
            && matches!(after, Some('>' | ' ' | '/'))
        {
            found.push(("an HTML tag", unit(i, ">")));
        }
    }
    found
}

fn the_go_blog_indexes_its_posts_not_its_assets() {
    let (index, summary) = index_json(&shared_data("real-world/go-blog"));
    assert_eq!(summary["files"], 1266, "{summary}");
    assert_eq!(summary["skipped"].as_array().unwrap().len(), 0, "{summary}");
    for (kind, count) in [
        ("svg", 458),
        ("png", 277),
        ("go", 90),
        ("jpg", 53),
        ("graffle", 15),
        ("redirect", 60),
    ] {
        assert_eq!(left_out(&summary, kind), count, "{kind}: {summary}");
    }
    let counts = check_queries(
        index.path(),
        &[
            "context cancellation",
            "generics type parameters",
            "garbage collector latency",
            "error handling",
            "go modules",
            "fuzzing",
            "goroutine leak",
            "gopls",
            "range over func",
            "survey results",
            "slices package",
            "pipelines",
            "gopher",
            "http/2 server push",
            "\"type parameters\" constraints",
        ],
    );
    assert!(counts.iter().all(|&n| n > 0), "{counts:?}");
    // The post about context, not a Go program, answers first.
    let hits = search_json(index.path(), &["context cancellation", "-n", "3"]);
    for hit in hits["results"].as_array().unwrap() {
        assert!(hit["source"].as_str().unwrap().ends_with(".md"), "{hits}");
    }
}

fn the_jekyll_posts_read_as_text() {
    let (index, summary) = index_json(&shared_data("real-world/jekyll-posts"));
    assert_eq!(summary["articles"], 102, "{summary}");
    assert_eq!(summary["skipped"].as_array().unwrap().len(), 0, "{summary}");
    let counts = check_queries(
        index.path(),
        &[
            "security vulnerability",
            "liquid",
            "release",
            "ruby version",
            "\"1.1.2\"",
            "github pages",
            "collections",
            "permalink",
            "sass",
            "incremental regeneration",
            "jekyll serve",
            "theme",
            "gem install jekyll",
            "site.url",
            "kramdown",
        ],
    );
    assert!(counts.iter().all(|&n| n > 0), "{counts:?}");
    // Matched by its title and by its text, a passage is listed once.
    let hits = search_json(index.path(), &["\"1.1.2\"", "-n", "5"]);
    let places: Vec<(&str, u64)> = hits["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["source"].as_str().unwrap(), h["line"].as_u64().unwrap()))
        .collect();
    let unique: std::collections::HashSet<_> = places.iter().collect();
    assert_eq!(places.len(), unique.len(), "{hits}");
}

fn the_hugo_site_reads_as_text_without_shortcodes() {
    let (index, summary) = index_json(&shared_data("real-world/k8s-contributor-site"));
    assert_eq!(summary["skipped"].as_array().unwrap().len(), 0, "{summary}");
    assert_eq!(left_out(&summary, "png"), 42, "{summary}");
    assert_eq!(left_out(&summary, "gotmpl"), 2, "{summary}");
    // Its `OWNERS` files (no extension) are configuration, not articles.
    assert_eq!(left_out(&summary, "configuration"), 3, "{summary}");
    let counts = check_queries(
        index.path(),
        &[
            "kubecon",
            "mermaid diagrams",
            "contributor summit",
            "sig node",
            "steering committee",
            "code of conduct",
            "new contributor orientation",
            "declarative validation",
            "pull request review",
            "slack",
            "mentoring",
            "release team",
            "kep enhancement proposal",
            "registration",
            "group photo",
        ],
    );
    assert!(counts.iter().all(|&n| n > 0), "{counts:?}");
    // A reference definition (`[KubeCon North America]: https://...`) is
    // not text: what ranks first for the event is a sentence about it.
    let hits = search_json(index.path(), &["kubecon", "-n", "1"]);
    let first = hits["results"][0]["passage"].as_str().unwrap();
    assert!(!first.contains("http"), "{first}");
}

fn the_mailbox_of_patches_keeps_its_patches_as_code() {
    let (index, summary) = index_json(&shared_data("real-world/mbox"));
    assert_eq!(summary["skipped"].as_array().unwrap().len(), 0, "{summary}");
    let counts = check_queries(
        index.path(),
        &[
            "go 1.22 release",
            "blog post",
            "typo fix",
            "generics",
            "survey",
            "gopls",
            "security",
            "loopvar",
            "signed-off-by",
            "fuzzing",
            "toolchain",
            "telemetry",
            "error handling",
            "slices",
            "iterators",
        ],
    );
    assert!(counts.iter().all(|&n| n > 0), "{counts:?}");
}
