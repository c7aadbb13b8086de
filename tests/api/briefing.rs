//! The daily briefing (issue 18, P6): tomorrow's approved deliveries by
//! mail from 16:00 project time, only to members who opted in for the
//! project, in each one's language, once per project and day however often
//! the timer fires; nothing for an empty day; the opt-in in the export
//! (P11) and gone with the membership and the project (P7, P8).
//!
//! The clock is the real one: each test picks a project time zone
//! (`Etc/GMT±N`) in which it is now 18:xx, or 10:xx, local time.

use std::sync::{Arc, Mutex};

use insite_lms::store::Container;
use insite_lms::store::containers::OUTBOX;
use reqwest::Method;
use serde_json::{Value, json};

use testkit::app::{TestApp, spawn_app};
use testkit::bookings::resource;
use testkit::data_folder::files_containing;
use testkit::failing_store::FailingStore;

/// An IANA zone in which the local hour is `hour` right now.
fn zone_at(hour: i8) -> String {
    let utc = jiff::Timestamp::now()
        .to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .hour();
    let mut offset = (hour - utc).rem_euclid(24);
    if offset > 11 {
        offset -= 24;
    }
    // POSIX sign: `Etc/GMT-2` is two hours ahead of UTC.
    match offset {
        0 => "Etc/GMT".to_owned(),
        o if o > 0 => format!("Etc/GMT-{o}"),
        o => format!("Etc/GMT+{}", -o),
    }
}

/// Tomorrow at `hh:mm` in `zone`, as RFC 3339 UTC.
fn tomorrow_at(zone: &str, hh: i8, mm: i8) -> String {
    let tz = jiff::tz::TimeZone::get(zone).expect("zone");
    let tomorrow = jiff::Timestamp::now()
        .to_zoned_datetime(tz.clone())
        .date()
        .tomorrow()
        .expect("date");
    tomorrow
        .at(hh, mm, 0, 0)
        .to_zoned_datetime(tz)
        .expect("local time")
        .timestamp()
        .to_string()
}

async fn project_in(app: &TestApp, token: &str, zone: &str) -> String {
    let resp = app
        .send_auth(
            Method::POST,
            "/api/projects",
            token,
            Some(&json!({"name": "Wohnanlage Seestadt", "timeZone": zone})),
        )
        .await;
    assert_eq!(resp.status(), 201, "project created");
    let body: Value = resp.json().await.expect("json");
    body["id"].as_str().expect("id").to_owned()
}

async fn set_briefing(app: &TestApp, token: &str, project: &str, enabled: bool) {
    let resp = app
        .send_auth(
            Method::PUT,
            &format!("/api/projects/{project}/me/briefing"),
            token,
            Some(&json!({ "enabled": enabled })),
        )
        .await;
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.expect("json");
    assert_eq!(body["enabled"], enabled);
}

async fn crane(app: &TestApp, token: &str, project: &str, name: &str) -> String {
    resource(app, token, project, json!({"kind": "crane", "name": name})).await
}

async fn booking(
    app: &TestApp,
    token: &str,
    project: &str,
    resource: &str,
    (start, end): (String, String),
    company: &str,
) -> Value {
    let resp = app
        .send_auth(
            Method::POST,
            &format!("/api/projects/{project}/bookings"),
            token,
            Some(
                &json!({"resourceIds": [resource], "start": start, "end": end,
                         "company": company, "material": "Transportbeton C25/30"}),
            ),
        )
        .await;
    assert_eq!(resp.status(), 201, "booked");
    resp.json().await.expect("json")
}

/// The delivered mails to `to` that contain `text`.
fn mails(app: &TestApp, to: &str, text: &str) -> usize {
    let with_text = files_containing(app.data_dir.path(), text);
    files_containing(app.data_dir.path(), to)
        .into_iter()
        .filter(|f| f.ends_with(".eml") && with_text.contains(f))
        .count()
}

fn markers(app: &TestApp) -> usize {
    app.all_documents("projects")
        .iter()
        .filter(|d| d.body["kind"] == "briefingSent")
        .count()
}

