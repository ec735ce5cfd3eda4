//! The per-file records of an index: what was indexed from which file, so a
//! re-run only reads what changed.
//!
//! # Why a sidecar file named by the commit payload
//!
//! The records must change atomically with the passages: after a crash the
//! index may hold neither a file's new passages without its new record (the
//! file would be indexed twice) nor a record without its passages (the file
//! would be lost). tantivy commits are atomic and carry a payload string, so
//! the records ride on the commit: before each commit the whole manifest is
//! written to a new file `files-<opstamp>.json` (fsynced, then renamed into
//! place), and the commit's payload names that file. A crash before the
//! commit leaves an unreferenced manifest that the next run deletes; a crash
//! after it leaves a consistent pair. Putting the records themselves in the
//! payload would make every `search` parse megabytes of JSON from
//! `meta.json`; storing them as documents in the passage index would make
//! every query (an all-negative `-word` query matches "everything else") and
//! every document count filter them out.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// What a commit's payload says about the commit.
#[derive(Debug, Serialize, Deserialize)]
pub struct CommitPayload {
    /// The schema version the commit was written with.
    pub schema_version: u32,
    /// The manifest file, relative to the index folder.
    pub files: String,
}

/// What is known about one indexed file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileRecord {
    /// The size in bytes when it was indexed.
    pub size: u64,
    /// The modification time, in nanoseconds since the Unix epoch.
    pub mtime_ns: i64,
    /// The xxh3 hash of the content.
    pub hash: u64,
    /// How many articles the file gave.
    pub articles: u32,
    /// How many passages those articles gave.
    pub passages: u32,
    /// The content hashes ([`article_hash`]) of the articles indexed from
    /// this file.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub article_hashes: Vec<u64>,
    /// Articles of this file not indexed because another file holds the
    /// same article.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub duplicates: Vec<Duplicate>,
    /// For each indexed article, its near-copy signature in hex (empty for
    /// an article too short to have one).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub signatures: Vec<String>,
    /// For each indexed article, the story it belongs to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stories: Vec<u64>,
}

/// An article indexed once, under another file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Duplicate {
    /// The article's content hash.
    pub hash: u64,
    /// The key of the file it is indexed under.
    pub of: String,
}

impl FileRecord {
    /// A record of a file's size, time and content hash, before its
    /// articles are counted.
    pub fn new(size: u64, mtime_ns: i64, hash: u64) -> FileRecord {
        FileRecord {
            size,
            mtime_ns,
            hash,
            articles: 0,
            passages: 0,
            article_hashes: Vec::new(),
            duplicates: Vec::new(),
            signatures: Vec::new(),
            stories: Vec::new(),
        }
    }
}

/// The identity of an article for de-duplication: its date and its text
/// with white space normalised (so re-wrapped copies match), hashed.
pub fn article_hash(article: &crate::ingest::Article) -> u64 {
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    let timestamp = article.date.map(|d| d.timestamp);
    hasher.update(format!("{timestamp:?}\n").as_bytes());
    // The words are gathered into one buffer and hashed in one update: the
    // same bytes, so the same hash, as one update per word, in a fraction
    // of the time (this runs on the writer's thread for every article).
    let mut words = Vec::with_capacity(article.passages.iter().map(|p| p.text.len() + 1).sum());
    for passage in &article.passages {
        for word in passage.text.split_whitespace() {
            words.extend_from_slice(word.as_bytes());
            words.push(b' ');
        }
    }
    hasher.update(&words);
    hasher.digest()
}

/// The records of every indexed file, by file key ([`file_key`]).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// The records, sorted by key so the file is stable.
    pub files: BTreeMap<String, FileRecord>,
}

const MANIFEST_PREFIX: &str = "files-";
const MANIFEST_SUFFIX: &str = ".json";

