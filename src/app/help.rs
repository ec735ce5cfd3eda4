//! What the command line says about itself: the examples after each
//! subcommand's help, completion scripts, the man page, and usage errors
//! as one `dateline:` line.
//!
//! Every example here is parsed in a test, so they cannot drift from the
//! flags.

use std::io::Write;

use clap::CommandFactory;

use crate::app::cli::Cli;

/// After `dateline index --help`.
pub const INDEX: &str = "Formats, recognised by content: the reference format, Markdown/text with YAML or TOML front matter, JSON, JSON Lines, mail/Usenet messages, Reuters SGML, HTML; any of them gzip-compressed.
Dates come from the format's metadata, then HTML JSON-LD/meta tags/<time>, then the path (2024-01-25-x.md, 2024/01/25/); never the mtime unless --date-from-mtime.

Examples:
  dateline index
  dateline index ~/news --index ~/.news-index
  dateline index corpus more/articles --strict
  dateline index ~/news --rebuild --memory 256
  dateline index export.jsonl.gz --field date=meta.published --undated skip
  dateline index ~/news --format json | jq .added

Re-running updates only what changed; Ctrl-C commits what is done (exit 130).";

/// After `dateline search --help`.
pub const SEARCH: &str = "Query language:
  troops iraq          passages with both words rank first, then those with either
  '\"timeline for reducing\"'  an exact phrase (single quotes keep it whole)
  troops -syria        exclude a word
  oil OR gas, '(oil OR gas) AND opec', title:cocoa

Dates are UTC and inclusive; a partial date covers its whole period:
  --since 2024-01      from 2024-01-01 00:00:00
  --until 2024-01      up to 2024-01-31 23:59:59
  --on 1987-03         all of March 1987
Relative dates count back from today (UTC):
  today, yesterday     that day
  30d, 2w, 6m, 1y      the day 30 days / 2 weeks / 6 months / 1 year ago
                       (also '30 days', '2 weeks ago')
  this-week, last-week, this-month, last-month, this-year, last-year
                       that whole calendar period (weeks start on Monday)

Examples:
  dateline search troops
  dateline search '\"interest rates\"' --since 1987-03 --until 1987-04 -n 5
  dateline search cocoa --on 1987-02-26 --format json
  dateline search troops --since 30d --sort newest
  dateline search oil --recency 30d
  dateline search opec --context 1
  dateline search cocoa --files | xargs wc -l";

/// After `dateline timeline --help`.
pub const TIMELINE: &str = "Counts are articles (not passages) matching the query, the same articles
`dateline search QUERY --files` lists for each period. Periods with no match
show as zero. Without --by the period follows the date range: days up to a
month, weeks up to half a year, months up to six years, years beyond.
Undated articles have no place on the chart; their number is reported.

--since, --until and --on take the dates `dateline search --help` lists:
YYYY, YYYY-MM, YYYY-MM-DD, or relative: today, yesterday, 30d, 2w, 6m, 1y,
this-week, last-week, this-month, last-month, this-year, last-year (UTC).

Examples:
  dateline timeline oil
  dateline timeline '\"interest rates\"' --by week --since 1987-03 --until 1987-04
  dateline timeline cocoa --vs coffee --vs sugar --by month
  dateline timeline troops --since 2w
  dateline timeline oil --format csv > oil.csv
  dateline timeline oil --format json | jq '.buckets[] | select(.counts[0].articles > 100) | .period'";

/// After `dateline stats --help`.
pub const STATS: &str = "Examples:
  dateline stats
  dateline stats --index ~/.news-index --format json";

/// After `dateline eval --help`.
pub const EVAL: &str =
    "The folder holds corpus.jsonl, queries.jsonl and qrels/test.tsv (BEIR layout).
Prints nDCG@10, Recall@100, MRR@10 and queries/s over the judged queries.

Examples:
  dateline eval ../shared/data/scifact
  dateline eval ../shared/data/scifact --bm25-k1 1.2 --bm25-b 0.75 --format json
  dateline eval ../shared/data/scifact --proximity-weight 0 --title-weight 1";

/// After `dateline completions --help`.
pub const COMPLETIONS: &str = "Examples:
  dateline completions bash > ~/.local/share/bash-completion/completions/dateline
  dateline completions zsh > ~/.zfunc/_dateline
  dateline completions fish > ~/.config/fish/completions/dateline.fish
  dateline completions powershell >> $PROFILE";

/// After `dateline man --help`.
pub const MAN: &str = "Examples:
  dateline man > dateline.1 && man ./dateline.1
  dateline man | sudo tee /usr/local/share/man/man1/dateline.1 > /dev/null";

