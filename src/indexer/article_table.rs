//! The article records of an indexing run, kept in a scratch file.
//!
//! The file records hold one [`ArticleRecord`] per indexed article: ids,
//! hashes, story and near-copy signature, 110 bytes. Held in memory they
//! were most of a run's memory at ten million articles (over 1 GB). They
//! are only appended during a run, read back in order when the records are
//! saved at a commit or a table is built from them, and read one at a time
//! for a near-copy candidate or a file being replaced. So all but the
//! latest [`IN_MEMORY`] of them live in a scratch file beside the index,
//! read with positioned reads: what is read often stays in the operating
//! system's page cache, which it can give back, and the process holds a
//! fixed amount whatever the corpus size.
//!
//! The scratch file has no name (or loses it at once), so a killed run
//! leaves nothing behind. It is not where the records are kept between
//! runs: that is the manifest each commit writes.

use std::fs::File;
use std::path::{Path, PathBuf};

use crate::indexer::manifest::ArticleRecord;
use crate::indexer::near_duplicates::SIGNATURE_LEN;

/// How many of the latest records stay in memory before they are written
/// out together (about 7 MB).
const IN_MEMORY: usize = 1 << 16;

/// How many records a sequential read fetches at once (about 220 KB).
const READ_BLOCK: usize = 2048;

/// The bytes of one record in the scratch file: five 64-bit numbers, the
/// passage count, the named and signature flags, the signature.
const RECORD_LEN: usize = 5 * 8 + 4 + 1 + 1 + SIGNATURE_LEN;

/// Article records by place, appended in order (see the module
/// documentation).
#[derive(Debug, Default)]
pub struct ArticleTable {
    /// Where a scratch file may be made; without one every record stays
    /// in memory.
    dir: Option<PathBuf>,
    /// The scratch file, once records were written out.
    scratch: Option<File>,
    /// How many records the scratch file holds: the places before the
    /// records in memory.
    on_disk: u32,
    /// The records from `on_disk` onwards.
    recent: Vec<ArticleRecord>,
    /// How many records in memory are written out together.
    keep: usize,
}

impl ArticleTable {
    /// A table that writes out its records to a scratch file in `dir`.
    pub fn in_dir(dir: &Path) -> ArticleTable {
        ArticleTable::keeping(dir, IN_MEMORY)
    }

    /// A table that writes out its records to a scratch file in `dir`
    /// whenever `keep` of them are in memory.
    pub fn keeping(dir: &Path, keep: usize) -> ArticleTable {
        ArticleTable {
            dir: Some(dir.to_path_buf()),
            keep,
            ..ArticleTable::default()
        }
    }

    /// How many records the table holds.
    pub fn len(&self) -> u32 {
        self.on_disk + u32::try_from(self.recent.len()).unwrap_or(u32::MAX)
    }

    /// How many records are in the scratch file.
    #[cfg(test)]
    pub fn written_out(&self) -> u32 {
        self.on_disk
    }

    /// Appends records, at places [`Self::len`] onwards.
    pub fn extend(&mut self, records: &[ArticleRecord]) {
        self.recent.extend_from_slice(records);
        if self.dir.is_some() && self.recent.len() >= self.keep {
            self.write_out();
        }
    }

    /// Writes the records in memory to the scratch file. When the file
    /// cannot be made or written (a full disk), the records stay in
    /// memory: the run goes on, only bigger.
    fn write_out(&mut self) {
        let Some(dir) = &self.dir else { return };
        if self.scratch.is_none() {
            match tempfile::tempfile_in(dir) {
                Ok(file) => self.scratch = Some(file),
                Err(_) => {
                    self.dir = None;
                    return;
                }
            }
        }
        let Some(file) = &self.scratch else { return };
        let mut bytes = Vec::with_capacity(self.recent.len() * RECORD_LEN);
        for record in &self.recent {
            encode(record, &mut bytes);
        }
        let offset = u64::from(self.on_disk) * RECORD_LEN as u64;
        match write_all_at(file, &bytes, offset) {
            Ok(()) => {
                self.on_disk = self.len();
                self.recent.clear();
            }
            Err(_) => self.dir = None,
        }
    }

    /// The record at `at`, which must be below [`Self::len`].
    ///
    /// # Panics
    ///
    /// When the scratch file cannot be read back: the disk under the
    /// index failed, and records cannot be guessed.
    pub fn get(&self, at: u32) -> ArticleRecord {
        match at.checked_sub(self.on_disk) {
            Some(recent) => self.recent[recent as usize],
            None => {
                let mut bytes = [0u8; RECORD_LEN];
                self.read_at(&mut bytes, at);
                decode(&bytes)
            }
        }
    }

    /// A reader for records read mostly in order: it fetches a block of
    /// them at a time.
    pub fn reader(&self) -> TableReader<'_> {
        TableReader {
            table: self,
            block: RecordBlock::default(),
        }
    }

    fn read_at(&self, bytes: &mut [u8], at: u32) {
        let file = self
            .scratch
            .as_ref()
            .expect("records before the ones in memory are in the scratch file");
        let offset = u64::from(at) * RECORD_LEN as u64;
        if let Err(error) = read_exact_at(file, bytes, offset) {
            panic!("the scratch file of article records could not be read back: {error}");
        }
    }
}

/// Reads an [`ArticleTable`]'s records a block at a time (see
/// [`ArticleTable::reader`]).
pub struct TableReader<'a> {
    table: &'a ArticleTable,
    block: RecordBlock,
}

impl TableReader<'_> {
    /// The record at `at`, which must be below the table's length.
    pub fn get(&mut self, at: u32) -> ArticleRecord {
        self.block.get(self.table, at)
    }
}

