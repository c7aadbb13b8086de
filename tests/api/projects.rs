//! Projects, members, invitations with consent (P5), roles, project
//! deletion (P8), and one audit entry per change (P10).

use insite_lms::domain::roles::{Action, Role, allows};
use reqwest::Method;
use serde_json::json;

use testkit::app::{TestApp, assert_problem, spawn_app};

#[tokio::test]
async fn creating_a_project_makes_the_creator_owner_and_lists_it() {
    let app = spawn_app().await;
    let (_user, token) = app.signed_in("owner@bau.example").await;
    let before = app.audit_count();
    let project = app.create_project(&token).await;
    assert_eq!(app.audit_count(), before + 1, "P10: one entry");
    let got: serde_json::Value = app
        .get_json(&format!("/api/projects/{project}"), &token)
        .await;
    assert_eq!(got["role"], "owner");
    assert_eq!(got["timeZone"], "Europe/Vienna");
    assert_eq!(got["settings"]["bookingApprovalRequired"], true);
    let list: serde_json::Value = app.get_json("/api/projects", &token).await;
    assert_eq!(list["items"].as_array().expect("items").len(), 1);
    assert!(list["next"].is_null());
}

#[tokio::test]
async fn project_fields_are_validated() {
    let app = spawn_app().await;
    let (_user, token) = app.signed_in("owner@bau.example").await;
    let resp = app
        .send_auth(
            Method::POST,
            "/api/projects",
            &token,
            Some(&json!({"name": "X", "timeZone": "Mars/Olympus"})),
        )
        .await;
    let problem = assert_problem(resp, 422).await;
    assert_eq!(problem["errors"][0]["field"], "timeZone");
    let resp = app
        .send_auth(
            Method::POST,
            "/api/projects",
            &token,
            Some(&json!({"timeZone": "Europe/Vienna"})),
        )
        .await;
    assert_problem(resp, 422).await;
}

#[tokio::test]
async fn p10_patching_a_project_leaves_one_audit_entry() {
    let app = spawn_app().await;
    let (_user, token) = app.signed_in("owner@bau.example").await;
    let project = app.create_project(&token).await;
    let before = app.audit_count();
    let resp = app
        .send_auth(
            Method::PATCH,
            &format!("/api/projects/{project}"),
            &token,
            Some(&json!({"name": "Seestadt Baufeld 2", "address": null, "settings": {"bookingApprovalRequired": false}})),
        )
        .await;
    assert_eq!(resp.status(), 200);
    let p: serde_json::Value = resp.json().await.expect("json");
    assert_eq!(p["name"], "Seestadt Baufeld 2");
    assert!(p["address"].is_null());
    assert_eq!(p["settings"]["bookingApprovalRequired"], false);
    assert_eq!(app.audit_count(), before + 1);
    let audit: serde_json::Value = app
        .get_json(
            &format!("/api/projects/{project}/audit?action=project.updated"),
            &token,
        )
        .await;
    let entry = &audit["items"][0];
    assert_eq!(entry["action"], "project.updated");
    assert_eq!(
        entry["changedFields"],
        json!(["name", "address", "settings"])
    );
}

#[tokio::test]
async fn p5_an_invitation_without_consent_confirmation_is_422() {
    let app = spawn_app().await;
    let (_user, token) = app.signed_in("owner@bau.example").await;
    let project = app.create_project(&token).await;
    for body in [
        json!({"email": "sub@elektro.example", "role": "member"}),
        json!({"email": "sub@elektro.example", "role": "member", "consentConfirmed": false}),
    ] {
        let resp = app
            .send_auth(
                Method::POST,
                &format!("/api/projects/{project}/invitations"),
                &token,
                Some(&body),
            )
            .await;
        let problem = assert_problem(resp, 422).await;
        assert_eq!(problem["errors"][0]["field"], "consentConfirmed");
    }
    assert!(app.all_documents("outbox").is_empty(), "no mail queued");
}

