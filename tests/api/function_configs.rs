//! The route table is the one source of truth for the function list: the
//! committed `function-configs/` must be exactly what the code generates.

use insite_lms::functions::table::{Trigger, all_functions, write_function_configs};
use std::collections::BTreeMap;
use std::path::Path;

fn read_tree(dir: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(dir).expect("configs folder exists") {
        let entry = entry.expect("entry");
        let file = entry.path().join("function.json");
        let name = entry.file_name().to_string_lossy().into_owned();
        out.insert(name, std::fs::read_to_string(file).unwrap_or_default());
    }
    out
}

#[test]
fn committed_function_configs_match_the_route_table() {
    let generated = tempfile::tempdir().expect("tmp");
    write_function_configs(generated.path()).expect("generate");
    let committed = read_tree(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("function-configs")
            .as_path(),
    );
    let fresh = read_tree(generated.path());
    assert_eq!(
        committed, fresh,
        "function-configs/ is stale: run `cargo run -- generate-function-configs`"
    );
}

#[test]
fn function_names_are_unique_and_valid_for_azure() {
    let functions = all_functions();
    let mut names: Vec<&str> = functions.iter().map(|f| f.name.as_str()).collect();
    for n in &names {
        assert!(
            n.len() <= 127 && n.starts_with(|c: char| c.is_ascii_alphabetic()),
            "{n}"
        );
        assert!(
            n.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
            "{n}"
        );
    }
    let before = names.len();
    names.sort_unstable();
    names.dedup();
    assert_eq!(before, names.len(), "duplicate function names");
}

#[test]
fn every_http_route_lives_under_the_api_prefix_and_timers_exist() {
    let functions = all_functions();
    assert!(
        functions
            .iter()
            .any(|f| matches!(f.trigger, Trigger::Timer { .. }) && f.name == "purge-expired")
    );
    for f in functions {
        if let Trigger::Http { route, .. } = &f.trigger {
            assert!(
                !route.starts_with('/') && !route.starts_with("api/"),
                "{route}"
            );
        }
    }
}

#[test]
fn package_assembles_a_deployable_folder() {
    let out = tempfile::tempdir().expect("tmp");
    let fake_binary = out.path().join("bin");
    std::fs::write(&fake_binary, b"binary").expect("write");
    let app = out.path().join("app");
    insite_lms::functions::table::package(
        Path::new(env!("CARGO_MANIFEST_DIR")),
        &fake_binary,
        &app,
    )
    .expect("package");
    let host: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(app.join("host.json")).expect("host.json"))
            .expect("json");
    let exe = host["customHandler"]["description"]["defaultExecutablePath"]
        .as_str()
        .expect("executable path");
    assert!(app.join(exe).is_file(), "binary named as host.json expects");
    assert_eq!(host["customHandler"]["enableForwardingHttpRequest"], true);
    assert!(app.join("health/function.json").is_file());
    assert!(app.join("purge-expired/function.json").is_file());
}
