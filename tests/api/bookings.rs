//! Site resources and delivery-slot bookings: no double booking (buffers,
//! capacity, several resources at once), the workflow with one audit entry
//! per change (P10), opt-in notifications (P6), DST-correct opening hours,
//! recurring series, the iCalendar feed, availability and utilization.

use reqwest::Method;
use serde_json::{Value, json};

use testkit::app::{TestApp, assert_problem, spawn_app};
use testkit::bookings::{book, resource};

async fn booked(app: &TestApp, token: &str, project: &str, r: &[&str], s: &str, e: &str) -> Value {
    let resp = book(app, token, project, r, s, e).await;
    assert_eq!(resp.status(), 201, "booking {s}–{e} accepted");
    resp.json().await.expect("json")
}

async fn step(
    app: &TestApp,
    token: &str,
    project: &str,
    booking: &str,
    verb: &str,
    body: Option<Value>,
) -> reqwest::Response {
    app.send_auth(
        Method::POST,
        &format!("/api/projects/{project}/bookings/{booking}/{verb}"),
        token,
        body.as_ref(),
    )
    .await
}

async fn status_mails(app: &TestApp, user: &str) -> usize {
    app.all_documents("outbox")
        .into_iter()
        .filter(|d| d.body["template"] == "booking-status" && d.body["recipientUserId"] == user)
        .count()
}

struct Site {
    app: TestApp,
    owner: String,
    project: String,
}

async fn site() -> Site {
    let app = spawn_app().await;
    let (_u, owner) = app.signed_in("owner@bau.example").await;
    let project = app.create_project(&owner).await;
    Site {
        app,
        owner,
        project,
    }
}

#[tokio::test]
async fn p10_resources_are_managed_by_managers_with_one_audit_entry_each() {
    let Site {
        app,
        owner,
        project,
    } = site().await;
    let before = app.audit_count();
    let zone = resource(
        &app,
        &owner,
        &project,
        json!({"kind": "unloadingZone", "name": "Abladezone Nord", "bufferMinutes": 10,
               "openingHours": {"monday": [{"from": "07:00", "to": "12:00"}, {"from": "13:00", "to": "17:00"}]},
               "closedDates": ["2027-12-24"]}),
    )
    .await;
    assert_eq!(app.audit_count(), before + 1, "P10: create");
    let path = format!("/api/projects/{project}/resources/{zone}");
    let got: Value = app.get_json(&path, &owner).await;
    assert_eq!(got["capacity"], 1);
    assert_eq!(got["openingHours"]["monday"][1]["from"], "13:00");
    assert_eq!(got["closedDates"][0], "2027-12-24");
    let resp = app
        .send_auth(
            Method::PATCH,
            &path,
            &owner,
            Some(&json!({"capacity": 2, "openingHours": null})),
        )
        .await;
    assert_eq!(resp.status(), 200);
    let got: Value = resp.json().await.expect("json");
    assert_eq!(got["capacity"], 2);
    assert!(got["openingHours"].is_null(), "null = always open");
    assert_eq!(app.audit_count(), before + 2, "P10: update");

    for bad in [
        json!({"kind": "spaceship", "name": "x"}),
        json!({"kind": "crane", "name": ""}),
        json!({"kind": "crane", "name": "Kran 1", "capacity": 0}),
        json!({"kind": "crane", "name": "Kran 1", "openingHours": {"monday": [{"from": "12:00", "to": "08:00"}]}}),
        json!({"kind": "crane", "name": "Kran 1", "openingHours": {"monday": [{"from": "7:00", "to": "08:00"}]}}),
        json!({"kind": "crane", "name": "Kran 1", "minBookingMinutes": 90, "maxBookingMinutes": 60}),
    ] {
        let resp = app
            .send_auth(
                Method::POST,
                &format!("/api/projects/{project}/resources"),
                &owner,
                Some(&bad),
            )
            .await;
        assert_problem(resp, 422).await;
    }
    let (_m, member) = app
        .join_as(&owner, &project, "sub@elektro.example", "member")
        .await;
    let resp = app
        .send_auth(
            Method::POST,
            &format!("/api/projects/{project}/resources"),
            &member,
            Some(&json!({"kind": "crane", "name": "Kran 1"})),
        )
        .await;
    assert_problem(resp, 403).await;
    let list: Value = app
        .get_json(&format!("/api/projects/{project}/resources"), &member)
        .await;
    assert_eq!(list["items"].as_array().expect("items").len(), 1);

    let before = app.audit_count();
    booked(
        &app,
        &owner,
        &project,
        &[&zone],
        "2027-01-04T08:00:00Z",
        "2027-01-04T09:00:00Z",
    )
    .await;
    let resp = app.send_auth(Method::DELETE, &path, &owner, None).await;
    assert_problem(resp, 409).await;
    assert_eq!(app.audit_count(), before + 1, "only the booking");
}

