//! Who an address is and what a password may be: one normalization path
//! for addresses (L3), passwords that resist guessing (L4), and the answer
//! registration gives for a taken address (L2).

use reqwest::Method;
use serde_json::json;

use testkit::app::{PASSWORD, TestUser, assert_problem, problem_fields, spawn_app};

async fn register_status(app: &testkit::app::TestApp, email: &str) -> reqwest::Response {
    let body = app.registration(email).await;
    app.post_json("/api/organizations/register", &body).await
}

/// L3: full-width letters, a full-width domain and a dotted capital I are
/// the same address as their plain spelling, for registration and login.
#[tokio::test]
async fn l3_look_alike_spellings_of_an_address_are_the_same_account() {
    let app = spawn_app().await;
    app.register("norm@bau.example").await;
    app.register("tina@bau.example").await;
    for twin in [
        "ｎｏｒｍ@bau.example",
        "norm@ｂａｕ.example",
        "TİNA@bau.example",
    ] {
        let problem = assert_problem(register_status(&app, twin).await, 409).await;
        assert!(problem_fields(&problem).is_empty(), "{twin}: {problem}");
    }
    let resp = app
        .login_response("ｎｏｒｍ@ＢＡＵ.example", PASSWORD)
        .await;
    assert_eq!(resp.status(), 200, "login takes the same path");
}

/// L3: an internationalized domain is stored in its IDNA (ASCII) form, and
/// local parts mixing confusable scripts (Cyrillic in Latin) are refused;
/// a local part in one script is fine.
#[tokio::test]
async fn l3_idna_domains_and_mixed_script_local_parts() {
    let app = spawn_app().await;
    let problem = assert_problem(
        register_status(&app, "p\u{0430}ypal@bau.example").await,
        422,
    )
    .await;
    assert_eq!(problem_fields(&problem), vec!["admin.email"]);
    assert_eq!(
        register_status(&app, "иван@bau.example").await.status(),
        201
    );

    let (_user, token) = app.signed_in("anna@müller-bau.example").await;
    let me: serde_json::Value = app.get_json("/api/me", &token).await;
    assert_eq!(me["email"], "anna@xn--mller-bau-q9a.example");
}

/// L3: throttling counts failures per normalized address, so another
/// spelling does not get around the lockout.
#[tokio::test]
async fn l3_throttling_counts_every_spelling_of_an_address_as_one() {
    let app = spawn_app().await;
    app.register("norm@bau.example").await;
    for _ in 0..5 {
        let resp = app
            .login_response("ｎｏｒｍ@bau.example", "Falsches-Passwort-1")
            .await;
        assert_problem(resp, 401).await;
    }
    let resp = app.login_response("norm@bau.example", PASSWORD).await;
    assert_eq!(resp.status(), 429);
}

/// L3: an invitation to `TİNA@…` is accepted by the account `tina@…`.
#[tokio::test]
async fn l3_invitations_normalize_the_address_like_accounts() {
    let app = spawn_app().await;
    let (_owner, token) = app.signed_in("owner@bau.example").await;
    let project = app.create_project(&token).await;
    let (_tina, tina_token) = app.signed_in("tina@elektro.example").await;
    let invite = app
        .invite(&token, &project, "TİNA@elektro.example", "member")
        .await;
    let resp = app
        .send_auth(
            Method::POST,
            &format!("/api/invitations/{invite}/accept"),
            &tina_token,
            Some(&json!({})),
        )
        .await;
    assert_eq!(resp.status(), 200);
}

/// L4 (NIST SP 800-63B): passwords that are long enough but trivial, or
/// built from the person's own address or names, are refused.
#[tokio::test]
async fn l4_trivial_passwords_and_ones_made_of_the_persons_details_are_422() {
    let app = spawn_app().await;
    for password in [
        "            ",
        "aaaaaaaaaaaa",
        "abababababab",
        "1234567890ab",
        "zenobia.quirrelbach@bau.example",
        "Quirrelbach2026",
        "ZenobiaQuirrelbach",
    ] {
        let mut body = app.registration("zenobia.quirrelbach@bau.example").await;
        body["admin"]["password"] = json!(password);
        let problem = assert_problem(
            app.post_json("/api/organizations/register", &body).await,
            422,
        )
        .await;
        assert_eq!(
            problem_fields(&problem),
            vec!["admin.password"],
            "{password:?}"
        );
    }
}

/// L4: a password change follows the same rule, with the user's own names.
#[tokio::test]
async fn l4_a_password_change_refuses_the_users_own_names() {
    let app = spawn_app().await;
    let user: TestUser = app.register("zq@bau.example").await;
    let tokens = app.login(&user).await;
    let access = tokens["accessToken"].as_str().expect("token");
    let resp = app
        .send_auth(
            Method::POST,
            "/api/me/password",
            access,
            Some(&json!({"currentPassword": PASSWORD, "newPassword": "Zenobia-Quirrelbach"})),
        )
        .await;
    let problem = assert_problem(resp, 422).await;
    assert_eq!(problem_fields(&problem), vec!["newPassword"]);
}

/// L2: registration keeps answering 409 for a taken address (a company
/// signing up must learn that a colleague already has the account), and
/// the README's security section says why.
#[tokio::test]
async fn l2_a_taken_address_is_409_and_the_readme_records_the_trade_off() {
    let app = spawn_app().await;
    app.register("vergeben@bau.example").await;
    let problem = assert_problem(register_status(&app, "vergeben@bau.example").await, 409).await;
    assert!(
        problem["detail"]
            .as_str()
            .is_some_and(|d| d.contains("exists"))
    );

    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).expect("README");
    let security = readme
        .split("\n## Security")
        .nth(1)
        .expect("the README has a security section");
    assert!(
        security.contains("### Registration with a taken address"),
        "the L2 trade-off is written down"
    );
}
