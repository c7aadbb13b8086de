//! Login (P4, P9), throttling, tokens, refresh rotation, logout.

use serde_json::json;

use testkit::app::{PASSWORD, assert_problem, spawn_app, spawn_app_with};

#[tokio::test]
async fn p4_wrong_password_and_unknown_email_get_identical_answers() {
    let app = spawn_app().await;
    app.register("known@bau.example").await;
    let wrong = app
        .login_response("known@bau.example", "Falsches-Passwort-1")
        .await;
    let unknown = app
        .login_response("nobody@bau.example", "Falsches-Passwort-1")
        .await;
    let a = assert_problem(wrong, 401).await;
    let b = assert_problem(unknown, 401).await;
    assert_eq!(a, b);
}

#[tokio::test]
async fn p9_two_logins_leave_two_login_records() {
    let app = spawn_app().await;
    let user = app.register("logins@bau.example").await;
    app.login(&user).await;
    let tokens = app.login(&user).await;
    let access = tokens["accessToken"].as_str().expect("token");
    let resp = app.get_auth("/api/me/logins", access).await;
    assert_eq!(resp.status(), 200);
    let body: serde_json::Value = resp.json().await.expect("json");
    let items = body["items"].as_array().expect("items");
    assert_eq!(items.len(), 2);
    assert!(items[0]["at"].as_str().is_some_and(|t| t.ends_with('Z')));
    assert!(
        items[0]["at"].as_str() >= items[1]["at"].as_str(),
        "newest first"
    );
    let keys: Vec<&String> = items[0].as_object().expect("object").keys().collect();
    assert_eq!(
        keys,
        vec!["at"],
        "a login record holds the time only, no address"
    );
}

#[tokio::test]
async fn p4_the_sixth_failed_attempt_within_15_minutes_is_429() {
    let app = spawn_app().await;
    let user = app.register("brute@bau.example").await;
    for _ in 0..5 {
        let resp = app.login_response(&user.email, "Falsches-Passwort-1").await;
        assert_problem(resp, 401).await;
    }
    let resp = app.login_response(&user.email, "Falsches-Passwort-1").await;
    let retry_after: u64 = resp.headers()["retry-after"]
        .to_str()
        .expect("header")
        .parse()
        .expect("seconds");
    assert!(retry_after > 0 && retry_after <= 15 * 60);
    assert_problem(resp, 429).await;
    let correct = app.login_response(&user.email, PASSWORD).await;
    assert_eq!(correct.status(), 429, "locked even with the right password");
}

#[tokio::test]
async fn p4_a_successful_login_clears_the_earlier_failures() {
    let app = spawn_app().await;
    let user = app.register("vertipper@bau.example").await;
    for _ in 0..4 {
        let resp = app.login_response(&user.email, "Falsches-Passwort-1").await;
        assert_problem(resp, 401).await;
    }
    app.login(&user).await;
    for attempt in 1..=5 {
        let resp = app.login_response(&user.email, "Falsches-Passwort-1").await;
        assert_eq!(resp.status(), 401, "failure {attempt} after the success");
    }
}

fn jwt_parts(token: &str) -> (String, String, String) {
    let mut p = token.split('.');
    let (a, b, c) = (p.next(), p.next(), p.next());
    (
        a.expect("header").to_owned(),
        b.expect("payload").to_owned(),
        c.expect("signature").to_owned(),
    )
}

fn b64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn unb64(s: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(s)
        .expect("base64url")
}

const KEY_B64: &str = "c2VjcmV0LWtleS1vZi1hdC1sZWFzdC0zMi1ieXRlcy1sb25nLTAwMDA=";

#[tokio::test]
async fn p4_tampered_foreign_unsigned_and_expired_tokens_are_401() {
    let app = spawn_app_with(&[
        ("LMS_TOKEN_SIGNING_KEY", KEY_B64),
        ("LMS_TOKEN_KEY_ID", "k1"),
    ])
    .await;
    let (_user, access) = app.signed_in("tokens@bau.example").await;
    assert_eq!(app.get_auth("/api/me", &access).await.status(), 200);

    let (header, payload, signature) = jwt_parts(&access);
    let mut claims: serde_json::Value = serde_json::from_slice(&unb64(&payload)).expect("claims");

    // Tampered payload: another subject, same signature.
    let mut other = claims.clone();
    other["sub"] = json!(uuid::Uuid::now_v7().to_string());
    let tampered = format!("{header}.{}.{signature}", b64(other.to_string().as_bytes()));
    assert_problem(app.get_auth("/api/me", &tampered).await, 401).await;

    // alg: none, no signature.
    let none_header = b64(br#"{"alg":"none","typ":"JWT","kid":"k1"}"#);
    let unsigned = format!("{none_header}.{payload}.");
    assert_problem(app.get_auth("/api/me", &unsigned).await, 401).await;

    // Signed with a key the server does not know, same kid.
    let mut h = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256);
    h.kid = Some("k1".into());
    let foreign = jsonwebtoken::encode(
        &h,
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(&[7u8; 32]),
    )
    .expect("sign");
    assert_problem(app.get_auth("/api/me", &foreign).await, 401).await;

    // Another algorithm with the right key material.
    let mut h384 = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS384);
    h384.kid = Some("k1".into());
    let key = jsonwebtoken::EncodingKey::from_base64_secret(KEY_B64).expect("key");
    let hs384 = jsonwebtoken::encode(&h384, &claims, &key).expect("sign");
    assert_problem(app.get_auth("/api/me", &hs384).await, 401).await;

    // Expired, correctly signed.
    let now = jiff::Timestamp::now().as_second();
    claims["iat"] = json!(now - 3600);
    claims["exp"] = json!(now - 1800);
    let expired = jsonwebtoken::encode(&h, &claims, &key).expect("sign");
    assert_problem(app.get_auth("/api/me", &expired).await, 401).await;

    // And the same claims, fresh, are accepted: the key above is the real one.
    claims["exp"] = json!(now + 600);
    let fresh = jsonwebtoken::encode(&h, &claims, &key).expect("sign");
    assert_eq!(app.get_auth("/api/me", &fresh).await.status(), 200);

    assert_problem(app.get("/api/me").await, 401).await;
}

