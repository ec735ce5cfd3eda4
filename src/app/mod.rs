//! The command line, and only the command line: clap structs and their
//! conversion into library options (`cli`), what the program says about
//! itself (`help`), dispatch and the summaries on stderr (`run`), and the
//! progress bar (`progress`), and the HTTP server (`serve`). The library below never sees clap and never
//! prints on its own.

pub mod cli;
pub mod help;
pub mod progress;
pub mod run;
pub mod serve;
