//! The layer check of issue 19. It reads the layer order from
//! `docs/ARCHITECTURE.md` (the table between the `layers:begin` and
//! `layers:end` markers, top layer first), reads every `.rs` file under
//! `handlers/`, resolves each `use` and each `crate::`/`super::`/`self::`
//! path to the file that defines the module it names, and fails on
//!
//! - an import of a file in a higher layer (`upward: FROM -> TO`);
//! - files that import each other, directly or around a loop
//!   (`cycle: A, B, …`, the files of one strongly connected component);
//! - a file in `domain/` that names `axum`, `http` or `utoipa`
//!   (`domain knows HTTP: FILE`);
//! - a handler in `functions/` (a `#[utoipa::path]` route or a background
//!   `run`) longer than `MAX_HANDLER_LINES` (`long handler: FILE NAME`);
//! - a file in `functions/` that names a store container or builds a store
//!   query (`store in functions: FILE`).
//!
//! There are no exceptions: the violations that existed when the check was
//! written are all fixed.

mod scan;

use std::collections::BTreeSet;
use std::path::Path;

use scan::{Layers, Sources, violations};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn current() -> BTreeSet<String> {
    let doc = std::fs::read_to_string(root().join("docs/ARCHITECTURE.md"))
        .expect("docs/ARCHITECTURE.md is readable");
    let layers = Layers::parse(&doc).expect("docs/ARCHITECTURE.md holds the layer table");
    let sources = Sources::read(&root().join("handlers")).expect("handlers/ is readable");
    violations(&layers, &sources).expect("every file of handlers/ is in a layer")
}

#[test]
fn no_file_breaks_the_layer_rules() {
    let found: Vec<String> = current().into_iter().collect();
    assert!(
        found.is_empty(),
        "violations of docs/ARCHITECTURE.md's rules:\n  {}",
        found.join("\n  ")
    );
}

#[test]
fn the_layer_table_names_each_layer_once_and_every_entry_matches_a_file() {
    let doc = std::fs::read_to_string(root().join("docs/ARCHITECTURE.md")).expect("doc");
    let layers = Layers::parse(&doc).expect("layer table");
    let sources = Sources::read(&root().join("handlers")).expect("handlers/");
    let unmatched = layers.unused_entries(&sources);
    assert!(
        unmatched.is_empty(),
        "entries of the layer table that match no file: {unmatched:?}"
    );
    assert!(layers.len() >= 5, "the table has its layers");
}

/// Test binaries and benches share code through the `testkit` crate
/// (tests/support), not by including each other's files.
#[test]
fn tests_and_benches_share_code_through_the_test_kit_not_by_path() {
    fn walk(dir: &Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).expect("readable").flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).expect("readable");
                let code: String = text
                    .lines()
                    .filter(|l| !l.trim_start().starts_with("//"))
                    .collect();
                // Split so that this file does not name what it looks for.
                for needle in [concat!("#[", "path"), concat!("allow(", "dead_code)")] {
                    if code.contains(needle) {
                        out.push(format!("{}: {needle}", path.display()));
                    }
                }
            }
        }
    }
    let mut hits = Vec::new();
    walk(&root().join("tests"), &mut hits);
    walk(&root().join("benches"), &mut hits);
    assert!(hits.is_empty(), "{hits:#?}");
}

/// The check on a made-up crate: it must see what it is there to see.
mod the_check_catches {
    use super::scan::{Layers, Sources, violations};

    const DOC: &str = "intro\n<!-- layers:begin -->\n\
        | layer | files | holds |\n|---|---|---|\n\
        | top | `main.rs`, `functions/` | x |\n\
        | rules | `domain/` | x |\n\
        | bottom | `store/` | x |\n\
        <!-- layers:end -->\n";

    fn check(files: &[(&str, &str)]) -> Vec<String> {
        let layers = Layers::parse(DOC).expect("layers");
        let sources = Sources::from_files(
            files
                .iter()
                .map(|(p, t)| ((*p).to_owned(), (*t).to_owned()))
                .collect(),
        );
        violations(&layers, &sources)
            .expect("all in layers")
            .into_iter()
            .collect()
    }

    #[test]
    fn an_upward_import() {
        let v = check(&[
            ("main.rs", "mod domain; mod store;"),
            ("domain/mod.rs", "pub mod rules;\nuse crate::store::Doc;"),
            ("domain/rules.rs", "pub fn f() {}"),
            (
                "store/mod.rs",
                "use crate::domain::rules::f; // and a comment naming crate::web\npub struct Doc;",
            ),
        ]);
        assert_eq!(v, ["upward: store/mod.rs -> domain/rules.rs"]);
    }

    #[test]
    fn a_cycle_through_super_and_nested_use_trees() {
        let v = check(&[
            ("domain/mod.rs", "pub mod a; pub mod b;"),
            ("domain/a.rs", "use super::{b::{self, B}};\npub struct A;"),
            (
                "domain/b.rs",
                "pub struct B;\nfn g() -> crate::domain::a::A { todo!() }\n\
                 #[cfg(test)]\nmod tests { use super::*; }",
            ),
        ]);
        assert_eq!(v, ["cycle: domain/a.rs, domain/b.rs"]);
    }

    #[test]
    fn http_in_the_domain_but_not_in_strings_or_comments() {
        let v = check(&[
            (
                "domain/a.rs",
                "#[derive(utoipa::ToSchema)]\npub struct A;\nconst U: &str = \"axum::x\";",
            ),
            (
                "domain/b.rs",
                "use http::StatusCode; // fine? no\nconst C: char = '\"'; fn f<'a>(x: &'a str) {}",
            ),
            (
                "domain/c.rs",
                "/// axum::Json is not for here\npub struct C;",
            ),
        ]);
        assert_eq!(
            v,
            [
                "domain knows HTTP: domain/a.rs",
                "domain knows HTTP: domain/b.rs"
            ]
        );
    }

    #[test]
    fn a_long_handler_and_a_store_query_in_a_function() {
        let body = "    let x = 1;\n".repeat(40);
        let handler = format!(
            "use crate::store::{{Query, containers::PROJECTS}};\n\
             #[utoipa::path(get, path = \"/x\")]\npub async fn list() {{\n{body}}}\n\
             #[utoipa::path(get, path = \"/y\")]\npub async fn short() {{}}\n"
        );
        let v = check(&[
            ("functions/mod.rs", "mod list;"),
            ("functions/list.rs", &handler),
            ("store/mod.rs", "pub mod containers; pub struct Query;"),
            ("store/containers.rs", "pub const PROJECTS: u8 = 0;"),
        ]);
        assert_eq!(
            v,
            [
                "long handler: functions/list.rs list",
                "store in functions: functions/list.rs"
            ]
        );
    }

    #[test]
    fn a_file_outside_every_layer() {
        let layers = Layers::parse(DOC).expect("layers");
        let sources = Sources::from_files(vec![("lost.rs".into(), String::new())]);
        assert!(violations(&layers, &sources).is_err());
    }
}