#[tokio::test]
async fn overlapping_bookings_conflict_with_their_time_ranges_and_adjacent_ones_do_not() {
    let Site {
        app,
        owner,
        project,
    } = site().await;
    let zone = resource(
        &app,
        &owner,
        &project,
        json!({"kind": "unloadingZone", "name": "Zone A"}),
    )
    .await;
    let first = booked(
        &app,
        &owner,
        &project,
        &[&zone],
        "2027-01-04T08:00:00Z",
        "2027-01-04T09:00:00Z",
    )
    .await;
    assert_eq!(
        first["status"], "approved",
        "a manager's booking is approved"
    );
    let before = app.audit_count();
    let resp = book(
        &app,
        &owner,
        &project,
        &[&zone],
        "2027-01-04T08:30:00+01:00",
        "2027-01-04T10:30:00+01:00",
    )
    .await;
    let problem = assert_problem(resp, 409).await;
    let conflicts = problem["extensions"]["conflicts"]
        .as_array()
        .expect("conflicts");
    assert_eq!(conflicts.len(), 1);
    assert_eq!(conflicts[0]["bookingId"], first["id"]);
    assert_eq!(conflicts[0]["start"], "2027-01-04T08:00:00.000Z");
    assert_eq!(conflicts[0]["end"], "2027-01-04T09:00:00.000Z");
    assert_eq!(app.audit_count(), before, "P10: nothing written");
    // Adjacent: end = start, no buffer.
    booked(
        &app,
        &owner,
        &project,
        &[&zone],
        "2027-01-04T09:00:00Z",
        "2027-01-04T10:00:00Z",
    )
    .await;
    booked(
        &app,
        &owner,
        &project,
        &[&zone],
        "2027-01-04T07:00:00Z",
        "2027-01-04T08:00:00Z",
    )
    .await;

    // A buffer makes adjacent slots conflict.
    let buffered = resource(
        &app,
        &owner,
        &project,
        json!({"kind": "crane", "name": "Kran 1", "bufferMinutes": 15}),
    )
    .await;
    booked(
        &app,
        &owner,
        &project,
        &[&buffered],
        "2027-01-04T08:00:00Z",
        "2027-01-04T09:00:00Z",
    )
    .await;
    for (s, e) in [
        ("2027-01-04T09:00:00Z", "2027-01-04T10:00:00Z"),
        ("2027-01-04T07:00:00Z", "2027-01-04T08:00:00Z"),
        ("2027-01-04T09:14:00Z", "2027-01-04T10:00:00Z"),
    ] {
        assert_problem(book(&app, &owner, &project, &[&buffered], s, e).await, 409).await;
    }
    booked(
        &app,
        &owner,
        &project,
        &[&buffered],
        "2027-01-04T09:15:00Z",
        "2027-01-04T10:00:00Z",
    )
    .await;
    booked(
        &app,
        &owner,
        &project,
        &[&buffered],
        "2027-01-04T06:00:00Z",
        "2027-01-04T07:45:00Z",
    )
    .await;
}

#[tokio::test]
async fn a_two_resource_booking_that_conflicts_on_one_books_neither() {
    let Site {
        app,
        owner,
        project,
    } = site().await;
    let zone = resource(
        &app,
        &owner,
        &project,
        json!({"kind": "unloadingZone", "name": "Zone A"}),
    )
    .await;
    let crane = resource(
        &app,
        &owner,
        &project,
        json!({"kind": "crane", "name": "Kran 1"}),
    )
    .await;
    booked(
        &app,
        &owner,
        &project,
        &[&crane],
        "2027-01-04T08:00:00Z",
        "2027-01-04T09:00:00Z",
    )
    .await;
    let before = app.audit_count();
    let resp = book(
        &app,
        &owner,
        &project,
        &[&zone, &crane],
        "2027-01-04T08:30:00Z",
        "2027-01-04T09:30:00Z",
    )
    .await;
    let problem = assert_problem(resp, 409).await;
    assert_eq!(
        problem["extensions"]["conflicts"][0]["resourceId"],
        crane.as_str()
    );
    assert_eq!(app.audit_count(), before);
    // The zone is still free at that time: nothing was booked on it.
    let list: Value = app
        .get_json(
            &format!("/api/projects/{project}/bookings?resourceId={zone}"),
            &owner,
        )
        .await;
    assert!(list["items"].as_array().expect("items").is_empty());
    booked(
        &app,
        &owner,
        &project,
        &[&zone],
        "2027-01-04T08:30:00Z",
        "2027-01-04T09:30:00Z",
    )
    .await;
    // Both free: booked together.
    let both = booked(
        &app,
        &owner,
        &project,
        &[&zone, &crane],
        "2027-01-04T10:00:00Z",
        "2027-01-04T11:00:00Z",
    )
    .await;
    assert_eq!(both["resourceIds"].as_array().expect("ids").len(), 2);
}

