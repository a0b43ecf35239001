//! Where an export may write, and how the file gets there.
//!
//! An export never writes over the database (or its `-wal`, `-shm` and `-journal` files) nor
//! into the signing identity's directory, whatever the caller asks: the paths are compared
//! after resolving symbolic links and `..`, and an existing file is also compared by inode,
//! so a hard link or a symbolic link to the database is caught too. Any other existing file
//! is replaced only when the caller says so ([`Replace`]).
//!
//! The bytes go to a [`TempFile`] beside the target first; it is renamed over the target
//! only once everything else (identity, export event) has succeeded, and removed on any
//! failure, so a previous file at the target survives a failed export.

use std::ffi::OsString;
use std::fs::{self, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

/// Whether an export may replace a file that is already at its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Replace {
    /// Never: an existing file is refused (`export --out` without `--force`).
    Never,
    /// Only a file this database recorded as an export of the same review: what the
    /// terminal UI's `x` and `export` without `--out` do at the default path.
    OwnExport,
    /// Any file except the protected ones (`export --force`).
    Any,
}

/// Why a path may never be an export's target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protected {
    /// The database or one of SQLite's files beside it.
    Database,
    /// Inside the signing identity's directory.
    Identity,
}

/// The path with symbolic links and `..` resolved; for a path that does not exist yet, its
/// resolved directory joined with its name. `None` when not even the directory resolves (then
/// nothing can be written there either).
pub fn resolve(path: &Path) -> Option<PathBuf> {
    if let Ok(p) = fs::canonicalize(path) {
        return Some(p);
    }
    let name = path.file_name()?;
    if name == ".." || name == "." {
        return None;
    }
    let parent = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    Some(fs::canonicalize(parent).ok()?.join(name))
}

/// Whether `out` is the database at `db`, one of its SQLite side files, or inside
/// `identity_dir`.
pub fn protected(out: &Path, db: &Path, identity_dir: &Path) -> Option<Protected> {
    // The same file under another name (a hard link, or a symbolic link `resolve` follows).
    if let (Ok(a), Ok(b)) = (fs::metadata(out), fs::metadata(db))
        && a.dev() == b.dev()
        && a.ino() == b.ino()
    {
        return Some(Protected::Database);
    }
    let target = resolve(out)?;
    if let Some(db) = resolve(db) {
        let with = |suffix: &str| {
            let mut name = OsString::from(db.as_os_str());
            name.push(suffix);
            PathBuf::from(name)
        };
        if target == db
            || ["-wal", "-shm", "-journal"]
                .iter()
                .any(|s| target == with(s))
        {
            return Some(Protected::Database);
        }
    }
    if let Some(identity) = resolve(identity_dir)
        && target.starts_with(&identity)
    {
        return Some(Protected::Identity);
    }
    None
}

/// Whether something (a file, a directory, a dangling symbolic link) is at `path`.
pub fn occupied(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok()
}

/// Why the finished file could not be put in place.
#[derive(Debug)]
pub enum PlaceError {
    /// A file appeared at the target meanwhile, and replacing it was not allowed.
    Exists,
    Io(std::io::Error),
}

/// A private (0600) temporary file beside a target, removed when dropped unless
/// [`TempFile::place`]d.
#[derive(Debug)]
pub struct TempFile {
    path: PathBuf,
    dir: PathBuf,
    placed: bool,
}

