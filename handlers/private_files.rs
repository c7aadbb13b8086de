//! The data folder is for its owner only (L7): folders are created 0700 and
//! files 0600, whatever the umask, so that other accounts on the machine
//! read neither the database, its WAL, blobs, mails nor the key file.
//! Elsewhere than on Unix the platform's defaults apply.

use std::io;
use std::path::Path;

/// Create `path` and any missing parents as private folders; an existing
/// `path` is made private too (its parents are left as they are).
pub fn create_dir_all(path: &Path) -> io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(path)?;
    restrict(path, 0o700)
}

/// Options that create a new file readable and writable by the owner only.
pub fn new_file_options() -> std::fs::OpenOptions {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options
}

/// Make an existing file private (files from before this rule).
pub fn restrict_file(path: &Path) -> io::Result<()> {
    match restrict(path, 0o600) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        other => other,
    }
}

#[cfg(unix)]
fn restrict(path: &Path, mode: u32) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn restrict(_path: &Path, _mode: u32) -> io::Result<()> {
    Ok(())
}