#[tokio::test]
async fn capacity_allows_that_many_overlapping_bookings() {
    let Site {
        app,
        owner,
        project,
    } = site().await;
    let yard = resource(
        &app,
        &owner,
        &project,
        json!({"kind": "storageArea", "name": "Lager", "capacity": 2, "bufferMinutes": 5}),
    )
    .await;
    booked(
        &app,
        &owner,
        &project,
        &[&yard],
        "2027-01-04T08:00:00Z",
        "2027-01-04T10:00:00Z",
    )
    .await;
    booked(
        &app,
        &owner,
        &project,
        &[&yard],
        "2027-01-04T09:00:00Z",
        "2027-01-04T11:00:00Z",
    )
    .await;
    assert_problem(
        book(
            &app,
            &owner,
            &project,
            &[&yard],
            "2027-01-04T09:30:00Z",
            "2027-01-04T09:45:00Z",
        )
        .await,
        409,
    )
    .await;
    // 10:00-10:05 is the first booking's buffer: still two.
    assert_problem(
        book(
            &app,
            &owner,
            &project,
            &[&yard],
            "2027-01-04T07:00:00Z",
            "2027-01-04T09:00:00Z",
        )
        .await,
        409,
    )
    .await;
    booked(
        &app,
        &owner,
        &project,
        &[&yard],
        "2027-01-04T10:05:00Z",
        "2027-01-04T12:00:00Z",
    )
    .await;
    booked(
        &app,
        &owner,
        &project,
        &[&yard],
        "2027-01-04T06:00:00Z",
        "2027-01-04T08:55:00Z",
    )
    .await;
}

#[tokio::test]
async fn p10_p6_the_workflow_audits_every_step_and_notifies_only_opted_in_requesters() {
    let Site {
        app,
        owner,
        project,
    } = site().await;
    let gate = resource(
        &app,
        &owner,
        &project,
        json!({"kind": "gate", "name": "Tor 1"}),
    )
    .await;
    let (quiet_id, quiet) = app
        .join_as(&owner, &project, "quiet@sub.example", "member")
        .await;
    let (loud_id, loud) = app
        .join_as(&owner, &project, "loud@sub.example", "member")
        .await;
    let resp = app
        .send_auth(
            Method::PATCH,
            "/api/me",
            &loud,
            Some(&json!({"emailNotifications": true})),
        )
        .await;
    assert_eq!(resp.status(), 200);
    let a = booked(
        &app,
        &quiet,
        &project,
        &[&gate],
        "2027-01-04T08:00:00Z",
        "2027-01-04T09:00:00Z",
    )
    .await;
    let b = booked(
        &app,
        &loud,
        &project,
        &[&gate],
        "2027-01-04T10:00:00Z",
        "2027-01-04T11:00:00Z",
    )
    .await;
    assert_eq!(
        a["status"], "requested",
        "members' bookings wait for approval"
    );
    assert_eq!(a["requesterId"], quiet_id.as_str());
    let (a, b) = (
        a["id"].as_str().expect("id").to_owned(),
        b["id"].as_str().expect("id").to_owned(),
    );

    // Members may not approve; illegal steps are 409; reasons are required.
    assert_problem(step(&app, &loud, &project, &b, "approve", None).await, 403).await;
    assert_problem(
        step(&app, &owner, &project, &b, "check-in", None).await,
        409,
    )
    .await;
    assert_problem(
        step(&app, &owner, &project, &b, "decline", Some(json!({}))).await,
        422,
    )
    .await;

    let mut audits = app.audit_count();
    for (who, id, verb, body, status) in [
        (&owner, &a, "approve", None, "approved"),
        (&owner, &b, "approve", None, "approved"),
        (
            &owner,
            &a,
            "check-in",
            Some(json!({"at": "2026-01-04T08:20:00Z"})),
            "checkedIn",
        ),
        (&owner, &a, "check-out", None, "checkedOut"),
        (
            &loud,
            &b,
            "cancel",
            Some(json!({"reason": "Lieferant krank"})),
            "cancelled",
        ),
    ] {
        let resp = step(&app, who, &project, id, verb, body).await;
        assert_eq!(resp.status(), 200, "{verb}");
        let v: Value = resp.json().await.expect("json");
        assert_eq!(v["status"], status);
        audits += 1;
        assert_eq!(app.audit_count(), audits, "P10: one entry for {verb}");
    }
    assert_problem(step(&app, &owner, &project, &b, "approve", None).await, 409).await;
    let got: Value = app
        .get_json(&format!("/api/projects/{project}/bookings/{b}"), &owner)
        .await;
    assert_eq!(got["reason"], "Lieferant krank");

    // P6: the quiet requester had status changes but opted out.
    assert_eq!(
        status_mails(&app, &quiet_id).await,
        0,
        "P6: nothing for the non-opted-in"
    );
    // The loud one: approved by the manager (one mail); cancelled by herself (none).
    assert_eq!(
        status_mails(&app, &loud_id).await,
        1,
        "P6: exactly one mail"
    );

    // A member cannot cancel someone else's booking.
    let c = booked(
        &app,
        &quiet,
        &project,
        &[&gate],
        "2027-01-05T08:00:00Z",
        "2027-01-05T09:00:00Z",
    )
    .await;
    let c = c["id"].as_str().expect("id").to_owned();
    assert_problem(
        step(
            &app,
            &loud,
            &project,
            &c,
            "cancel",
            Some(json!({"reason": "x"})),
        )
        .await,
        403,
    )
    .await;
    // Turn-away at the gate, with a reason; frees the slot.
    let resp = step(
        &app,
        &owner,
        &project,
        &c,
        "turn-away",
        Some(json!({"reason": "Keine Lieferpapiere"})),
    )
    .await;
    assert_eq!(resp.status(), 200);
    booked(
        &app,
        &owner,
        &project,
        &[&gate],
        "2027-01-05T08:00:00Z",
        "2027-01-05T09:00:00Z",
    )
    .await;
}

