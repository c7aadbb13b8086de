//! Invitations after they are sent (M1, L6): owners and managers list and
//! withdraw pending ones; an inviter who leaves the project or loses the
//! right to invite takes their pending invitations along; a used or
//! withdrawn link answers 410; the token never rests in the data folder.

use reqwest::Method;
use serde_json::{Value, json};

use crate::smtp_sink::SmtpSink;
use testkit::app::{PASSWORD, TestApp, assert_problem, spawn_app, spawn_app_with};
use testkit::data_folder::files_containing;

async fn new_person(app: &TestApp) -> Value {
    json!({
        "firstName": "Kunigunde", "lastName": "Zaunkönig", "password": PASSWORD,
        "companyName": "Gerüstbau Hoch KG", "acceptedPolicyVersion": app.policy_version().await
    })
}

async fn accept(app: &TestApp, invite: &str) -> reqwest::Response {
    let body = new_person(app).await;
    app.post_json(&format!("/api/invitations/{invite}/accept"), &body)
        .await
}

async fn pending(app: &TestApp, token: &str, project: &str) -> Vec<Value> {
    let resp = app
        .get_auth(&format!("/api/projects/{project}/invitations"), token)
        .await;
    assert_eq!(resp.status(), 200, "owners and managers list invitations");
    let body: Value = resp.json().await.expect("json");
    body["items"].as_array().expect("items").clone()
}

/// M1: the list shows each pending invitation with address, role, inviter
/// and expiry; members may not see it; accepted ones leave it.
#[tokio::test]
async fn m1_owners_and_managers_list_pending_invitations() {
    let app = spawn_app().await;
    let (owner, token) = app.signed_in("owner@bau.example").await;
    let project = app.create_project(&token).await;
    let (_manager, manager_token) = app
        .join_as(&token, &project, "leitung@bau.example", "manager")
        .await;
    let (_member, member_token) = app
        .join_as(&token, &project, "sub@elektro.example", "member")
        .await;
    app.invite(&token, &project, "Kran@Verleih.example", "viewer")
        .await;

    let items = pending(&app, &manager_token, &project).await;
    assert_eq!(
        items.len(),
        1,
        "accepted invitations are not pending: {items:?}"
    );
    let inv = &items[0];
    assert_eq!(inv["email"], "kran@verleih.example");
    assert_eq!(inv["role"], "viewer");
    assert_eq!(inv["invitedBy"], json!(owner.user_id));
    assert!(inv["expiresAt"].as_str().is_some_and(|t| t.ends_with('Z')));
    assert!(inv["id"].as_str().is_some());

    let resp = app
        .get_auth(
            &format!("/api/projects/{project}/invitations"),
            &member_token,
        )
        .await;
    assert_problem(resp, 403).await;
}

/// M1, P10: withdrawing is one audited change; the link then answers 410
/// saying it was withdrawn, and the invitation leaves the list.
#[tokio::test]
async fn m1_a_withdrawn_invitation_is_audited_and_its_link_answers_410() {
    let app = spawn_app().await;
    let (_owner, token) = app.signed_in("owner@bau.example").await;
    let project = app.create_project(&token).await;
    let invite = app
        .invite(&token, &project, "falsch@verleih.example", "member")
        .await;
    let id = pending(&app, &token, &project).await[0]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let path = format!("/api/projects/{project}/invitations/{id}");

    let before = app.audit_count();
    let resp = app.send_auth(Method::DELETE, &path, &token, None).await;
    assert_eq!(resp.status(), 204);
    assert_eq!(app.audit_count(), before + 1, "P10");
    assert!(pending(&app, &token, &project).await.is_empty());

    let problem = assert_problem(accept(&app, &invite).await, 410).await;
    assert!(
        problem["detail"]
            .as_str()
            .is_some_and(|d| d.contains("withdrawn")),
        "{problem}"
    );
    assert_problem(
        app.send_auth(Method::DELETE, &path, &token, None).await,
        404,
    )
    .await;
}

/// M1, the probe's steps: a manager invites a second address of their own
/// as manager, the owner removes the manager; the invitation is dead.
#[tokio::test]
async fn m1_a_removed_manager_cannot_get_back_in_through_an_earlier_invitation() {
    let app = spawn_app().await;
    let (_owner, token) = app.signed_in("owner@bau.example").await;
    let project = app.create_project(&token).await;
    let (manager, manager_token) = app
        .join_as(&token, &project, "leitung@bau.example", "manager")
        .await;
    let invite = app
        .invite(
            &manager_token,
            &project,
            "leitung.privat@mail.example",
            "manager",
        )
        .await;
    let resp = app
        .send_auth(
            Method::DELETE,
            &format!("/api/projects/{project}/members/{manager}"),
            &token,
            None,
        )
        .await;
    assert_eq!(resp.status(), 204);
    assert!(pending(&app, &token, &project).await.is_empty());
    let problem = assert_problem(accept(&app, &invite).await, 410).await;
    assert!(
        problem["detail"]
            .as_str()
            .is_some_and(|d| d.contains("withdrawn")),
        "{problem}"
    );
}

