//! Privacy operations: export (P11), consent withdrawal with provable
//! erasure (P11), organization deletion (P8), support requests (P14),
//! notifications (P6) and the purge job.

use insite_lms::store::containers::{SUPPORT, USERS};
use insite_lms::store::{BlobName, BlobStore, DocumentStore, NewDocument};
use reqwest::Method;
use serde_json::json;

use crate::smtp_sink::SmtpSink;
use testkit::app::{PASSWORD, TestApp, assert_problem, spawn_app, spawn_app_with};
use testkit::data_folder::files_containing;

const ERASEE_EMAIL: &str = "xylophia.quagmireton@erase.example";
const ERASEE_FIRST: &str = "Xylophia";
const ERASEE_LAST: &str = "Quagmireton";

async fn contact(app: &TestApp, name: &str, email: &str) -> reqwest::Response {
    app.post_json(
        "/api/support/requests",
        &json!({"name": name, "email": email, "subject": "Zufahrt Tor 3", "message": "Wann ist Tor 3 offen?"}),
    )
    .await
}

/// A person with data in every area: memberships, logins, settings,
/// support requests, mails sent and queued, a pending invitation.
async fn erasee(app: &TestApp) -> (String, String, String) {
    let (_owner, owner_token) = app.signed_in("owner@bau.example").await;
    let project = app.create_project(&owner_token).await;
    let other_project = app.create_project(&owner_token).await;
    let invite = app
        .invite(&owner_token, &project, ERASEE_EMAIL, "member")
        .await;
    let resp = app
        .post_json(
            &format!("/api/invitations/{invite}/accept"),
            &json!({"firstName": ERASEE_FIRST, "lastName": ERASEE_LAST, "password": PASSWORD,
                    "companyName": "Trockenbau Quagmireton", "acceptedPolicyVersion": app.policy_version().await}),
        )
        .await;
    assert_eq!(resp.status(), 200);
    let tokens = app
        .login_response(ERASEE_EMAIL, PASSWORD)
        .await
        .json::<serde_json::Value>()
        .await
        .expect("json");
    let token = tokens["accessToken"].as_str().expect("token").to_owned();
    let resp = app
        .send_auth(
            Method::PATCH,
            "/api/me",
            &token,
            Some(&json!({"emailNotifications": true})),
        )
        .await;
    assert_eq!(resp.status(), 200);
    assert_eq!(
        contact(app, &format!("{ERASEE_FIRST} {ERASEE_LAST}"), ERASEE_EMAIL)
            .await
            .status(),
        201
    );
    // Mail already sent (as .eml here) and one still queued.
    app.run_timer("deliver-notifications").await;
    app.invite(&owner_token, &other_project, ERASEE_EMAIL, "viewer")
        .await;
    (owner_token, project, token)
}

/// The erasee, made manager, invites someone (the mail names them as the
/// inviter) and books a slot that the owner cancels (a booking mail goes
/// to them); both mails are delivered as `.eml` files.
async fn erasee_has_sent_mail(app: &TestApp, owner_token: &str, project: &str, token: &str) {
    let me: serde_json::Value = app.get_json("/api/me", token).await;
    let erasee_id = me["id"].as_str().expect("id");
    let resp = app
        .send_auth(
            Method::PATCH,
            &format!("/api/projects/{project}/members/{erasee_id}"),
            owner_token,
            Some(&json!({"role": "manager"})),
        )
        .await;
    assert_eq!(resp.status(), 200, "erasee promoted to manager");
    app.invite(token, project, "empfang@andere-firma.example", "viewer")
        .await;
    let resource = testkit::bookings::resource(
        app,
        owner_token,
        project,
        json!({"kind": "crane", "name": "Turmdrehkran 1"}),
    )
    .await;
    let booking = testkit::bookings::book(
        app,
        token,
        project,
        &[&resource],
        "2030-03-04T08:00:00Z",
        "2030-03-04T09:00:00Z",
    )
    .await;
    assert_eq!(booking.status(), 201);
    let booking: serde_json::Value = booking.json().await.expect("json");
    let booking_id = booking["id"].as_str().expect("id");
    // A manager's booking is approved at once; the owner cancels it.
    let resp = app
        .send_auth(
            Method::POST,
            &format!("/api/projects/{project}/bookings/{booking_id}/cancel"),
            owner_token,
            Some(&json!({"reason": "Kran in Wartung"})),
        )
        .await;
    assert_eq!(resp.status(), 200);
    let delivered = app.run_timer("deliver-notifications").await;
    assert!(
        delivered["sent"].as_u64().is_some_and(|n| n >= 2),
        "{delivered}"
    );
    let mails = app.data_dir.path().join("mail");
    for needle in [ERASEE_LAST, ERASEE_EMAIL] {
        let in_mail = files_containing(&mails, needle);
        assert!(!in_mail.is_empty(), "a delivered mail holds {needle}");
    }
}

