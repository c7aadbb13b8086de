//! What a person does for themselves and their organization in the web app:
//! sign out everywhere, the consent wording (P5), notification opt-in per
//! kind (P6, P11), resending an invitation, leaving a project, and the
//! organization overview.

use reqwest::Method;
use serde_json::{Value, json};

use testkit::app::{assert_problem, spawn_app};
use testkit::bookings::{book, resource};

#[tokio::test]
async fn sign_out_everywhere_ends_every_session_of_the_caller_at_once() {
    let app = spawn_app().await;
    let user = app.register("everywhere@bau.example").await;
    let office = app.login(&user).await;
    let phone = app.login(&user).await;
    let (_other, bystander) = app.signed_in("bystander@bau.example").await;
    let office_access = office["accessToken"].as_str().expect("token");
    let phone_access = phone["accessToken"].as_str().expect("token");

    let resp = app
        .send_auth(Method::DELETE, "/api/me/sessions", office_access, None)
        .await;
    assert_eq!(resp.status(), 204);
    for access in [office_access, phone_access] {
        assert_problem(app.get_auth("/api/me", access).await, 401).await;
    }
    let refresh = app
        .post_json(
            "/api/auth/refresh",
            &json!({"refreshToken": phone["refreshToken"]}),
        )
        .await;
    assert_problem(refresh, 401).await;
    assert_eq!(
        app.get_auth("/api/me", &bystander).await.status(),
        200,
        "another person's session goes on"
    );
    assert_problem(
        app.send_auth(Method::DELETE, "/api/me/sessions", "nonsense", None)
            .await,
        401,
    )
    .await;
}

#[tokio::test]
async fn p5_the_consent_wording_is_served_with_the_version_an_invitation_stores() {
    let app = spawn_app().await;
    let wording: Value = app
        .get("/api/invitations/consent-wording")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(
        wording["en"],
        insite_lms::domain::invitations::CONSENT_WORDING
    );
    assert!(
        wording["de"]
            .as_str()
            .is_some_and(|de| de.starts_with("Ich bestätige")),
        "German wording: {wording}"
    );
    let (_owner, token) = app.signed_in("wording@bau.example").await;
    let project = app.create_project(&token).await;
    let created: Value = app
        .send_auth(
            Method::POST,
            &format!("/api/projects/{project}/invitations"),
            &token,
            Some(
                &json!({"email": "sub@firma.example", "role": "member", "consentConfirmed": true}),
            ),
        )
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(created["consentWordingVersion"], wording["version"]);
    let stored = app
        .all_documents("projects")
        .into_iter()
        .find(|d| d.body["kind"] == "invitation")
        .expect("invitation stored");
    assert_eq!(stored.body["consent"]["wordingVersion"], wording["version"]);
}

