//! Mail transport: SMTP (Azure Communication Services accepts SMTP) when
//! configured, otherwise `.eml` files in `$LMS_DATA_DIR/mail/` so a local
//! deployment shows what would have been sent.

use async_trait::async_trait;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
#[error("mail: {0}")]
pub struct MailError(pub String);

#[async_trait]
pub trait Mailer: Send + Sync + 'static {
    async fn send(&self, message: Message) -> Result<(), MailError>;
    /// Remove any copy of mail to `address` this transport keeps (P11).
    async fn forget(&self, address: &str) -> Result<(), MailError>;
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
    async fn send(&self, message: Message) -> Result<(), MailError> {
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

    async fn forget(&self, _address: &str) -> Result<(), MailError> {
        Ok(())
    }
}

pub struct FileMailer {
    dir: PathBuf,
    transport: AsyncFileTransport<Tokio1Executor>,
}

impl FileMailer {
    pub fn new(dir: PathBuf) -> Result<Self, MailError> {
        std::fs::create_dir_all(&dir).map_err(|e| MailError(e.to_string()))?;
        Ok(FileMailer {
            transport: AsyncFileTransport::new(&dir),
            dir,
        })
    }
}

#[async_trait]
impl Mailer for FileMailer {
    async fn send(&self, message: Message) -> Result<(), MailError> {
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| MailError(e.to_string()))
    }

    async fn forget(&self, address: &str) -> Result<(), MailError> {
        let dir = self.dir.clone();
        let needle = address.to_lowercase();
        tokio::task::spawn_blocking(move || -> std::io::Result<()> {
            for entry in std::fs::read_dir(&dir)? {
                let path = entry?.path();
                let text =
                    std::fs::read(&path).map(|b| String::from_utf8_lossy(&b).to_lowercase())?;
                if text.contains(&needle) {
                    std::fs::remove_file(&path)?;
                }
            }
            Ok(())
        })
        .await
        .map_err(|e| MailError(e.to_string()))?
        .map_err(|e| MailError(e.to_string()))
    }
}
