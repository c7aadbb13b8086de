//! The profile (P6), password change, policy versions (P13), and one audit
//! entry per change (P10).

use insite_lms::domain::policy::{self, PolicyVersion};
use reqwest::Method;
use serde_json::json;

use testkit::app::{PASSWORD, assert_problem, spawn_app};

#[tokio::test]
async fn p6_profile_holds_exactly_the_personal_fields_and_notifications_are_off() {
    let app = spawn_app().await;
    let (user, access) = app.signed_in("me@bau.example").await;
    let resp = app.get_auth("/api/me", &access).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["cache-control"], "no-store");
    let me: serde_json::Value = resp.json().await.expect("json");
    assert_eq!(me["id"], json!(user.user_id));
    assert_eq!(me["email"], "me@bau.example");
    assert_eq!(me["firstName"], "Zenobia");
    assert_eq!(me["lastName"], "Quirrelbach");
    assert_eq!(me["organizationId"], json!(user.organization_id));
    assert_eq!(me["emailNotifications"], false, "opt-in, off by default");
    assert_eq!(me["policyUpdateRequired"], false);
    assert!(me.get("passwordHash").is_none() && me.get("password").is_none());
}

#[tokio::test]
async fn p10_patch_me_changes_fields_with_one_audit_entry() {
    let app = spawn_app().await;
    let (_user, access) = app.signed_in("patch@bau.example").await;
    let before = app.audit_count();
    let resp = app
        .send_auth(
            Method::PATCH,
            "/api/me",
            &access,
            Some(&json!({"firstName": "Zelda", "emailNotifications": true})),
        )
        .await;
    assert_eq!(resp.status(), 200);
    let me: serde_json::Value = resp.json().await.expect("json");
    assert_eq!(me["firstName"], "Zelda");
    assert_eq!(me["emailNotifications"], true);
    assert_eq!(app.audit_count(), before + 1);

    let bad = app
        .send_auth(
            Method::PATCH,
            "/api/me",
            &access,
            Some(&json!({"lastName": ""})),
        )
        .await;
    assert_problem(bad, 422).await;
    let unknown = app
        .send_auth(
            Method::PATCH,
            "/api/me",
            &access,
            Some(&json!({"email": "x@y.example"})),
        )
        .await;
    assert_problem(unknown, 422).await;
    assert_eq!(
        app.audit_count(),
        before + 1,
        "rejected changes leave no entry"
    );
}

#[tokio::test]
async fn p10_password_change_needs_the_current_password_and_ends_other_sessions() {
    let app = spawn_app().await;
    let user = app.register("pw@bau.example").await;
    let tokens = app.login(&user).await;
    let access = tokens["accessToken"].as_str().expect("a");
    let before = app.audit_count();

    let wrong = app
        .send_auth(
            Method::POST,
            "/api/me/password",
            access,
            Some(&json!({"currentPassword": "nicht-richtig-123", "newPassword": "Neues-Passwort-2027"})),
        )
        .await;
    assert_problem(wrong, 403).await;
    let ok = app
        .send_auth(
            Method::POST,
            "/api/me/password",
            access,
            Some(&json!({"currentPassword": PASSWORD, "newPassword": "Neues-Passwort-2027"})),
        )
        .await;
    assert_eq!(ok.status(), 204);
    assert_eq!(app.audit_count(), before + 1);

    // The session that changed the password goes on (ASVS 3.3.3 ends the
    // other ones; sessions::l1_a_password_change_ends_every_other_session...).
    let own_refresh = tokens["refreshToken"].as_str().expect("r");
    let resp = app
        .post_json("/api/auth/refresh", &json!({"refreshToken": own_refresh}))
        .await;
    assert_eq!(resp.status(), 200);
    assert_problem(app.login_response(&user.email, PASSWORD).await, 401).await;
    assert_eq!(
        app.login_response(&user.email, "Neues-Passwort-2027")
            .await
            .status(),
        200
    );
}

#[tokio::test]
async fn p13_a_new_policy_version_requires_acceptance() {
    let app = spawn_app().await;
    let (_user, access) = app.signed_in("policy@bau.example").await;
    let old = app.policy_version().await;

    // Publish a newer version, as an operator would, into the same store.
    let store = app.store();
    let v = PolicyVersion::parse("2099-01-01").expect("version");
    policy::publish(&store, v, "Neue Fassung der Datenschutzerklärung")
        .await
        .expect("publish");

    let policy: serde_json::Value = app
        .get("/api/privacy-policy")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(policy["version"], "2099-01-01");
    assert!(
        policy["text"]
            .as_str()
            .is_some_and(|t| t.contains("Neue Fassung"))
    );
    let me: serde_json::Value = app.get_json("/api/me", &access).await;
    assert_eq!(me["policyUpdateRequired"], true);
    assert_eq!(me["acceptedPolicyVersion"], json!(old));

    let stale = app
        .send_auth(
            Method::POST,
            "/api/me/policy-acceptance",
            &access,
            Some(&json!({"version": old})),
        )
        .await;
    assert_problem(stale, 422).await;
    let before = app.audit_count();
    let ok = app
        .send_auth(
            Method::POST,
            "/api/me/policy-acceptance",
            &access,
            Some(&json!({"version": "2099-01-01"})),
        )
        .await;
    assert_eq!(ok.status(), 200);
    let me: serde_json::Value = ok.json().await.expect("json");
    assert_eq!(me["policyUpdateRequired"], false);
    assert_eq!(app.audit_count(), before + 1);
}

#[tokio::test]
async fn openapi_documents_every_identity_endpoint() {
    let app = spawn_app().await;
    let doc: serde_json::Value = app
        .get("/api/openapi.json")
        .await
        .json()
        .await
        .expect("json");
    for (path, method) in [
        ("/api/organizations/register", "post"),
        ("/api/auth/login", "post"),
        ("/api/auth/refresh", "post"),
        ("/api/auth/logout", "post"),
        ("/api/me", "get"),
        ("/api/me", "patch"),
        ("/api/me/password", "post"),
        ("/api/me/logins", "get"),
        ("/api/privacy-policy", "get"),
        ("/api/me/policy-acceptance", "post"),
    ] {
        assert!(
            doc["paths"][path][method].is_object(),
            "{method} {path} documented"
        );
    }
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
}
