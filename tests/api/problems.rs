use testkit::app::{assert_problem, spawn_app};

#[tokio::test]
async fn unknown_route_is_a_404_problem() {
    let app = spawn_app().await;
    let resp = app.get("/api/no-such-thing").await;
    assert_problem(resp, 404).await;
}

#[tokio::test]
async fn wrong_method_is_a_405_problem() {
    let app = spawn_app().await;
    let resp = app
        .client
        .delete(app.url("/api/health"))
        .send()
        .await
        .expect("sent");
    assert_problem(resp, 405).await;
}

#[tokio::test]
async fn timer_endpoint_rejects_malformed_json_with_400() {
    let app = spawn_app().await;
    let resp = app
        .client
        .post(app.url("/purge-expired"))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .expect("sent");
    assert_problem(resp, 400).await;
}

#[tokio::test]
async fn json_without_content_type_is_415() {
    let app = spawn_app().await;
    let resp = app
        .client
        .post(app.url("/purge-expired"))
        .body("{}")
        .send()
        .await
        .expect("sent");
    assert_problem(resp, 415).await;
}

#[tokio::test]
async fn json_body_over_the_limit_is_413() {
    let app = testkit::app::spawn_app_with(&[("LMS_MAX_JSON_BYTES", "2048")]).await;
    let big = format!("{{\"Data\": {{\"x\": \"{}\"}}}}", "a".repeat(4096));
    let resp = app
        .client
        .post(app.url("/purge-expired"))
        .header("content-type", "application/json")
        .body(big)
        .send()
        .await
        .expect("sent");
    assert_problem(resp, 413).await;
}
