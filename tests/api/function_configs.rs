//! The route table is the one source of truth for the function list: the
//! committed `function-configs/` must be exactly what the code generates.

use insite_lms::functions::table::{WEB_APP_FUNCTION, all_functions, write_function_configs};
use insite_lms::functions::trigger::Trigger;
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

/// host.json's `routePrefix` is empty so that the Function App serves the
/// web app at `/`: API routes carry `api/` themselves, and one catch-all
/// GET function hands every other path to the handler.
#[test]
fn api_routes_carry_the_api_prefix_the_web_app_catches_the_rest_and_timers_exist() {
    let functions = all_functions();
    assert!(
        functions
            .iter()
            .any(|f| matches!(f.trigger, Trigger::Timer { .. }) && f.name == "purge-expired")
    );
    let host: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("host.json"))
            .expect("host.json"),
    )
    .expect("json");
    assert_eq!(host["extensions"]["http"]["routePrefix"], "");
    let mut catch_all = Vec::new();
    for f in functions {
        if let Trigger::Http { route, methods } = &f.trigger {
            if f.name == WEB_APP_FUNCTION {
                catch_all.push((route.clone(), methods.clone()));
            } else {
                assert!(route.starts_with("api/"), "{route}");
            }
        }
    }
    assert_eq!(
        catch_all,
        [(
            "{*path}".to_owned(),
            vec!["get".to_owned(), "head".to_owned()]
        )]
    );
}

#[test]
fn package_assembles_a_deployable_folder() {
    let out = tempfile::tempdir().expect("tmp");
    let fake_binary = out.path().join("bin");
    std::fs::write(&fake_binary, b"binary").expect("write");
    let web = out.path().join("dist");
    std::fs::create_dir_all(web.join("assets")).expect("dist");
    std::fs::write(web.join("index.html"), "<!doctype html>").expect("index");
    std::fs::write(web.join("assets/app-1a2b.js"), "0").expect("asset");
    let app = out.path().join("app");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    // Without a built app the package would serve nothing at `/`: refused.
    let missing = out.path().join("none");
    assert!(insite_lms::functions::table::package(root, &missing, &fake_binary, &app).is_err());
    insite_lms::functions::table::package(root, &web, &fake_binary, &app).expect("package");
    assert!(app.join("web/dist/index.html").is_file());
    assert!(app.join("web/dist/assets/app-1a2b.js").is_file());
    assert!(app.join("web-app/function.json").is_file());
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