#[tokio::test]
async fn p5_invitation_records_consent_queues_one_mail_and_is_single_use() {
    let app = spawn_app().await;
    let (owner, token) = app.signed_in("owner@bau.example").await;
    let project = app.create_project(&token).await;
    let before = app.audit_count();
    let invite = app
        .invite(&token, &project, "Sub@Elektro.example", "member")
        .await;
    assert_eq!(app.audit_count(), before + 1, "P10");
    let outbox = app.all_documents("outbox");
    assert_eq!(outbox.len(), 1, "one invitation mail");
    assert_eq!(outbox[0].body["to"], "sub@elektro.example");

    let stored = app
        .all_documents("projects")
        .into_iter()
        .find(|d| d.body["kind"] == "invitation")
        .expect("invitation stored");
    assert_eq!(stored.body["consent"]["confirmedBy"], json!(owner.user_id));
    assert!(stored.body["consent"]["confirmedAt"].is_string());
    assert_eq!(stored.body["consent"]["wordingVersion"], "2026-11-01");
    assert!(
        !stored.body.to_string().contains(&invite),
        "the token is stored only hashed"
    );

    let accept = json!({
        "firstName": "Ottokar", "lastName": "Zwiebelmeier", "password": testkit::app::PASSWORD,
        "companyName": "Elektro Blitz KG", "acceptedPolicyVersion": app.policy_version().await
    });
    let before = app.audit_count();
    let resp = app
        .post_json(&format!("/api/invitations/{invite}/accept"), &accept)
        .await;
    assert_eq!(resp.status(), 200);
    let body: serde_json::Value = resp.json().await.expect("json");
    assert_eq!(body["projectId"], json!(project));
    assert_eq!(app.audit_count(), before + 1, "P10");

    let members: serde_json::Value = app
        .get_json(&format!("/api/projects/{project}/members"), &token)
        .await;
    let sub = members["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|m| m["email"] == "sub@elektro.example")
        .expect("the invitee is a member");
    assert_eq!(sub["role"], "member");
    assert_eq!(sub["companyName"], "Elektro Blitz KG");

    let again = app
        .post_json(&format!("/api/invitations/{invite}/accept"), &accept)
        .await;
    assert!(matches!(again.status().as_u16(), 404 | 410), "single use");
    let unknown = app
        .post_json("/api/invitations/not-a-real-token/accept", &accept)
        .await;
    assert_problem(unknown, 404).await;
}

#[tokio::test]
async fn p5_a_second_accept_of_a_pending_lookup_is_410_and_expired_is_410() {
    let app = testkit::app::spawn_app_with(&[("LMS_INVITATION_TTL_SECS", "1")]).await;
    let (_user, token) = app.signed_in("owner@bau.example").await;
    let project = app.create_project(&token).await;
    let invite = app
        .invite(&token, &project, "late@elektro.example", "viewer")
        .await;
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let resp = app
        .post_json(
            &format!("/api/invitations/{invite}/accept"),
            &json!({"firstName": "A", "lastName": "B", "password": testkit::app::PASSWORD,
                    "companyName": "C GmbH", "acceptedPolicyVersion": app.policy_version().await}),
        )
        .await;
    assert_problem(resp, 410).await;
}

#[tokio::test]
async fn p5_signed_in_users_accept_only_invitations_to_their_address() {
    let app = spawn_app().await;
    let (_owner, token) = app.signed_in("owner@bau.example").await;
    let project = app.create_project(&token).await;
    let (_other, other_token) = app.signed_in("other@firma.example").await;
    let (_invitee, invitee_token) = app.signed_in("invitee@firma.example").await;
    let invite = app
        .invite(&token, &project, "invitee@firma.example", "manager")
        .await;
    let wrong = app
        .send_auth(
            Method::POST,
            &format!("/api/invitations/{invite}/accept"),
            &other_token,
            Some(&json!({})),
        )
        .await;
    assert_problem(wrong, 403).await;
    let right = app
        .send_auth(
            Method::POST,
            &format!("/api/invitations/{invite}/accept"),
            &invitee_token,
            Some(&json!({})),
        )
        .await;
    assert_eq!(right.status(), 200);
    let got: serde_json::Value = app
        .get_json(&format!("/api/projects/{project}"), &invitee_token)
        .await;
    assert_eq!(got["role"], "manager");
}

#[tokio::test]
async fn the_last_owner_cannot_be_demoted_or_removed_and_removal_is_immediate() {
    let app = spawn_app().await;
    let (owner, token) = app.signed_in("owner@bau.example").await;
    let project = app.create_project(&token).await;
    let (member_id, member_token) = app
        .join_as(&token, &project, "m@sub.example", "member")
        .await;

    let demote = app
        .send_auth(
            Method::PATCH,
            &format!("/api/projects/{project}/members/{}", owner.user_id),
            &token,
            Some(&json!({"role": "manager"})),
        )
        .await;
    assert_problem(demote, 409).await;
    let remove = app
        .send_auth(
            Method::DELETE,
            &format!("/api/projects/{project}/members/{}", owner.user_id),
            &token,
            None,
        )
        .await;
    assert_problem(remove, 409).await;

    assert_eq!(
        app.get_auth(&format!("/api/projects/{project}"), &member_token)
            .await
            .status(),
        200
    );
    let before = app.audit_count();
    let removed = app
        .send_auth(
            Method::DELETE,
            &format!("/api/projects/{project}/members/{member_id}"),
            &token,
            None,
        )
        .await;
    assert_eq!(removed.status(), 204);
    assert_eq!(app.audit_count(), before + 1, "P10");
    assert_problem(
        app.get_auth(&format!("/api/projects/{project}"), &member_token)
            .await,
        404,
    )
    .await;
}

/// Which request exercises an action, and what it needs.
async fn attempt(
    app: &TestApp,
    action: Action,
    token: &str,
    project: &str,
    victim: &str,
) -> Option<u16> {
    let (method, path, body) = match action {
        Action::ViewProject => (Method::GET, format!("/api/projects/{project}"), None),
        Action::UpdateProject => (
            Method::PATCH,
            format!("/api/projects/{project}"),
            Some(json!({"name": "Umbenannt"})),
        ),
        Action::ViewMembers => (
            Method::GET,
            format!("/api/projects/{project}/members"),
            None,
        ),
        Action::ManageMembers => (
            Method::PATCH,
            format!("/api/projects/{project}/members/{victim}"),
            Some(json!({"role": "viewer"})),
        ),
        Action::Invite => (
            Method::POST,
            format!("/api/projects/{project}/invitations"),
            Some(json!({"email": "new@x.example", "role": "viewer", "consentConfirmed": true})),
        ),
        Action::ViewAudit => (Method::GET, format!("/api/projects/{project}/audit"), None),
        _ => return None,
    };
    Some(
        app.send_auth(method, &path, token, body.as_ref())
            .await
            .status()
            .as_u16(),
    )
}

#[tokio::test]
async fn permissions_per_role_follow_the_matrix() {
    let app = spawn_app().await;
    let (_owner, owner_token) = app.signed_in("owner@bau.example").await;
    let project = app.create_project(&owner_token).await;
    let (victim, _) = app
        .join_as(&owner_token, &project, "victim@sub.example", "viewer")
        .await;
    let mut tokens = vec![(Role::Owner, owner_token.clone())];
    for (role, email) in [
        (Role::Manager, "mgr@sub.example"),
        (Role::Member, "mem@sub.example"),
        (Role::Viewer, "view@sub.example"),
    ] {
        let (_, t) = app
            .join_as(&owner_token, &project, email, role.as_str())
            .await;
        tokens.push((role, t));
    }
    let mut checked = 0;
    for (action, _) in insite_lms::domain::roles::MATRIX {
        for (role, token) in &tokens {
            let Some(status) = attempt(&app, *action, token, &project, &victim).await else {
                continue;
            };
            checked += 1;
            if allows(*role, *action) {
                assert!(
                    (200..300).contains(&status),
                    "{role:?} may {action:?}, got {status}"
                );
            } else {
                assert_eq!(status, 403, "{role:?} may not {action:?}");
            }
        }
    }
    assert!(
        checked >= 24,
        "every project-level action was tried for every role"
    );
    // Deleting is owners' alone; try it last.
    for (role, token) in tokens.iter().rev() {
        let status = app
            .send_auth(
                Method::DELETE,
                &format!("/api/projects/{project}"),
                token,
                None,
            )
            .await
            .status()
            .as_u16();
        assert_eq!(
            status,
            if allows(*role, Action::DeleteProject) {
                204
            } else {
                403
            },
            "{role:?}"
        );
    }
}

#[tokio::test]
async fn p8_deleting_a_project_leaves_no_document_with_its_id() {
    let app = spawn_app().await;
    let (_owner, token) = app.signed_in("owner@bau.example").await;
    let project = app.create_project(&token).await;
    let keep = app.create_project(&token).await;
    app.join_as(&token, &project, "m@sub.example", "member")
        .await;
    app.invite(&token, &project, "pending@sub.example", "viewer")
        .await;
    // An approved booking: its pass's lookup lives outside the partition.
    let zone = testkit::bookings::resource(
        &app,
        &token,
        &project,
        json!({"kind": "gate", "name": "Tor 1"}),
    )
    .await;
    let booked = testkit::bookings::book(
        &app,
        &token,
        &project,
        &[&zone],
        "2031-05-05T08:00:00Z",
        "2031-05-05T09:00:00Z",
    )
    .await;
    let booking: serde_json::Value = booked.json().await.expect("json");
    let pass_path = format!(
        "/api/projects/{project}/bookings/{}/pass",
        booking["id"].as_str().expect("id")
    );
    let resp = app.send_auth(Method::POST, &pass_path, &token, None).await;
    assert_eq!(resp.status(), 200, "the pass regenerates");
    assert!(
        app.every_document()
            .iter()
            .any(|d| d.body["kind"] == "passToken"),
        "the pass has a lookup"
    );
    let resp = app
        .send_auth(
            Method::DELETE,
            &format!("/api/projects/{project}"),
            &token,
            None,
        )
        .await;
    assert_eq!(resp.status(), 204);
    let deletions = app
        .all_documents("organizations")
        .into_iter()
        .filter(|d| d.body["action"] == "project.deleted")
        .count();
    assert_eq!(deletions, 1, "P10: one entry records the deletion");
    for d in app.every_document() {
        let text = d.body.to_string();
        assert!(
            !text.contains(&project) && d.partition_key != project,
            "{} still holds a document of the deleted project: {text}",
            d.container
        );
    }
    assert_problem(
        app.get_auth(&format!("/api/projects/{project}"), &token)
            .await,
        404,
    )
    .await;
    assert_eq!(
        app.get_auth(&format!("/api/projects/{keep}"), &token)
            .await
            .status(),
        200,
        "other projects stay"
    );
}

/// The README's permission table is the code's matrix, row by row.
#[test]
fn the_readme_documents_the_permission_matrix() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).expect("README");
    for (action, _) in insite_lms::domain::roles::MATRIX {
        let name = format!("{action:?}");
        let row = readme
            .lines()
            .find(|l| l.starts_with(&format!("| {name} |")))
            .unwrap_or_else(|| panic!("README lacks a row for {name}"));
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        for (i, role) in Role::ALL.iter().enumerate() {
            let documented = cells[i + 2] == "✓";
            assert_eq!(
                documented,
                allows(*role, *action),
                "README row {name}, role {role:?}"
            );
        }
    }
}
