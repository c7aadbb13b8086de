use testkit::app::spawn_app;

#[tokio::test]
async fn health_is_ok_with_both_stores_reachable() {
    let app = spawn_app().await;
    let resp = app.get("/api/health").await;
    assert_eq!(resp.status(), 200);
    let h = resp.headers();
    assert!(
        h.contains_key("x-request-id"),
        "every response carries a request id"
    );
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["cache-control"], "no-store");
    let body: serde_json::Value = resp.json().await.expect("json");
    assert_eq!(body["status"], "ok");
}

#[tokio::test]
async fn health_reports_503_when_the_blob_folder_is_gone() {
    let app = spawn_app().await;
    std::fs::remove_dir_all(app.data_dir.path().join("blobs")).expect("remove blobs folder");
    let resp = app.get("/api/health").await;
    testkit::app::assert_problem(resp, 503).await;
}

#[tokio::test]
async fn openapi_document_is_served_and_lists_health() {
    let app = spawn_app().await;
    let resp = app.get("/api/openapi.json").await;
    assert_eq!(resp.status(), 200);
    let doc: serde_json::Value = resp.json().await.expect("json");
    assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")));
    assert_eq!(doc["paths"]["/api/health"]["get"]["operationId"], "health");
}

#[tokio::test]
async fn cors_allows_exactly_the_configured_origins() {
    let app =
        testkit::app::spawn_app_with(&[("LMS_ALLOWED_ORIGINS", "https://app.example.com")]).await;
    let preflight = |origin: &'static str| {
        app.client
            .request(reqwest::Method::OPTIONS, app.url("/api/health"))
            .header("origin", origin)
            .header("access-control-request-method", "GET")
            .send()
    };
    let ok = preflight("https://app.example.com").await.expect("sent");
    assert_eq!(
        ok.headers()["access-control-allow-origin"],
        "https://app.example.com"
    );
    let other = preflight("https://evil.example.net").await.expect("sent");
    assert!(!other.headers().contains_key("access-control-allow-origin"));
}
