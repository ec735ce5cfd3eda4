//! Which files are articles.
//!
//! A folder people keep holds more than articles: a blog's repository has
//! its posts' images and diagrams, the programs they quote, stylesheets,
//! templates. By default those are left out without being read, by their
//! extension, and counted by kind; files the reader cannot rule out by name
//! are read, and their content decides (an image without an extension, an
//! SVG, a redirect stub, an index page are left out the same way).
//!
//! `--include GLOB`, `--exclude GLOB` and `--type NAME` choose files the
//! way `rg -g` and `rg -t` do (the `ignore` crate's overrides and its file
//! types). When files are chosen with `--include` or `--type`, they are
//! read whatever their extension: a user who asks for `*.go` gets Go files
//! indexed as text.

use std::path::Path;

use ignore::overrides::{Override, OverrideBuilder};
use ignore::types::{Types, TypesBuilder};

use crate::error::Error;
use crate::ingest::detect::extension;

/// Extensions of files that are not articles: images, diagrams, source
/// code and scripts, stylesheets, templates, configuration and data,
/// office documents, archives, fonts, media, keys. Sorted, for a binary
/// search. Formats dateline reads (or may read: PDF, XML feeds, mail,
/// web archives) are not here; their content decides.
const NOT_ARTICLES: &[&str] = &[
    "7z",
    "a",
    "ai",
    "apk",
    "asm",
    "avi",
    "avif",
    "bash",
    "bat",
    "bin",
    "bmp",
    "bz2",
    "c",
    "cc",
    "cer",
    "cfg",
    "class",
    "clj",
    "cmake",
    "cmd",
    "conf",
    "cpp",
    "crt",
    "cs",
    "css",
    "csv",
    "cxx",
    "dart",
    "dat",
    "db",
    "deb",
    "dll",
    "dmg",
    "doc",
    "docx",
    "dot",
    "drawio",
    "dylib",
    "ejs",
    "elm",
    "eot",
    "eps",
    "erb",
    "erl",
    "ex",
    "excalidraw",
    "exe",
    "exs",
    "fig",
    "fish",
    "flac",
    "fs",
    "gif",
    "go",
    "gotmpl",
    "gradle",
    "graffle",
    "groovy",
    "h",
    "handlebars",
    "hbs",
    "heic",
    "hpp",
    "hs",
    "ico",
    "ics",
    "ini",
    "ipynb",
    "iso",
    "j2",
    "jar",
    "java",
    "jinja",
    "jl",
    "jpeg",
    "jpg",
    "js",
    "jsx",
    "key",
    "kt",
    "kts",
    "less",
    "liquid",
    "lock",
    "lua",
    "m",
    "m4a",
    "mjs",
    "mk",
    "mkv",
    "ml",
    "mm",
    "mod",
    "mov",
    "mp3",
    "mp4",
    "mpeg",
    "mpg",
    "mustache",
    "njk",
    "numbers",
    "o",
    "obj",
    "odg",
    "odp",
    "ods",
    "odt",
    "ogg",
    "otf",
    "pages",
    "pem",
    "php",
    "pl",
    "plist",
    "pm",
    "png",
    "ppt",
    "pptx",
    "properties",
    "proto",
    "ps1",
    "psd",
    "pub",
    "py",
    "pyc",
    "r",
    "rar",
    "rb",
    "rlib",
    "rpm",
    "rs",
    "rtf",
    "s",
    "sass",
    "scala",
    "scss",
    "sh",
    "sketch",
    "so",
    "sql",
    "sqlite",
    "sum",
    "svelte",
    "svg",
    "svgz",
    "swift",
    "tar",
    "tcl",
    "tex",
    "tga",
    "tgz",
    "tif",
    "tiff",
    "tmpl",
    "toml",
    "tpl",
    "ts",
    "tsv",
    "tsx",
    "ttf",
    "twig",
    "vb",
    "vue",
    "war",
    "wasm",
    "wav",
    "webm",
    "webmanifest",
    "webp",
    "wma",
    "wmv",
    "woff",
    "woff2",
    "xcf",
    "xls",
    "xlsx",
    "xsd",
    "xsl",
    "xslt",
    "xz",
    "yaml",
    "yml",
    "zig",
    "zip",
    "zsh",
];

/// Extensions of the formats dateline reads: a file named so is expected
/// to be an article, and is reported when it is not.
const ARTICLE_EXTENSIONS: &[&str] = &[
    "eml", "htm", "html", "json", "jsonl", "markdown", "md", "mbox", "mdown", "mdx", "mkd",
    "ndjson", "sgm", "sgml", "shtml", "text", "txt", "xhtml", "xml",
];

/// Whether `extension` (lower-cased) names a format dateline reads.
pub fn is_article_extension(extension: &str) -> bool {
    ARTICLE_EXTENSIONS.contains(&extension)
}

