//! Where the token signing key comes from: configuration (in Azure, a Key
//! Vault reference app setting) or, locally, a key generated on first start
//! and kept in the data folder, readable by the owner only.

use base64::Engine;
use std::io::Write;
use std::path::Path;

use super::tokens::TokenKey;

#[derive(Debug, thiserror::Error)]
#[error("token signing key file {path}: {message}")]
pub struct KeyFileError {
    path: String,
    message: String,
}

/// Load the key file, creating it with a fresh random key if absent.
pub fn load_or_create_local_key(data_dir: &Path) -> Result<TokenKey, KeyFileError> {
    let secret = load_or_create(&data_dir.join("token-signing-key"))?;
    Ok(TokenKey {
        kid: TokenKey::fingerprint(&secret),
        secret,
    })
}

/// The pass key's file (`LMS_PASS_KEY` unset): its own secret, so that
/// rotating the token key does not kill every pass link.
pub fn load_or_create_local_pass_key(data_dir: &Path) -> Result<Vec<u8>, KeyFileError> {
    load_or_create(&data_dir.join("pass-key"))
}

fn load_or_create(path: &Path) -> Result<Vec<u8>, KeyFileError> {
    let err = |message: String| KeyFileError {
        path: path.display().to_string(),
        message,
    };
    match std::fs::read_to_string(path) {
        Ok(text) => {
            return TokenKey::decode_secret(&text)
                .ok_or_else(|| err("does not hold a base64 key of at least 32 bytes".into()));
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(err(e.to_string())),
    }
    let secret: [u8; 32] = rand::random();
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    match options.open(path) {
        Ok(mut file) => {
            let text = base64::engine::general_purpose::STANDARD.encode(secret);
            file.write_all(text.as_bytes())
                .and_then(|()| file.sync_all())
                .map_err(|e| err(e.to_string()))?;
            Ok(secret.to_vec())
        }
        // Another process created it first: use theirs.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => load_or_create(path),
        Err(e) => Err(err(e.to_string())),
    }
}