#[tokio::test]
async fn the_briefing_goes_once_to_opted_in_members_in_their_language() {
    let app = spawn_app().await;
    let (_owner, owner) = app.signed_in("owner@bau.example").await;
    let zone = zone_at(18);
    let project = project_in(&app, &owner, &zone).await;
    let crane = crane(&app, &owner, &project, "Turmdrehkran Nord").await;
    let (_a, de) = app
        .join_as(&owner, &project, "polier@bau.example", "member")
        .await;
    let (_b, en) = app
        .join_as(&owner, &project, "foreman@bau.example", "member")
        .await;
    let (_c, _silent) = app
        .join_as(&owner, &project, "silent@bau.example", "member")
        .await;
    let (_d, later) = app
        .join_as(&owner, &project, "later@bau.example", "member")
        .await;
    assert_eq!(
        app.get_json(&format!("/api/projects/{project}/me/briefing"), &de)
            .await,
        json!({"enabled": false}),
        "nobody is opted in by default"
    );
    let before = app.audit_count();
    set_briefing(&app, &de, &project, true).await;
    assert_eq!(app.audit_count(), before + 1, "P10: the change is audited");
    set_briefing(&app, &de, &project, true).await;
    assert_eq!(app.audit_count(), before + 1, "P10: no change, no entry");
    set_briefing(&app, &en, &project, true).await;
    set_briefing(&app, &later, &project, true).await;
    let resp = app
        .send_auth(
            Method::PATCH,
            "/api/me",
            &en,
            Some(&json!({"language": "en"})),
        )
        .await;
    assert_eq!(resp.status(), 200);
    assert_eq!(
        app.get_json(&format!("/api/projects/{project}/me/briefing"), &de)
            .await,
        json!({"enabled": true})
    );

    // Approved (the owner books without approval), pending, and the day
    // after tomorrow: only the first is in the briefing.
    let approved = booking(
        &app,
        &owner,
        &project,
        &crane,
        (tomorrow_at(&zone, 7, 30), tomorrow_at(&zone, 8, 15)),
        "Beton Huber GmbH",
    )
    .await;
    assert_eq!(approved["status"], "approved");
    let pending = booking(
        &app,
        &de,
        &project,
        &crane,
        (tomorrow_at(&zone, 10, 0), tomorrow_at(&zone, 11, 0)),
        "Kies Maier KG",
    )
    .await;
    assert_eq!(pending["status"], "requested");
    // Other mails (the booking's own) out of the way first.
    app.run_timer("deliver-notifications").await;

    // Two firings at once (a retry, a second instance): one briefing.
    let (first, second) = tokio::join!(
        app.run_timer("send-briefings"),
        app.run_timer("send-briefings")
    );
    let sum = |k: &str| first[k].as_u64().unwrap_or(0) + second[k].as_u64().unwrap_or(0);
    assert_eq!(sum("projects"), 1, "{first} {second}");
    assert_eq!(sum("mails"), 3, "{first} {second}");
    assert_eq!(sum("alreadySent"), 1, "{first} {second}");
    // And once more, later: nothing more.
    let again = app.run_timer("send-briefings").await;
    assert_eq!(again["mails"], 0, "{again}");
    assert_eq!(again["alreadySent"], 1, "{again}");
    assert_eq!(markers(&app), 1);

    // Opted out after queuing: checked again at send time.
    set_briefing(&app, &later, &project, false).await;
    let delivered = app.run_timer("deliver-notifications").await;
    assert_eq!(delivered["sent"], 2, "{delivered}");
    assert_eq!(delivered["dropped"], 1, "{delivered}");
    let third = app.run_timer("send-briefings").await;
    assert_eq!(third["mails"], 0, "{third}");
    assert_eq!(app.run_timer("deliver-notifications").await["sent"], 0);

    assert_eq!(mails(&app, "polier@bau.example", "Lieferungen morgen"), 1);
    assert_eq!(mails(&app, "polier@bau.example", "Turmdrehkran Nord"), 1);
    // The delivery's span, not just "07:30": a mail's Date header can hold
    // that too, when the test runs at half past seven.
    assert_eq!(mails(&app, "polier@bau.example", "07:30–08:15"), 1);
    assert_eq!(mails(&app, "polier@bau.example", "Beton Huber GmbH"), 1);
    assert_eq!(
        mails(&app, "polier@bau.example", "Transportbeton C25/30"),
        1
    );
    assert_eq!(mails(&app, "polier@bau.example", "Kies Maier KG"), 0);
    assert_eq!(
        mails(&app, "foreman@bau.example", "Tomorrow's deliveries"),
        1
    );
    assert_eq!(mails(&app, "foreman@bau.example", "Lieferungen morgen"), 0);
    assert_eq!(mails(&app, "foreman@bau.example", "Beton Huber GmbH"), 1);
    assert_eq!(mails(&app, "silent@bau.example", "Turmdrehkran Nord"), 0);
    assert_eq!(mails(&app, "later@bau.example", "Turmdrehkran Nord"), 0);
    assert_eq!(mails(&app, "owner@bau.example", "Turmdrehkran"), 0);
}

