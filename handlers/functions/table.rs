//! The function list, with one source of truth: HTTP functions are the
//! operations of the code's OpenAPI router (operation id = function name),
//! and background functions are the `BACKGROUND` table. The
//! `function-configs/` folder and the deployable package are generated from
//! here; a test fails when the committed configs differ.

use serde_json::{Value, json};
use std::path::Path;

use super::background::BACKGROUND;
use super::trigger::Trigger;

#[derive(Debug, Clone, PartialEq)]
pub struct FunctionDef {
    pub name: String,
    pub trigger: Trigger,
}

/// Every function of the app, HTTP first, each name once.
pub fn all_functions() -> Vec<FunctionDef> {
    let api = super::openapi_document();
    let mut out = Vec::new();
    for (path, item) in &api.paths.paths {
        let ops = [
            ("get", &item.get),
            ("post", &item.post),
            ("put", &item.put),
            ("patch", &item.patch),
            ("delete", &item.delete),
        ];
        for (method, op) in ops {
            let Some(op) = op else { continue };
            let name = op
                .operation_id
                .clone()
                .unwrap_or_else(|| format!("{method}-{path}"));
            out.push(FunctionDef {
                name,
                trigger: Trigger::Http {
                    methods: vec![method.to_owned()],
                    route: path.trim_start_matches('/').to_owned(),
                },
            });
        }
    }
    // The web app: every other GET reaches the handler, which serves a file
    // of the build, index.html, or the API's 404 under `api/`. The host
    // prefers the literal routes above to this catch-all.
    out.push(FunctionDef {
        name: WEB_APP_FUNCTION.to_owned(),
        trigger: Trigger::Http {
            methods: vec!["get".to_owned(), "head".to_owned()],
            route: "{*path}".to_owned(),
        },
    });
    out.extend(BACKGROUND.iter().map(|f| FunctionDef {
        name: f.name.to_owned(),
        trigger: f.trigger.clone(),
    }));
    out
}

/// The function.json of one function.
pub fn function_json(def: &FunctionDef) -> Value {
    let bindings = match &def.trigger {
        Trigger::Http { methods, route } => json!([
            {
                "type": "httpTrigger",
                "direction": "in",
                "name": "req",
                "authLevel": "anonymous",
                "methods": methods,
                "route": route
            },
            {"type": "http", "direction": "out", "name": "res"}
        ]),
        Trigger::Timer { schedule } => {
            // Timer functions are idempotent, so a failed run is retried.
            return json!({
                "bindings": [{
                    "type": "timerTrigger",
                    "direction": "in",
                    "name": "timer",
                    "schedule": schedule,
                    "runOnStartup": false,
                    "useMonitor": true
                }],
                "retry": {
                    "strategy": "exponentialBackoff",
                    "maxRetryCount": 3,
                    "minimumInterval": "00:00:10",
                    "maximumInterval": "00:15:00"
                }
            });
        }
        Trigger::Blob { path, connection } => json!([
            {
                "type": "blobTrigger",
                "direction": "in",
                "name": "blob",
                "path": path,
                "connection": connection,
                "dataType": "binary",
                "source": "EventGrid"
            }
        ]),
    };
    json!({ "bindings": bindings })
}

fn pretty(v: &Value) -> Result<String, std::io::Error> {
    let mut s = serde_json::to_string_pretty(v).map_err(std::io::Error::other)?;
    s.push('\n');
    Ok(s)
}

/// Write `<dir>/<name>/function.json` for every function, removing folders
/// of functions that no longer exist.
pub fn write_function_configs(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let functions = all_functions();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if entry.file_type()?.is_dir() && !functions.iter().any(|f| f.name == name) {
            std::fs::remove_dir_all(entry.path())?;
        }
    }
    for f in &functions {
        let folder = dir.join(&f.name);
        std::fs::create_dir_all(&folder)?;
        std::fs::write(folder.join("function.json"), pretty(&function_json(f))?)?;
    }
    Ok(())
}

/// Assemble the deployable Function App folder: host.json, one folder per
/// function, the binary under the name host.json expects, and the built
/// web app `web` under `web/dist` (the default `LMS_WEB_DIR`, relative to
/// the handler's working directory, the package root).
pub fn package(project_root: &Path, web: &Path, binary: &Path, out: &Path) -> std::io::Result<()> {
    if !web.join("index.html").is_file() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            format!(
                "{} has no index.html: build the web app first (npm ci && npm run build in web/)",
                web.display()
            ),
        ));
    }
    if out.exists() {
        std::fs::remove_dir_all(out)?;
    }
    std::fs::create_dir_all(out)?;
    std::fs::copy(project_root.join("host.json"), out.join("host.json"))?;
    write_function_configs(out)?;
    // After the configs: writing them removes folders that are no function.
    copy_dir(web, &out.join(WEB_DIST))?;
    let target = out.join(BINARY_NAME);
    std::fs::copy(binary, &target)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o755))?;
    }
    Ok(())
}

fn copy_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}

/// The executable name in host.json's `defaultExecutablePath`.
pub const BINARY_NAME: &str = "insite-lms";

/// The catch-all HTTP function that serves the web app.
pub const WEB_APP_FUNCTION: &str = "web-app";

/// Where the built web app lives, in the repository and in the package.
pub const WEB_DIST: &str = "web/dist";