#[tokio::test]
async fn auto_approval_cutoff_and_reschedule_follow_the_project_settings() {
    let Site {
        app,
        owner,
        project,
    } = site().await;
    let zone = resource(
        &app,
        &owner,
        &project,
        json!({"kind": "unloadingZone", "name": "Zone A"}),
    )
    .await;
    let (_id, member) = app
        .join_as(&owner, &project, "sub@elektro.example", "member")
        .await;
    let resp = app
        .send_auth(
            Method::PATCH,
            &format!("/api/projects/{project}"),
            &owner,
            Some(&json!({"settings": {"bookingApprovalRequired": false, "bookingCutoffHours": 48, "noShowGraceMinutes": 30}})),
        )
        .await;
    assert_eq!(resp.status(), 200);
    let b = booked(
        &app,
        &member,
        &project,
        &[&zone],
        "2027-01-04T08:00:00Z",
        "2027-01-04T09:00:00Z",
    )
    .await;
    assert_eq!(b["status"], "approved", "the project auto-approves");
    let id = b["id"].as_str().expect("id").to_owned();

    // Cut-off: members can't book sooner than 48 h ahead; managers can.
    let soon = jiff::Timestamp::now().as_second() / 60 * 60 + 3600;
    let s = jiff::Timestamp::from_second(soon).expect("ts").to_string();
    let e = jiff::Timestamp::from_second(soon + 1800)
        .expect("ts")
        .to_string();
    let problem = assert_problem(book(&app, &member, &project, &[&zone], &s, &e).await, 422).await;
    assert_eq!(problem["errors"][0]["field"], "start");
    booked(&app, &owner, &project, &[&zone], &s, &e).await;

    // Rescheduling: conflicts are 409, a member's move is approved again
    // only because the project auto-approves; a manager's stays approved.
    booked(
        &app,
        &owner,
        &project,
        &[&zone],
        "2027-01-04T10:00:00Z",
        "2027-01-04T11:00:00Z",
    )
    .await;
    let path = format!("/api/projects/{project}/bookings/{id}");
    let resp = app
        .send_auth(
            Method::PATCH,
            &path,
            &member,
            Some(&json!({"start": "2027-01-04T10:30:00Z", "end": "2027-01-04T11:30:00Z"})),
        )
        .await;
    assert_problem(resp, 409).await;
    let before = app.audit_count();
    let resp = app
        .send_auth(Method::PATCH, &path, &member, Some(&json!({"start": "2027-01-04T08:30:00Z", "end": "2027-01-04T09:30:00Z", "notes": "Zufahrt über Tor 2"})))
        .await;
    assert_eq!(resp.status(), 200);
    let v: Value = resp.json().await.expect("json");
    assert_eq!(v["start"], "2027-01-04T08:30:00.000Z");
    assert_eq!(v["notes"], "Zufahrt über Tor 2");
    assert_eq!(app.audit_count(), before + 1, "P10");
    // The old time is free again.
    booked(
        &app,
        &owner,
        &project,
        &[&zone],
        "2027-01-04T07:30:00Z",
        "2027-01-04T08:30:00Z",
    )
    .await;

    // With approval required, a member's reschedule goes back to requested.
    let resp = app
        .send_auth(
            Method::PATCH,
            &format!("/api/projects/{project}"),
            &owner,
            Some(&json!({"settings": {"bookingApprovalRequired": true, "bookingCutoffHours": 0, "noShowGraceMinutes": 30}})),
        )
        .await;
    assert_eq!(resp.status(), 200);
    let resp = app
        .send_auth(
            Method::PATCH,
            &path,
            &member,
            Some(&json!({"start": "2027-01-04T12:00:00Z", "end": "2027-01-04T13:00:00Z"})),
        )
        .await;
    let v: Value = resp.json().await.expect("json");
    assert_eq!(v["status"], "requested");
    let resp = app
        .send_auth(
            Method::PATCH,
            &path,
            &owner,
            Some(&json!({"start": "2027-01-04T12:30:00Z", "end": "2027-01-04T13:30:00Z"})),
        )
        .await;
    let v: Value = resp.json().await.expect("json");
    assert_eq!(
        v["status"], "approved",
        "a manager's reschedule is approved"
    );
}