#[tokio::test]
async fn p6_p11_notifications_are_opted_into_per_kind_and_exported() {
    let app = spawn_app().await;
    let (_owner, owner) = app.signed_in("kinds-owner@bau.example").await;
    let project = app.create_project(&owner).await;
    let gate = resource(
        &app,
        &owner,
        &project,
        json!({"kind": "gate", "name": "Tor 1"}),
    )
    .await;
    let (sub_id, sub) = app
        .join_as(&owner, &project, "kinds@sub.example", "member")
        .await;
    let me: Value = app.get_json("/api/me", &sub).await;
    assert_eq!(me["notificationKinds"], json!([]), "P6: off by default");
    assert_eq!(me["emailNotifications"], false);

    let patch = |body: Value| {
        let (app, sub) = (&app, &sub);
        async move {
            let resp = app
                .send_auth(Method::PATCH, "/api/me", sub, Some(&body))
                .await;
            assert_eq!(resp.status(), 200);
            resp.json::<Value>().await.expect("json")
        }
    };
    // The one flag of before still works: all kinds, or none.
    let me = patch(json!({"emailNotifications": true})).await;
    assert_eq!(
        me["notificationKinds"],
        json!(["bookingDecided", "bookingCancelled", "deliveryAtGate"])
    );
    let me = patch(json!({"emailNotifications": false})).await;
    assert_eq!(me["notificationKinds"], json!([]));
    let me = patch(json!({"notificationKinds": ["bookingCancelled"]})).await;
    assert_eq!(me["notificationKinds"], json!(["bookingCancelled"]));
    assert_eq!(me["emailNotifications"], true, "some kind is on");
    assert_problem(
        app.send_auth(
            Method::PATCH,
            "/api/me",
            &sub,
            Some(&json!({"notificationKinds": ["everything"]})),
        )
        .await,
        422,
    )
    .await;

    // Approved: a kind not opted into, no mail; cancelled by the owner: mail.
    let booking: Value = book(
        &app,
        &sub,
        &project,
        &[&gate],
        "2027-01-04T08:00:00Z",
        "2027-01-04T09:00:00Z",
    )
    .await
    .json()
    .await
    .expect("json");
    let id = booking["id"].as_str().expect("id");
    let step = |verb: &'static str, body: Option<Value>| {
        let (app, owner, project) = (&app, &owner, &project);
        async move {
            let resp = app
                .send_auth(
                    Method::POST,
                    &format!("/api/projects/{project}/bookings/{id}/{verb}"),
                    owner,
                    body.as_ref(),
                )
                .await;
            assert_eq!(resp.status(), 200, "{verb}");
        }
    };
    let mails = || async {
        app.all_documents("outbox")
            .into_iter()
            .filter(|d| {
                d.body["template"] == "booking-status"
                    && d.body["recipientUserId"] == sub_id.as_str()
            })
            .map(|d| d.body["params"]["status"].as_str().unwrap_or("").to_owned())
            .collect::<Vec<_>>()
    };
    step("approve", None).await;
    assert_eq!(mails().await, Vec::<String>::new(), "P6: not this kind");
    step("cancel", Some(json!({"reason": "Kran defekt"}))).await;
    assert_eq!(mails().await, vec!["cancelled".to_owned()]);

    let export: Value = app.get_json("/api/me/export", &sub).await;
    assert_eq!(
        export["notificationSettings"]["kinds"],
        json!(["bookingCancelled"]),
        "P11: the export holds the settings"
    );
}

async fn invitation_id(app: &testkit::app::TestApp, token: &str, project: &str) -> String {
    let list: Value = app
        .get_json(&format!("/api/projects/{project}/invitations"), token)
        .await;
    list["items"][0]["id"].as_str().expect("id").to_owned()
}

#[tokio::test]
async fn resending_an_invitation_queues_a_new_mail_audited_and_paced() {
    let app = spawn_app().await;
    let (_owner, owner) = app.signed_in("resend@bau.example").await;
    let project = app.create_project(&owner).await;
    let (_viewer, viewer) = app
        .join_as(&owner, &project, "viewer@sub.example", "viewer")
        .await;
    let token = app
        .invite(&owner, &project, "late@sub.example", "member")
        .await;
    let id = invitation_id(&app, &owner, &project).await;
    let mails = || async {
        app.all_documents("outbox")
            .into_iter()
            .filter(|d| d.body["params"]["invitationId"] == id.as_str())
            .map(|d| d.id)
            .collect::<Vec<_>>()
    };
    let first = mails().await;
    assert_eq!(first.len(), 1);
    let audits = app.audit_count();
    let path = format!("/api/projects/{project}/invitations/{id}/resend");

    assert_problem(app.send_auth(Method::POST, &path, &viewer, None).await, 403).await;
    let resp = app.send_auth(Method::POST, &path, &owner, None).await;
    assert_eq!(resp.status(), 204);
    let second = mails().await;
    assert_eq!(second.len(), 1, "the queued mail is replaced, not doubled");
    assert_ne!(first, second, "a new mail");
    assert_eq!(app.audit_count(), audits + 1, "P10: one entry");

    let again = app.send_auth(Method::POST, &path, &owner, None).await;
    assert!(again.headers().contains_key("retry-after"));
    assert_problem(again, 429).await;

    // The link is the same one, and still works once.
    let accepted = app
        .post_json(
            &format!("/api/invitations/{token}/accept"),
            &json!({"firstName": "Ottokar", "lastName": "Zwiebelmeier", "password": testkit::app::PASSWORD,
                    "companyName": "Elektro Blitz KG", "acceptedPolicyVersion": app.policy_version().await}),
        )
        .await;
    assert_eq!(accepted.status(), 200);
    assert_problem(app.send_auth(Method::POST, &path, &owner, None).await, 404).await;
}

