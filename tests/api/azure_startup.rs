//! In Azure the app folder is read-only (Flex Consumption runs from the
//! deployment package). With the Azure stores the binary must refuse to
//! start rather than fall back to `.eml` files under its working directory,
//! and it must say which setting is missing before touching disk or network.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[test]
fn with_the_azure_stores_and_no_smtp_the_binary_exits_naming_lms_smtp_host_and_writes_nothing() {
    let cwd = tempfile::tempdir().expect("temp dir");
    let mut child = Command::new(env!("CARGO_BIN_EXE_insite-lms"))
        .current_dir(cwd.path())
        .env_clear()
        // Unresolvable names: a start that waited for the network would hang
        // here instead of failing.
        .env(
            "LMS_COSMOS_ENDPOINT",
            "https://lms-test.documents.invalid:443/",
        )
        .env("LMS_COSMOS_DATABASE", "insite-lms")
        .env("LMS_BLOB_ENDPOINT", "https://lmstest.blob.invalid")
        .env("LMS_AZURE_CREDENTIAL", "managed-identity")
        .env("FUNCTIONS_CUSTOMHANDLER_PORT", "0")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("binary starts");
    // A guard against hanging, not a speed target.
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the binary kept running with the Azure stores and no LMS_SMTP_HOST");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let output = child.wait_with_output().expect("output");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!status.success(), "it must not start: {stderr}");
    assert!(stderr.contains("LMS_SMTP_HOST"), "{stderr}");
    let left: Vec<_> = std::fs::read_dir(cwd.path())
        .expect("read cwd")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert!(
        left.is_empty(),
        "created in the working directory: {left:?}"
    );
}