#[tokio::test]
async fn no_briefing_before_16_00_nor_for_a_day_without_approved_deliveries() {
    let app = spawn_app().await;
    let (_owner, owner) = app.signed_in("owner@bau.example").await;

    let morning = zone_at(10);
    let early = project_in(&app, &owner, &morning).await;
    let crane = crane(&app, &owner, &early, "Kran").await;
    booking(
        &app,
        &owner,
        &early,
        &crane,
        (tomorrow_at(&morning, 7, 0), tomorrow_at(&morning, 8, 0)),
        "Beton Huber GmbH",
    )
    .await;
    set_briefing(&app, &owner, &early, true).await;

    let evening = zone_at(18);
    let empty = project_in(&app, &owner, &evening).await;
    let zone = resource(&app, &owner, &empty, json!({"kind": "gate", "name": "Tor"})).await;
    set_briefing(&app, &owner, &empty, true).await;
    // Only a cancelled delivery tomorrow.
    let b = booking(
        &app,
        &owner,
        &empty,
        &zone,
        (tomorrow_at(&evening, 7, 0), tomorrow_at(&evening, 8, 0)),
        "Beton Huber GmbH",
    )
    .await;
    let id = b["id"].as_str().expect("id");
    let resp = app
        .send_auth(
            Method::POST,
            &format!("/api/projects/{empty}/bookings/{id}/cancel"),
            &owner,
            Some(&json!({"reason": "abgesagt"})),
        )
        .await;
    assert_eq!(resp.status(), 200);

    let report = app.run_timer("send-briefings").await;
    assert_eq!(
        report,
        json!({"projects": 0, "mails": 0, "alreadySent": 0, "failed": 0})
    );
    assert_eq!(markers(&app), 0, "an empty or early day claims nothing");
    assert!(app.all_documents("outbox").is_empty());
}

#[tokio::test]
async fn the_opt_in_is_exported_and_ends_with_the_membership_and_the_project() {
    let app = spawn_app().await;
    let (_owner, owner) = app.signed_in("owner@bau.example").await;
    let project = app.create_project(&owner).await;
    let (member_id, member) = app
        .join_as(&owner, &project, "polier@bau.example", "member")
        .await;
    set_briefing(&app, &member, &project, true).await;

    let export = app.get_json("/api/me/export", &member).await;
    let entry = export["projects"]
        .as_array()
        .and_then(|ps| ps.iter().find(|p| p["projectId"] == project.as_str()))
        .expect("project exported");
    assert_eq!(entry["briefingOptIn"], true, "{export}");

    let opted_in = |app: &TestApp| {
        app.all_documents("projects")
            .iter()
            .filter(|d| d.body["briefing"] == true)
            .count()
    };
    assert_eq!(opted_in(&app), 1);
    let resp = app
        .send_auth(
            Method::DELETE,
            &format!("/api/projects/{project}/members/{member_id}"),
            &owner,
            None,
        )
        .await;
    assert_eq!(resp.status(), 204);
    assert_eq!(opted_in(&app), 0, "removal ends the opt-in");

    // Erasing the account (P8) ends the opt-in with the membership.
    let (_erased, member) = app
        .join_as(&owner, &project, "polier2@bau.example", "member")
        .await;
    set_briefing(&app, &member, &project, true).await;
    assert_eq!(opted_in(&app), 1);
    let resp = app
        .send_auth(
            Method::DELETE,
            "/api/me",
            &member,
            Some(&json!({"password": testkit::app::PASSWORD})),
        )
        .await;
    assert_eq!(resp.status(), 204);
    assert_eq!(opted_in(&app), 0, "erasure ends the opt-in");

    // Another member and the owner opt in; the project's deletion ends both.
    let (_other, member) = app
        .join_as(&owner, &project, "polier3@bau.example", "member")
        .await;
    set_briefing(&app, &member, &project, true).await;
    set_briefing(&app, &owner, &project, true).await;
    assert_eq!(opted_in(&app), 2);
    let resp = app
        .send_auth(
            Method::DELETE,
            &format!("/api/projects/{project}"),
            &owner,
            None,
        )
        .await;
    assert_eq!(resp.status(), 204);
    assert_eq!(opted_in(&app), 0, "the project takes its opt-ins along");
    let gone = app
        .get_auth(&format!("/api/projects/{project}/me/briefing"), &owner)
        .await;
    assert_eq!(gone.status(), 404);
}

