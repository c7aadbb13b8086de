//! Mail transport: SMTP (Azure Communication Services accepts SMTP) when
//! configured, otherwise `.eml` files in `$LMS_DATA_DIR/mail/` so a local
//! deployment shows what would have been sent. Those files are personal
//! data inside the store (P11): each file's name lists the accounts the
//! mail names, so erasure finds every mail about a person however its
//! body is encoded, and the purge job removes them after a short retention.

use async_trait::async_trait;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::io::Write;
use std::path::PathBuf;
use std::time::{Duration, SystemTime};

#[derive(Debug, thiserror::Error)]
#[error("mail: {0}")]
pub struct MailError(pub String);

#[async_trait]
pub trait Mailer: Send + Sync + 'static {
    /// Send `message`; `about` are the ids of the accounts whose personal
    /// data it shows (recipient, inviter), for `forget`.
    async fn send(&self, message: Message, about: &[String]) -> Result<(), MailError>;
    /// Remove any copy this transport keeps of mail to `address` or about
    /// the account `account` (P11).
    async fn forget(&self, address: &str, account: &str) -> Result<(), MailError>;
    /// Remove kept copies older than `age`; returns how many.
    async fn purge_older_than(&self, age: Duration) -> Result<u64, MailError>;
}

/// How to reach the SMTP server.
#[derive(Debug, Clone)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    pub credentials: Option<(String, String)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// Implicit TLS (port 465).
    Tls,
    /// STARTTLS upgrade (port 587).
    StartTls,
    /// Plain text; only for a relay on the same host.
    None,
}

pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
}

impl SmtpMailer {
    pub fn new(s: &SmtpSettings) -> Result<Self, MailError> {
        let builder = match s.security {
            SmtpSecurity::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&s.host),
            SmtpSecurity::StartTls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&s.host),
            SmtpSecurity::None => Ok(AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(
                &s.host,
            )),
        }
        .map_err(|e| MailError(e.to_string()))?;
        let mut builder = builder.port(s.port);
        if let Some((user, password)) = &s.credentials {
            builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
        }
        Ok(SmtpMailer {
            transport: builder.build(),
        })
    }
}

#[async_trait]
impl Mailer for SmtpMailer {
    async fn send(&self, message: Message, _about: &[String]) -> Result<(), MailError> {
        self.transport.send(message).await.map(|_| ()).map_err(|e| {
            // Only the reply code: a server's reply text may echo the
            // recipient's address, which must never reach the logs (P12).
            let code = e
                .status()
                .map_or_else(|| "no reply".to_owned(), |c| c.to_string());
            let kind = if e.is_permanent() {
                "permanent"
            } else {
                "transient"
            };
            MailError(format!("SMTP {kind} failure ({code})"))
        })
    }

    async fn forget(&self, _address: &str, _account: &str) -> Result<(), MailError> {
        Ok(())
    }

    async fn purge_older_than(&self, _age: Duration) -> Result<u64, MailError> {
        Ok(0)
    }
}

pub struct FileMailer {
    dir: PathBuf,
}

fn io_error(e: std::io::Error) -> MailError {
    MailError(e.to_string())
}

/// Run file work off the async threads.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> std::io::Result<T> + Send + 'static,
) -> Result<T, MailError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| MailError(e.to_string()))?
        .map_err(io_error)
}

impl FileMailer {
    pub fn new(dir: PathBuf) -> Result<Self, MailError> {
        crate::private_files::create_dir_all(&dir).map_err(io_error)?;
        Ok(FileMailer { dir })
    }

    /// The `.eml` files, with their names.
    fn mails(dir: &std::path::Path) -> std::io::Result<Vec<(PathBuf, String)>> {
        let mut out = Vec::new();
        for entry in std::fs::read_dir(dir)? {
            let path = entry?.path();
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default()
                .to_owned();
            if name.ends_with(".eml") {
                out.push((path, name));
            }
        }
        Ok(out)
    }
}

fn remove_if_present(path: &std::path::Path) -> std::io::Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        other => other,
    }
}

#[async_trait]
impl Mailer for FileMailer {
    async fn send(&self, message: Message, about: &[String]) -> Result<(), MailError> {
        // `<random>.<account id>….eml`: ids are UUIDs, safe in a file name.
        let mut name = uuid::Uuid::new_v4().simple().to_string();
        for account in about {
            if uuid::Uuid::try_parse(account).is_ok() {
                name.push('.');
                name.push_str(account);
            }
        }
        name.push_str(".eml");
        let path = self.dir.join(name);
        let bytes = message.formatted();
        blocking(move || {
            let mut file = crate::private_files::new_file_options().open(&path)?;
            file.write_all(&bytes)?;
            file.sync_all()
        })
        .await
    }

    async fn forget(&self, address: &str, account: &str) -> Result<(), MailError> {
        let dir = self.dir.clone();
        let needle = address.to_lowercase();
        let account = account.to_owned();
        blocking(move || {
            for (path, name) in Self::mails(&dir)? {
                let about = !account.is_empty() && name.contains(&account);
                // An address is ASCII in the headers (IDNA), so the raw
                // bytes show it whatever the body's encoding.
                let to = !about
                    && match std::fs::read(&path) {
                        Ok(b) => String::from_utf8_lossy(&b).to_lowercase().contains(&needle),
                        Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
                        Err(e) => return Err(e),
                    };
                if about || to {
                    remove_if_present(&path)?;
                }
            }
            Ok(())
        })
        .await
    }

    async fn purge_older_than(&self, age: Duration) -> Result<u64, MailError> {
        let dir = self.dir.clone();
        blocking(move || {
            let cutoff = SystemTime::now()
                .checked_sub(age)
                .unwrap_or(SystemTime::UNIX_EPOCH);
            let mut removed = 0;
            for (path, _) in Self::mails(&dir)? {
                let modified = std::fs::metadata(&path).and_then(|m| m.modified());
                if modified.is_ok_and(|t| t < cutoff) {
                    remove_if_present(&path)?;
                    removed += 1;
                }
            }
            Ok(removed)
        })
        .await
    }
}