#[tokio::test]
async fn p11_after_withdrawal_and_one_purge_the_data_folder_holds_no_trace() {
    let app = spawn_app().await;
    let (owner_token, project, token) = erasee(&app).await;
    erasee_has_sent_mail(&app, &owner_token, &project, &token).await;
    for needle in [ERASEE_EMAIL, ERASEE_FIRST, ERASEE_LAST] {
        assert!(
            !files_containing(app.data_dir.path(), needle).is_empty(),
            "{needle} is there before"
        );
    }
    let wrong = app
        .send_auth(
            Method::DELETE,
            "/api/me",
            &token,
            Some(&json!({"password": "nicht-das-passwort"})),
        )
        .await;
    assert_problem(wrong, 403).await;
    let resp = app
        .send_auth(
            Method::DELETE,
            "/api/me",
            &token,
            Some(&json!({"password": PASSWORD})),
        )
        .await;
    assert_eq!(resp.status(), 204);
    app.run_timer("purge-expired").await;

    for needle in [ERASEE_EMAIL, ERASEE_FIRST, ERASEE_LAST] {
        let hits = files_containing(app.data_dir.path(), needle);
        assert!(hits.is_empty(), "{needle} still in {hits:?}");
    }
    assert_problem(app.login_response(ERASEE_EMAIL, PASSWORD).await, 401).await;
    assert_problem(app.get_auth("/api/me", &token).await, 401).await;
    // The address is free for a new person.
    app.register(ERASEE_EMAIL).await;
}

#[tokio::test]
async fn p11_export_contains_every_area() {
    let app = spawn_app().await;
    let (_owner_token, project, token) = erasee(&app).await;
    let resp = app.get_auth("/api/me/export", &token).await;
    assert_eq!(resp.status(), 200);
    let export: serde_json::Value = resp.json().await.expect("json");
    assert_eq!(export["profile"]["email"], ERASEE_EMAIL);
    assert_eq!(export["profile"]["lastName"], ERASEE_LAST);
    assert!(export["consent"]["acceptedPolicyVersion"].is_string());
    assert_eq!(export["notificationSettings"]["emailNotifications"], true);
    assert_eq!(export["loginRecords"].as_array().expect("logins").len(), 1);
    assert!(
        !export["accountAuditEntries"]
            .as_array()
            .expect("audit")
            .is_empty()
    );
    assert_eq!(
        export["supportRequests"].as_array().expect("support").len(),
        1
    );
    let projects = export["projects"].as_array().expect("projects");
    assert_eq!(projects.len(), 1);
    assert_eq!(projects[0]["projectId"], json!(project));
    assert_eq!(projects[0]["role"], "member");
    assert!(
        !projects[0]["auditEntries"]
            .as_array()
            .expect("entries")
            .is_empty()
    );
    assert!(!export.to_string().contains("passwordHash"));
}

#[tokio::test]
async fn p11_the_last_owner_and_the_only_admin_must_act_first() {
    let app = spawn_app().await;
    let (owner, token) = app.signed_in("owner@bau.example").await;
    app.create_project(&token).await;
    let resp = app
        .send_auth(
            Method::DELETE,
            "/api/me",
            &token,
            Some(&json!({"password": PASSWORD})),
        )
        .await;
    let problem = assert_problem(resp, 409).await;
    assert!(
        problem["detail"]
            .as_str()
            .is_some_and(|d| d.contains("organization")),
        "{problem}"
    );
    assert_eq!(
        app.login_response(&owner.email, PASSWORD).await.status(),
        200,
        "nothing was erased"
    );
}