/// The marker's create-if-absent on the Cosmos DB adapter (the SDK's
/// in-process emulator), as in production: two firings, one briefing.
#[tokio::test]
async fn on_cosmos_two_firings_send_one_briefing() {
    use testkit::cosmos_emulator::{DATABASE, Emulator};

    let emulator = Emulator::new(false);
    let client = emulator
        .client(azure_data_cosmos::CosmosClient::builder())
        .await;
    let cosmos = insite_lms::store::azure::CosmosDocumentStore::open(&client, DATABASE, true)
        .await
        .expect("cosmos store");
    let app = testkit::app::spawn_app_on(&[], move |stores| insite_lms::store::Stores {
        documents: Arc::new(cosmos),
        blobs: stores.blobs,
    })
    .await;
    let (_owner, owner) = app.signed_in("owner@bau.example").await;
    let zone = zone_at(18);
    let project = project_in(&app, &owner, &zone).await;
    let crane = crane(&app, &owner, &project, "Turmdrehkran Süd").await;
    booking(
        &app,
        &owner,
        &project,
        &crane,
        (tomorrow_at(&zone, 9, 0), tomorrow_at(&zone, 10, 0)),
        "Beton Huber GmbH",
    )
    .await;
    set_briefing(&app, &owner, &project, true).await;
    app.run_timer("deliver-notifications").await;

    let (first, second) = tokio::join!(
        app.run_timer("send-briefings"),
        app.run_timer("send-briefings")
    );
    let sum = |k: &str| first[k].as_u64().unwrap_or(0) + second[k].as_u64().unwrap_or(0);
    assert_eq!(sum("mails"), 1, "{first} {second}");
    assert_eq!(sum("alreadySent"), 1, "{first} {second}");
    let delivered = app.run_timer("deliver-notifications").await;
    assert_eq!(delivered["sent"], 1, "{delivered}");
    assert_eq!(app.run_timer("send-briefings").await["mails"], 0);
    assert_eq!(mails(&app, "owner@bau.example", "Lieferungen morgen"), 1);
    drop(emulator);
}

/// Which project's briefing mails fail to queue while `on`: the first
/// project the timer tries, so that the others come after the failure.
#[derive(Default)]
struct Sabotage {
    on: bool,
    projects: Vec<String>,
    victim: Option<String>,
}

impl Sabotage {
    fn refuses(&mut self, c: Container, id: &str) -> bool {
        if c != OUTBOX || !id.starts_with("mail-briefing-") || !self.on {
            return false;
        }
        if self.victim.is_none() {
            self.victim = self.projects.iter().find(|p| id.contains(*p)).cloned();
        }
        self.victim.as_ref().is_some_and(|v| id.contains(v))
    }
}

#[tokio::test]
async fn one_project_failing_does_not_cost_the_others_their_briefing() {
    let plan = Arc::new(Mutex::new(Sabotage::default()));
    let switch = plan.clone();
    let app = testkit::app::spawn_app_on(&[], move |stores| insite_lms::store::Stores {
        documents: Arc::new(FailingStore::new(stores.documents, move |c, doc| {
            switch.lock().expect("plan").refuses(c, &doc.id)
        })),
        blobs: stores.blobs,
    })
    .await;
    let (_owner, owner) = app.signed_in("owner@bau.example").await;
    let zone = zone_at(18);
    let mut projects = Vec::new();
    for name in ["Kran Nord", "Kran Süd"] {
        let project = project_in(&app, &owner, &zone).await;
        let crane = crane(&app, &owner, &project, name).await;
        booking(
            &app,
            &owner,
            &project,
            &crane,
            (tomorrow_at(&zone, 9, 0), tomorrow_at(&zone, 10, 0)),
            "Beton Huber GmbH",
        )
        .await;
        set_briefing(&app, &owner, &project, true).await;
        projects.push(project);
    }
    app.run_timer("deliver-notifications").await;
    {
        let mut p = plan.lock().expect("plan");
        p.projects = projects;
        p.on = true;
    }

    let report = app.run_timer("send-briefings").await;
    assert_eq!(report["failed"], 1, "{report}");
    assert_eq!(
        report["projects"], 1,
        "the other project is briefed: {report}"
    );
    assert_eq!(markers(&app), 1, "the failed project's day is not claimed");

    plan.lock().expect("plan").on = false;
    let again = app.run_timer("send-briefings").await;
    assert_eq!(again["projects"], 1, "the failed one next time: {again}");
    assert_eq!(again["alreadySent"], 1, "{again}");
    assert_eq!(again["failed"], 0, "{again}");
    app.run_timer("deliver-notifications").await;
    assert_eq!(mails(&app, "owner@bau.example", "Kran Nord"), 1);
    assert_eq!(mails(&app, "owner@bau.example", "Kran Süd"), 1);
}
