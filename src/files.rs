//! Reading a file a user names: only a regular file, and only up to a size cap, so that a
//! FIFO cannot hang the program and a link to `/dev/zero` cannot eat its memory.

use std::fs::{self, OpenOptions};
use std::io::Read;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use crate::i18n::Lang;

/// Why a file was not read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("not a regular file")]
    NotRegular,
    #[error("larger than {limit} bytes")]
    TooLarge { limit: u64 },
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

impl ReadError {
    /// The reason in the user's language, without the file name.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            ReadError::NotRegular => lang
                .pick(
                    "er ikke en almindelig fil (men fx en FIFO, en enhed eller en mappe) og læses ikke",
                    "is not a regular file (but e.g. a FIFO, a device or a directory) and is not read",
                )
                .to_string(),
            ReadError::TooLarge { limit } => lang
                .pick(
                    "filen er over {n} MB og læses ikke",
                    "the file is over {n} MB and is not read",
                )
                .replace("{n}", &(limit / (1024 * 1024)).to_string()),
            ReadError::Io(e) => format!("{}: {e}", lang.pick("kan ikke læses", "cannot be read")),
        }
    }
}

/// The bytes of the regular file at `path` (links followed), at most `limit` of them.
/// A FIFO or device is refused before it is opened, and opened without blocking in case it
/// was swapped in since; no more than `limit + 1` bytes are ever read.
pub fn read_regular(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    let meta = fs::metadata(path)?;
    if !meta.is_file() {
        return Err(ReadError::NotRegular);
    }
    if meta.len() > limit {
        return Err(ReadError::TooLarge { limit });
    }
    let f = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)?;
    if !f.metadata()?.is_file() {
        return Err(ReadError::NotRegular);
    }
    let mut bytes = Vec::new();
    f.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge { limit });
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devices_directories_and_large_files_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("zero.toml");
        std::os::unix::fs::symlink("/dev/zero", &link).unwrap();
        assert!(matches!(
            read_regular(&link, 1024),
            Err(ReadError::NotRegular)
        ));
        assert!(matches!(
            read_regular(dir.path(), 1024),
            Err(ReadError::NotRegular)
        ));
        let big = dir.path().join("big");
        std::fs::write(&big, vec![b'x'; 2048]).unwrap();
        assert!(matches!(
            read_regular(&big, 1024),
            Err(ReadError::TooLarge { .. })
        ));
        assert_eq!(read_regular(&big, 2048).unwrap().len(), 2048);
    }
}
