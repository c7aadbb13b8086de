//! The `insite-lms` binary. Without arguments it serves; subcommands
//! generate the function configs and package the Function App.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use insite_lms::config::Config;
use insite_lms::functions::table;
use insite_lms::startup::Application;

/// A request allocates and frees many small values (each booking of a day
/// view parsed, viewed and written); with glibc's malloc that was a fifth
/// of the day view's time, with contention on its arena locks. mimalloc's
/// thread-local free lists fit that pattern.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const USAGE: &str = "usage:
  insite-lms                              serve (configuration from the environment)
  insite-lms generate-function-configs [DIR]   write DIR/<function>/function.json (default function-configs)
  insite-lms package [OUT]                 assemble the Function App folder (default target/functionapp)
  insite-lms generate-cosmos-indexing      write infra/modules/cosmos-indexing.json from the code
  insite-lms openapi                       print the OpenAPI document (the web client is generated from it)
  insite-lms grant-support-role EMAIL      let the account of EMAIL answer support requests";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        None | Some("serve") => serve(),
        Some("generate-function-configs") => {
            let dir = args.get(1).map_or("function-configs", String::as_str);
            table::write_function_configs(Path::new(dir)).map_err(|e| e.to_string())
        }
        Some("package") => package(args.get(1).map(PathBuf::from)),
        Some("openapi") => serde_json::to_string_pretty(&insite_lms::functions::openapi_document())
            .map(|text| println!("{text}"))
            .map_err(|e| e.to_string()),
        Some("generate-cosmos-indexing") => insite_lms::store::azure::indexing_policies_json()
            .map_err(|e| e.to_string())
            .and_then(|text| {
                std::fs::write(insite_lms::store::azure::INDEXING_POLICIES_FILE, text)
                    .map_err(|e| e.to_string())
            }),
        Some("grant-support-role") => match args.get(1) {
            Some(email) => grant_support_role(email),
            None => Err(format!(
                "grant-support-role needs an email address\n{USAGE}"
            )),
        },
        Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            Ok(())
        }
        Some(other) => Err(format!("unknown command {other:?}\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("insite-lms: {e}");
            ExitCode::FAILURE
        }
    }
}

fn package(out: Option<PathBuf>) -> Result<(), String> {
    let out = out.unwrap_or_else(|| PathBuf::from("target/functionapp"));
    let binary = std::env::current_exe().map_err(|e| e.to_string())?;
    table::package(Path::new("."), Path::new(table::WEB_DIST), &binary, &out)
        .map_err(|e| e.to_string())?;
    println!("packaged into {}", out.display());
    Ok(())
}

fn serve() -> Result<(), String> {
    let config = Config::from_env().map_err(|e| e.to_string())?;
    let telemetry = insite_lms::telemetry::init().map_err(|e| e.to_string())?;
    let result = tokio::runtime::Runtime::new()
        .map_err(|e| e.to_string())
        .and_then(|runtime| {
            runtime.block_on(async {
                let app = Application::build(config)
                    .await
                    .map_err(|e| e.to_string())?;
                let addr = app.local_addr().map_err(|e| e.to_string())?;
                tracing::info!(%addr, "insite-lms listening");
                app.run_until_stopped().await.map_err(|e| e.to_string())
            })
        });
    // After the drain, outside the runtime: the exporter blocks while it
    // sends the last spans.
    telemetry.shutdown();
    result
}

fn grant_support_role(email: &str) -> Result<(), String> {
    let config = Config::from_env().map_err(|e| e.to_string())?;
    let runtime = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;
    runtime.block_on(async {
        let stores = insite_lms::startup::open_stores(&config)
            .await
            .map_err(|e| e.to_string())?;
        let user =
            insite_lms::domain::accounts::grant_support_role(stores.documents.as_ref(), email)
                .await
                .map_err(|e| match e {
                    insite_lms::domain::error::DomainError::NotFound => {
                        "no account has this email address".to_owned()
                    }
                    other => other.to_string(),
                })?;
        println!("granted the support role to user {user}");
        Ok(())
    })
}
