//! dateline: a search engine for folders of dated articles.
//!
//! Point it at a folder: it indexes every article into a tantivy index and
//! answers keyword queries with ranked passages — the paragraph that
//! matches — each with its date, its source and the matched words marked.
//! The `dateline` command line is a thin layer over this library; tests,
//! benchmarks and other programs call the same functions.
//!
//! Data flows one way:
//!
//! ```text
//! files ─ ingest ─▶ Article ─ indexer ─▶ tantivy ◀─ search ─ query ─▶ Hit ─ output ─▶ text / JSON
//! ```
//!
//! - [`ingest`] walks folders and parses files into [`ingest::Article`]s
//!   made of passages (paragraphs, long ones windowed at sentence ends).
//! - [`indexer`] is the write side: an indexing job from paths (or from
//!   articles a program made) to a committed index, incrementally.
//! - [`index`] is the read side: opening an index, its schema and text
//!   analysis, decoding what it stores, figures about it.
//! - [`search`] turns a query and a date range into ranked
//!   [`search::Hit`]s; [`search::timeline`] counts matching articles per
//!   period.
//! - [`output`] prints hits, timelines, stats and evaluation reports as
//!   text, JSON or CSV; it never touches tantivy.
//! - [`eval`] measures ranking quality on a BEIR test collection.
//! - [`date`] holds calendar dates and periods; [`error`] what can fail.
//!
//! # Example
//!
//! Index a folder and search it, as `dateline index` and `dateline search`
//! do:
//!
//! ```
//! use dateline::index::OpenIndex;
//! use dateline::indexer::{IndexOptions, NoProgress, index_paths};
//! use dateline::search::{DateFilter, SearchRequest, search};
//!
//! # fn main() -> dateline::Result<()> {
//! # let folder = tempfile::tempdir().unwrap();
//! # let articles = folder.path().join("articles");
//! # std::fs::create_dir(&articles).unwrap();
//! std::fs::write(
//!     articles.join("cocoa.txt"),
//!     " date 1987-02-26 Showers continued throughout the week in the Bahia cocoa zone.\n",
//! ).unwrap();
//! let index_dir = folder.path().join("index");
//!
//! let summary = index_paths(
//!     &IndexOptions::new(vec![articles], index_dir.clone()),
//!     &mut NoProgress,
//! )?;
//! assert_eq!(summary.articles, 1);
//!
//! let index = OpenIndex::open(&index_dir)?;
//! let results = search(&index, &SearchRequest {
//!     query: "cocoa".to_string(),
//!     dates: DateFilter::from_args(Some("1987-02"), None, None)?,
//!     limit: 10,
//!     per_article: 2,
//!     ..SearchRequest::default()
//! })?;
//! let hit = &results.hits[0];
//! assert_eq!(hit.date.unwrap().to_string(), "1987-02-26");
//! assert!(hit.passage.contains("Bahia cocoa zone"));
//! # Ok(())
//! # }
//! ```

pub mod date;
pub mod error;
pub mod eval;
pub mod index;
pub mod indexer;
pub mod ingest;
pub mod output;
pub mod search;

pub use error::{Error, Result};