/// Opening hours are local to the project (Europe/Vienna): 01:00–05:00 on
/// Sundays is 5 real hours on the night the clocks go back and 3 on the
/// night they go forward.
#[tokio::test]
async fn dst_opening_hours_hold_on_the_vienna_clock_change_nights() {
    let Site {
        app,
        owner,
        project,
    } = site().await;
    let hoist = resource(
        &app,
        &owner,
        &project,
        json!({"kind": "hoist", "name": "Bauaufzug", "openingHours": {"sunday": [{"from": "01:00", "to": "05:00"}]}}),
    )
    .await;
    // 2027-10-31: 01:00 CEST = 23:00Z, 05:00 CET = 04:00Z.
    booked(
        &app,
        &owner,
        &project,
        &[&hoist],
        "2027-10-30T23:00:00Z",
        "2027-10-31T04:00:00Z",
    )
    .await;
    // A normal Sunday: only 4 hours (00:00Z to 04:00Z in winter).
    assert_problem(
        book(
            &app,
            &owner,
            &project,
            &[&hoist],
            "2027-11-07T00:00:00Z",
            "2027-11-07T04:30:00Z",
        )
        .await,
        422,
    )
    .await;
    booked(
        &app,
        &owner,
        &project,
        &[&hoist],
        "2027-11-07T00:00:00Z",
        "2027-11-07T04:00:00Z",
    )
    .await;
    // 2027-03-28: 01:00 CET = 00:00Z, 05:00 CEST = 03:00Z.
    assert_problem(
        book(
            &app,
            &owner,
            &project,
            &[&hoist],
            "2027-03-28T00:00:00Z",
            "2027-03-28T03:30:00Z",
        )
        .await,
        422,
    )
    .await;
    assert_problem(
        book(
            &app,
            &owner,
            &project,
            &[&hoist],
            "2027-03-27T23:30:00Z",
            "2027-03-28T01:00:00Z",
        )
        .await,
        422,
    )
    .await;
    // Local 02:30 does not exist that night: 01:30 CET to 03:30 CEST is one real hour.
    booked(
        &app,
        &owner,
        &project,
        &[&hoist],
        "2027-03-28T01:30:00+01:00",
        "2027-03-28T03:30:00+02:00",
    )
    .await;
    let avail: Value = app.get_json(
            &format!("/api/projects/{project}/availability?resourceIds={hoist}&from=2027-03-27T12:00:00Z&to=2027-03-28T12:00:00Z&duration=PT30M"),
            &owner,
        ).await;
    assert_eq!(
        avail["windows"],
        json!([
            {"start": "2027-03-28T00:00:00.000Z", "end": "2027-03-28T00:30:00.000Z"},
            {"start": "2027-03-28T01:30:00.000Z", "end": "2027-03-28T03:00:00.000Z"}
        ])
    );
}

#[tokio::test]
async fn booking_requests_are_validated_precisely() {
    let Site {
        app,
        owner,
        project,
    } = site().await;
    let zone = resource(&app, &owner, &project, json!({"kind": "unloadingZone", "name": "Zone A", "minBookingMinutes": 30, "maxBookingMinutes": 120, "closedDates": ["2027-01-06"]})).await;
    for (r, s, e, field) in [
        (
            vec![zone.as_str()],
            "2027-01-04T09:00:00Z",
            "2027-01-04T08:00:00Z",
            "end",
        ),
        (
            vec![zone.as_str()],
            "2027-01-04T09:00:00Z",
            "2027-01-04T09:15:00Z",
            "end",
        ),
        (
            vec![zone.as_str()],
            "2027-01-04T09:00:00Z",
            "2027-01-04T12:00:00Z",
            "end",
        ),
        (
            vec![zone.as_str()],
            "2027-01-06T09:00:00Z",
            "2027-01-06T10:00:00Z",
            "start",
        ),
        (
            vec![zone.as_str()],
            "gestern",
            "2027-01-04T10:00:00Z",
            "end",
        ),
        (
            vec![],
            "2027-01-04T09:00:00Z",
            "2027-01-04T10:00:00Z",
            "resourceIds",
        ),
        (
            vec!["0190c8a4-0000-7000-8000-000000000000"],
            "2027-01-04T09:00:00Z",
            "2027-01-04T10:00:00Z",
            "resourceIds",
        ),
    ] {
        let problem = assert_problem(book(&app, &owner, &project, &r, s, e).await, 422).await;
        assert_eq!(problem["errors"][0]["field"], field, "{s} {e} {r:?}");
    }
    for (query, field) in [
        (
            "from=2027-01-04T00:00:00Z&to=2027-01-05T00:00:00Z&duration=bald",
            "duration",
        ),
        (
            "from=2027-01-04T00:00:00Z&to=2027-01-05T00:00:00Z&duration=PT0M",
            "duration",
        ),
        (
            "from=2027-01-05T00:00:00Z&to=2027-01-04T00:00:00Z&duration=PT45M",
            "to",
        ),
        ("to=2027-01-04T00:00:00Z&duration=PT45M", "from"),
    ] {
        let resp = app
            .get_auth(
                &format!("/api/projects/{project}/availability?resourceIds={zone}&{query}"),
                &owner,
            )
            .await;
        let problem = assert_problem(resp, 422).await;
        assert_eq!(problem["errors"][0]["field"], field, "{query}");
    }
    let (_v, viewer) = app
        .join_as(&owner, &project, "viewer@bank.example", "viewer")
        .await;
    assert_problem(
        book(
            &app,
            &viewer,
            &project,
            &[&zone],
            "2027-01-04T09:00:00Z",
            "2027-01-04T10:00:00Z",
        )
        .await,
        403,
    )
    .await;
}