#[tokio::test]
async fn p8_deleting_an_organization_deletes_its_projects_and_users() {
    let app = spawn_app().await;
    let (owner, token) = app.signed_in("owner@bau.example").await;
    let project = app.create_project(&token).await;
    let (_other, other_token) = app.signed_in("other@firma.example").await;
    let other_project = app.create_project(&other_token).await;
    let org = owner.organization_id.clone().expect("org");

    let stranger = app
        .send_auth(
            Method::DELETE,
            &format!("/api/organizations/{org}"),
            &other_token,
            None,
        )
        .await;
    assert_problem(stranger, 404).await;
    let resp = app
        .send_auth(
            Method::DELETE,
            &format!("/api/organizations/{org}"),
            &token,
            None,
        )
        .await;
    assert_eq!(resp.status(), 204);
    app.run_timer("purge-expired").await;
    assert_problem(app.login_response(&owner.email, PASSWORD).await, 401).await;
    for d in app.every_document() {
        let text = d.body.to_string();
        assert!(
            !text.contains(&project) && !text.contains(&org) && !text.contains(&owner.email),
            "{text}"
        );
    }
    assert_eq!(
        app.get_auth(&format!("/api/projects/{other_project}"), &other_token)
            .await
            .status(),
        200
    );
}

#[tokio::test]
async fn p14_contact_form_is_rate_limited_and_stores_no_address() {
    let app = spawn_app().await;
    let bad = app
        .post_json(
            "/api/support/requests",
            &json!({"name": "A", "email": "nope", "subject": "", "message": "x"}),
        )
        .await;
    assert_problem(bad, 422).await;
    for i in 0..4 {
        assert_eq!(
            contact(&app, "Bert Bauleiter", &format!("b{i}@x.example"))
                .await
                .status(),
            201
        );
    }
    let limited = contact(&app, "Bert Bauleiter", "b@x.example").await;
    assert!(limited.headers().contains_key("retry-after"));
    assert_problem(limited, 429).await;
    for d in app.all_documents("support") {
        assert!(
            !d.body.to_string().contains("127.0.0.1"),
            "no client address stored"
        );
    }
}

#[tokio::test]
async fn p14_support_staff_list_and_close_and_closed_requests_expire() {
    let app = spawn_app().await;
    let (_u, token) = app.signed_in("support@insite.example").await;
    assert_eq!(
        contact(&app, "Clara Container", "clara@x.example")
            .await
            .status(),
        201
    );
    assert_eq!(
        contact(&app, "Dora Dumper", "dora@x.example")
            .await
            .status(),
        201
    );
    assert_problem(app.get_auth("/api/support/requests", &token).await, 403).await;
    insite_lms::domain::accounts::grant_support_role(&app.store(), "support@insite.example")
        .await
        .expect("grant");
    let list: serde_json::Value = app.get_json("/api/support/requests", &token).await;
    let items = list["items"].as_array().expect("items");
    assert_eq!(items.len(), 2);
    let closed_id = items[0]["id"].as_str().expect("id").to_owned();
    let resp = app
        .send_auth(
            Method::PATCH,
            &format!("/api/support/requests/{closed_id}"),
            &token,
            Some(&json!({"status": "closed"})),
        )
        .await;
    assert_eq!(resp.status(), 200);

    // Backdate the closing beyond the 365-day retention.
    let store = app.store();
    let doc = store
        .read(SUPPORT, "requests", &closed_id)
        .await
        .expect("read")
        .expect("present");
    let mut body = doc.body.clone();
    body["closedAt"] = json!("2020-01-01T00:00:00.000Z");
    store
        .replace(
            SUPPORT,
            NewDocument::new("requests", &closed_id, body),
            None,
        )
        .await
        .expect("backdate");

    let report = app.run_timer("purge-expired").await;
    assert_eq!(report["supportRequests"], 1);
    let left: Vec<_> = app.all_documents("support");
    assert_eq!(left.len(), 1, "the open request stays");
    assert_ne!(left[0].id, closed_id);
}

