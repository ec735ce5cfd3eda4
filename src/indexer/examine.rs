//! Examining one input file: has it changed since its record, and if so
//! its articles, read, parsed and made ready for the writer. Never panics
//! on bad input: every problem is a reason the file was skipped.

use std::collections::HashMap;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use crate::index::DatelineSchema;
use crate::indexer::documents::{PreparedArticle, prepare_articles};
use crate::indexer::manifest::{FileRecord, FileStamp, file_key, path_key};
use crate::ingest::{
    FileArticles, InputFile, ReadOptions, Reading, Skipped, content_hash, open_file,
    undated_rejection,
};

pub(super) type Examined = (String, Outcome);

/// What looking at one input file found.
pub(super) enum Outcome {
    /// Size and time match the record: not read.
    Unchanged,
    /// The time moved but the content is the same.
    Touched { size: u64, mtime_ns: i64 },
    /// New or changed content, parsed and made ready for the writer.
    Parsed {
        /// The file as walked (the path as the user gave it), for notes.
        source: PathBuf,
        record: FileRecord,
        articles: Vec<PreparedArticle>,
        /// Remarks on the file (re-decoded text, bad records, odd dates).
        notes: Vec<String>,
        /// Undated articles left out under `--undated skip`.
        dropped_undated: usize,
    },
    /// A container, changed: its records are read and written one batch
    /// at a time by the writer's thread (see `job::write_stream`), so its
    /// articles are never all in memory.
    Stream { file: InputFile, record: FileRecord },
    /// Not an article (an image, a redirect, an index page...): the kind it
    /// is counted under.
    LeftOut(String),
    /// Refused under `--undated error`: how many articles had no date.
    RejectedUndated(Skipped, usize),
    /// Not indexable.
    Skipped(Skipped),
}

/// The canonical form of each folder holding input files, worked out once
/// per folder rather than once per file: the canonical path of a file that
/// is not itself a link is its folder's canonical path joined with its name.
#[derive(Default)]
pub(super) struct CanonicalParents(HashMap<PathBuf, PathBuf>);

impl CanonicalParents {
    /// Works out the folders of `files` not seen before.
    pub(super) fn learn(&mut self, files: &[InputFile]) {
        for file in files {
            if let Some(parent) = file.source.parent()
                && !self.0.contains_key(parent)
            {
                let canonical =
                    std::fs::canonicalize(parent).unwrap_or_else(|_| parent.to_path_buf());
                self.0.insert(parent.to_path_buf(), canonical);
            }
        }
    }

    /// The file's key; `is_link` says the file itself is a symbolic link,
    /// whose key is its target's.
    pub(super) fn key(&self, path: &Path, is_link: bool) -> String {
        let joined = || {
            let parent = self.0.get(path.parent()?)?;
            Some(parent.join(path.file_name()?))
        };
        match (is_link, joined()) {
            (false, Some(canonical)) => path_key(&canonical),
            _ => file_key(path),
        }
    }
}

/// A file's metadata, or why it cannot be indexed.
pub(super) type Stamp = Result<FileMeta, String>;

/// What one `stat` says about a regular file.
pub(super) struct FileMeta {
    size: u64,
    mtime_ns: i64,
    metadata: std::fs::Metadata,
}

/// The key and metadata of a file, from one `lstat` (two for a link).
pub(super) fn stamp(file: &InputFile, parents: &CanonicalParents) -> (String, Stamp) {
    let metadata = std::fs::symlink_metadata(&file.source);
    let is_link = metadata.as_ref().is_ok_and(|m| m.file_type().is_symlink());
    let key = parents.key(&file.source, is_link);
    let metadata = if is_link {
        std::fs::metadata(&file.source)
    } else {
        metadata
    };
    (
        key,
        metadata
            .map_err(|e| read_error(&e))
            .and_then(regular_file_stamp),
    )
}

pub(super) fn regular_file_stamp(metadata: std::fs::Metadata) -> Stamp {
    if metadata.is_dir() {
        return Err("is a folder where a file was expected".to_string());
    }
    if !metadata.is_file() {
        return Err("not a regular file (a device, socket or pipe)".to_string());
    }
    Ok(FileMeta {
        size: metadata.len(),
        mtime_ns: modified_ns(&metadata),
        metadata,
    })
}

pub(super) fn read_error(error: &std::io::Error) -> String {
    match error.kind() {
        ErrorKind::NotFound => "no longer exists (deleted while indexing?)".to_string(),
        _ => format!("cannot read: {error}"),
    }
}

pub(super) fn is_unchanged(prior: Option<FileStamp>, stamp: &Stamp) -> bool {
    match (prior, stamp) {
        (Some(prior), Ok(meta)) => prior.size == meta.size && prior.mtime_ns == meta.mtime_ns,
        _ => false,
    }
}

/// Decides what to do with one file and, if it must be indexed, reads and
/// parses it. Never panics on bad input: every problem is a `Skipped`.
pub(super) fn decide(
    file: &InputFile,
    key: &str,
    prior: Option<FileStamp>,
    stamp: Stamp,
    read: &ReadOptions,
    fields: &DatelineSchema,
) -> Outcome {
    let outcome = if is_unchanged(prior, &stamp) {
        Ok(Outcome::Unchanged)
    } else {
        stamp.and_then(|stamp| read_file(file, key, prior, stamp, read, fields))
    };
    outcome.unwrap_or_else(|reason| {
        Outcome::Skipped(Skipped {
            path: file.source.clone(),
            reason,
        })
    })
}

