//! Opening an index that sits on read-only storage.
//!
//! tantivy takes a short-lived meta lock whenever a reader loads the list of
//! segments, which means creating a file: on a read-only mount (an archive
//! on a write-protected share, a DVD, a snapshot) searching would fail. When
//! the file system itself refuses the write, no process can change the index
//! either, so the meta lock protects nothing and is skipped. Every other
//! lock, and every lock on writable storage, behaves exactly as before.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tantivy::directory::error::{
    DeleteError, LockError, OpenDirectoryError, OpenReadError, OpenWriteError,
};
use tantivy::directory::{
    Directory, DirectoryLock, FileHandle, Lock, META_LOCK, MmapDirectory, WatchCallback,
    WatchHandle, WritePtr,
};

/// An mmap directory whose meta lock gives way on read-only storage.
#[derive(Clone, Debug)]
pub(crate) struct TolerantDirectory {
    inner: MmapDirectory,
}

impl TolerantDirectory {
    /// Opens the folder at `path`.
    pub(crate) fn open(path: &Path) -> Result<TolerantDirectory, OpenDirectoryError> {
        Ok(TolerantDirectory {
            inner: MmapDirectory::open(path)?,
        })
    }
}

impl Directory for TolerantDirectory {
    fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
        self.inner.get_file_handle(path)
    }

    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        self.inner.delete(path)
    }

    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        self.inner.exists(path)
    }

    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        self.inner.open_write(path)
    }

    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        self.inner.atomic_read(path)
    }

    fn atomic_write(&self, path: &Path, data: &[u8]) -> io::Result<()> {
        self.inner.atomic_write(path, data)
    }

    fn sync_directory(&self) -> io::Result<()> {
        self.inner.sync_directory()
    }

    fn acquire_lock(&self, lock: &Lock) -> Result<DirectoryLock, LockError> {
        match self.inner.acquire_lock(lock) {
            Err(LockError::IoError(error))
                if error.kind() == io::ErrorKind::ReadOnlyFilesystem && is_meta_lock(lock) =>
            {
                Ok(DirectoryLock::from(Box::new(())))
            }
            other => other,
        }
    }

    fn watch(&self, watch_callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        self.inner.watch(watch_callback)
    }
}

fn is_meta_lock(lock: &Lock) -> bool {
    let meta: &PathBuf = &META_LOCK.filepath;
    &lock.filepath == meta
}