#[tokio::test]
async fn bookings_are_listed_by_time_resource_and_status_with_paging() {
    let Site {
        app,
        owner,
        project,
    } = site().await;
    let a = resource(
        &app,
        &owner,
        &project,
        json!({"kind": "unloadingZone", "name": "Zone A"}),
    )
    .await;
    let b = resource(
        &app,
        &owner,
        &project,
        json!({"kind": "crane", "name": "Kran"}),
    )
    .await;
    for h in 6..12 {
        let r = if h % 2 == 0 { &a } else { &b };
        booked(
            &app,
            &owner,
            &project,
            &[r],
            &format!("2027-01-04T{h:02}:00:00Z"),
            &format!("2027-01-04T{h:02}:30:00Z"),
        )
        .await;
    }
    let path = format!(
        "/api/projects/{project}/bookings?from=2027-01-04T07:00:00Z&to=2027-01-04T11:00:00Z&limit=2"
    );
    let page: Value = app.get_json(&path, &owner).await;
    assert_eq!(page["items"].as_array().expect("items").len(), 2);
    assert_eq!(page["items"][0]["start"], "2027-01-04T07:00:00.000Z");
    let next = page["next"].as_str().expect("next page");
    let page2: Value = app.get_json(&format!("{path}&next={next}"), &owner).await;
    assert_eq!(page2["items"][0]["start"], "2027-01-04T09:00:00.000Z");
    let only_a: Value = app
        .get_json(
            &format!("/api/projects/{project}/bookings?resourceId={a}&status=approved"),
            &owner,
        )
        .await;
    assert_eq!(only_a["items"].as_array().expect("items").len(), 3);
    assert_problem(
        app.get_auth(
            &format!("/api/projects/{project}/bookings?status=lost"),
            &owner,
        )
        .await,
        422,
    )
    .await;
}

#[tokio::test]
async fn a_series_reports_conflicting_occurrences_and_can_book_the_rest() {
    let Site {
        app,
        owner,
        project,
    } = site().await;
    let zone = resource(
        &app,
        &owner,
        &project,
        json!({"kind": "unloadingZone", "name": "Zone A"}),
    )
    .await;
    // The third Monday is taken.
    booked(
        &app,
        &owner,
        &project,
        &[&zone],
        "2027-01-18T07:30:00Z",
        "2027-01-18T08:30:00Z",
    )
    .await;
    let body = json!({"resourceIds": [zone], "start": "2027-01-04T07:00:00Z", "end": "2027-01-04T08:00:00Z",
                      "occurrences": 4, "material": "Beton"});
    let path = format!("/api/projects/{project}/booking-series");
    let before = app.audit_count();
    let problem = assert_problem(
        app.send_auth(Method::POST, &path, &owner, Some(&body))
            .await,
        409,
    )
    .await;
    assert_eq!(
        problem["extensions"]["occurrences"][0]["start"],
        "2027-01-18T07:00:00.000Z"
    );
    assert_eq!(app.audit_count(), before, "nothing booked");
    let mut body = body;
    body["skipConflicts"] = json!(true);
    let resp = app
        .send_auth(Method::POST, &path, &owner, Some(&body))
        .await;
    assert_eq!(resp.status(), 201);
    let v: Value = resp.json().await.expect("json");
    assert_eq!(v["booked"].as_array().expect("booked").len(), 3);
    assert_eq!(v["skipped"].as_array().expect("skipped").len(), 1);
    assert_eq!(v["booked"][2]["start"], "2027-01-25T07:00:00.000Z");
    assert_eq!(
        app.audit_count(),
        before + 1,
        "P10: one entry for the series"
    );
}