impl Manifest {
    /// Loads the manifest a commit payload names; the error says what is
    /// wrong, for the "damaged index" message.
    pub fn load(index_dir: &Path, payload: &str) -> Result<Manifest, String> {
        let payload: CommitPayload = serde_json::from_str(payload)
            .map_err(|e| format!("unreadable commit payload ({e})"))?;
        let name = payload.files;
        if !is_manifest_name(&name) {
            return Err(format!("the commit names an odd manifest '{name}'"));
        }
        let text = std::fs::read(index_dir.join(&name))
            .map_err(|e| format!("cannot read its manifest {name}: {e}"))?;
        serde_json::from_slice(&text).map_err(|e| format!("its manifest {name} is damaged ({e})"))
    }

    /// Writes the manifest durably as the file for commit `opstamp` and
    /// returns the payload naming it.
    pub fn save(
        &self,
        index_dir: &Path,
        opstamp: u64,
        schema_version: u32,
    ) -> std::io::Result<String> {
        let name = format!("{MANIFEST_PREFIX}{opstamp}{MANIFEST_SUFFIX}");
        let temporary = index_dir.join(format!(".{name}.tmp"));
        {
            let mut file = std::io::BufWriter::new(std::fs::File::create(&temporary)?);
            serde_json::to_writer(&mut file, self)?;
            file.flush()?;
            file.get_ref().sync_all()?;
        }
        std::fs::rename(&temporary, index_dir.join(&name))?;
        // The rename must be durable before the commit that refers to it.
        std::fs::File::open(index_dir)?.sync_all()?;
        let payload = CommitPayload {
            schema_version,
            files: name,
        };
        Ok(serde_json::to_string(&payload).expect("plain struct serialises"))
    }

