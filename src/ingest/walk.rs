//! Finding the files to index.
//!
//! Walks with the `ignore` crate, the walker behind ripgrep, so a folder can
//! carry an `.ignore` file (as `corpus/` does for its README) and hidden files
//! are left alone, the way `rg` users expect. Symbolic links are not followed
//! inside folders, which rules out link loops; a link named on the command
//! line is followed.
//!
//! Files that are not articles by their name (images, source code,
//! stylesheets, ...: see [`crate::ingest::select`]) are left out here,
//! unread, and counted by kind.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::ingest::Skipped;
use crate::ingest::select::{FileSelection, not_an_article_by_name};

/// A file to index: the path as walked and the path relative to its root.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputFile {
    /// The path as the user gave it, joined with the walked names.
    pub source: PathBuf,
    /// The path relative to the folder given on the command line.
    pub relative: PathBuf,
}

/// The files found under the inputs, kept compactly: the folders they were
/// found under, and the paths relative to them one after the other in one
/// string. A file costs its relative path and 8 bytes (about 30 bytes on a
/// dated news folder) where an [`InputFile`] (two owned paths) takes 150 and
/// a path of its own about 56. A walk of a million files is held for a
/// whole indexing run, so this matters.
#[derive(Clone, Debug, Default)]
pub struct WalkedFiles {
    bases: Vec<PathBuf>,
    /// The first file found under each base: the bases are walked in turn.
    firsts: Vec<usize>,
    /// The relative paths, one after the other.
    text: String,
    /// Where each file's path ends in `text`.
    ends: Vec<usize>,
    /// The files whose path is not in `text`, by number, with whether the
    /// path is relative to its base: a path that is not UTF-8, or one that
    /// does not start with its root (which the walker never gives).
    unusual: Vec<(usize, bool, Box<Path>)>,
    /// Files left out by their name as not articles, by kind.
    pub left_out: BTreeMap<String, usize>,
}

impl WalkedFiles {
    /// How many files were found.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether no file was found.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The file at `at`, in walk order.
    pub fn get(&self, at: usize) -> Option<InputFile> {
        let end = *self.ends.get(at)?;
        let start = at.checked_sub(1).map_or(0, |before| self.ends[before]);
        let (relative, path) = match self.unusual.binary_search_by_key(&at, |&(n, ..)| n) {
            Ok(found) => {
                let (_, relative, path) = &self.unusual[found];
                (*relative, &**path)
            }
            Err(_) => (true, Path::new(&self.text[start..end])),
        };
        let base = self
            .firsts
            .partition_point(|&first| first <= at)
            .checked_sub(1);
        Some(match base.and_then(|base| self.bases.get(base)) {
            Some(base) if relative => InputFile {
                source: base.join(path),
                relative: path.to_path_buf(),
            },
            _ => InputFile {
                source: path.to_path_buf(),
                relative: path.file_name().map(PathBuf::from).unwrap_or_default(),
            },
        })
    }

    /// The files from `at` on, at most `count` of them.
    pub fn slice(&self, at: usize, count: usize) -> Vec<InputFile> {
        (at..self.len().min(at.saturating_add(count)))
            .filter_map(|i| self.get(i))
            .collect()
    }

    /// Starts the files found under `base`.
    fn start_base(&mut self, base: &Path) {
        self.bases.push(base.to_path_buf());
        self.firsts.push(self.len());
    }

    /// Adds `path`, found under the last base started.
    fn push(&mut self, path: &Path) {
        let relative = self
            .bases
            .last()
            .and_then(|root| path.strip_prefix(root).ok())
            .filter(|relative| !relative.as_os_str().is_empty());
        match relative.map(|relative| (relative, relative.to_str())) {
            Some((_, Some(text))) => self.text.push_str(text),
            Some((relative, None)) => self.unusual.push((self.len(), true, relative.into())),
            None => self.unusual.push((self.len(), false, path.into())),
        }
        self.ends.push(self.text.len());
    }