/// A block of a table's records read from its scratch file, for reading
/// records mostly in order: kept by a [`TableReader`], or by a caller
/// that reads between changes to the table (records never change once
/// written, so a block read stays right as the table grows).
#[derive(Default)]
pub struct RecordBlock {
    /// Records `first..first + block.len()` of the scratch file.
    block: Vec<ArticleRecord>,
    first: u32,
}

impl RecordBlock {
    /// The record at `at` of `table`, which must be below its length.
    pub fn get(&mut self, table: &ArticleTable, at: u32) -> ArticleRecord {
        if at >= table.on_disk {
            return table.get(at);
        }
        let cached = at
            .checked_sub(self.first)
            .and_then(|i| self.block.get(i as usize));
        if let Some(record) = cached {
            return *record;
        }
        // Reading backwards (below the block held), the block that ends
        // at `at`; otherwise the one that starts there.
        let backwards = !self.block.is_empty() && at < self.first;
        let first = match backwards {
            true => (at + 1).saturating_sub(READ_BLOCK as u32),
            false => at,
        };
        let count = (table.on_disk - first).min(READ_BLOCK as u32) as usize;
        let mut bytes = vec![0u8; count * RECORD_LEN];
        table.read_at(&mut bytes, first);
        self.block.clear();
        self.block
            .extend(bytes.chunks_exact(RECORD_LEN).map(decode));
        self.first = first;
        self.block[(at - first) as usize]
    }
}

fn encode(record: &ArticleRecord, out: &mut Vec<u8>) {
    for number in [
        record.id,
        record.hash,
        record.meta,
        record.place,
        record.story,
    ] {
        out.extend_from_slice(&number.to_le_bytes());
    }
    out.extend_from_slice(&record.passages.to_le_bytes());
    out.push(u8::from(record.named));
    match &record.signature {
        Some(signature) => {
            out.push(1);
            out.extend_from_slice(signature);
        }
        None => {
            out.push(0);
            out.extend_from_slice(&[0; SIGNATURE_LEN]);
        }
    }
}

fn decode(bytes: &[u8]) -> ArticleRecord {
    let u64_at = |i: usize| u64::from_le_bytes(bytes[i * 8..i * 8 + 8].try_into().unwrap());
    let signature = (bytes[45] == 1).then(|| bytes[46..46 + SIGNATURE_LEN].try_into().unwrap());
    ArticleRecord {
        id: u64_at(0),
        hash: u64_at(1),
        meta: u64_at(2),
        place: u64_at(3),
        story: u64_at(4),
        passages: u32::from_le_bytes(bytes[40..44].try_into().unwrap()),
        named: bytes[44] == 1,
        signature,
    }
}

#[cfg(unix)]
fn write_all_at(file: &File, bytes: &[u8], offset: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::write_all_at(file, bytes, offset)
}

#[cfg(unix)]
pub(super) fn read_exact_at(file: &File, bytes: &mut [u8], offset: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, bytes, offset)
}

#[cfg(windows)]
fn write_all_at(file: &File, mut bytes: &[u8], mut offset: u64) -> std::io::Result<()> {
    while !bytes.is_empty() {
        let n = std::os::windows::fs::FileExt::seek_write(file, bytes, offset)?;
        if n == 0 {
            return Err(std::io::ErrorKind::WriteZero.into());
        }
        bytes = &bytes[n..];
        offset += n as u64;
    }
    Ok(())
}

#[cfg(windows)]
pub(super) fn read_exact_at(
    file: &File,
    mut bytes: &mut [u8],
    mut offset: u64,
) -> std::io::Result<()> {
    while !bytes.is_empty() {
        let n = std::os::windows::fs::FileExt::seek_read(file, bytes, offset)?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        let rest = bytes;
        bytes = &mut rest[n..];
        offset += n as u64;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(n: u64) -> ArticleRecord {
        ArticleRecord {
            id: n,
            hash: n.wrapping_mul(0x9e37_79b9_7f4a_7c15),
            meta: n + 1,
            place: n + 2,
            story: n / 3,
            passages: n as u32 % 7,
            named: n % 2 == 0,
            signature: (n % 5 != 0).then_some([n as u8; SIGNATURE_LEN]),
        }
    }

    #[test]
    fn records_written_out_read_back_the_same_in_any_order() {
        let dir = tempfile::tempdir().unwrap();
        let mut table = ArticleTable::in_dir(dir.path());
        let total = IN_MEMORY as u64 * 2 + 1_234;
        let records: Vec<ArticleRecord> = (0..total).map(record).collect();
        for chunk in records.chunks(1_000) {
            table.extend(chunk);
        }
        assert_eq!(table.len() as u64, total);
        assert!(table.on_disk > 0, "records were written out");
        assert!(table.recent.len() < IN_MEMORY);
        // Nothing named is left in the folder.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        for at in [0, 1, 2_047, 2_048, IN_MEMORY as u32, total as u32 - 1] {
            assert_eq!(table.get(at), records[at as usize], "{at}");
        }
        let mut reader = table.reader();
        for (at, expected) in records.iter().enumerate() {
            assert_eq!(reader.get(at as u32), *expected, "{at}");
        }
        // Backwards, across blocks.
        for at in (0..total as u32).rev().step_by(997) {
            assert_eq!(reader.get(at), records[at as usize], "{at}");
        }
    }

    #[test]
    fn without_a_folder_every_record_stays_in_memory() {
        let mut table = ArticleTable::default();
        let records: Vec<ArticleRecord> = (0..IN_MEMORY as u64 + 10).map(record).collect();
        table.extend(&records);
        assert_eq!(table.on_disk, 0);
        assert_eq!(table.get(IN_MEMORY as u32 + 9), records[IN_MEMORY + 9]);
    }
}