#[tokio::test]
async fn p6_opt_out_is_honoured_at_enqueue_and_at_send() {
    let app = spawn_app().await;
    let (user, token) = app.signed_in("opt@bau.example").await;
    let project = app.create_project(&token).await;
    let store = app.store();
    let uid = insite_lms::domain::ids::UserId::parse(&user.user_id).expect("id");
    let pid = insite_lms::domain::ids::ProjectId::parse(&project).expect("id");
    let queued = insite_lms::domain::opt_in::enqueue_for_user(
        &store,
        &uid,
        &pid,
        "booking-status",
        json!({"status": "approved"}),
    )
    .await
    .expect("enqueue");
    assert!(!queued, "not opted in: nothing queued");
    assert!(app.all_documents("outbox").is_empty());

    app.send_auth(
        Method::PATCH,
        "/api/me",
        &token,
        Some(&json!({"emailNotifications": true})),
    )
    .await;
    let queued = insite_lms::domain::opt_in::enqueue_for_user(
        &store,
        &uid,
        &pid,
        "booking-status",
        json!({"status": "approved"}),
    )
    .await
    .expect("enqueue");
    assert!(queued);
    app.send_auth(
        Method::PATCH,
        "/api/me",
        &token,
        Some(&json!({"emailNotifications": false})),
    )
    .await;
    let report = app.run_timer("deliver-notifications").await;
    assert_eq!(report["sent"], 0);
    assert_eq!(report["dropped"], 1, "opted out since: dropped at send");
    assert!(
        files_containing(app.data_dir.path(), "opt@bau.example")
            .iter()
            .all(|f| !f.ends_with(".eml"))
    );
}

#[tokio::test]
async fn p6_an_opted_in_users_booking_mail_goes_out_over_real_smtp_with_ics() {
    let sink = SmtpSink::start().await;
    let port = sink.port.to_string();
    let app = spawn_app_with(&[
        ("LMS_SMTP_HOST", "127.0.0.1"),
        ("LMS_SMTP_PORT", &port),
        ("LMS_SMTP_SECURITY", "none"),
    ])
    .await;
    let (_owner, owner_token) = app.signed_in("owner@bau.example").await;
    let project = app.create_project(&owner_token).await;
    let (_member, token) = app
        .join_as(&owner_token, &project, "smtp@bau.example", "member")
        .await;
    app.send_auth(
        Method::PATCH,
        "/api/me",
        &token,
        Some(&json!({"emailNotifications": true, "language": "en"})),
    )
    .await;
    app.run_timer("deliver-notifications").await;
    let crane = testkit::bookings::resource(
        &app,
        &owner_token,
        &project,
        json!({"kind": "crane", "name": "Turmdrehkran 1"}),
    )
    .await;
    let resp = testkit::bookings::book(
        &app,
        &token,
        &project,
        &[&crane],
        "2031-06-02T07:00:00Z",
        "2031-06-02T08:00:00Z",
    )
    .await;
    assert_eq!(resp.status(), 201);
    let booking: serde_json::Value = resp.json().await.expect("json");
    assert_eq!(booking["status"], "requested");
    let id = booking["id"].as_str().expect("id");
    let approved = app
        .send_auth(
            Method::POST,
            &format!("/api/projects/{project}/bookings/{id}/approve"),
            &owner_token,
            None,
        )
        .await;
    assert_eq!(approved.status(), 200);
    let report = app.run_timer("deliver-notifications").await;
    assert_eq!(report["sent"], 1, "{report}");
    let t = sink.transcript();
    assert!(t.contains("RCPT TO:<smtp@bau.example>"), "{t}");
    assert!(t.contains("Subject: Booking approved"), "{t}");
    assert!(
        t.contains("text/calendar"),
        "the booking rides along as .ics: {t}"
    );
    assert!(t.contains("BEGIN:VCALENDAR"), "{t}");
    assert!(
        app.all_documents("outbox").is_empty(),
        "sent mails leave the outbox"
    );
}