impl TempFile {
    /// Writes `bytes` to a new temporary file in the directory of `target` and syncs it.
    pub fn write(target: &Path, bytes: &[u8]) -> std::io::Result<TempFile> {
        if target.is_dir() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::IsADirectory,
                "is a directory",
            ));
        }
        let name = target
            .file_name()
            .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidInput, "no file name"))?;
        let dir = target
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_path_buf();
        let path = dir.join(format!(
            ".{}.{}.tmp",
            name.to_string_lossy(),
            random_suffix()
        ));
        // create_new: never follow or reuse something already at the temporary name.
        let mut f = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)?;
        let temp = TempFile {
            path,
            dir,
            placed: false,
        };
        f.write_all(bytes)?;
        f.sync_all()?;
        Ok(temp)
    }

    /// Moves the file to `target`: over an existing file when `replace`, otherwise only if
    /// nothing is there (checked atomically with a hard link where the file system has them).
    /// Syncs the directory, so a crash leaves the old file or the new one, never half of one.
    pub fn place(mut self, target: &Path, replace: bool) -> Result<(), PlaceError> {
        if replace {
            fs::rename(&self.path, target).map_err(PlaceError::Io)?;
        } else {
            match fs::hard_link(&self.path, target) {
                Ok(()) => {
                    let _ = fs::remove_file(&self.path);
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    return Err(PlaceError::Exists);
                }
                // No hard links here (some network and FAT file systems): check, then rename.
                Err(_) if occupied(target) => return Err(PlaceError::Exists),
                Err(_) => fs::rename(&self.path, target).map_err(PlaceError::Io)?,
            }
        }
        self.placed = true;
        fs::File::open(&self.dir)
            .and_then(|d| d.sync_all())
            .map_err(PlaceError::Io)
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if !self.placed {
            let _ = fs::remove_file(&self.path);
        }
    }
}

/// 12 random hex digits, for names of temporary files and directories.
pub fn random_suffix() -> String {
    let mut bytes = [0u8; 6];
    rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut bytes);
    crate::checklist::hex(&bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_database_its_side_files_and_the_identity_are_protected() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        fs::create_dir_all(d.join("data/identity")).unwrap();
        let db = d.join("data/aarshjul.sqlite");
        fs::write(&db, "db").unwrap();
        let id = d.join("data/identity");
        let p = |s: &str| protected(&d.join(s), &db, &id);
        assert_eq!(p("data/aarshjul.sqlite"), Some(Protected::Database));
        assert_eq!(p("data/aarshjul.sqlite-wal"), Some(Protected::Database));
        assert_eq!(p("data/aarshjul.sqlite-shm"), Some(Protected::Database));
        assert_eq!(
            p("data/../data/./aarshjul.sqlite"),
            Some(Protected::Database)
        );
        assert_eq!(p("data/identity/key.pem"), Some(Protected::Identity));
        assert_eq!(p("data/identity/new.pdf"), Some(Protected::Identity));
        assert_eq!(p("data/identity"), Some(Protected::Identity));
        assert_eq!(p("data/record.pdf"), None);
        assert_eq!(p("data/aarshjul.sqlite.pdf"), None);
        assert_eq!(p("missing/x.pdf"), None);
        std::os::unix::fs::symlink(&db, d.join("link.pdf")).unwrap();
        assert_eq!(p("link.pdf"), Some(Protected::Database));
        fs::hard_link(&db, d.join("hard.pdf")).unwrap();
        assert_eq!(p("hard.pdf"), Some(Protected::Database));
        std::os::unix::fs::symlink(d.join("data"), d.join("alias")).unwrap();
        assert_eq!(p("alias/aarshjul.sqlite-wal"), Some(Protected::Database));
        assert_eq!(p("alias/identity/cert.pem"), Some(Protected::Identity));
    }

    #[test]
    fn a_temporary_file_is_placed_or_removed() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.pdf");
        let files = || fs::read_dir(dir.path()).unwrap().count();
        drop(TempFile::write(&target, b"one").unwrap());
        assert_eq!(files(), 0, "dropped: removed");
        TempFile::write(&target, b"one")
            .unwrap()
            .place(&target, false)
            .unwrap();
        assert_eq!(fs::read(&target).unwrap(), b"one");
        let second = TempFile::write(&target, b"two").unwrap();
        assert!(matches!(
            second.place(&target, false),
            Err(PlaceError::Exists)
        ));
        assert_eq!(fs::read(&target).unwrap(), b"one");
        assert_eq!(files(), 1, "the refused temporary file is gone");
        TempFile::write(&target, b"two")
            .unwrap()
            .place(&target, true)
            .unwrap();
        assert_eq!(fs::read(&target).unwrap(), b"two");
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(&target).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        assert_eq!(files(), 1);
    }
}
