//! Configuration, read only from environment variables (Azure Functions app
//! settings are environment variables) and checked at start: a bad value
//! stops the process with a message naming the variable. Each layer owns
//! its settings type (`TokenKey` in auth, `ServerLimits` and
//! `TrustedProxies` in http, `SmtpSettings` in mail, `HashCost` with the
//! password rules, `AzureSettings` in the Azure store); this module only
//! reads the variables and composes them into one `Config`.

use azure_core::http::Url;
use std::collections::HashMap;

use crate::auth::tokens::TokenKey;
use crate::domain::password::HashCost;
use crate::http::client_address::TrustedProxies;
use crate::http::server::ServerLimits;
use crate::mail::{SmtpSecurity, SmtpSettings};
use crate::store::azure::{AzureCredential, AzureSettings};
use std::net::IpAddr;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
#[error("configuration error in {variable}: {message}")]
pub struct ConfigError {
    pub variable: &'static str,
    pub message: String,
}

fn bad(variable: &'static str, message: impl Into<String>) -> ConfigError {
    ConfigError {
        variable,
        message: message.into(),
    }
}

/// 256 MiB: the Functions host inlines a triggering blob as base64 into
/// the handler's payload and holds it more than once, so a blob-triggered
/// function on a 2 GiB instance needs roughly 4x the blob in host memory.
pub const DEFAULT_MAX_UPLOAD_BYTES: u64 = 256 * 1024 * 1024;
/// Beyond 1 GiB no Flex Consumption instance could inline the blob.
const MAX_UPLOAD_CEILING: u64 = 1024 * 1024 * 1024;

#[derive(Debug, Clone)]
pub struct Config {
    pub bind_address: IpAddr,
    /// 0 picks a free port (tests).
    pub port: u16,
    pub data_dir: PathBuf,
    pub allowed_origins: Vec<String>,
    pub max_json_bytes: usize,
    /// Largest uploaded file. The Functions host inlines a triggering blob
    /// (base64, more than once) into the `index-document` invocation, so
    /// this bounds what the host must hold, not only what we store.
    pub max_upload_bytes: u64,
    /// Fire timer functions in-process (no Functions host around).
    pub local_scheduler: bool,
    /// Raise `index-document` in-process after each upload (no host, so
    /// no blob trigger).
    pub index_in_process: bool,
    /// `None`: generate one and keep it in the data folder.
    pub token_signing_key: Option<TokenKey>,
    /// Retired keys that still verify (rotation).
    pub token_verification_keys: Vec<TokenKey>,
    /// The secret pass tokens are derived with; `None`: a key file in the
    /// data folder.
    pub pass_key: Option<Vec<u8>>,
    pub access_token_ttl_secs: i64,
    pub refresh_token_ttl_days: i64,
    pub login_retention_days: i64,
    pub invitation_ttl_secs: i64,
    pub password_hash_cost: HashCost,
    pub support_retention_days: i64,
    /// Blobs without metadata older than this are orphans (a dead upload).
    pub orphan_blob_grace_hours: i64,
    /// An upload still without its index entry after this many minutes is
    /// indexed again by `purge-expired`.
    pub pending_index_retry_minutes: i64,
    /// `None`: mails become `.eml` files under the data folder.
    pub smtp: Option<SmtpSettings>,
    /// How long delivered `.eml` files are kept.
    pub mail_retention_hours: i64,
    /// Timeouts and the connection cap of the HTTP server.
    pub server_limits: ServerLimits,
    /// Peers whose `X-Forwarded-For` names the client.
    pub trusted_proxies: TrustedProxies,
    pub mail_from: String,
    /// The web front end's base URL, for links in mails.
    pub app_url: String,
    /// The built web app (`web/dist`), served at `/`.
    pub web_dir: PathBuf,
    /// The Azure stores; `None` runs on the embedded store.
    pub azure: Option<AzureSettings>,
}

