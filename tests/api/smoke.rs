//! `scripts/smoke`, the check that ends a deployment, run against the local
//! binary so it stays correct: register, project, resource, booking,
//! upload found by search, export, organization deleted and gone.

use testkit::app::spawn_app_with;

#[tokio::test]
async fn the_deployment_smoke_test_passes_against_the_local_binary() {
    let app = spawn_app_with(&[("LMS_INDEX_IN_PROCESS", "true")]).await;
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/smoke");
    // Async, so the app keeps serving on this runtime while the script runs.
    let output = tokio::process::Command::new("python3")
        .arg(&script)
        .arg(&app.address)
        .env("SMOKE_INDEX_TIMEOUT", "60")
        .output()
        .await
        .expect("python3 runs scripts/smoke");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "scripts/smoke failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("all steps passed"), "{stdout}");
}
