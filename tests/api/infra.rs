//! The Bicep in `infra/` keeps the privacy promises (P2: West Europe; P12:
//! 30-day retention, IP masking on) and declares every document container
//! the code uses. A text check, so `cargo test` catches a container added in
//! code without its Bicep; `scripts/check-bicep.py` parses the files too.

use std::path::{Path, PathBuf};

use insite_lms::store::containers::ALL;

fn infra_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("infra")
}

fn read(relative: &str) -> String {
    let path = infra_dir().join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

/// Every `.bicep` file under `infra/`, concatenated.
fn all_bicep() -> String {
    fn walk(dir: &Path, out: &mut String) {
        let entries = std::fs::read_dir(dir).expect("infra/ is readable");
        for entry in entries {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "bicep") {
                out.push_str(&std::fs::read_to_string(&path).expect("bicep file is readable"));
                out.push('\n');
            }
        }
    }
    let mut out = String::new();
    walk(&infra_dir(), &mut out);
    out
}

/// The value after each `key:` in the text, trimmed.
fn values_of<'a>(text: &'a str, key: &str) -> Vec<&'a str> {
    text.lines()
        .filter_map(|line| line.trim().strip_prefix(key))
        .filter_map(|rest| rest.strip_prefix(':'))
        .map(str::trim)
        .collect()
}

#[test]
fn p12_telemetry_is_kept_30_days_with_ip_masking_on() {
    let bicep = all_bicep();
    assert_eq!(
        values_of(&bicep, "retentionInDays"),
        ["30", "30"],
        "the workspace and its Application Insights tables keep telemetry exactly 30 days"
    );
    assert_eq!(values_of(&bicep, "totalRetentionInDays"), ["30"]);
    assert_eq!(values_of(&bicep, "immediatePurgeDataOn30Days"), ["true"]);
    assert_eq!(
        values_of(&bicep, "DisableIpMasking"),
        ["false"],
        "Application Insights sets DisableIpMasking: false explicitly"
    );
    assert_eq!(values_of(&bicep, "WorkspaceResourceId").len(), 1);
}

#[test]
fn p2_resources_default_to_west_europe() {
    let main = read("main.bicep");
    assert!(
        main.lines()
            .any(|l| l.trim() == "param location string = 'westeurope'"),
        "main.bicep: param location defaults to 'westeurope'"
    );
}

#[test]
fn every_document_container_in_code_is_declared_in_the_bicep() {
    let cosmos = read("modules/cosmos.bicep");
    let declared: Vec<&str> = cosmos
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("{ name: '") && l.contains("partitionKeyPath:"))
        .collect();
    for container in ALL {
        let entry = format!(
            "{{ name: '{}', partitionKeyPath: '{}' }}",
            container.name,
            container.partition_key_path()
        );
        assert!(
            declared.contains(&entry.as_str()),
            "infra/modules/cosmos.bicep lacks {entry}"
        );
    }
    assert_eq!(
        declared.len(),
        ALL.len(),
        "infra/modules/cosmos.bicep declares containers the code does not use: {declared:?}"
    );
    assert_eq!(
        values_of(&cosmos, "defaultTtl"),
        ["-1"],
        "containers enable per-item TTL"
    );
}

/// The Bicep's indexing policies are the code's: sorted queries on Cosmos
/// need exactly the composite indexes the adapter asks for.
#[test]
fn cosmos_indexing_policies_match_the_code() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(insite_lms::store::azure::INDEXING_POLICIES_FILE);
    let committed = std::fs::read_to_string(&path).expect("committed indexing policies");
    let generated = insite_lms::store::azure::indexing_policies_json().expect("generate");
    assert_eq!(
        committed, generated,
        "infra/modules/cosmos-indexing.json is stale: run `cargo run -- generate-cosmos-indexing`"
    );
    assert!(read("modules/cosmos.bicep").contains("loadJsonContent('cosmos-indexing.json')"));
}

/// Every blob trigger's identity-based connection is configured in the
/// Function App (service URIs and the managed-identity credential).
#[test]
fn blob_trigger_connections_are_app_settings() {
    let app = read("modules/functionapp.bicep");
    for f in insite_lms::functions::table::all_functions() {
        if let insite_lms::functions::trigger::Trigger::Blob { connection, .. } = f.trigger {
            for suffix in ["blobServiceUri", "queueServiceUri", "credential"] {
                let setting = format!("'{connection}__{suffix}'");
                assert!(
                    app.contains(&setting),
                    "functionapp.bicep lacks {setting} for {}",
                    f.name
                );
            }
        }
    }
}

/// Secrets travel in two URLs: the invitation token in the accept path and
/// the calendar feed token in `?feed=`. The handler's own spans name route
/// templates only (`tests/telemetry`). The Functions host strips query
/// strings from its request telemetry, and with extended HTTP collection
/// off it records no request URL or path (and no client IP) at all.
#[test]
fn the_functions_host_records_no_request_urls() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let host: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("host.json")).expect("host.json"))
            .expect("host.json is JSON");
    let ai = &host["logging"]["applicationInsights"];
    assert_eq!(
        ai["httpAutoCollectionOptions"]["enableHttpTriggerExtendedInfoCollection"],
        serde_json::Value::Bool(false),
        "the host would record each request's URL path (invitation tokens)"
    );
    let text = ai.to_string().to_ascii_lowercase();
    assert!(
        !text.contains("querystring") && !text.contains("sanitizerequest"),
        "no host setting may keep query strings (feed tokens): {text}"
    );
}