/// The variables, for the README's configuration table and error messages.
pub mod vars {
    pub const PORT: &str = "FUNCTIONS_CUSTOMHANDLER_PORT";
    pub const BIND_ADDRESS: &str = "LMS_BIND_ADDRESS";
    pub const DATA_DIR: &str = "LMS_DATA_DIR";
    pub const ALLOWED_ORIGINS: &str = "LMS_ALLOWED_ORIGINS";
    pub const MAX_JSON_BYTES: &str = "LMS_MAX_JSON_BYTES";
    pub const MAX_UPLOAD_BYTES: &str = "LMS_MAX_UPLOAD_BYTES";
    pub const LOCAL_SCHEDULER: &str = "LMS_LOCAL_SCHEDULER";
    pub const INDEX_IN_PROCESS: &str = "LMS_INDEX_IN_PROCESS";
    pub const TOKEN_SIGNING_KEY: &str = "LMS_TOKEN_SIGNING_KEY";
    pub const TOKEN_KEY_ID: &str = "LMS_TOKEN_KEY_ID";
    pub const TOKEN_VERIFICATION_KEYS: &str = "LMS_TOKEN_VERIFICATION_KEYS";
    pub const PASS_KEY: &str = "LMS_PASS_KEY";
    pub const ACCESS_TOKEN_TTL_SECS: &str = "LMS_ACCESS_TOKEN_TTL_SECS";
    pub const REFRESH_TOKEN_TTL_DAYS: &str = "LMS_REFRESH_TOKEN_TTL_DAYS";
    pub const LOGIN_RETENTION_DAYS: &str = "LMS_LOGIN_RETENTION_DAYS";
    pub const INVITATION_TTL_SECS: &str = "LMS_INVITATION_TTL_SECS";
    pub const SUPPORT_RETENTION_DAYS: &str = "LMS_SUPPORT_RETENTION_DAYS";
    pub const ORPHAN_BLOB_GRACE_HOURS: &str = "LMS_ORPHAN_BLOB_GRACE_HOURS";
    pub const PENDING_INDEX_RETRY_MINUTES: &str = "LMS_PENDING_INDEX_RETRY_MINUTES";
    pub const SMTP_HOST: &str = "LMS_SMTP_HOST";
    pub const SMTP_PORT: &str = "LMS_SMTP_PORT";
    pub const SMTP_SECURITY: &str = "LMS_SMTP_SECURITY";
    pub const SMTP_USERNAME: &str = "LMS_SMTP_USERNAME";
    pub const SMTP_PASSWORD: &str = "LMS_SMTP_PASSWORD";
    pub const MAIL_FROM: &str = "LMS_MAIL_FROM";
    pub const APP_URL: &str = "LMS_APP_URL";
    pub const MAIL_RETENTION_HOURS: &str = "LMS_MAIL_RETENTION_HOURS";
    pub const HEADER_READ_TIMEOUT_SECS: &str = "LMS_HEADER_READ_TIMEOUT_SECS";
    pub const KEEP_ALIVE_TIMEOUT_SECS: &str = "LMS_KEEP_ALIVE_TIMEOUT_SECS";
    pub const BODY_TIMEOUT_SECS: &str = "LMS_BODY_TIMEOUT_SECS";
    pub const MIN_BODY_BYTES_PER_SEC: &str = "LMS_MIN_BODY_BYTES_PER_SEC";
    pub const MAX_CONNECTIONS: &str = "LMS_MAX_CONNECTIONS";
    pub const TRUSTED_PROXIES: &str = "LMS_TRUSTED_PROXIES";
    pub const WEB_DIR: &str = "LMS_WEB_DIR";
    pub const ARGON2_MEMORY_KIB: &str = "LMS_ARGON2_MEMORY_KIB";
    pub const ARGON2_ITERATIONS: &str = "LMS_ARGON2_ITERATIONS";
    pub const ARGON2_PARALLELISM: &str = "LMS_ARGON2_PARALLELISM";
    pub const COSMOS_ENDPOINT: &str = "LMS_COSMOS_ENDPOINT";
    pub const COSMOS_DATABASE: &str = "LMS_COSMOS_DATABASE";
    pub const COSMOS_REGION: &str = "LMS_COSMOS_REGION";
    pub const BLOB_ENDPOINT: &str = "LMS_BLOB_ENDPOINT";
    pub const BLOB_CONTAINER: &str = "LMS_BLOB_CONTAINER";
    pub const AZURE_CREDENTIAL: &str = "LMS_AZURE_CREDENTIAL";
    pub const AZURE_CREATE_RESOURCES: &str = "LMS_AZURE_CREATE_RESOURCES";
    /// Standard Azure variable: the client id of a user-assigned identity.
    pub const AZURE_CLIENT_ID: &str = "AZURE_CLIENT_ID";

    /// Settings the Azure stores cannot do without.
    pub const AZURE_REQUIRED: &[&str] = &[
        COSMOS_ENDPOINT,
        COSMOS_DATABASE,
        BLOB_ENDPOINT,
        AZURE_CREDENTIAL,
    ];
    /// Settings with defaults that only mean something for the Azure stores.
    pub const AZURE_OPTIONAL: &[&str] = &[COSMOS_REGION, BLOB_CONTAINER, AZURE_CREATE_RESOURCES];
    /// What the handler cannot start without once the Azure stores are
    /// selected: the instances share no data folder and the app folder is
    /// read-only, so nothing may fall back to local files, and mail links
    /// must point at the deployed front end. `scripts/check-bicep.py` reads
    /// this list and checks that the Bicep sets each one.
    pub const AZURE_APP_SETTINGS: &[&str] = &[
        COSMOS_ENDPOINT,
        COSMOS_DATABASE,
        BLOB_ENDPOINT,
        AZURE_CREDENTIAL,
        SMTP_HOST,
        MAIL_FROM,
        APP_URL,
        TOKEN_SIGNING_KEY,
        PASS_KEY,
    ];
}