/// Reads a file that is new or whose size or time changed: unchanged
/// content (same hash) is only re-stamped, anything else parsed and its
/// documents built (all on the calling thread, one of rayon's); a
/// container is left to the writer's thread to stream.
///
/// A file of the recorded size is hashed first (a moved modification time
/// with the same bytes is common, and hashing is far cheaper than parsing).
/// Otherwise the file is parsed first: the reader refuses binary and
/// oversized files from their first bytes, so a 1 GiB file is never read
/// whole, and computes the content hash as the bytes go by.
pub(super) fn read_file(
    file: &InputFile,
    key: &str,
    prior: Option<FileStamp>,
    stamp: FileMeta,
    read: &ReadOptions,
    fields: &DatelineSchema,
) -> Result<Outcome, String> {
    let FileMeta { size, mtime_ns, .. } = stamp;
    if let Some(prior) = prior
        && prior.size == size
        && content_hash(&file.source).map_err(|e| read_error(&e))? == prior.hash
    {
        return Ok(Outcome::Touched { size, mtime_ns });
    }
    let parsed = match open_file(file, read, &stamp.metadata).map_err(|skip| skip.reason)? {
        Reading::Articles(parsed) => parsed,
        Reading::Records(_) => {
            return Ok(Outcome::Stream {
                file: file.clone(),
                record: FileRecord::new(size, mtime_ns, 0),
            });
        }
    };
    if let Some(kind) = parsed.left_out {
        return Ok(Outcome::LeftOut(kind));
    }
    let hash = parsed.content_hash;
    let FileArticles {
        articles,
        notes,
        rejected_undated,
        dropped_undated,
        ..
    } = parsed;
    if rejected_undated > 0 {
        let reason = undated_rejection(&FileArticles {
            rejected_undated,
            ..FileArticles::default()
        });
        let skip = Skipped {
            path: file.source.clone(),
            reason,
        };
        return Ok(Outcome::RejectedUndated(skip, rejected_undated));
    }
    Ok(Outcome::Parsed {
        source: file.source.clone(),
        record: FileRecord::new(size, mtime_ns, hash),
        articles: prepare_articles(fields, key, &articles),
        notes,
        dropped_undated,
    })
}

pub(super) fn modified_ns(metadata: &std::fs::Metadata) -> i64 {
    let Ok(modified) = metadata.modified() else {
        return 0;
    };
    match modified.duration_since(UNIX_EPOCH) {
        Ok(after) => i64::try_from(after.as_nanos()).unwrap_or(i64::MAX),
        Err(before) => i64::try_from(before.duration().as_nanos()).map_or(i64::MIN, |ns| -ns),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::indexer::manifest::Manifest;

    /// [`stamp`] then [`decide`], for one file.
    fn examine(
        file: &InputFile,
        parents: &CanonicalParents,
        manifest: &Manifest,
        read: &ReadOptions,
    ) -> Examined {
        let (key, stamp) = stamp(file, parents);
        let fields = DatelineSchema::build();
        let outcome = decide(file, &key, manifest.stamp(&key), stamp, read, &fields);
        (key, outcome)
    }

    fn input(path: &Path) -> InputFile {
        InputFile {
            source: path.to_path_buf(),
            relative: path.file_name().map(PathBuf::from).unwrap_or_default(),
        }
    }

    fn reason(outcome: Outcome) -> String {
        match outcome {
            Outcome::Skipped(skip) => skip.reason,
            _ => panic!("expected a skip"),
        }
    }

    #[test]
    fn a_file_deleted_after_the_walk_is_skipped_with_a_reason() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("gone.txt");
        std::fs::write(&path, " date 2024-01-01 Body.").unwrap();
        let file = input(&path);
        std::fs::remove_file(&path).unwrap();
        let (_, outcome) = examine(
            &file,
            &CanonicalParents::default(),
            &Manifest::default(),
            &ReadOptions::default(),
        );
        assert!(reason(outcome).contains("no longer exists"));
    }

    #[test]
    fn a_folder_where_a_file_was_expected_is_skipped_with_a_reason() {
        let dir = tempfile::tempdir().unwrap();
        let (_, outcome) = examine(
            &input(dir.path()),
            &CanonicalParents::default(),
            &Manifest::default(),
            &ReadOptions::default(),
        );
        assert!(reason(outcome).contains("is a folder"));
    }

    #[test]
    fn an_unchanged_file_is_not_read_and_a_touched_one_is_only_restamped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.txt");
        std::fs::write(&path, " date 2024-01-01 Body.").unwrap();
        let file = input(&path);
        let (key, outcome) = examine(
            &file,
            &CanonicalParents::default(),
            &Manifest::default(),
            &ReadOptions::default(),
        );
        let Outcome::Parsed { record, .. } = outcome else {
            panic!("expected a parse")
        };
        let mut manifest = Manifest::default();
        manifest.insert(&key, record.clone());
        assert!(matches!(
            examine(
                &file,
                &CanonicalParents::default(),
                &manifest,
                &ReadOptions::default()
            )
            .1,
            Outcome::Unchanged
        ));
        manifest.restamp(&key, record.size, record.mtime_ns - 1);
        assert!(matches!(
            examine(
                &file,
                &CanonicalParents::default(),
                &manifest,
                &ReadOptions::default()
            )
            .1,
            Outcome::Touched { .. }
        ));
        manifest.insert(
            &key,
            FileRecord {
                hash: record.hash ^ 1,
                mtime_ns: record.mtime_ns - 1,
                ..record.clone()
            },
        );
        assert!(matches!(
            examine(
                &file,
                &CanonicalParents::default(),
                &manifest,
                &ReadOptions::default()
            )
            .1,
            Outcome::Parsed { .. }
        ));
    }
}
