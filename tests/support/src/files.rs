//! Files: upload (multipart), the blob-trigger invocation the Functions
//! host sends, and search.

use base64::Engine;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

use crate::app::TestApp;

/// A PNG header of `w` x `h` pixels: signature and IHDR are all a sniffer
/// and a dimension reader look at.
pub fn png(w: u32, h: u32) -> Vec<u8> {
    let mut out = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR".to_vec();
    out.extend_from_slice(&w.to_be_bytes());
    out.extend_from_slice(&h.to_be_bytes());
    out.extend_from_slice(&[8, 6, 0, 0, 0, 0, 0, 0, 0]);
    out
}

/// Upload a `w` x `h` site plan (category `sitePlan`); returns its id.
pub async fn site_plan(
    app: &TestApp,
    token: &str,
    project: &str,
    name: &str,
    w: u32,
    h: u32,
) -> String {
    let f = upload(
        app,
        token,
        project,
        name,
        png(w, h),
        &[("category", "sitePlan")],
    )
    .await;
    assert_eq!(f["category"], "sitePlan");
    f["id"].as_str().expect("id").to_owned()
}

/// A multipart upload form with a file part and extra text parts.
pub fn form(name: &str, bytes: Vec<u8>, extra: &[(&str, &str)]) -> Form {
    let mut form = Form::new().part("file", Part::bytes(bytes).file_name(name.to_owned()));
    for (k, v) in extra {
        form = form.text((*k).to_owned(), (*v).to_owned());
    }
    form
}

pub async fn upload_form(
    app: &TestApp,
    token: &str,
    project: &str,
    form: Form,
) -> reqwest::Response {
    app.client
        .post(app.url(&format!("/api/projects/{project}/files")))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .expect("request sent")
}

/// Upload and return the created file's JSON.
pub async fn upload(
    app: &TestApp,
    token: &str,
    project: &str,
    name: &str,
    bytes: Vec<u8>,
    extra: &[(&str, &str)],
) -> Value {
    let resp = upload_form(app, token, project, form(name, bytes, extra)).await;
    assert_eq!(resp.status(), 201, "upload succeeds");
    resp.json().await.expect("json")
}

/// The invocation the Functions host sends for a new blob: the whole blob
/// inlined as base64, `name` and `Uri` JSON-encoded twice.
pub fn host_blob_payload(project: &str, file: &str, bytes: &[u8]) -> Value {
    let name = format!("projects/{project}/files/{file}");
    let twice = |s: &str| serde_json::to_string(s).expect("encode");
    json!({
        "Data": {"blob": base64::engine::general_purpose::STANDARD.encode(bytes)},
        "Metadata": {
            "Uri": twice(&format!("https://lmsfiles.blob.core.windows.net/project-files/{name}")),
            "name": twice(&name),
            "Properties": {"Length": bytes.len(), "ContentType": "application/octet-stream"},
            "Metadata": {},
            "sys": {"MethodName": "index-document", "UtcNow": "2026-11-28T10:00:00.0000000Z", "RandGuid": "7d6c3a2e-1f0b-4b8e-9d1a-2c3b4d5e6f70"}
        }
    })
}

/// The ids of the files a search for `q` finds.
pub async fn search(app: &TestApp, token: &str, project: &str, q: &str) -> Vec<String> {
    let resp = app
        .get_auth(&format!("/api/projects/{project}/files?q={q}"), token)
        .await;
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.expect("json");
    body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|f| f["id"].as_str().expect("id").to_owned())
        .collect()
}