#[tokio::test]
async fn members_leave_a_project_themselves_but_the_last_owner_cannot() {
    let app = spawn_app().await;
    let (_owner, owner) = app.signed_in("leave-owner@bau.example").await;
    let project = app.create_project(&owner).await;
    let (_m, member) = app
        .join_as(&owner, &project, "leaver@sub.example", "manager")
        .await;
    let audits = app.audit_count();
    let leave = format!("/api/projects/{project}/leave");

    let resp = app.send_auth(Method::POST, &leave, &member, None).await;
    assert_eq!(resp.status(), 204);
    assert_eq!(app.audit_count(), audits + 1, "P10: one entry");
    assert_problem(
        app.get_auth(&format!("/api/projects/{project}"), &member)
            .await,
        404,
    )
    .await;
    let listed: Value = app.get_json("/api/projects", &member).await;
    assert_eq!(listed["items"], json!([]));

    let refused =
        assert_problem(app.send_auth(Method::POST, &leave, &owner, None).await, 409).await;
    assert_eq!(refused["extensions"]["reason"], "last-owner");
    assert!(
        refused["detail"]
            .as_str()
            .is_some_and(|d| d.contains("last owner")),
        "{refused}"
    );
    assert_eq!(
        app.get_auth(&format!("/api/projects/{project}"), &owner)
            .await
            .status(),
        200
    );
}

#[tokio::test]
async fn admins_see_their_organization_company_name_users_and_projects() {
    let app = spawn_app().await;
    let (admin, token) = app.signed_in("org-admin@bau.example").await;
    let me: Value = app.get_json("/api/me", &token).await;
    assert_eq!(
        me["companyName"], "Hochbau Muster GmbH",
        "the organization's name"
    );
    assert_eq!(me["platformRoles"], json!([]));
    let project = app.create_project(&token).await;
    let org = admin.organization_id.as_deref().expect("org");

    let view: Value = app
        .get_json(&format!("/api/organizations/{org}"), &token)
        .await;
    assert_eq!(view["name"], "Hochbau Muster GmbH");
    assert_eq!(view["users"][0]["email"], "org-admin@bau.example");
    assert_eq!(view["projects"][0]["id"], project.as_str());
    assert_eq!(view["projects"][0]["name"], "Wohnanlage Seestadt");

    let (_stranger, other) = app.signed_in("other-admin@bau.example").await;
    assert_problem(
        app.get_auth(&format!("/api/organizations/{org}"), &other)
            .await,
        404,
    )
    .await;
    let (_sub, sub) = app
        .join_as(&token, &project, "invitee@sub.example", "member")
        .await;
    let me: Value = app.get_json("/api/me", &sub).await;
    assert_eq!(
        me["companyName"], "Elektro Blitz KG",
        "an invitee's own company"
    );
    let members: Value = app
        .get_json(&format!("/api/projects/{project}/members"), &token)
        .await;
    let companies: Vec<&str> = members["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|m| m["companyName"].as_str())
        .collect();
    assert!(
        companies.contains(&"Hochbau Muster GmbH") && companies.contains(&"Elektro Blitz KG"),
        "the member list names every member's company: {members}"
    );
}