/// M1: an inviter who loses the right to invite (manager → member) takes
/// their pending invitations along; an owner's stay.
#[tokio::test]
async fn m1_a_demoted_inviters_invitations_are_withdrawn() {
    let app = spawn_app().await;
    let (_owner, token) = app.signed_in("owner@bau.example").await;
    let project = app.create_project(&token).await;
    let (manager, manager_token) = app
        .join_as(&token, &project, "leitung@bau.example", "manager")
        .await;
    let theirs = app
        .invite(&manager_token, &project, "a@verleih.example", "member")
        .await;
    let owners = app
        .invite(&token, &project, "b@verleih.example", "member")
        .await;
    let resp = app
        .send_auth(
            Method::PATCH,
            &format!("/api/projects/{project}/members/{manager}"),
            &token,
            Some(&json!({"role": "member"})),
        )
        .await;
    assert_eq!(resp.status(), 200);
    assert_problem(accept(&app, &theirs).await, 410).await;
    assert_eq!(accept(&app, &owners).await.status(), 200);
}

/// M1: the web app tells a used link (410) from an unknown one (404).
#[tokio::test]
async fn m1_accepting_a_used_invitation_is_410_and_an_unknown_one_404() {
    let app = spawn_app().await;
    let (_owner, token) = app.signed_in("owner@bau.example").await;
    let project = app.create_project(&token).await;
    let invite = app
        .invite(&token, &project, "einmal@verleih.example", "member")
        .await;
    assert_eq!(accept(&app, &invite).await.status(), 200);
    let problem = assert_problem(accept(&app, &invite).await, 410).await;
    assert!(
        problem["detail"]
            .as_str()
            .is_some_and(|d| d.contains("used")),
        "{problem}"
    );
    assert_problem(
        accept(
            &app,
            "bm90LWEtcmVhbC10b2tlbi1idXQtbG9uZy1lbm91Z2gtdG8tbG9vaw",
        )
        .await,
        404,
    )
    .await;
}

/// The invitation link as the recipient's mail carries it (quoted-printable
/// soft line breaks undone).
fn link_token(transcript: &str) -> Option<String> {
    let joined = transcript.replace("=\r\n", "").replace("=\n", "");
    let start = joined.find("/invitations/")? + "/invitations/".len();
    let token: String = joined[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    (!token.is_empty()).then_some(token)
}

/// L6: the invitation token is never written to the data folder: not in
/// the queued mail, not in the write-ahead log, before or after the purge.
#[tokio::test]
async fn l6_the_invitation_token_never_rests_in_the_data_folder() {
    let sink = SmtpSink::start().await;
    let port = sink.port.to_string();
    let app = spawn_app_with(&[
        ("LMS_SMTP_HOST", "127.0.0.1"),
        ("LMS_SMTP_PORT", &port),
        ("LMS_SMTP_SECURITY", "none"),
    ])
    .await;
    let (_owner, token) = app.signed_in("owner@bau.example").await;
    let project = app.create_project(&token).await;
    let resp = app
        .send_auth(
            Method::POST,
            &format!("/api/projects/{project}/invitations"),
            &token,
            Some(&json!({"email": "neu@verleih.example", "role": "member", "consentConfirmed": true})),
        )
        .await;
    assert_eq!(resp.status(), 201);
    app.run_timer("deliver-notifications").await;
    let invite = link_token(&sink.transcript()).expect("the mail carries the link");

    let hits = files_containing(app.data_dir.path(), &invite);
    assert!(hits.is_empty(), "token after delivery in {hits:?}");
    app.run_timer("purge-expired").await;
    let hits = files_containing(app.data_dir.path(), &invite);
    assert!(hits.is_empty(), "token after the purge in {hits:?}");
    assert_eq!(accept(&app, &invite).await.status(), 200, "the link works");
}

/// M1: an invitation withdrawn before its mail went out is not mailed.
#[tokio::test]
async fn m1_a_withdrawn_invitation_whose_mail_is_still_queued_is_not_sent() {
    let app = spawn_app().await;
    let (_owner, token) = app.signed_in("owner@bau.example").await;
    let project = app.create_project(&token).await;
    app.invite(&token, &project, "noch.nicht@verleih.example", "member")
        .await;
    let id = pending(&app, &token, &project).await[0]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let resp = app
        .send_auth(
            Method::DELETE,
            &format!("/api/projects/{project}/invitations/{id}"),
            &token,
            None,
        )
        .await;
    assert_eq!(resp.status(), 204);
    let report = app.run_timer("deliver-notifications").await;
    assert_eq!(report["sent"], 0, "{report}");
}

/// A sent but invalid session is refused with a documented 401, not taken
/// as a new person, and the invitation stays open (found by the API fuzzer).
#[tokio::test]
async fn accepting_with_an_invalid_session_is_401_and_leaves_the_invitation_open() {
    let app = spawn_app().await;
    let (_owner, token) = app.signed_in("owner@bau.example").await;
    let project = app.create_project(&token).await;
    let invite = app
        .invite(&token, &project, "spaeter@verleih.example", "member")
        .await;
    let resp = app
        .send_auth(
            Method::POST,
            &format!("/api/invitations/{invite}/accept"),
            "not-a-session",
            Some(&json!({})),
        )
        .await;
    assert_problem(resp, 401).await;
    assert_eq!(accept(&app, &invite).await.status(), 200);
}