    /// Deletes manifest files other than the one `payload` names: older
    /// commits' and those of commits that never happened.
    pub fn remove_stale(index_dir: &Path, payload: Option<&str>) {
        let keep = payload
            .and_then(|p| serde_json::from_str::<CommitPayload>(p).ok())
            .map(|p| p.files);
        let Ok(entries) = std::fs::read_dir(index_dir) else {
            return;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            let stale_tmp =
                name.starts_with(&format!(".{MANIFEST_PREFIX}")) && name.ends_with(".tmp");
            if stale_tmp || (is_manifest_name(name) && keep.as_deref() != Some(name)) {
                // Best effort: a leftover file costs disk space, not correctness.
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }

    /// Stories told by more than one article (syndicated near-copies), and
    /// how many articles those stories hold.
    pub fn near_copy_groups(&self) -> (usize, usize) {
        let mut sizes: std::collections::HashMap<u64, usize> = std::collections::HashMap::new();
        for story in self.files.values().flat_map(|record| &record.stories) {
            *sizes.entry(*story).or_default() += 1;
        }
        sizes
            .values()
            .filter(|&&n| n > 1)
            .fold((0, 0), |(groups, articles), &n| (groups + 1, articles + n))
    }

    /// Total articles and passages over all records.
    pub fn totals(&self) -> (u64, u64) {
        self.files.values().fold((0, 0), |(a, p), record| {
            (
                a + u64::from(record.articles),
                p + u64::from(record.passages),
            )
        })
    }
}

fn is_manifest_name(name: &str) -> bool {
    name.strip_prefix(MANIFEST_PREFIX)
        .and_then(|rest| rest.strip_suffix(MANIFEST_SUFFIX))
        .is_some_and(|digits| !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
}

/// The key of a file in the index: its canonical path, so `corpus` and
/// `./corpus` name the same files. Paths that are not UTF-8 are spelled with
/// their bytes escaped, so two such names never collide the way their lossy
/// renderings would.
pub fn file_key(path: &Path) -> String {
    let canonical = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    path_key(&canonical)
}

/// [`file_key`] without the canonicalisation.
pub fn path_key(path: &Path) -> String {
    match path.to_str() {
        Some(text) => text.to_string(),
        None => escape_path_bytes(path),
    }
}

/// The path a key stands for (inverse of [`path_key`]).
pub fn key_path(key: &str) -> PathBuf {
    unescape_path_bytes(key).unwrap_or_else(|| PathBuf::from(key))
}

/// A marker no UTF-8 path starts with, in front of escaped bytes.
const BYTES_MARKER: &str = "\u{0}bytes:";

#[cfg(unix)]
fn escape_path_bytes(path: &Path) -> String {
    use std::os::unix::ffi::OsStrExt;
    let hex: String = path
        .as_os_str()
        .as_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("{BYTES_MARKER}{hex}")
}

#[cfg(not(unix))]
fn escape_path_bytes(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

#[cfg(unix)]
fn unescape_path_bytes(key: &str) -> Option<PathBuf> {
    use std::os::unix::ffi::OsStringExt;
    let hex = key.strip_prefix(BYTES_MARKER)?;
    let bytes = (0..hex.len())
        .step_by(2)
        .map(|i| {
            hex.get(i..i + 2)
                .and_then(|pair| u8::from_str_radix(pair, 16).ok())
        })
        .collect::<Option<Vec<u8>>>()?;
    Some(PathBuf::from(std::ffi::OsString::from_vec(bytes)))
}

#[cfg(not(unix))]
fn unescape_path_bytes(_key: &str) -> Option<PathBuf> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(size: u64) -> FileRecord {
        FileRecord {
            articles: 1,
            passages: 3,
            ..FileRecord::new(size, -5, 7)
        }
    }

    #[test]
    fn a_saved_manifest_loads_back_through_its_payload() {
        let dir = tempfile::tempdir().unwrap();
        let mut manifest = Manifest::default();
        manifest.files.insert("/a".into(), record(1));
        manifest.files.insert("/b".into(), record(2));
        let payload = manifest.save(dir.path(), 42, 9).unwrap();
        assert!(dir.path().join("files-42.json").is_file());
        assert_eq!(Manifest::load(dir.path(), &payload).unwrap(), manifest);
        assert_eq!(manifest.totals(), (2, 6));
    }

    #[test]
    fn stale_manifests_are_removed_and_the_current_one_kept() {
        let dir = tempfile::tempdir().unwrap();
        let manifest = Manifest::default();
        manifest.save(dir.path(), 1, 9).unwrap();
        let payload = manifest.save(dir.path(), 2, 9).unwrap();
        std::fs::write(dir.path().join(".files-3.json.tmp"), "partial").unwrap();
        std::fs::write(dir.path().join("meta.json"), "{}").unwrap();
        Manifest::remove_stale(dir.path(), Some(&payload));
        let mut names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        assert_eq!(names, ["files-2.json", "meta.json"]);
    }

    #[test]
    fn damage_is_described_not_panicked_on() {
        let dir = tempfile::tempdir().unwrap();
        assert!(
            Manifest::load(dir.path(), "not json")
                .unwrap_err()
                .contains("payload")
        );
        let missing = r#"{"schema_version":2,"files":"files-7.json"}"#;
        assert!(
            Manifest::load(dir.path(), missing)
                .unwrap_err()
                .contains("cannot read")
        );
        std::fs::write(dir.path().join("files-7.json"), "{\"files\": [").unwrap();
        assert!(
            Manifest::load(dir.path(), missing)
                .unwrap_err()
                .contains("damaged")
        );
        let escape = r#"{"schema_version":2,"files":"../../etc/passwd"}"#;
        assert!(
            Manifest::load(dir.path(), escape)
                .unwrap_err()
                .contains("odd")
        );
    }

    #[cfg(unix)]
    #[test]
    fn non_utf8_paths_get_distinct_reversible_keys() {
        use std::os::unix::ffi::OsStrExt;
        let a = Path::new(std::ffi::OsStr::from_bytes(b"/x/caf\xe9"));
        let b = Path::new(std::ffi::OsStr::from_bytes(b"/x/caf\xe8"));
        assert_ne!(path_key(a), path_key(b));
        assert_eq!(key_path(&path_key(a)), a);
        assert_eq!(path_key(Path::new("/x/plain")), "/x/plain");
        assert_eq!(key_path("/x/plain"), Path::new("/x/plain"));
    }
}
