//! `dateline.json`, what dateline records beside tantivy's files: the
//! schema version the index was written with and its analysis language, so
//! an index from another version is recognised instead of misread.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::index::{Language, SCHEMA_VERSION};

/// The file's name in the index folder.
pub const META_FILE: &str = "dateline.json";

/// What the file holds.
#[derive(Debug, Serialize, Deserialize)]
pub struct DatelineMeta {
    /// The schema version the index was written with.
    pub schema_version: u32,
    /// The program that wrote it.
    pub written_by: String,
    /// The stemmer language; indexes written before it was recorded are
    /// English.
    #[serde(default = "english_name")]
    pub language: String,
}

fn english_name() -> String {
    Language::ENGLISH.name().to_string()
}

impl DatelineMeta {
    /// The record of a new index analysed in `language`.
    pub fn new(language: Language) -> DatelineMeta {
        DatelineMeta {
            schema_version: SCHEMA_VERSION,
            written_by: concat!("dateline ", env!("CARGO_PKG_VERSION")).to_string(),
            language: language.name().to_string(),
        }
    }

    /// Writes the record into the index folder `path`.
    pub fn write(&self, path: &Path) -> std::io::Result<()> {
        let json = serde_json::to_string_pretty(self).expect("a plain struct serialises");
        std::fs::write(path.join(META_FILE), json)
    }

    /// Reads the record of the index at `path`, failing unless it was
    /// written with this schema version.
    pub fn read_current(path: &Path) -> Result<DatelineMeta> {
        let mismatch = |found: String| Error::SchemaMismatch {
            path: path.to_path_buf(),
            found,
            expected: SCHEMA_VERSION,
        };
        let text = std::fs::read_to_string(path.join(META_FILE))
            .map_err(|_| mismatch(format!("none ({META_FILE} is missing)")))?;
        let meta: DatelineMeta = serde_json::from_str(&text)
            .map_err(|e| mismatch(format!("unreadable ({META_FILE}: {e})")))?;
        if meta.schema_version != SCHEMA_VERSION {
            return Err(mismatch(meta.schema_version.to_string()));
        }
        Ok(meta)
    }

    /// The language the index at `path` records, if its record can be read
    /// at all (whatever its schema version).
    pub fn recorded_language(path: &Path) -> Option<Language> {
        let text = std::fs::read_to_string(path.join(META_FILE)).ok()?;
        let meta: DatelineMeta = serde_json::from_str(&text).ok()?;
        Language::from_name(&meta.language)
    }
}
