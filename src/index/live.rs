//! An index that follows its commits, for a long-running reader (the
//! server).
//!
//! [`OpenIndex::snapshot`] never reloads, so one command sees one commit.
//! A server must instead see each commit of a concurrent `dateline index`
//! run, and even a rebuild that swapped the whole folder (another schema,
//! another language). tantivy rewrites `meta.json` atomically on every
//! commit, so its identity (inode, size, modification time) changes with
//! each one: [`LiveIndex::current`] checks it (one `stat`) and opens the
//! index afresh when it changed. A request holds the `OpenIndex` it was
//! given, so everything it reads comes from one commit even while a newer
//! one is opened for the next request.

use std::path::{Path, PathBuf};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::SystemTime;

use crate::error::Result;
use crate::index::OpenIndex;

/// An index reopened whenever a new commit is found on disk.
pub struct LiveIndex {
    path: PathBuf,
    current: RwLock<Opened>,
}

struct Opened {
    stamp: Option<MetaStamp>,
    index: Arc<OpenIndex>,
}

/// What identifies one commit's `meta.json`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct MetaStamp {
    modified: Option<SystemTime>,
    len: u64,
    inode: u64,
}

impl MetaStamp {
    fn of(index: &Path) -> Option<MetaStamp> {
        let metadata = std::fs::metadata(index.join("meta.json")).ok()?;
        #[cfg(unix)]
        let inode = std::os::unix::fs::MetadataExt::ino(&metadata);
        #[cfg(not(unix))]
        let inode = 0;
        Some(MetaStamp {
            modified: metadata.modified().ok(),
            len: metadata.len(),
            inode,
        })
    }
}

impl LiveIndex {
    /// Opens the index at `path`; it must exist (as for [`OpenIndex::open`]).
    pub fn open(path: &Path) -> Result<LiveIndex> {
        let stamp = MetaStamp::of(path);
        let index = OpenIndex::open(path)?;
        Ok(LiveIndex {
            path: path.to_path_buf(),
            current: RwLock::new(Opened {
                stamp,
                index: Arc::new(index),
            }),
        })
    }

    /// The folder the index lives in.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The index as of its last commit. When a commit happened since the
    /// last call it is opened; if that fails (a rebuild half-way through
    /// swapping folders) the previous commit keeps being served and the
    /// next call tries again.
    pub fn current(&self) -> Arc<OpenIndex> {
        let stamp = MetaStamp::of(&self.path);
        {
            let opened = self.current.read().unwrap_or_else(PoisonError::into_inner);
            if opened.stamp == stamp || stamp.is_none() {
                return Arc::clone(&opened.index);
            }
        }
        let mut opened = self.current.write().unwrap_or_else(PoisonError::into_inner);
        // Another request may have reopened it while this one waited.
        if opened.stamp != stamp {
            if let Ok(index) = OpenIndex::open(&self.path) {
                opened.index = Arc::new(index);
                opened.stamp = stamp;
            }
        }
        Arc::clone(&opened.index)
    }
}