#[tokio::test]
async fn the_icalendar_feed_parses_and_lists_exactly_the_non_cancelled_bookings() {
    let Site {
        app,
        owner,
        project,
    } = site().await;
    let zone = resource(
        &app,
        &owner,
        &project,
        json!({"kind": "unloadingZone", "name": "Zone A"}),
    )
    .await;
    let mut kept = Vec::new();
    for h in 7..11 {
        let b = booked(
            &app,
            &owner,
            &project,
            &[&zone],
            &format!("2027-01-04T{h:02}:00:00Z"),
            &format!("2027-01-04T{h:02}:45:00Z"),
        )
        .await;
        kept.push(b["id"].as_str().expect("id").to_owned());
    }
    let gone = kept.remove(1);
    let resp = step(
        &app,
        &owner,
        &project,
        &gone,
        "cancel",
        Some(json!({"reason": "Baustopp"})),
    )
    .await;
    assert_eq!(resp.status(), 200);

    let feed_path = format!("/api/projects/{project}/calendar.ics");
    assert_eq!(app.get(&feed_path).await.status(), 404, "no token: 404");
    assert_eq!(
        app.get(&format!("{feed_path}?feed=forged")).await.status(),
        404
    );
    let resp = app
        .send_auth(
            Method::POST,
            &format!("/api/projects/{project}/calendar-feed"),
            &owner,
            None,
        )
        .await;
    assert_eq!(resp.status(), 201);
    let url = resp.json::<Value>().await.expect("json")["url"]
        .as_str()
        .expect("url")
        .to_owned();
    let resp = app.get(&url).await;
    assert_eq!(resp.status(), 200);
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .expect("ct")
            .starts_with("text/calendar")
    );
    let text = resp.text().await.expect("body");

    let mut parser = ical::IcalParser::new(std::io::BufReader::new(text.as_bytes()));
    let cal = parser
        .next()
        .expect("one calendar")
        .expect("valid iCalendar");
    assert!(parser.next().is_none());
    let mut uids: Vec<String> = cal
        .events
        .iter()
        .map(|e| {
            let prop = |name: &str| {
                e.properties
                    .iter()
                    .find(|p| p.name == name)
                    .and_then(|p| p.value.clone())
            };
            assert!(
                prop("DTSTART").is_some() && prop("DTEND").is_some() && prop("DTSTAMP").is_some()
            );
            prop("UID").expect("uid")
        })
        .collect();
    uids.sort();
    let mut want: Vec<String> = kept.iter().map(|id| format!("{id}@insite-lms")).collect();
    want.sort();
    assert_eq!(uids, want);

    // Members read it with their bearer token too; a revoked token is 404.
    assert_eq!(app.get_auth(&feed_path, &owner).await.status(), 200);
    let before = app.audit_count();
    let resp = app
        .send_auth(
            Method::DELETE,
            &format!("/api/projects/{project}/calendar-feed"),
            &owner,
            None,
        )
        .await;
    assert_eq!(resp.status(), 204);
    assert_eq!(app.audit_count(), before + 1, "P10");
    assert_eq!(app.get(&url).await.status(), 404);

    // A member's token dies with their membership.
    let (member_id, member) = app
        .join_as(&owner, &project, "sub@elektro.example", "member")
        .await;
    let resp = app
        .send_auth(
            Method::POST,
            &format!("/api/projects/{project}/calendar-feed"),
            &member,
            None,
        )
        .await;
    let url = resp.json::<Value>().await.expect("json")["url"]
        .as_str()
        .expect("url")
        .to_owned();
    assert_eq!(app.get(&url).await.status(), 200);
    let resp = app
        .send_auth(
            Method::DELETE,
            &format!("/api/projects/{project}/members/{member_id}"),
            &owner,
            None,
        )
        .await;
    assert_eq!(resp.status(), 204);
    assert_eq!(
        app.get(&url).await.status(),
        404,
        "P7: no feed for ex-members"
    );
}

#[tokio::test]
async fn utilization_reports_booked_and_open_minutes_and_punctuality() {
    let Site {
        app,
        owner,
        project,
    } = site().await;
    let zone = resource(
        &app,
        &owner,
        &project,
        json!({"kind": "unloadingZone", "name": "Zone A", "openingHours": {"monday": [{"from": "07:00", "to": "17:00"}]}}),
    )
    .await;
    // Monday 2026-11-02, in the past: check-ins and a no-show.
    let a = booked(
        &app,
        &owner,
        &project,
        &[&zone],
        "2026-11-02T07:00:00Z",
        "2026-11-02T08:00:00Z",
    )
    .await;
    let b = booked(
        &app,
        &owner,
        &project,
        &[&zone],
        "2026-11-02T09:00:00Z",
        "2026-11-02T09:30:00Z",
    )
    .await;
    booked(
        &app,
        &owner,
        &project,
        &[&zone],
        "2026-11-02T10:00:00Z",
        "2026-11-02T11:00:00Z",
    )
    .await;
    for (id, at) in [(&a, "2026-11-02T07:10:00Z"), (&b, "2026-11-02T09:40:00Z")] {
        let resp = step(
            &app,
            &owner,
            &project,
            id["id"].as_str().expect("id"),
            "check-in",
            Some(json!({"at": at})),
        )
        .await;
        assert_eq!(resp.status(), 200);
    }
    let report: Value = app
        .get_json(
            &format!("/api/projects/{project}/reports/utilization?from=2026-11-02&to=2026-11-03"),
            &owner,
        )
        .await;
    let items = report["items"].as_array().expect("items");
    assert_eq!(items.len(), 2, "one row per resource and day");
    let monday = &items[0];
    assert_eq!(monday["date"], "2026-11-02");
    assert_eq!(monday["openMinutes"], 600);
    assert_eq!(monday["bookedMinutes"], 150);
    assert_eq!(monday["bookings"], 3);
    assert_eq!(monday["checkedIn"], 2);
    assert_eq!(monday["onTimeShare"], 0.5);
    assert_eq!(monday["meanDelayMinutes"], 25.0);
    assert_eq!(monday["noShows"], 1);
    assert_eq!(items[1]["openMinutes"], 0);
}

#[tokio::test]
async fn p8_deleting_the_project_removes_its_resources_and_bookings() {
    let Site {
        app,
        owner,
        project,
    } = site().await;
    let zone = resource(
        &app,
        &owner,
        &project,
        json!({"kind": "unloadingZone", "name": "Zone A"}),
    )
    .await;
    booked(
        &app,
        &owner,
        &project,
        &[&zone],
        "2027-01-04T08:00:00Z",
        "2027-01-04T09:00:00Z",
    )
    .await;
    let resp = app
        .send_auth(
            Method::POST,
            &format!("/api/projects/{project}/calendar-feed"),
            &owner,
            None,
        )
        .await;
    assert_eq!(resp.status(), 201);
    let resp = app
        .send_auth(
            Method::DELETE,
            &format!("/api/projects/{project}"),
            &owner,
            None,
        )
        .await;
    assert_eq!(resp.status(), 204);
    let left: Vec<_> = app
        .all_documents("projects")
        .into_iter()
        .filter(|d| d.partition_key == project)
        .collect();
    assert!(
        left.is_empty(),
        "P8: nothing of the project is left: {left:?}"
    );
}