    /// Gives back what the lists hold beyond their length, once the walk
    /// is done: the run keeps them to its end.
    fn shrink(&mut self) {
        self.text.shrink_to_fit();
        self.ends.shrink_to_fit();
    }
}

/// Lists the files under `paths`, sorted, with any entries that could not be
/// walked. A path that does not exist is an error: it is most likely a typo,
/// and indexing nothing in silence would hide it.
pub fn walk_inputs(paths: &[PathBuf]) -> Result<(Vec<InputFile>, Vec<Skipped>), Error> {
    let (walked, skipped) = walk_files(paths)?;
    Ok((walked.slice(0, walked.len()), skipped))
}

/// [`walk_inputs`], keeping the list compact ([`WalkedFiles`]).
pub fn walk_files(paths: &[PathBuf]) -> Result<(WalkedFiles, Vec<Skipped>), Error> {
    walk_selected(paths, &FileSelection::default())
}

/// [`walk_files`], choosing files with `selection`; unless files are
/// chosen by name or type, those that are not articles by their name are
/// left out and counted.
pub fn walk_selected(
    paths: &[PathBuf],
    selection: &FileSelection,
) -> Result<(WalkedFiles, Vec<Skipped>), Error> {
    let mut files = WalkedFiles::default();
    let mut skipped = Vec::new();
    let types = selection.file_types()?;
    // Each root as it really is: one named twice, or inside another, is
    // walked once, so its files are not read twice in one run.
    let real: Vec<Option<PathBuf>> = paths
        .iter()
        .map(|p| std::fs::canonicalize(p).ok())
        .collect();
    for (at, root) in paths.iter().enumerate() {
        if std::fs::metadata(root).is_err() && std::fs::symlink_metadata(root).is_err() {
            return Err(Error::MissingInput(root.clone()));
        }
        if real[at].is_some() && real[..at].contains(&real[at]) {
            continue;
        }
        let inner = roots_inside(root, real[at].as_deref(), &real);
        let walker = ignore::WalkBuilder::new(root)
            .standard_filters(false)
            .hidden(true)
            .ignore(true)
            .parents(false)
            .follow_links(false)
            .overrides(selection.overrides(root_dir(root))?)
            .types(types.clone())
            // Entries of one folder share its path up to their names, so
            // comparing whole paths as bytes orders them by name, without
            // parsing each path for its name at every comparison (a sixth
            // of a re-run that finds nothing changed, at a million files).
            .sort_by_file_path(|a, b| a.as_os_str().cmp(b.as_os_str()))
            // Those are walked on their own (named, they are walked even
            // where this walk would skip them).
            .filter_entry(move |entry| !inner.iter().any(|path| path == entry.path()))
            .build();
        // Once per root: a `stat` per file would cost as much as the walk.
        files.start_base(root_dir(root));
        for entry in walker {
            match entry {
                Ok(entry) => {
                    let is_file = entry.file_type().is_some_and(|t| t.is_file())
                        || (entry.depth() == 0 && entry.path().is_file());
                    if !is_file {
                        continue;
                    }
                    let not_article = (!selection.is_explicit())
                        .then(|| not_an_article_by_name(entry.path()))
                        .flatten();
                    match not_article {
                        Some(kind) => *files.left_out.entry(kind).or_default() += 1,
                        None => files.push(entry.path()),
                    }
                }
                Err(error) => skipped.push(Skipped {
                    path: error_path(&error).unwrap_or_else(|| root.clone()),
                    reason: error.to_string(),
                }),
            }
        }
    }
    files.shrink();
    Ok((files, skipped))
}