/// The kind a file is counted under when it is left out: its extension
/// (lower-cased, through `.gz`), if it has one.
pub fn kind_of(path: &Path) -> Option<String> {
    let extension = extension(path);
    (!extension.is_empty()).then_some(extension)
}

/// The kind of a file that is not an article by its name, if it is one.
pub fn not_an_article_by_name(path: &Path) -> Option<String> {
    let extension = extension(path);
    NOT_ARTICLES
        .binary_search(&extension.as_str())
        .is_ok()
        .then_some(extension)
}

/// The files to index, chosen with globs and file types like `rg`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FileSelection {
    /// Only files matching one of these globs are indexed, whatever their
    /// kind (`--include`).
    pub include: Vec<String>,
    /// Files and folders matching one of these globs are not indexed
    /// (`--exclude`).
    pub exclude: Vec<String>,
    /// Only files of these types (rg's type names: `md`, `html`, `go`,
    /// ...) are indexed, whatever their kind (`--type`).
    pub types: Vec<String>,
}

impl FileSelection {
    /// Whether the user chose files by name or type, so that files are not
    /// left out by their extension.
    pub fn is_explicit(&self) -> bool {
        !self.include.is_empty() || !self.types.is_empty()
    }

    /// Checks the globs and type names, so a typo is an error before any
    /// work.
    pub fn check(&self) -> Result<(), Error> {
        self.overrides(Path::new("."))?;
        self.file_types()?;
        Ok(())
    }

    /// The globs as overrides of a walk rooted at `root`.
    pub(crate) fn overrides(&self, root: &Path) -> Result<Override, Error> {
        let mut builder = OverrideBuilder::new(root);
        for (flag, glob, pattern) in self
            .include
            .iter()
            .map(|g| ("--include", g, g.clone()))
            .chain(
                self.exclude
                    .iter()
                    .map(|g| ("--exclude", g, format!("!{g}"))),
            )
        {
            builder
                .add(&pattern)
                .map_err(|e| Error::InvalidArgument(format!("{flag} '{glob}': {e}")))?;
        }
        builder
            .build()
            .map_err(|e| Error::InvalidArgument(format!("--include/--exclude: {e}")))
    }

    /// The selected file types (rg's definitions).
    pub(crate) fn file_types(&self) -> Result<Types, Error> {
        let mut builder = TypesBuilder::new();
        builder.add_defaults();
        for name in &self.types {
            builder.select(name);
        }
        builder.build().map_err(|e| {
            let known: Vec<String> = TypesBuilder::new()
                .add_defaults()
                .definitions()
                .iter()
                .map(|d| d.name().to_string())
                .filter(|n| {
                    ["md", "markdown", "html", "txt", "json", "jsonl", "xml"].contains(&n.as_str())
                })
                .collect();
            Error::InvalidArgument(format!(
                "--type: {e}; the names are rg's (`rg --type-list`), e.g. {}",
                known.join(", ")
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_is_sorted_for_binary_search() {
        assert!(
            NOT_ARTICLES.windows(2).all(|w| w[0] < w[1]),
            "{NOT_ARTICLES:?}"
        );
    }

    #[test]
    fn assets_code_and_templates_are_not_articles_and_article_formats_are() {
        for name in [
            "a.SVG",
            "b.png",
            "x/y.go",
            "site.css",
            "default.tmpl",
            "c.svg.gz",
            "d.rtf",
        ] {
            assert!(not_an_article_by_name(Path::new(name)).is_some(), "{name}");
        }
        for name in [
            "a.md", "b.html", "c.txt", "12345", "d.json", "e.xml", "f.pdf", "g.mbox", "h.txt.gz",
        ] {
            assert_eq!(not_an_article_by_name(Path::new(name)), None, "{name}");
        }
        assert_eq!(
            not_an_article_by_name(Path::new("a.JPG")).as_deref(),
            Some("jpg")
        );
    }

    #[test]
    fn bad_globs_and_unknown_types_are_errors_that_say_so() {
        let glob = FileSelection {
            include: vec!["a{b".into()],
            ..FileSelection::default()
        };
        assert!(
            glob.check()
                .unwrap_err()
                .to_string()
                .contains("--include 'a{b'")
        );
        let kind = FileSelection {
            types: vec!["nosuchtype".into()],
            ..FileSelection::default()
        };
        let message = kind.check().unwrap_err().to_string();
        assert!(
            message.contains("nosuchtype") && message.contains("md"),
            "{message}"
        );
        let good = FileSelection {
            include: vec!["*.md".into()],
            exclude: vec!["drafts/**".into()],
            types: vec!["html".into()],
        };
        assert!(good.check().is_ok());
    }
}