/// Availability and the conflict check can never disagree: on randomized
/// schedules (opening hours, closures, buffers, capacity, existing
/// bookings), a slot of the asked length books exactly when it lies inside
/// a returned window.
#[tokio::test]
async fn availability_windows_agree_with_the_conflict_check_on_random_schedules() {
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};

    let Site {
        app,
        owner,
        project,
    } = site().await;
    let from = jiff::Timestamp::from_second(1_801_526_400).expect("ts"); // 2027-02-01T00:00Z, a Monday
    let days = 3i64;
    let to_secs = from.as_second() + days * 86_400;
    let ts = |s: i64| jiff::Timestamp::from_second(s).expect("ts").to_string();
    let days_of_week = [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ];
    let mut agreed = (0, 0);
    for seed in 0..6u64 {
        let mut rng = StdRng::seed_from_u64(seed);
        let mut ids = Vec::new();
        for n in 0..2 {
            let mut hours = serde_json::Map::new();
            for day in days_of_week {
                if rng.random_bool(0.75) {
                    let open = rng.random_range(0..10) * 60 + rng.random_range(0..4) * 15;
                    let close = (open + rng.random_range(2..14) * 60).min(24 * 60);
                    let hm = |m: i32| format!("{:02}:{:02}", m / 60, m % 60);
                    hours.insert(day.into(), json!([{"from": hm(open), "to": hm(close)}]));
                }
            }
            let buffer = [0, 5, 15, 30][rng.random_range(0..4)];
            let capacity = rng.random_range(1..=3);
            let closed = if rng.random_bool(0.3) {
                json!(["2027-02-02"])
            } else {
                json!([])
            };
            let mut body = json!({
                "kind": "unloadingZone", "name": format!("Zone {seed}-{n}"),
                "capacity": capacity, "bufferMinutes": buffer,
                "minBookingMinutes": 15, "maxBookingMinutes": 240,
                "closedDates": closed,
            });
            if rng.random_bool(0.8) {
                body["openingHours"] = serde_json::Value::Object(hours);
            }
            ids.push(resource(&app, &owner, &project, body).await);
        }
        // Existing bookings: random attempts, some of which fail.
        for _ in 0..25 {
            let s = from.as_second() + rng.random_range(0..days * 96) * 900;
            let d = rng.random_range(1..=12) * 15 * 60;
            let r = &ids[rng.random_range(0..2)];
            book(&app, &owner, &project, &[r], &ts(s), &ts(s + d)).await;
        }
        for _ in 0..30 {
            let chosen: Vec<&str> = match rng.random_range(0..3) {
                0 => vec![&ids[0]],
                1 => vec![&ids[1]],
                _ => vec![&ids[0], &ids[1]],
            };
            let minutes = [15, 30, 45, 60, 90, 120][rng.random_range(0..6)];
            let avail: Value = app.get_json(
                    &format!(
                        "/api/projects/{project}/availability?resourceIds={}&from={}&to={}&duration=PT{minutes}M",
                        chosen.join(","),
                        ts(from.as_second()),
                        ts(to_secs)
                    ),
                    &owner,
                ).await;
            let windows: Vec<(i64, i64)> = avail["windows"]
                .as_array()
                .expect("windows")
                .iter()
                .map(|w| {
                    let p = |k: &str| {
                        w[k].as_str()
                            .expect("time")
                            .parse::<jiff::Timestamp>()
                            .expect("ts")
                            .as_second()
                    };
                    (p("start"), p("end"))
                })
                .collect();
            let d = minutes * 60;
            // Half the probes start inside a window, half anywhere.
            let s = match windows.get(rng.random_range(0..windows.len().max(1))) {
                Some(&(ws, we)) if rng.random_bool(0.5) => {
                    ws + rng.random_range(0..=(we - ws - d) / 60) * 60
                }
                _ => from.as_second() + rng.random_range(0..(days * 1440 - minutes)) * 60,
            };
            let inside = windows.iter().any(|&(ws, we)| ws <= s && s + d <= we);
            let status = book(&app, &owner, &project, &chosen, &ts(s), &ts(s + d))
                .await
                .status()
                .as_u16();
            if inside {
                assert_eq!(
                    status,
                    201,
                    "seed {seed}: {} for {minutes} min inside {windows:?}",
                    ts(s)
                );
                agreed.0 += 1;
            } else {
                assert!(
                    status == 409 || status == 422,
                    "seed {seed}: {} for {minutes} min outside {windows:?} got {status}",
                    ts(s)
                );
                agreed.1 += 1;
            }
        }
    }
    assert!(
        agreed.0 > 20 && agreed.1 > 20,
        "both kinds of probe were tried: {agreed:?}"
    );
}