impl Config {
    /// Read the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_map(&std::env::vars().collect())
    }

    pub fn from_map(env: &HashMap<String, String>) -> Result<Self, ConfigError> {
        let get = |k: &str| env.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
        let port = match get(vars::PORT) {
            Some(v) => v
                .parse::<u16>()
                .map_err(|_| bad(vars::PORT, format!("{v:?} is not a port number")))?,
            None => 7071,
        };
        let bind_address = match get(vars::BIND_ADDRESS) {
            Some(v) => v
                .parse()
                .map_err(|_| bad(vars::BIND_ADDRESS, format!("{v:?} is not an IP address")))?,
            None => IpAddr::from([127, 0, 0, 1]),
        };
        let data_dir = PathBuf::from(get(vars::DATA_DIR).unwrap_or("./.lms-data"));
        let web_dir = PathBuf::from(get(vars::WEB_DIR).unwrap_or("web/dist"));
        let allowed_origins = match get(vars::ALLOWED_ORIGINS) {
            Some(v) => v
                .split(',')
                .map(str::trim)
                .filter(|o| !o.is_empty())
                .map(|o| parse_origin(o).map(str::to_owned))
                .collect::<Result<_, _>>()?,
            None => Vec::new(),
        };
        let max_json_bytes = match get(vars::MAX_JSON_BYTES) {
            Some(v) => v
                .parse::<usize>()
                .ok()
                .filter(|n| (1024..=16 * 1024 * 1024).contains(n))
                .ok_or_else(|| {
                    bad(
                        vars::MAX_JSON_BYTES,
                        "must be a byte count from 1024 to 16777216",
                    )
                })?,
            None => 256 * 1024,
        };
        // Under the Functions host (which sets the port variable) the host
        // fires the timers; alone, the binary does.
        let local_scheduler = match get(vars::LOCAL_SCHEDULER) {
            Some(v) => parse_bool(vars::LOCAL_SCHEDULER, v)?,
            None => get(vars::PORT).is_none(),
        };
        let index_in_process = match get(vars::INDEX_IN_PROCESS) {
            Some(v) => parse_bool(vars::INDEX_IN_PROCESS, v)?,
            None => local_scheduler,
        };
        let max_upload_bytes = match get(vars::MAX_UPLOAD_BYTES) {
            Some(v) => v
                .parse::<u64>()
                .ok()
                .filter(|n| (1024..=MAX_UPLOAD_CEILING).contains(n))
                .ok_or_else(|| {
                    bad(
                        vars::MAX_UPLOAD_BYTES,
                        "must be a byte count from 1024 to 1073741824",
                    )
                })?,
            None => DEFAULT_MAX_UPLOAD_BYTES,
        };
        let token_signing_key = match get(vars::TOKEN_SIGNING_KEY) {
            Some(v) if is_key_vault_reference(v) => {
                return Err(bad(
                    vars::TOKEN_SIGNING_KEY,
                    "is an unresolved Key Vault reference: set the secret and grant the app Key Vault Secrets User",
                ));
            }
            Some(v) => {
                let secret = TokenKey::decode_secret(v).ok_or_else(|| {
                    bad(
                        vars::TOKEN_SIGNING_KEY,
                        "must be base64 of at least 32 random bytes",
                    )
                })?;
                let kid = get(vars::TOKEN_KEY_ID)
                    .map(str::to_owned)
                    .unwrap_or_else(|| TokenKey::fingerprint(&secret));
                Some(TokenKey { kid, secret })
            }
            None => None,
        };
        let pass_key = match get(vars::PASS_KEY) {
            Some(v) if is_key_vault_reference(v) => {
                return Err(bad(
                    vars::PASS_KEY,
                    "is an unresolved Key Vault reference: set the secret and grant the app Key Vault Secrets User",
                ));
            }
            Some(v) => Some(TokenKey::decode_secret(v).ok_or_else(|| {
                bad(vars::PASS_KEY, "must be base64 of at least 32 random bytes")
            })?),
            None => None,
        };
        let token_verification_keys = match get(vars::TOKEN_VERIFICATION_KEYS) {
            Some(v) => v
                .split(',')
                .map(str::trim)
                .filter(|k| !k.is_empty())
                .map(|entry| {
                    let (kid, b64) = entry.split_once('=').ok_or_else(|| {
                        bad(
                            vars::TOKEN_VERIFICATION_KEYS,
                            "entries must be kid=base64key",
                        )
                    })?;
                    let secret = TokenKey::decode_secret(b64).ok_or_else(|| {
                        bad(
                            vars::TOKEN_VERIFICATION_KEYS,
                            format!("key {kid:?} is not base64 of at least 32 bytes"),
                        )
                    })?;
                    Ok(TokenKey {
                        kid: kid.trim().to_owned(),
                        secret,
                    })
                })
                .collect::<Result<_, ConfigError>>()?,
            None => Vec::new(),
        };
        let number =
            |var: &'static str, default: i64, min: i64, max: i64| -> Result<i64, ConfigError> {
                match get(var) {
                    Some(v) => v
                        .parse::<i64>()
                        .ok()
                        .filter(|n| (min..=max).contains(n))
                        .ok_or_else(|| {
                            bad(var, format!("must be a whole number from {min} to {max}"))
                        }),
                    None => Ok(default),
                }
            };
        let to_u32 = |n: i64| u32::try_from(n).unwrap_or(u32::MAX);
        let password_hash_cost = HashCost {
            memory_kib: to_u32(number(
                vars::ARGON2_MEMORY_KIB,
                i64::from(HashCost::PRODUCTION.memory_kib),
                8,
                4 * 1024 * 1024,
            )?),
            iterations: to_u32(number(
                vars::ARGON2_ITERATIONS,
                i64::from(HashCost::PRODUCTION.iterations),
                1,
                100,
            )?),
            parallelism: to_u32(number(
                vars::ARGON2_PARALLELISM,
                i64::from(HashCost::PRODUCTION.parallelism),
                1,
                16,
            )?),
        };
        let smtp = match get(vars::SMTP_HOST) {
            Some(host) => {
                let security = match get(vars::SMTP_SECURITY).unwrap_or("starttls") {
                    "starttls" => SmtpSecurity::StartTls,
                    "tls" => SmtpSecurity::Tls,
                    "none" => SmtpSecurity::None,
                    other => {
                        return Err(bad(
                            vars::SMTP_SECURITY,
                            format!("{other:?} is not starttls, tls or none"),
                        ));
                    }
                };
                let default_port = match security {
                    SmtpSecurity::Tls => 465,
                    SmtpSecurity::StartTls => 587,
                    SmtpSecurity::None => 25,
                };
                if get(vars::SMTP_PASSWORD).is_some_and(is_key_vault_reference) {
                    return Err(bad(
                        vars::SMTP_PASSWORD,
                        "is an unresolved Key Vault reference: set the secret and grant the app Key Vault Secrets User",
                    ));
                }
                let credentials = match (get(vars::SMTP_USERNAME), get(vars::SMTP_PASSWORD)) {
                    (Some(u), Some(p)) => Some((u.to_owned(), p.to_owned())),
                    (None, None) => None,
                    _ => {
                        return Err(bad(
                            vars::SMTP_PASSWORD,
                            "set both LMS_SMTP_USERNAME and LMS_SMTP_PASSWORD, or neither",
                        ));
                    }
                };
                Some(SmtpSettings {
                    host: host.to_owned(),
                    port: u16::try_from(number(vars::SMTP_PORT, default_port, 1, 65535)?)
                        .unwrap_or(25),
                    security,
                    credentials,
                })
            }
            None => None,
        };
        let mail_from = get(vars::MAIL_FROM)
            .unwrap_or("Insite LMS <no-reply@insite-lms.local>")
            .to_owned();
        if mail_from.parse::<lettre::message::Mailbox>().is_err() {
            return Err(bad(
                vars::MAIL_FROM,
                "is not a mailbox like Insite LMS <no-reply@example.com>",
            ));
        }
        let azure = azure_config(&get)?;
        if azure.is_some() {
            require_azure_app_settings(&get)?;
        }
        let app_url = get(vars::APP_URL)
            .unwrap_or("http://127.0.0.1:7071")
            .to_owned();
        parse_origin(app_url.trim_end_matches('/')).map_err(|_| {
            bad(
                vars::APP_URL,
                "is not a base URL like https://app.example.com",
            )
        })?;
        if azure.is_some() && !is_public_https(&app_url) {
            return Err(bad(
                vars::APP_URL,
                format!(
                    "{app_url:?} is not the deployed front end: links in mails need its https address"
                ),
            ));
        }
        let defaults = ServerLimits::default();
        let secs = |var: &'static str, default: std::time::Duration| {
            let n = number(var, i64::try_from(default.as_secs()).unwrap_or(60), 1, 3600)?;
            Ok::<_, ConfigError>(std::time::Duration::from_secs(n.unsigned_abs()))
        };
        let server_limits = ServerLimits {
            header_read_timeout: secs(
                vars::HEADER_READ_TIMEOUT_SECS,
                defaults.header_read_timeout,
            )?,
            keep_alive_timeout: secs(vars::KEEP_ALIVE_TIMEOUT_SECS, defaults.keep_alive_timeout)?,
            body_timeout: secs(vars::BODY_TIMEOUT_SECS, defaults.body_timeout)?,
            min_body_bytes_per_sec: number(
                vars::MIN_BODY_BYTES_PER_SEC,
                i64::try_from(defaults.min_body_bytes_per_sec).unwrap_or(4096),
                1,
                1024 * 1024 * 1024,
            )?
            .unsigned_abs(),
            max_connections: to_u32(number(
                vars::MAX_CONNECTIONS,
                i64::from(defaults.max_connections),
                1,
                100_000,
            )?),
        };
        // Under the Functions host (which sets the port variable) the host
        // is the peer, on loopback, and passes on the address that Azure's
        // front end appended; alone, no peer is trusted unless configured.
        let trusted_proxies = match get(vars::TRUSTED_PROXIES) {
            Some(v) if v.eq_ignore_ascii_case("none") => TrustedProxies::default(),
            Some(v) => parse_proxies(v)?,
            None if get(vars::PORT).is_some() => TrustedProxies::loopback(),
            None => TrustedProxies::default(),
        };
        Ok(Config {
            bind_address,
            port,
            data_dir,
            allowed_origins,
            max_json_bytes,
            max_upload_bytes,
            local_scheduler,
            index_in_process,
            token_signing_key,
            token_verification_keys,
            pass_key,
            access_token_ttl_secs: number(vars::ACCESS_TOKEN_TTL_SECS, 900, 60, 3600)?,
            refresh_token_ttl_days: number(vars::REFRESH_TOKEN_TTL_DAYS, 30, 1, 365)?,
            login_retention_days: number(vars::LOGIN_RETENTION_DAYS, 90, 1, 3650)?,
            invitation_ttl_secs: number(
                vars::INVITATION_TTL_SECS,
                14 * 24 * 3600,
                1,
                90 * 24 * 3600,
            )?,
            password_hash_cost,
            support_retention_days: number(vars::SUPPORT_RETENTION_DAYS, 365, 1, 3650)?,
            orphan_blob_grace_hours: number(vars::ORPHAN_BLOB_GRACE_HOURS, 24, 1, 24 * 30)?,
            pending_index_retry_minutes: number(
                vars::PENDING_INDEX_RETRY_MINUTES,
                60,
                0,
                7 * 24 * 60,
            )?,
            smtp,
            mail_retention_hours: number(vars::MAIL_RETENTION_HOURS, 24, 1, 24 * 30)?,
            server_limits,
            trusted_proxies,
            mail_from,
            app_url,
            web_dir,
            azure,
        })
    }
}

