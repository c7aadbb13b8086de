//! Configuration, read only from environment variables (Azure Functions app
//! settings are environment variables) and checked at start: a bad value
//! stops the process with a message naming the variable.

use std::collections::HashMap;
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

#[derive(Debug, Clone)]
pub struct Config {
    pub bind_address: IpAddr,
    /// 0 picks a free port (tests).
    pub port: u16,
    pub data_dir: PathBuf,
    pub allowed_origins: Vec<String>,
    pub max_json_bytes: usize,
    /// Fire timer functions in-process (no Functions host around).
    pub local_scheduler: bool,
}

/// The variables, for the README's configuration table and error messages.
pub mod vars {
    pub const PORT: &str = "FUNCTIONS_CUSTOMHANDLER_PORT";
    pub const BIND_ADDRESS: &str = "LMS_BIND_ADDRESS";
    pub const DATA_DIR: &str = "LMS_DATA_DIR";
    pub const ALLOWED_ORIGINS: &str = "LMS_ALLOWED_ORIGINS";
    pub const MAX_JSON_BYTES: &str = "LMS_MAX_JSON_BYTES";
    pub const LOCAL_SCHEDULER: &str = "LMS_LOCAL_SCHEDULER";
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
        Ok(Config {
            bind_address,
            port,
            data_dir,
            allowed_origins,
            max_json_bytes,
            local_scheduler,
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
