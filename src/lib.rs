//! dateline: a command-line search engine for folders of dated articles.
//!
//! Data flows one way:
//!
//! ```text
//! files ─ ingest ─▶ Article ─ index ─▶ tantivy ◀─ search ─ query  ─▶ Hit ─ output ─▶ text / JSON
//! ```
//!
//! - [`ingest`] walks folders and parses articles into [`ingest::Article`]s
//!   made of passages (paragraphs, long ones windowed at sentence ends).
//! - [`index`] owns the tantivy schema and writer: one document per passage.
//! - [`indexer`] runs an indexing job from paths to a committed index.
//! - [`search`] builds the query (text plus a date range), ranks passages
//!   and finds highlights, giving [`search::Hit`]s.
//! - [`search::timeline`] counts matching articles per day, week, month or
//!   year with a tantivy aggregation over the date fast field.
//! - [`output`] prints hits as text (wrapped, trimmed around matches) or
//!   JSON, and timelines as bar charts, JSON or CSV.
//! - [`cli`] and [`commands`] are the command line on top.

pub mod cli;
pub mod commands;
pub mod date;
pub mod error;
pub mod index;
pub mod indexer;
pub mod ingest;
pub mod output;
pub mod search;

pub use error::{Error, Result};