/// The other roots (by their real paths, `real`) that lie inside `root`
/// (whose real path is `real_root`), spelled as a walk of `root` reaches
/// them.
fn roots_inside(root: &Path, real_root: Option<&Path>, real: &[Option<PathBuf>]) -> Vec<PathBuf> {
    let Some(real_root) = real_root else {
        return Vec::new();
    };
    real.iter()
        .flatten()
        .filter_map(|other| other.strip_prefix(real_root).ok())
        .filter(|rest| !rest.as_os_str().is_empty())
        .map(|rest| root.join(rest))
        .collect()
}

/// The folder relative paths are taken from: the root itself, or the folder
/// holding it when the root is a file.
fn root_dir(root: &Path) -> &Path {
    if root.is_dir() {
        root
    } else {
        root.parent().unwrap_or(root)
    }
}

fn error_path(error: &ignore::Error) -> Option<PathBuf> {
    match error {
        ignore::Error::WithPath { path, .. } => Some(path.clone()),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            error_path(err)
        }
        ignore::Error::Loop { child, .. } => Some(child.clone()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_sorted_and_honours_ignore_files() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("b")).unwrap();
        std::fs::write(dir.path().join("b/2.txt"), "x").unwrap();
        std::fs::write(dir.path().join("a.txt"), "x").unwrap();
        std::fs::write(dir.path().join("README.md"), "x").unwrap();
        std::fs::write(dir.path().join(".hidden"), "x").unwrap();
        std::fs::write(dir.path().join(".ignore"), "README.md\n").unwrap();
        let (files, skipped) = walk_inputs(&[dir.path().to_path_buf()]).unwrap();
        let relative: Vec<_> = files.iter().map(|f| f.relative.to_str().unwrap()).collect();
        assert_eq!(relative, ["a.txt", "b/2.txt"]);
        assert!(skipped.is_empty());
    }

    #[test]
    fn a_folder_named_twice_or_inside_another_is_walked_once() {
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("sub");
        std::fs::create_dir(&sub).unwrap();
        for name in ["sub/a.txt", "sub/b.txt", "top.txt"] {
            std::fs::write(dir.path().join(name), "x").unwrap();
        }
        let roots = [
            sub.clone(),
            dir.path().to_path_buf(),
            sub.clone(),
            sub.join("a.txt"),
        ];
        let (files, _) = walk_inputs(&roots).unwrap();
        let sources: Vec<_> = (files.iter())
            .map(|f| f.source.strip_prefix(dir.path()).unwrap().to_str().unwrap())
            .collect();
        assert_eq!(sources, ["sub/b.txt", "top.txt", "sub/a.txt"]);
    }

    #[test]
    fn files_that_are_not_articles_are_counted_not_walked_unless_chosen() {
        let dir = tempfile::tempdir().unwrap();
        for name in [
            "post.md",
            "chart.svg",
            "a.png",
            "b.png",
            "main.go",
            "drafts.md",
        ] {
            std::fs::write(dir.path().join(name), "x").unwrap();
        }
        let root = [dir.path().to_path_buf()];
        let names = |walked: &WalkedFiles| -> Vec<String> {
            walked
                .slice(0, walked.len())
                .iter()
                .map(|f| f.relative.to_string_lossy().into_owned())
                .collect()
        };
        let (walked, _) = walk_files(&root).unwrap();
        assert_eq!(names(&walked), ["drafts.md", "post.md"]);
        let counts: Vec<_> = walked
            .left_out
            .iter()
            .map(|(k, n)| (k.as_str(), *n))
            .collect();
        assert_eq!(counts, [("go", 1), ("png", 2), ("svg", 1)]);
        let chosen = FileSelection {
            include: vec!["*.go".into(), "*.md".into()],
            exclude: vec!["drafts.md".into()],
            ..FileSelection::default()
        };
        let (walked, _) = walk_selected(&root, &chosen).unwrap();
        assert_eq!(names(&walked), ["main.go", "post.md"]);
        assert!(walked.left_out.is_empty());
        let typed = FileSelection {
            types: vec!["go".into()],
            ..FileSelection::default()
        };
        assert_eq!(names(&walk_selected(&root, &typed).unwrap().0), ["main.go"]);
    }

    #[test]
    fn a_file_root_is_walked_as_itself() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("one.txt");
        std::fs::write(&file, "x").unwrap();
        let (files, _) = walk_inputs(std::slice::from_ref(&file)).unwrap();
        assert_eq!(
            files,
            [InputFile {
                source: file,
                relative: "one.txt".into()
            }]
        );
    }

    #[test]
    fn sources_are_the_paths_as_walked_whatever_the_spelling_of_the_root() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("b")).unwrap();
        std::fs::write(dir.path().join("b/2.txt"), "x").unwrap();
        let plain = dir.path().to_str().unwrap();
        for root in [
            plain.to_string(),
            format!("{plain}/"),
            format!("{plain}/b/../b"),
        ] {
            let (files, _) = walk_inputs(&[PathBuf::from(&root)]).unwrap();
            let walked: Vec<PathBuf> = ignore::WalkBuilder::new(&root)
                .build()
                .flatten()
                .filter(|e| e.file_type().is_some_and(|t| t.is_file()))
                .map(|e| e.path().to_path_buf())
                .collect();
            let sources: Vec<PathBuf> = files.iter().map(|f| f.source.clone()).collect();
            assert_eq!(sources, walked, "{root}");
            assert!(files.iter().all(|f| f.source.ends_with(&f.relative)));
        }
    }

    /// Several roots, a file given as a root and a name that is not UTF-8
    /// among the others: each file comes back with its own source and
    /// relative path.
    #[cfg(unix)]
    #[test]
    fn every_file_keeps_its_root_and_its_name() {
        use std::os::unix::ffi::OsStrExt;
        let dir = tempfile::tempdir().unwrap();
        let odd = std::ffi::OsStr::from_bytes(b"b/caf\xe9.txt");
        for (folder, names) in [("one", ["a.txt", "c.txt"]), ("two", ["d.txt", "e.txt"])] {
            std::fs::create_dir_all(dir.path().join(folder).join("b")).unwrap();
            for name in names {
                std::fs::write(dir.path().join(folder).join(name), "x").unwrap();
            }
            std::fs::write(dir.path().join(folder).join(odd), "x").unwrap();
        }
        let roots = [
            dir.path().join("one"),
            dir.path().join("two/d.txt"),
            dir.path().join("two"),
        ];
        let (walked, _) = walk_files(&roots).unwrap();
        let found: Vec<(PathBuf, PathBuf)> = (0..walked.len())
            .map(|at| walked.get(at).unwrap())
            .map(|file| (file.source, file.relative))
            .collect();
        let expected = [
            ("one/a.txt", "a.txt"),
            ("one/b/caf\u{fffd}.txt", "b/caf\u{fffd}.txt"),
            ("one/c.txt", "c.txt"),
            ("two/d.txt", "d.txt"),
            ("two/b/caf\u{fffd}.txt", "b/caf\u{fffd}.txt"),
            ("two/e.txt", "e.txt"),
        ];
        let shown: Vec<(String, String)> = (found.iter())
            .map(|(source, relative)| {
                let source = source.strip_prefix(dir.path()).unwrap();
                (
                    source.to_string_lossy().into(),
                    relative.to_string_lossy().into(),
                )
            })
            .collect();
        let expected: Vec<(String, String)> = (expected.iter())
            .map(|&(source, relative)| (source.into(), relative.into()))
            .collect();
        assert_eq!(shown, expected);
        assert!(walked.get(found.len()).is_none());
        // The names that are not UTF-8 come back as they were.
        assert_eq!(found[1].1.as_os_str(), odd);
        assert!(
            found
                .iter()
                .all(|(source, relative)| source.ends_with(relative))
        );
    }

    #[test]
    fn a_missing_root_is_an_error() {
        let result = walk_inputs(&[PathBuf::from("/no/such/dateline/folder")]);
        assert!(matches!(result, Err(Error::MissingInput(_))));
    }
}