/// All required Azure settings → the Azure stores; none (and no optional
/// one) → the embedded store; anything in between is a mistake worth
/// stopping for, since it would silently run on local files.
fn azure_config<'a>(
    get: &impl Fn(&str) -> Option<&'a str>,
) -> Result<Option<AzureSettings>, ConfigError> {
    let missing: Vec<&'static str> = vars::AZURE_REQUIRED
        .iter()
        .copied()
        .filter(|v| get(v).is_none())
        .collect();
    let present: Vec<&'static str> = vars::AZURE_REQUIRED
        .iter()
        .chain(vars::AZURE_OPTIONAL)
        .copied()
        .filter(|v| get(v).is_some())
        .collect();
    if present.is_empty() {
        return Ok(None);
    }
    if let Some(first) = missing.first() {
        return Err(bad(
            first,
            format!(
                "the Azure stores need {}; {} set but {} missing (unset them all to use the embedded store)",
                vars::AZURE_REQUIRED.join(", "),
                present.join(", "),
                missing.join(", "),
            ),
        ));
    }
    let required = |v: &'static str| get(v).ok_or_else(|| bad(v, "missing"));
    let cosmos_endpoint = https_url(vars::COSMOS_ENDPOINT, required(vars::COSMOS_ENDPOINT)?)?;
    let blob_endpoint = https_url(vars::BLOB_ENDPOINT, required(vars::BLOB_ENDPOINT)?)?;
    let cosmos_database = required(vars::COSMOS_DATABASE)?;
    if cosmos_database.len() > 255 || cosmos_database.contains(['/', '\\', '?', '#']) {
        return Err(bad(
            vars::COSMOS_DATABASE,
            format!("{cosmos_database:?} is not a Cosmos DB database name"),
        ));
    }
    let credential = match required(vars::AZURE_CREDENTIAL)? {
        "managed-identity" => AzureCredential::ManagedIdentity,
        "developer" => AzureCredential::Developer,
        other => {
            return Err(bad(
                vars::AZURE_CREDENTIAL,
                format!("{other:?} is not managed-identity or developer"),
            ));
        }
    };
    let blob_container = get(vars::BLOB_CONTAINER).unwrap_or("project-files");
    if !is_container_name(blob_container) {
        return Err(bad(
            vars::BLOB_CONTAINER,
            format!(
                "{blob_container:?} is not a container name (3-63 lowercase letters, digits, single hyphens)"
            ),
        ));
    }
    let create_resources = match get(vars::AZURE_CREATE_RESOURCES) {
        Some(v) => parse_bool(vars::AZURE_CREATE_RESOURCES, v)?,
        None => false,
    };
    Ok(Some(AzureSettings {
        cosmos_endpoint,
        cosmos_database: cosmos_database.to_owned(),
        cosmos_region: get(vars::COSMOS_REGION).unwrap_or("westeurope").to_owned(),
        blob_endpoint,
        blob_container: blob_container.to_owned(),
        credential,
        managed_identity_client_id: get(vars::AZURE_CLIENT_ID).map(str::to_owned),
        create_resources,
    }))
}