#[tokio::test]
async fn purge_removes_exactly_the_expired_items_and_a_second_run_changes_nothing() {
    let app = spawn_app_with(&[("LMS_INVITATION_TTL_SECS", "1")]).await;
    let (user, token) = app.signed_in("purge@bau.example").await;
    let project = app.create_project(&token).await;
    app.invite(&token, &project, "late@sub.example", "viewer")
        .await;
    app.login(&testkit::app::TestUser { ..user.clone() }).await;
    let store = app.store();
    let uid = user.user_id.clone();

    // An old login record and an expired refresh token, backdated.
    let mut old_login = None;
    let mut old_refresh = None;
    for d in app
        .all_documents("users")
        .into_iter()
        .filter(|d| d.partition_key == uid)
    {
        if d.body["kind"] == "login" && old_login.is_none() {
            let mut b = d.body.clone();
            b["at"] = json!("2020-01-01T00:00:00.000Z");
            store
                .replace(USERS, NewDocument::new(&uid, &d.id, b), None)
                .await
                .expect("backdate");
            old_login = Some(d.id.clone());
        } else if d.body["kind"] == "refresh" && old_refresh.is_none() {
            let mut b = d.body.clone();
            b["expiresAt"] = json!("2020-01-01T00:00:00.000Z");
            store
                .replace(USERS, NewDocument::new(&uid, &d.id, b), None)
                .await
                .expect("backdate");
            old_refresh = Some(d.id.clone());
        }
    }
    // An orphan blob (no metadata), older than the grace period, and a
    // fresh one that an upload in flight may still claim.
    let blobs =
        insite_lms::store::embedded::FileBlobStore::open(&app.data_dir.path().join("blobs"))
            .expect("blobs");
    let orphan = BlobName::parse(&format!("projects/{project}/files/file-orphan")).expect("name");
    let fresh = BlobName::parse(&format!("projects/{project}/files/file-fresh")).expect("name");
    for n in [&orphan, &fresh] {
        blobs
            .put(
                n,
                Box::pin(futures::stream::iter(vec![Ok(bytes::Bytes::from_static(
                    b"x",
                ))])),
            )
            .await
            .expect("put");
    }
    let old = std::time::SystemTime::now() - std::time::Duration::from_secs(3 * 24 * 3600);
    std::fs::File::options()
        .write(true)
        .open(app.data_dir.path().join("blobs").join(orphan.as_str()))
        .and_then(|f| f.set_modified(old))
        .expect("backdate blob");
    tokio::time::sleep(std::time::Duration::from_millis(1200)).await;

    let first = app.run_timer("purge-expired").await;
    assert_eq!(first["invitations"], 1, "{first}");
    assert_eq!(first["loginRecords"], 1, "{first}");
    assert_eq!(first["refreshTokens"], 1, "{first}");
    assert_eq!(first["orphanBlobs"], 1, "{first}");
    assert!(blobs.properties(&orphan).await.expect("props").is_none());
    assert!(
        blobs.properties(&fresh).await.expect("props").is_some(),
        "young blobs stay"
    );
    let logins_left = app
        .all_documents("users")
        .into_iter()
        .filter(|d| d.body["kind"] == "login")
        .count();
    assert_eq!(logins_left, 1, "the recent login record stays");
    assert!(
        app.get_auth("/api/me", &token).await.status().is_success(),
        "the account stays"
    );

    let second = app.run_timer("purge-expired").await;
    for (k, v) in second.as_object().expect("report") {
        assert_eq!(v, 0, "second run removed {k}");
    }
}

#[tokio::test]
async fn delivered_mails_are_kept_only_for_the_mail_retention() {
    let app = spawn_app_with(&[("LMS_MAIL_RETENTION_HOURS", "1")]).await;
    let (_owner, token) = app.signed_in("owner@bau.example").await;
    let project = app.create_project(&token).await;
    app.invite(&token, &project, "frueher@x.example", "viewer")
        .await;
    app.invite(&token, &project, "jetzt@x.example", "viewer")
        .await;
    app.run_timer("deliver-notifications").await;
    let mail_dir = app.data_dir.path().join("mail");
    let old = files_containing(&mail_dir, "frueher@x.example");
    assert_eq!(old.len(), 1, "{old:?}");
    let two_hours_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(2 * 3600);
    std::fs::File::options()
        .write(true)
        .open(&old[0])
        .expect("open")
        .set_modified(two_hours_ago)
        .expect("age the mail");

    app.run_timer("purge-expired").await;
    assert!(files_containing(&mail_dir, "frueher@x.example").is_empty());
    assert_eq!(files_containing(&mail_dir, "jetzt@x.example").len(), 1);
}