async fn refresh(app: &testkit::app::TestApp, token: &str) -> reqwest::Response {
    app.post_json("/api/auth/refresh", &json!({"refreshToken": token}))
        .await
}

#[tokio::test]
async fn refresh_rotates_and_reuse_revokes_the_family() {
    let app = spawn_app().await;
    let user = app.register("rotate@bau.example").await;
    let first = app.login(&user).await;
    let t1 = first["refreshToken"].as_str().expect("token").to_owned();
    assert_eq!(first["tokenType"], "Bearer");
    assert_eq!(first["expiresIn"], 900);

    let resp = refresh(&app, &t1).await;
    assert_eq!(resp.status(), 200);
    let second: serde_json::Value = resp.json().await.expect("json");
    let t2 = second["refreshToken"].as_str().expect("token").to_owned();
    assert_ne!(t1, t2);
    assert_eq!(
        app.get_auth("/api/me", second["accessToken"].as_str().expect("a"))
            .await
            .status(),
        200
    );

    // t1 again: theft suspected, the family (t2 too) is revoked.
    assert_problem(refresh(&app, &t1).await, 401).await;
    assert_problem(refresh(&app, &t2).await, 401).await;

    // Another session of the same user is untouched.
    let other = app.login(&user).await;
    assert_eq!(
        refresh(&app, other["refreshToken"].as_str().expect("t"))
            .await
            .status(),
        200
    );
}

#[tokio::test]
async fn logout_revokes_the_refresh_token() {
    let app = spawn_app().await;
    let user = app.register("logout@bau.example").await;
    let tokens = app.login(&user).await;
    let t = tokens["refreshToken"].as_str().expect("token");
    let resp = app
        .post_json("/api/auth/logout", &json!({"refreshToken": t}))
        .await;
    assert_eq!(resp.status(), 204);
    assert_problem(refresh(&app, t).await, 401).await;
    let garbage = app
        .post_json("/api/auth/logout", &json!({"refreshToken": "nonsense"}))
        .await;
    assert_eq!(garbage.status(), 204, "logout tells nothing about tokens");
}

fn access(tokens: &serde_json::Value) -> String {
    tokens["accessToken"].as_str().expect("access").to_owned()
}

fn refresh_token(tokens: &serde_json::Value) -> String {
    tokens["refreshToken"].as_str().expect("refresh").to_owned()
}

/// L1: a logout ends that session's access token at once, not after its
/// 15 minutes; another session of the same user goes on.
#[tokio::test]
async fn l1_logout_ends_that_sessions_access_token_at_once() {
    let app = spawn_app().await;
    let user = app.register("abmelden@bau.example").await;
    let one = app.login(&user).await;
    let two = app.login(&user).await;
    let resp = app
        .post_json(
            "/api/auth/logout",
            &json!({"refreshToken": refresh_token(&one)}),
        )
        .await;
    assert_eq!(resp.status(), 204);
    assert_problem(app.get_auth("/api/me", &access(&one)).await, 401).await;
    assert_eq!(app.get_auth("/api/me", &access(&two)).await.status(), 200);
}

/// L1, ASVS 3.3.3: after a password change every other session ends at
/// once (access and refresh token); the session that changed it goes on.
#[tokio::test]
async fn l1_a_password_change_ends_every_other_session_at_once() {
    let app = spawn_app().await;
    let user = app.register("passwort@bau.example").await;
    let mine = app.login(&user).await;
    let stolen = app.login(&user).await;
    let resp = app
        .send_auth(
            reqwest::Method::POST,
            "/api/me/password",
            &access(&mine),
            Some(&json!({"currentPassword": PASSWORD, "newPassword": "Neue-Schalung-Nord-2027"})),
        )
        .await;
    assert_eq!(resp.status(), 204);
    assert_problem(app.get_auth("/api/me", &access(&stolen)).await, 401).await;
    assert_problem(refresh(&app, &refresh_token(&stolen)).await, 401).await;
    assert_eq!(app.get_auth("/api/me", &access(&mine)).await.status(), 200);
    assert_eq!(refresh(&app, &refresh_token(&mine)).await.status(), 200);
}

/// L1: when a reused refresh token revokes its family, the access tokens
/// issued to that family stop working too.
#[tokio::test]
async fn l1_a_revoked_refresh_family_ends_its_access_tokens() {
    let app = spawn_app().await;
    let user = app.register("familie@bau.example").await;
    let first = app.login(&user).await;
    let resp = refresh(&app, &refresh_token(&first)).await;
    assert_eq!(resp.status(), 200);
    let second: serde_json::Value = resp.json().await.expect("json");
    assert_problem(refresh(&app, &refresh_token(&first)).await, 401).await;
    assert_problem(app.get_auth("/api/me", &access(&first)).await, 401).await;
    assert_problem(app.get_auth("/api/me", &access(&second)).await, 401).await;
}
