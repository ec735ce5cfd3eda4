//! The on-disk index: schema, text analysis, opening and writing.
//!
//! All tantivy calls for storage live here (and in `search`), so an upgrade
//! of tantivy touches two folders. Next to tantivy's files the index folder
//! holds `dateline.json`, which records the schema version.

mod schema;
mod stats;
mod writer;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use tantivy::Index;
use tantivy::tokenizer::{
    Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer, TextAnalyzer,
};

pub use schema::{DatelineSchema, SCHEMA_VERSION};
pub use stats::{IndexStats, index_stats};
pub use writer::{ArticleWriter, IndexSummary};

use crate::error::{Error, Result};

/// The name under which dateline's analyzer is registered with tantivy.
pub const ANALYZER_NAME: &str = "dateline_en";

const META_FILE: &str = "dateline.json";

/// What dateline records about an index beside tantivy's own files.
#[derive(Debug, Serialize, Deserialize)]
struct DatelineMeta {
    schema_version: u32,
    written_by: String,
}

/// The English analysis used on both the index and the query side:
/// Unicode-aware word splitting, lower-casing and Snowball stemming. No stop
/// words are removed, so every phrase can still be matched exactly.
pub fn english_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(Stemmer::new(Language::English))
        .build()
}

/// An opened index with its resolved fields.
pub struct OpenIndex {
    /// The tantivy index, with dateline's analyzer registered.
    pub index: Index,
    /// The field handles.
    pub fields: DatelineSchema,
    /// The folder it lives in.
    pub path: PathBuf,
}

impl OpenIndex {
    /// Opens an existing index for reading; it must have been written by a
    /// dateline with this schema version.
    pub fn open(path: &Path) -> Result<OpenIndex> {
        if !path.join("meta.json").is_file() {
            return Err(Error::NoIndex(path.to_path_buf()));
        }
        check_meta(path)?;
        let index = Index::open_in_dir(path)?;
        let fields =
            DatelineSchema::from_schema(index.schema()).ok_or_else(|| Error::SchemaMismatch {
                path: path.to_path_buf(),
                found: "unknown fields".to_string(),
                expected: SCHEMA_VERSION,
            })?;
        index
            .tokenizers()
            .register(ANALYZER_NAME, english_analyzer());
        Ok(OpenIndex {
            index,
            fields,
            path: path.to_path_buf(),
        })
    }

    /// Opens the index at `path`, creating it (and the folder) when absent.
    pub fn open_or_create(path: &Path) -> Result<OpenIndex> {
        if path.join("meta.json").is_file() {
            return OpenIndex::open(path);
        }
        let io = |source| Error::Io {
            path: path.to_path_buf(),
            source,
        };
        std::fs::create_dir_all(path).map_err(io)?;
        let fields = DatelineSchema::build();
        let index = Index::create_in_dir(path, fields.schema.clone())?;
        index
            .tokenizers()
            .register(ANALYZER_NAME, english_analyzer());
        let meta = DatelineMeta {
            schema_version: SCHEMA_VERSION,
            written_by: concat!("dateline ", env!("CARGO_PKG_VERSION")).to_string(),
        };
        let json = serde_json::to_string_pretty(&meta).expect("plain struct serialises");
        std::fs::write(path.join(META_FILE), json).map_err(io)?;
        Ok(OpenIndex {
            index,
            fields,
            path: path.to_path_buf(),
        })
    }
}

fn check_meta(path: &Path) -> Result<()> {
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
    Ok(())
}

/// A stable 64-bit FNV-1a hash: article ids must not change between builds
/// of dateline, which rules out `std`'s randomised hasher.
pub(crate) fn stable_hash(parts: &[&[u8]]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for &byte in *part {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
        hash ^= 0xff;
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}
