//! Configuration, read only from environment variables (Azure Functions app
//! settings are environment variables) and checked at start: a bad value
//! stops the process with a message naming the variable.

use std::collections::HashMap;

use crate::auth::tokens::TokenKey;
use crate::domain::password::HashCost;
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
    pub access_token_ttl_secs: i64,
    pub refresh_token_ttl_days: i64,
    pub login_retention_days: i64,
    pub invitation_ttl_secs: i64,
    pub password_hash_cost: HashCost,
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
    pub const ACCESS_TOKEN_TTL_SECS: &str = "LMS_ACCESS_TOKEN_TTL_SECS";
    pub const REFRESH_TOKEN_TTL_DAYS: &str = "LMS_REFRESH_TOKEN_TTL_DAYS";
    pub const LOGIN_RETENTION_DAYS: &str = "LMS_LOGIN_RETENTION_DAYS";
    pub const INVITATION_TTL_SECS: &str = "LMS_INVITATION_TTL_SECS";
    pub const ARGON2_MEMORY_KIB: &str = "LMS_ARGON2_MEMORY_KIB";
    pub const ARGON2_ITERATIONS: &str = "LMS_ARGON2_ITERATIONS";
    pub const ARGON2_PARALLELISM: &str = "LMS_ARGON2_PARALLELISM";
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
        })
    }
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

    #[test]
    fn a_bad_value_names_its_variable() {
        let e = Config::from_map(&env(&[(vars::PORT, "seventy")])).unwrap_err();
        assert_eq!(e.variable, vars::PORT);
        let e = Config::from_map(&env(&[(vars::ALLOWED_ORIGINS, "app.example.com")])).unwrap_err();
        assert_eq!(e.variable, vars::ALLOWED_ORIGINS);
        assert!(e.to_string().contains(vars::ALLOWED_ORIGINS));
    }
}