/// With the Azure stores, every setting of `vars::AZURE_APP_SETTINGS` must
/// be present; the error names all that are missing at once, before any
/// file is created or any connection is made.
fn require_azure_app_settings<'a>(
    get: &impl Fn(&str) -> Option<&'a str>,
) -> Result<(), ConfigError> {
    let missing: Vec<&'static str> = vars::AZURE_APP_SETTINGS
        .iter()
        .copied()
        .filter(|v| get(v).is_none())
        .collect();
    let Some(first) = missing.first() else {
        return Ok(());
    };
    let why = |v: &str| match v {
        vars::SMTP_HOST => "the mail relay (the app folder is read-only in Azure: no .eml files)",
        vars::MAIL_FROM => "a sender the relay accepts",
        vars::APP_URL => "the front end's https address, for links in mails",
        vars::TOKEN_SIGNING_KEY => "the shared key; instances share no data folder",
        vars::PASS_KEY => "the key of the pass links; instances share no data folder",
        _ => "where the stores are",
    };
    Err(bad(
        first,
        format!(
            "the Azure stores need {}",
            missing
                .iter()
                .map(|v| format!("{v} ({})", why(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    ))
}

fn is_key_vault_reference(v: &str) -> bool {
    v.starts_with("@Microsoft.KeyVault(")
}

/// An https URL whose host is not a loopback address or `localhost`.
fn is_public_https(url: &str) -> bool {
    let Ok(parsed) = Url::parse(url) else {
        return false;
    };
    let host = parsed
        .host_str()
        .unwrap_or_default()
        .trim_start_matches('[')
        .trim_end_matches(']');
    let loopback = host.is_empty()
        || host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<IpAddr>()
            .is_ok_and(|ip| ip.is_loopback() || ip.is_unspecified());
    parsed.scheme() == "https" && !loopback
}

/// Token credentials are only sent over https (the SDKs refuse otherwise).
fn https_url(variable: &'static str, v: &str) -> Result<Url, ConfigError> {
    match Url::parse(v) {
        Ok(url) if url.scheme() == "https" && url.host().is_some() && !url.cannot_be_a_base() => {
            Ok(url)
        }
        _ => Err(bad(
            variable,
            format!("{v:?} is not an https URL like https://name.example.net/"),
        )),
    }
}

fn is_container_name(name: &str) -> bool {
    (3..=63).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !name.starts_with('-')
        && !name.ends_with('-')
        && !name.contains("--")
}

/// `LMS_TRUSTED_PROXIES`: addresses and CIDR ranges, comma-separated.
fn parse_proxies(v: &str) -> Result<TrustedProxies, ConfigError> {
    v.split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| {
            p.parse::<ipnet::IpNet>()
                .or_else(|_| p.parse::<IpAddr>().map(ipnet::IpNet::from))
                .map_err(|_| {
                    bad(
                        vars::TRUSTED_PROXIES,
                        format!("{p:?} is not an IP address or CIDR range like 10.0.0.0/8"),
                    )
                })
        })
        .collect::<Result<Vec<_>, _>>()
        .map(TrustedProxies::new)
}

pub(crate) fn parse_bool(variable: &'static str, v: &str) -> Result<bool, ConfigError> {
    match v.to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        _ => Err(bad(variable, format!("{v:?} is not true or false"))),
    }
}

fn parse_origin(o: &str) -> Result<&str, ConfigError> {
    let rest = o
        .strip_prefix("https://")
        .or_else(|| o.strip_prefix("http://"));
    match rest {
        Some(host) if !host.is_empty() && !host.contains('/') => Ok(o),
        _ => Err(bad(
            vars::ALLOWED_ORIGINS,
            format!("{o:?} is not an origin like https://app.example.com"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn defaults_run_locally_with_the_scheduler() {
        let c = Config::from_map(&env(&[])).expect("defaults are valid");
        assert_eq!(c.port, 7071);
        assert!(c.local_scheduler);
        assert_eq!(c.bind_address, IpAddr::from([127, 0, 0, 1]));
    }

    #[test]
    fn under_the_host_the_scheduler_is_off() {
        let c = Config::from_map(&env(&[(vars::PORT, "40123")])).expect("valid");
        assert_eq!(c.port, 40123);
        assert!(!c.local_scheduler);
        assert!(!c.index_in_process);
        let c = Config::from_map(&env(&[
            (vars::PORT, "40123"),
            (vars::INDEX_IN_PROCESS, "on"),
        ]))
        .expect("valid");
        assert!(c.index_in_process);
    }

    #[test]
    fn the_upload_limit_defaults_to_256_mib_and_is_bounded() {
        let c = Config::from_map(&env(&[])).expect("valid");
        assert_eq!(c.max_upload_bytes, 256 * 1024 * 1024);
        assert!(c.index_in_process);
        let e = Config::from_map(&env(&[(vars::MAX_UPLOAD_BYTES, "2147483648")])).unwrap_err();
        assert_eq!(e.variable, vars::MAX_UPLOAD_BYTES);
    }

    const AZURE: &[(&str, &str)] = &[
        (
            vars::COSMOS_ENDPOINT,
            "https://acct.documents.azure.com:443/",
        ),
        (vars::COSMOS_DATABASE, "lms"),
        (vars::BLOB_ENDPOINT, "https://acct.blob.core.windows.net"),
        (vars::AZURE_CREDENTIAL, "managed-identity"),
    ];

    const KEY: &str = "c2VjcmV0LWtleS1vZi1hdC1sZWFzdC0zMi1ieXRlcy1sb25nLTAwMDA=";

    /// The stores' settings plus everything else the Azure stores need.
    const AZURE_COMPLETE: &[(&str, &str)] = &[
        (vars::TOKEN_SIGNING_KEY, KEY),
        (vars::PASS_KEY, KEY),
        (vars::SMTP_HOST, "smtp.azurecomm.net"),
        (vars::MAIL_FROM, "Insite LMS <DoNotReply@mail.example.com>"),
        (vars::APP_URL, "https://app.example.com"),
    ];

    fn azure_env(extra: &[(&'static str, &'static str)]) -> Vec<(&'static str, &'static str)> {
        let mut pairs = AZURE.to_vec();
        pairs.extend_from_slice(AZURE_COMPLETE);
        for (k, v) in extra {
            pairs.retain(|(key, _)| key != k);
            pairs.push((k, v));
        }
        pairs
    }

    #[test]
    fn azure_names_every_missing_setting_and_refuses_the_file_mailer() {
        let e = Config::from_map(&env(AZURE)).unwrap_err();
        assert_eq!(e.variable, vars::SMTP_HOST);
        for v in [
            vars::SMTP_HOST,
            vars::MAIL_FROM,
            vars::APP_URL,
            vars::TOKEN_SIGNING_KEY,
        ] {
            assert!(e.to_string().contains(v), "{e}");
        }
        for left_out in vars::AZURE_APP_SETTINGS {
            let pairs: Vec<_> = azure_env(&[])
                .into_iter()
                .filter(|(k, _)| k != left_out)
                .collect();
            let e = Config::from_map(&env(&pairs)).unwrap_err();
            assert_eq!(e.variable, *left_out, "{e}");
        }
        Config::from_map(&env(&azure_env(&[]))).expect("complete Azure settings are valid");
    }

    #[test]
    fn azure_mail_links_point_at_the_deployed_front_end() {
        for url in [
            "http://127.0.0.1:7071",
            "https://localhost",
            "https://127.0.0.1",
            "https://[::1]:8443",
            "http://app.example.com",
        ] {
            let e = Config::from_map(&env(&azure_env(&[(vars::APP_URL, url)]))).unwrap_err();
            assert_eq!(e.variable, vars::APP_URL, "{url}: {e}");
        }
    }

    #[test]
    fn an_unresolved_smtp_password_reference_is_refused() {
        let e = Config::from_map(&env(&azure_env(&[
            (vars::SMTP_USERNAME, "acs-user"),
            (
                vars::SMTP_PASSWORD,
                "@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/smtp/)",
            ),
        ])))
        .unwrap_err();
        assert_eq!(e.variable, vars::SMTP_PASSWORD);
    }

    #[test]
    fn azure_needs_the_signing_key_from_configuration() {
        let mut pairs = AZURE.to_vec();
        pairs.push((
            vars::TOKEN_SIGNING_KEY,
            "@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/k/)",
        ));
        let e = Config::from_map(&env(&pairs)).unwrap_err();
        assert!(
            e.to_string().contains("unresolved Key Vault reference"),
            "{e}"
        );
    }

    #[test]
    fn without_azure_settings_the_embedded_store_is_used() {
        let c = Config::from_map(&env(&[(vars::AZURE_CLIENT_ID, "x")])).expect("valid");
        assert!(c.azure.is_none());
    }

    #[test]
    fn all_azure_settings_select_the_azure_stores() {
        let pairs = azure_env(&[(vars::AZURE_CLIENT_ID, "1111-2222")]);
        let a = Config::from_map(&env(&pairs))
            .expect("valid")
            .azure
            .expect("azure");
        assert_eq!(a.credential, AzureCredential::ManagedIdentity);
        assert_eq!(a.cosmos_database, "lms");
        assert_eq!(a.cosmos_region, "westeurope");
        assert_eq!(a.managed_identity_client_id.as_deref(), Some("1111-2222"));
        assert!(!a.create_resources, "the Bicep creates the resources");
        assert_eq!(
            a.blob_container_url().as_str(),
            "https://acct.blob.core.windows.net/project-files"
        );
    }

    #[test]
    fn partial_azure_settings_name_what_is_missing() {
        for left_out in vars::AZURE_REQUIRED {
            let pairs: Vec<_> = AZURE
                .iter()
                .copied()
                .filter(|(k, _)| k != left_out)
                .collect();
            let e = Config::from_map(&env(&pairs)).unwrap_err();
            assert_eq!(e.variable, *left_out);
            assert!(
                e.to_string().contains(&format!("but {left_out} missing")),
                "{e}"
            );
        }
        let e = Config::from_map(&env(&[(vars::BLOB_CONTAINER, "files")])).unwrap_err();
        assert_eq!(e.variable, vars::COSMOS_ENDPOINT);
        assert!(e.to_string().contains("LMS_BLOB_CONTAINER set"), "{e}");
    }

    #[test]
    fn bad_azure_values_name_their_variable() {
        let cases = [
            (vars::COSMOS_ENDPOINT, "http://acct.documents.azure.com"),
            (vars::BLOB_ENDPOINT, "acct.blob.core.windows.net"),
            (vars::AZURE_CREDENTIAL, "key"),
            (vars::COSMOS_DATABASE, "a/b"),
            (vars::BLOB_CONTAINER, "Project_Files"),
            (vars::AZURE_CREATE_RESOURCES, "maybe"),
        ];
        for (variable, value) in cases {
            let mut pairs: Vec<_> = AZURE
                .iter()
                .copied()
                .filter(|(k, _)| *k != variable)
                .collect();
            pairs.push((variable, value));
            let e = Config::from_map(&env(&pairs)).unwrap_err();
            assert_eq!(e.variable, variable, "{e}");
        }
    }

    #[test]
    fn forwarding_headers_are_trusted_only_from_the_host_or_configured_front_ends() {
        let local = Config::from_map(&env(&[])).expect("valid");
        assert!(
            local.trusted_proxies.is_empty(),
            "alone, no peer is trusted"
        );
        let hosted = Config::from_map(&env(&[(vars::PORT, "40123")])).expect("valid");
        assert!(
            hosted
                .trusted_proxies
                .trusts("127.0.0.1".parse().expect("ip"))
        );
        assert!(
            !hosted
                .trusted_proxies
                .trusts("192.0.2.1".parse().expect("ip"))
        );
        let listed = Config::from_map(&env(&[(vars::TRUSTED_PROXIES, "10.0.0.0/8, 192.0.2.1")]))
            .expect("valid");
        assert!(
            listed
                .trusted_proxies
                .trusts("10.9.8.7".parse().expect("ip"))
        );
        assert!(
            !listed
                .trusted_proxies
                .trusts("127.0.0.1".parse().expect("ip"))
        );
        let e = Config::from_map(&env(&[(vars::TRUSTED_PROXIES, "proxy.example")])).unwrap_err();
        assert_eq!(e.variable, vars::TRUSTED_PROXIES);
    }

    #[test]
    fn server_limits_have_defaults_and_bounds() {
        let c = Config::from_map(&env(&[])).expect("valid");
        assert_eq!(c.server_limits, ServerLimits::default());
        assert_eq!(c.mail_retention_hours, 24);
        let e = Config::from_map(&env(&[(vars::MAX_CONNECTIONS, "0")])).unwrap_err();
        assert_eq!(e.variable, vars::MAX_CONNECTIONS);
        let e = Config::from_map(&env(&[(vars::HEADER_READ_TIMEOUT_SECS, "soon")])).unwrap_err();
        assert_eq!(e.variable, vars::HEADER_READ_TIMEOUT_SECS);
    }

    #[test]
    fn a_bad_value_names_its_variable() {
        let e = Config::from_map(&env(&[(vars::PORT, "seventy")])).unwrap_err();
        assert_eq!(e.variable, vars::PORT);
        let e = Config::from_map(&env(&[(vars::ALLOWED_ORIGINS, "app.example.com")])).unwrap_err();
        assert_eq!(e.variable, vars::ALLOWED_ORIGINS);
        assert!(e.to_string().contains(vars::ALLOWED_ORIGINS));
    }
}
