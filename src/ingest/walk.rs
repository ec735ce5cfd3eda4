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

/// The files found under the inputs, kept compactly: a file is the index of
/// the folder it was found under and its path relative to that folder,
/// about 56 bytes where an [`InputFile`] (two owned paths) takes 150 and a
/// full path 88. A walk of a million files is held for a whole indexing
/// run, so this matters.
#[derive(Clone, Debug, Default)]
pub struct WalkedFiles {
    bases: Vec<PathBuf>,
    /// The base (`WHOLE` when the path is stored whole) and the path.
    files: Vec<(u32, Box<Path>)>,
    /// Files left out by their name as not articles, by kind.
    pub left_out: BTreeMap<String, usize>,
}

/// Marks a path stored whole, not relative to a base (a walked path that
/// does not start with its root, which the walker never gives).
const WHOLE: u32 = u32::MAX;

impl WalkedFiles {
    /// How many files were found.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// Whether no file was found.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// The file at `at`, in walk order.
    pub fn get(&self, at: usize) -> Option<InputFile> {
        let (base, path) = self.files.get(at)?;
        Some(match self.bases.get(*base as usize) {
            Some(base) => InputFile {
                source: base.join(path),
                relative: path.to_path_buf(),
            },
            None => InputFile {
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

    /// Adds `path`, found under the base `base`.
    fn push(&mut self, base: u32, path: &Path) {
        let relative = self
            .bases
            .get(base as usize)
            .and_then(|root| path.strip_prefix(root).ok())
            .filter(|relative| !relative.as_os_str().is_empty());
        self.files.push(match relative {
            Some(relative) => (base, relative.into()),
            None => (WHOLE, path.into()),
        });
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
    for root in paths {
        if std::fs::metadata(root).is_err() && std::fs::symlink_metadata(root).is_err() {
            return Err(Error::MissingInput(root.clone()));
        }
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
            .build();
        // Once per root: a `stat` per file would cost as much as the walk.
        let base = u32::try_from(files.bases.len()).unwrap_or(u32::MAX);
        files.bases.push(root_dir(root).to_path_buf());
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
                        None => files.push(base, entry.path()),
                    }
                }
                Err(error) => skipped.push(Skipped {
                    path: error_path(&error).unwrap_or_else(|| root.clone()),
                    reason: error.to_string(),
                }),
            }
        }
    }
    Ok((files, skipped))
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

    #[test]
    fn a_missing_root_is_an_error() {
        let result = walk_inputs(&[PathBuf::from("/no/such/dateline/folder")]);
        assert!(matches!(result, Err(Error::MissingInput(_))));
    }
}