/// What bare `dateline` prints (on stderr, exit 2): the two commands that
/// get a newcomer going, not the whole help.
pub const SHORT_USAGE: &str = "dateline: a command is needed, e.g.
  dateline index [PATH ...]     index a folder of articles (corpus/ by default)
  dateline search QUERY         ranked passages with dates and sources
other commands: timeline, stats, eval, completions, man; see `dateline --help`";

/// Prints the completion script for `shell`.
pub fn write_completions(shell: clap_complete::Shell, out: &mut dyn Write) -> std::io::Result<()> {
    // clap_complete panics when its writer fails (a closed pipe), so the
    // script is built in memory and written with errors reported.
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "dateline", &mut script);
    out.write_all(&script)
}

/// Prints the man page.
pub fn write_man_page(out: &mut dyn Write) -> std::io::Result<()> {
    clap_mangen::Man::new(Cli::command()).render(out)
}

/// A usage error (unknown flag, missing value) as one line for stderr,
/// `dateline: ` prefixed like every other error, pointing at the `--help`
/// of the subcommand named in `argv` (the process arguments).
pub fn usage_error_line(error: &clap::Error, argv: &[String]) -> String {
    let rendered = error.render().to_string();
    // The message is the first paragraph ("error: …", sometimes with the
    // missing arguments on the lines below it), joined into one line.
    let message: Vec<&str> = rendered
        .lines()
        .map(str::trim)
        .skip_while(|line| line.is_empty())
        .take_while(|line| !line.is_empty())
        .collect();
    let joined = message.join(" ");
    let first = match joined.trim_start_matches("error: ").trim() {
        "" => "invalid arguments",
        text => text,
    };
    let tip = rendered
        .lines()
        .map(str::trim)
        .find_map(|line| line.strip_prefix("tip: "))
        .filter(|tip| !first.contains(tip))
        .map(|tip| format!("; {tip}"))
        .unwrap_or_default();
    // Point at the subcommand's help when one was named on the command line.
    let subcommands = Cli::command();
    let command = argv
        .iter()
        .skip(1)
        .find(|arg| subcommands.find_subcommand(arg.as_str()).is_some())
        .map_or_else(|| "dateline".to_string(), |sub| format!("dateline {sub}"));
    format!("dateline: {first}{tip} (see `{command} --help`)")
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    /// Splits an example line the way a POSIX shell would, up to the first
    /// pipe or redirection (what follows is another program's business).
    fn shell_words(line: &str) -> Vec<String> {
        let mut words = Vec::new();
        let mut word = String::new();
        let mut in_word = false;
        let mut chars = line.chars();
        let mut quote: Option<char> = None;
        while let Some(c) = chars.next() {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some('"'), '\\') => word.extend(chars.next()),
                (Some(_), c) => word.push(c),
                (None, '\'' | '"') => {
                    quote = Some(c);
                    in_word = true;
                }
                (None, '|' | '>' | '<' | '&') => break,
                (None, c) if c.is_whitespace() => {
                    if in_word {
                        words.push(std::mem::take(&mut word));
                        in_word = false;
                    }
                }
                (None, c) => {
                    word.push(c);
                    in_word = true;
                }
            }
        }
        assert!(quote.is_none(), "unbalanced quotes in example: {line}");
        if in_word {
            words.push(word);
        }
        words
    }

    /// Every `dateline ...` line of a help text's examples.
    fn examples(help: &str) -> Vec<&str> {
        help.lines()
            .map(str::trim_start)
            .filter(|line| line.starts_with("dateline "))
            .collect()
    }

    #[test]
    fn every_example_in_the_help_parses_as_written() {
        let texts = [INDEX, SEARCH, TIMELINE, STATS, EVAL, COMPLETIONS, MAN];
        let mut count = 0;
        for text in texts {
            for example in examples(text) {
                let words = shell_words(example);
                if let Err(error) = Cli::try_parse_from(&words) {
                    panic!("the help example `{example}` does not parse: {error}");
                }
                count += 1;
            }
        }
        assert!(count >= 25, "only {count} examples found");
    }

    #[test]
    fn quoted_phrases_in_examples_reach_dateline_with_their_quotes() {
        let words = shell_words(r#"dateline search '"interest rates"' -n 5"#);
        assert_eq!(
            words,
            ["dateline", "search", "\"interest rates\"", "-n", "5"]
        );
        let cli = Cli::try_parse_from(&words).unwrap();
        let crate::app::cli::Command::Search(args) = cli.command else {
            panic!("a search");
        };
        assert_eq!(args.query, "\"interest rates\"");
    }

    #[test]
    fn every_subcommand_has_examples() {
        for sub in Cli::command().get_subcommands() {
            let after = sub
                .get_after_help()
                .map(|h| h.to_string())
                .unwrap_or_default();
            assert!(
                after.contains("Examples:"),
                "{} has no examples",
                sub.get_name()
            );
        }
    }
}
