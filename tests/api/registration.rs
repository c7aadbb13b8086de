//! Registration: companies only (P1), consent to the current policy (P3),
//! unique emails, NIST password rule, one audit entry (P10).

use serde_json::json;

use testkit::app::{assert_problem, spawn_app};

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
async fn p1_registering_without_an_organization_is_422() {
    let app = spawn_app().await;
    let mut body = app.registration("ada@bau.example").await;
    body.as_object_mut().expect("object").remove("organization");
    let resp = app.post_json("/api/organizations/register", &body).await;
    let problem = assert_problem(resp, 422).await;
    assert!(
        fields(&problem).contains(&"organization.name".to_owned()),
        "{problem}"
    );

    let mut blank = app.registration("ada@bau.example").await;
    blank["organization"]["name"] = json!("   ");
    let problem = assert_problem(
        app.post_json("/api/organizations/register", &blank).await,
        422,
    )
    .await;
    assert_eq!(fields(&problem), vec!["organization.name"]);
}

#[tokio::test]
async fn p3_registering_without_the_current_policy_version_is_422() {
    let app = spawn_app().await;
    let mut missing = app.registration("ada@bau.example").await;
    missing
        .as_object_mut()
        .expect("object")
        .remove("acceptedPolicyVersion");
    let problem = assert_problem(
        app.post_json("/api/organizations/register", &missing).await,
        422,
    )
    .await;
    assert_eq!(fields(&problem), vec!["acceptedPolicyVersion"]);

    let mut stale = app.registration("ada@bau.example").await;
    stale["acceptedPolicyVersion"] = json!("2019-01-01");
    let problem = assert_problem(
        app.post_json("/api/organizations/register", &stale).await,
        422,
    )
    .await;
    assert_eq!(fields(&problem), vec!["acceptedPolicyVersion"]);
}

#[tokio::test]
async fn weak_passwords_and_bad_emails_are_422_naming_the_field() {
    let app = spawn_app().await;
    for (password, why) in [
        ("kurz", "too short"),
        ("1234567890", "common"),
        ("Basketball", "common"),
    ] {
        let mut body = app.registration("ada@bau.example").await;
        body["admin"]["password"] = json!(password);
        let problem = assert_problem(
            app.post_json("/api/organizations/register", &body).await,
            422,
        )
        .await;
        assert_eq!(fields(&problem), vec!["admin.password"], "{why}");
    }
    let mut body = app.registration("not-an-email").await;
    body["admin"]["firstName"] = json!("");
    let problem = assert_problem(
        app.post_json("/api/organizations/register", &body).await,
        422,
    )
    .await;
    assert_eq!(
        fields(&problem),
        vec!["admin.email", "admin.firstName"],
        "all bad fields at once"
    );
}

#[tokio::test]
async fn malformed_json_is_400_and_wrong_types_are_422() {
    let app = spawn_app().await;
    let resp = app
        .client
        .post(app.url("/api/organizations/register"))
        .header("content-type", "application/json")
        .body("{\"organization\": ")
        .send()
        .await
        .expect("sent");
    assert_problem(resp, 400).await;
    let resp = app
        .post_json(
            "/api/organizations/register",
            &json!({"organization": "a string"}),
        )
        .await;
    assert_problem(resp, 422).await;
}

#[tokio::test]
async fn duplicate_email_in_any_letter_case_is_409() {
    let app = spawn_app().await;
    app.register("Ada.Bau@Example.com").await;
    let body = app.registration("  ada.bau@EXAMPLE.COM ").await;
    assert_problem(
        app.post_json("/api/organizations/register", &body).await,
        409,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixteen_racing_registrations_of_one_address_create_one_account() {
    let app = spawn_app().await;
    let body = app.registration("race@bau.example").await;
    let mut tasks = Vec::new();
    for i in 0..16 {
        let mut b = body.clone();
        b["admin"]["email"] = json!(if i % 2 == 0 {
            "race@bau.example"
        } else {
            "RACE@bau.example"
        });
        let client = app.client.clone();
        let url = app.url("/api/organizations/register");
        tasks.push(tokio::spawn(async move {
            client
                .post(url)
                .json(&b)
                .send()
                .await
                .expect("sent")
                .status()
                .as_u16()
        }));
    }
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.expect("task"));
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 409).count(),
        15,
        "{statuses:?}"
    );
}

#[tokio::test]
async fn p10_registration_leaves_exactly_one_audit_entry() {
    let app = spawn_app().await;
    assert_eq!(app.audit_count().await, 0);
    app.register("audit@bau.example").await;
    assert_eq!(app.audit_count().await, 1);
}
