//! L5: names that people type carry no Unicode format characters (category
//! Cf: bidi controls such as U+202E, invisible marks), so what is shown is
//! what was meant. Typed names with them are refused; uploaded file names,
//! which come from the client's disk, lose them.

use reqwest::Method;
use serde_json::json;

use testkit::app::{assert_problem, spawn_app};
use testkit::files::upload;

fn fields(problem: &serde_json::Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .map(|e| {
            e.iter()
                .filter_map(|f| f["field"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn l5_company_and_person_names_with_format_characters_are_422() {
    let app = spawn_app().await;
    let mut body = app.registration("bidi@bau.example").await;
    body["organization"]["name"] = json!("Hochbau\u{202E}HbmG");
    body["admin"]["firstName"] = json!("Zeno\u{200F}bia");
    body["admin"]["lastName"] = json!("Quirrel\u{2066}bach");
    let problem = assert_problem(
        app.post_json("/api/organizations/register", &body).await,
        422,
    )
    .await;
    assert_eq!(
        fields(&problem),
        vec!["organization.name", "admin.firstName", "admin.lastName"]
    );
}

#[tokio::test]
async fn l5_project_and_resource_names_with_format_characters_are_422() {
    let app = spawn_app().await;
    let (_user, token) = app.signed_in("bidi@bau.example").await;
    let resp = app
        .send_auth(
            Method::POST,
            "/api/projects",
            &token,
            Some(&json!({"name": "Seestadt\u{202E}Nord", "timeZone": "Europe/Vienna"})),
        )
        .await;
    assert_eq!(fields(&assert_problem(resp, 422).await), vec!["name"]);

    let project = app.create_project(&token).await;
    let resp = app
        .send_auth(
            Method::PATCH,
            &format!("/api/projects/{project}"),
            &token,
            Some(&json!({"name": "\u{FEFF}Seestadt"})),
        )
        .await;
    assert_eq!(fields(&assert_problem(resp, 422).await), vec!["name"]);

    let resp = app
        .send_auth(
            Method::POST,
            &format!("/api/projects/{project}/resources"),
            &token,
            Some(&json!({"kind": "crane", "name": "Kran\u{202D}1"})),
        )
        .await;
    assert_eq!(fields(&assert_problem(resp, 422).await), vec!["name"]);
}

#[tokio::test]
async fn l5_an_uploaded_file_name_loses_its_bidi_controls() {
    let app = spawn_app().await;
    let (_user, token) = app.signed_in("bidi@bau.example").await;
    let project = app.create_project(&token).await;
    let file = upload(
        &app,
        &token,
        &project,
        "rechnung\u{202E}txt.exe",
        b"MZ".to_vec(),
        &[],
    )
    .await;
    assert_eq!(file["name"], "rechnungtxt.exe");
}
