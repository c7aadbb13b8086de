//! Tenant isolation (P4, P7, OWASP API1): every route under
//! `/api/projects/{projectId}`, taken from the route table itself, answers
//! 404 to a user of another organization and to a removed member, so routes
//! added later are covered without touching this test.

use reqwest::Method;

use testkit::app::spawn_app;

fn project_routes() -> Vec<(Method, String)> {
    let doc = insite_lms::functions::openapi_document();
    let mut out = Vec::new();
    for (path, item) in &doc.paths.paths {
        if !path.starts_with("/api/projects/{projectId}") {
            continue;
        }
        for (method, op) in [
            (Method::GET, &item.get),
            (Method::POST, &item.post),
            (Method::PUT, &item.put),
            (Method::PATCH, &item.patch),
            (Method::DELETE, &item.delete),
        ] {
            if op.is_some() {
                out.push((method, path.clone()));
            }
        }
    }
    out
}

fn concrete(path: &str, project: &str) -> String {
    let mut out = String::new();
    for seg in path.split('/').skip(1) {
        out.push('/');
        if seg == "{projectId}" {
            out.push_str(project);
        } else if seg.starts_with('{') {
            out.push_str(&uuid::Uuid::now_v7().to_string());
        } else {
            out.push_str(seg);
        }
    }
    out
}

#[tokio::test]
async fn p7_outsiders_and_removed_members_get_404_on_every_project_route() {
    let app = spawn_app().await;
    let (_owner, owner_token) = app.signed_in("owner@bau.example").await;
    let project = app.create_project(&owner_token).await;
    let (_stranger, stranger_token) = app.signed_in("stranger@konkurrenz.example").await;
    let (removed_id, removed_token) = app
        .join_as(&owner_token, &project, "ex@sub.example", "manager")
        .await;
    let resp = app
        .send_auth(
            Method::DELETE,
            &format!("/api/projects/{project}/members/{removed_id}"),
            &owner_token,
            None,
        )
        .await;
    assert_eq!(resp.status(), 204);

    let routes = project_routes();
    assert!(
        routes.len() >= 7,
        "the route table lists the project routes: {routes:?}"
    );
    for (method, template) in routes {
        let path = concrete(&template, &project);
        for (who, token) in [
            ("another organization", &stranger_token),
            ("a removed member", &removed_token),
        ] {
            let resp = app
                .send_auth(method.clone(), &path, token, Some(&serde_json::json!({})))
                .await;
            assert_eq!(resp.status(), 404, "{method} {template} for {who}");
        }
    }
    assert_eq!(
        app.get_auth(&format!("/api/projects/{project}"), &owner_token)
            .await
            .status(),
        200,
        "the project still exists for its owner"
    );
}
