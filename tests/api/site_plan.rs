//! Site plans (issue 18): plan images only from owners and managers and
//! only as PNG or JPEG, placements of resources validated by field,
//! revisions that keep placements, deleting a plan takes its placements
//! along, access instructions, and the day's load per resource.

use reqwest::Method;
use serde_json::{Value, json};

use testkit::app::{TestApp, assert_problem, problem_fields, spawn_app, spawn_app_with};
use testkit::bookings::{book, resource};
use testkit::files::{form, png, site_plan as upload_plan, upload, upload_form};

const PDF: &[u8] =
    b"%PDF-1.5\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n";

async fn patch_resource(
    app: &TestApp,
    token: &str,
    project: &str,
    id: &str,
    body: Value,
) -> reqwest::Response {
    app.send_auth(
        Method::PATCH,
        &format!("/api/projects/{project}/resources/{id}"),
        token,
        Some(&body),
    )
    .await
}

async fn site_plan(app: &TestApp, token: &str, project: &str, date: &str) -> Value {
    let resp = app
        .get_auth(
            &format!("/api/projects/{project}/site-plan?date={date}"),
            token,
        )
        .await;
    assert_eq!(resp.status(), 200);
    resp.json().await.expect("json")
}

fn entry<'a>(view: &'a Value, resource: &str) -> &'a Value {
    view["resources"]
        .as_array()
        .and_then(|rs| rs.iter().find(|r| r["resourceId"] == resource))
        .expect("resource listed")
}

async fn revise(
    app: &TestApp,
    token: &str,
    project: &str,
    plan: &str,
    name: &str,
    bytes: Vec<u8>,
) -> reqwest::Response {
    app.client
        .post(app.url(&format!(
            "/api/projects/{project}/site-plans/{plan}/revision"
        )))
        .bearer_auth(token)
        .multipart(form(name, bytes, &[]))
        .send()
        .await
        .expect("request sent")
}

#[tokio::test]
async fn site_plans_are_png_or_jpeg_and_only_owners_and_managers_upload_them() {
    let app = spawn_app().await;
    let (_owner, owner) = app.signed_in("owner@bau.example").await;
    let project = app.create_project(&owner).await;
    let (_m, member) = app
        .join_as(&owner, &project, "member@bau.example", "member")
        .await;

    // The category after the file, and before it.
    let late = upload_form(
        &app,
        &member,
        &project,
        form("plan.png", png(800, 600), &[("category", "sitePlan")]),
    )
    .await;
    let p = assert_problem(late, 403).await;
    assert!(
        p["detail"]
            .as_str()
            .is_some_and(|d| d.contains("site plans"))
    );
    let early = reqwest::multipart::Form::new()
        .text("category", "sitePlan")
        .part(
            "file",
            reqwest::multipart::Part::bytes(png(800, 600)).file_name("plan.png"),
        );
    assert_problem(upload_form(&app, &member, &project, early).await, 403).await;

    let pdf = upload_form(
        &app,
        &owner,
        &project,
        form("plan.pdf", PDF.to_vec(), &[("category", "sitePlan")]),
    )
    .await;
    let p = assert_problem(pdf, 415).await;
    assert!(
        p["detail"]
            .as_str()
            .is_some_and(|d| d.contains("PNG or JPEG"))
    );
    assert!(
        app.blobs(&format!("projects/{project}/")).is_empty(),
        "a refused plan leaves no bytes"
    );
    // Members still upload other files.
    upload(&app, &member, &project, "foto.png", png(10, 10), &[]).await;

    let id = upload_plan(&app, &owner, &project, "Lageplan.png", 800, 600).await;
    let view = site_plan(&app, &member, &project, "2031-06-02").await;
    assert_eq!(view["date"], "2031-06-02");
    assert_eq!(view["plans"][0]["fileId"], id.as_str());
    assert_eq!(view["plans"][0]["width"], 800);
    assert_eq!(view["plans"][0]["height"], 600);
    assert_eq!(view["plans"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn placements_and_access_instructions_are_validated_by_field() {
    let app = spawn_app().await;
    let (_owner, owner) = app.signed_in("owner@bau.example").await;
    let project = app.create_project(&owner).await;
    let plan_id = upload_plan(&app, &owner, &project, "Lageplan.png", 800, 600).await;
    let document = upload(&app, &owner, &project, "notes.txt", b"Tor 2".to_vec(), &[]).await;
    let crane = resource(
        &app,
        &owner,
        &project,
        json!({"kind": "crane", "name": "Turmdrehkran 1"}),
    )
    .await;

    let bad = [
        (
            json!({"placement": {"planId": plan_id, "shape": "polygon", "points": [{"x": 0.1, "y": 0.1}, {"x": 0.2, "y": 0.2}]}}),
            vec!["placement.points"],
        ),
        (
            json!({"placement": {"planId": plan_id, "shape": "point", "points": [{"x": 1.5, "y": -0.1}]}}),
            vec!["placement.points[0].x", "placement.points[0].y"],
        ),
        (
            json!({"placement": {"planId": document["id"], "shape": "point", "points": [{"x": 0.5, "y": 0.5}]}}),
            vec!["placement.planId"],
        ),
        (
            json!({"accessInstructions": "x".repeat(1001)}),
            vec!["accessInstructions"],
        ),
    ];
    for (body, fields) in bad {
        let resp = patch_resource(&app, &owner, &project, &crane, body).await;
        let p = assert_problem(resp, 422).await;
        assert_eq!(problem_fields(&p), fields);
    }

    let placement = json!({"planId": plan_id, "shape": "polygon",
        "points": [{"x": 0.1, "y": 0.1}, {"x": 0.4, "y": 0.1}, {"x": 0.4, "y": 0.3}]});
    let resp = patch_resource(
        &app,
        &owner,
        &project,
        &crane,
        json!({"placement": placement, "accessInstructions": "  Zufahrt über Tor 2 von der Hafenstraße\nWarnweste Pflicht  "}),
    )
    .await;
    assert_eq!(resp.status(), 200);
    let got: Value = resp.json().await.expect("json");
    assert_eq!(got["placement"], placement);
    assert_eq!(
        got["accessInstructions"],
        "Zufahrt über Tor 2 von der Hafenstraße\nWarnweste Pflicht"
    );
    // Other changes keep them; `null` and empty text remove them.
    let resp = patch_resource(&app, &owner, &project, &crane, json!({"capacity": 2})).await;
    let got: Value = resp.json().await.expect("json");
    assert_eq!(got["placement"], placement);
    let resp = patch_resource(
        &app,
        &owner,
        &project,
        &crane,
        json!({"placement": null, "accessInstructions": " "}),
    )
    .await;
    let got: Value = resp.json().await.expect("json");
    assert_eq!(got["placement"], Value::Null);
    assert_eq!(got["accessInstructions"], Value::Null);

    // A point, given at creation.
    let gate = resource(
        &app,
        &owner,
        &project,
        json!({"kind": "gate", "name": "Tor 2", "accessInstructions": "Hafenstraße",
               "placement": {"planId": plan_id, "shape": "point", "points": [{"x": 0, "y": 1}]}}),
    )
    .await;
    let view = site_plan(&app, &owner, &project, "2031-06-02").await;
    assert_eq!(entry(&view, &gate)["placement"]["shape"], "point");
    assert_eq!(entry(&view, &gate)["accessInstructions"], "Hafenstraße");

    // The project's own instructions.
    let resp = app
        .send_auth(
            Method::PATCH,
            &format!("/api/projects/{project}"),
            &owner,
            Some(&json!({"accessInstructions": "Anmeldung im Baubüro, Container 1"})),
        )
        .await;
    assert_eq!(resp.status(), 200);
    let got: Value = resp.json().await.expect("json");
    assert_eq!(
        got["accessInstructions"],
        "Anmeldung im Baubüro, Container 1"
    );
    let resp = app
        .send_auth(
            Method::PATCH,
            &format!("/api/projects/{project}"),
            &owner,
            Some(&json!({"accessInstructions": "\u{202E}Tor"})),
        )
        .await;
    let p = assert_problem(resp, 422).await;
    assert_eq!(problem_fields(&p), ["accessInstructions"]);
}

#[tokio::test]
async fn a_revision_keeps_placements_and_changes_bytes_and_dimensions() {
    let app = spawn_app().await;
    let (_owner, owner) = app.signed_in("owner@bau.example").await;
    let project = app.create_project(&owner).await;
    let (_m, member) = app
        .join_as(&owner, &project, "member@bau.example", "member")
        .await;
    let plan_id = upload_plan(&app, &owner, &project, "Lageplan.png", 800, 600).await;
    let placement =
        json!({"planId": plan_id, "shape": "point", "points": [{"x": 0.25, "y": 0.75}]});
    let crane = resource(
        &app,
        &owner,
        &project,
        json!({"kind": "crane", "name": "Kran", "placement": placement}),
    )
    .await;

    assert_problem(
        revise(
            &app,
            &member,
            &project,
            &plan_id,
            "neu.png",
            png(1600, 1200),
        )
        .await,
        403,
    )
    .await;
    assert_problem(
        revise(&app, &owner, &project, &plan_id, "neu.pdf", PDF.to_vec()).await,
        415,
    )
    .await;
    let download = app
        .get_auth(
            &format!("/api/projects/{project}/files/{plan_id}/content"),
            &member,
        )
        .await;
    assert_eq!(
        download.bytes().await.expect("bytes").to_vec(),
        png(800, 600),
        "a refused revision leaves the image as it was"
    );

    let resp = revise(&app, &owner, &project, &plan_id, "neu.png", png(1600, 1200)).await;
    assert_eq!(resp.status(), 200);
    let file: Value = resp.json().await.expect("json");
    assert_eq!(file["id"], plan_id.as_str());
    assert_eq!(file["size"], png(1600, 1200).len());
    let view = site_plan(&app, &member, &project, "2031-06-02").await;
    assert_eq!(view["plans"][0]["width"], 1600);
    assert_eq!(view["plans"][0]["height"], 1200);
    assert_eq!(entry(&view, &crane)["placement"], placement);
    let download = app
        .get_auth(
            &format!("/api/projects/{project}/files/{plan_id}/content"),
            &member,
        )
        .await;
    assert_eq!(
        download.bytes().await.expect("bytes").to_vec(),
        png(1600, 1200)
    );
    assert_eq!(
        app.blobs(&format!("projects/{project}/")).len(),
        1,
        "no staging blob stays behind"
    );

    // Only site plans have revisions.
    let doc = upload(&app, &owner, &project, "notes.txt", b"Tor".to_vec(), &[]).await;
    let other = doc["id"].as_str().expect("id");
    assert_problem(
        revise(&app, &owner, &project, other, "neu.png", png(10, 10)).await,
        404,
    )
    .await;
}

#[tokio::test]
async fn deleting_a_plan_takes_its_placements_along_audited() {
    let app = spawn_app().await;
    let (_owner, owner) = app.signed_in("owner@bau.example").await;
    let project = app.create_project(&owner).await;
    let gone = upload_plan(&app, &owner, &project, "Lageplan.png", 800, 600).await;
    let kept = upload_plan(&app, &owner, &project, "Lageplan.png", 400, 300).await;
    let point =
        |plan: &str| json!({"planId": plan, "shape": "point", "points": [{"x": 0.5, "y": 0.5}]});
    let a = resource(
        &app,
        &owner,
        &project,
        json!({"kind": "crane", "name": "A", "placement": point(&gone)}),
    )
    .await;
    let b = resource(
        &app,
        &owner,
        &project,
        json!({"kind": "gate", "name": "B", "placement": point(&gone)}),
    )
    .await;
    let c = resource(
        &app,
        &owner,
        &project,
        json!({"kind": "hoist", "name": "C", "placement": point(&kept)}),
    )
    .await;

    let resp = app
        .send_auth(
            Method::DELETE,
            &format!("/api/projects/{project}/files/{gone}"),
            &owner,
            None,
        )
        .await;
    assert_eq!(resp.status(), 204);
    let view = site_plan(&app, &owner, &project, "2031-06-02").await;
    assert_eq!(view["plans"].as_array().map(Vec::len), Some(1));
    assert_eq!(entry(&view, &a)["placement"], Value::Null);
    assert_eq!(entry(&view, &b)["placement"], Value::Null);
    assert_eq!(entry(&view, &c)["placement"], point(&kept));
    // Stored, not just hidden.
    let stored = app
        .get_json(&format!("/api/projects/{project}/resources/{a}"), &owner)
        .await;
    assert_eq!(stored["placement"], Value::Null);
    let audit = app
        .get_json(&format!("/api/projects/{project}/audit"), &owner)
        .await;
    let unplaced = audit["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|e| e["action"] == "resource.updated" && e["changedFields"] == json!(["placement"]))
        .count();
    assert_eq!(unplaced, 2, "{audit}");
}

/// P8 at any time: a plan with more placements than one store batch holds
/// (Cosmos: 100 operations) is deleted all the same, and every placement
/// goes with it.
#[tokio::test]
async fn a_plan_with_sixty_placed_resources_is_deleted_with_all_of_them() {
    let app = spawn_app().await;
    let (_owner, owner) = app.signed_in("owner@bau.example").await;
    let project = app.create_project(&owner).await;
    let plan = upload_plan(&app, &owner, &project, "Lageplan.png", 800, 600).await;
    for i in 0..60 {
        let x = f64::from(i) / 60.0;
        resource(
            &app,
            &owner,
            &project,
            json!({"kind": "storageArea", "name": format!("Lager {i}"),
                   "placement": {"planId": plan, "shape": "point", "points": [{"x": x, "y": 0.5}]}}),
        )
        .await;
    }
    let resp = app
        .send_auth(
            Method::DELETE,
            &format!("/api/projects/{project}/files/{plan}"),
            &owner,
            None,
        )
        .await;
    assert_eq!(resp.status(), 204);
    let placed: Vec<_> = app
        .every_document()
        .into_iter()
        .filter(|d| d.body.get("placement").is_some_and(|p| !p.is_null()))
        .collect();
    assert!(placed.is_empty(), "{} placements left", placed.len());
    assert_problem(
        app.get_auth(&format!("/api/projects/{project}/files/{plan}"), &owner)
            .await,
        404,
    )
    .await;
}

#[tokio::test]
async fn the_site_plan_colours_each_resource_by_the_days_load() {
    let app = spawn_app().await;
    let (_owner, owner) = app.signed_in("owner@bau.example").await;
    let project = app.create_project(&owner).await;
    let (_m, member) = app
        .join_as(&owner, &project, "member@bau.example", "member")
        .await;
    // 2031-06-02 is a Monday; Vienna is at UTC+2 then.
    let open_two_hours = json!({"monday": [{"from": "07:00", "to": "09:00"}]});
    let zone = resource(
        &app,
        &owner,
        &project,
        json!({"kind": "unloadingZone", "name": "Zone", "openingHours": open_two_hours}),
    )
    .await;
    let crane = resource(
        &app,
        &owner,
        &project,
        json!({"kind": "crane", "name": "Kran"}),
    )
    .await;
    let idle = resource(
        &app,
        &owner,
        &project,
        json!({"kind": "hoist", "name": "Aufzug"}),
    )
    .await;
    let shut = resource(
        &app,
        &owner,
        &project,
        json!({"kind": "gate", "name": "Tor", "closedDates": ["2031-06-02"]}),
    )
    .await;

    // Owner's booking: approved; the member's: pending. Both load; the
    // last one, cancelled below, does not.
    let mut last = None;
    for (who, what, from, to) in [
        (&owner, &zone, "05", "06"),
        (&member, &zone, "06", "07"),
        (&member, &crane, "08", "10"),
        (&owner, &crane, "12", "20"),
    ] {
        let (start, end) = (
            format!("2031-06-02T{from}:00:00Z"),
            format!("2031-06-02T{to}:00:00Z"),
        );
        let r = book(&app, who, &project, &[what], &start, &end).await;
        assert_eq!(r.status(), 201);
        last = Some(r);
    }
    let r = last.expect("four bookings");
    let cancelled: Value = r.json().await.expect("json");
    let id = cancelled["id"].as_str().expect("id");
    let resp = app
        .send_auth(
            Method::POST,
            &format!("/api/projects/{project}/bookings/{id}/cancel"),
            &owner,
            Some(&json!({"reason": "Lieferant abgesagt"})),
        )
        .await;
    assert_eq!(resp.status(), 200);

    let view = site_plan(&app, &member, &project, "2031-06-02").await;
    let load = |r: &str| entry(&view, r)["load"].clone();
    assert_eq!(
        load(&zone),
        json!({"bookedMinutes": 120, "openMinutes": 120, "level": "full"})
    );
    assert_eq!(
        load(&crane),
        json!({"bookedMinutes": 120, "openMinutes": 1440, "level": "light"})
    );
    assert_eq!(load(&idle)["level"], "free");
    assert_eq!(load(&shut)["level"], "closed");
    // The next day: the zone is closed on Tuesdays, the crane free.
    let next = site_plan(&app, &member, &project, "2031-06-03").await;
    assert_eq!(entry(&next, &zone)["load"]["level"], "closed");
    assert_eq!(entry(&next, &crane)["load"]["level"], "free");

    let bad = app
        .get_auth(
            &format!("/api/projects/{project}/site-plan?date=morgen"),
            &member,
        )
        .await;
    let p = assert_problem(bad, 422).await;
    assert_eq!(problem_fields(&p), ["date"]);
    // Without a date: today in the project's time zone.
    let today = app
        .get_json(&format!("/api/projects/{project}/site-plan"), &member)
        .await;
    let vienna_today = jiff::Timestamp::now()
        .to_zoned_datetime(jiff::tz::TimeZone::get("Europe/Vienna").expect("tz"))
        .date()
        .to_string();
    assert_eq!(today["date"], vienna_today);
}

#[tokio::test]
async fn p7_p8_plans_are_for_members_a_restricted_plan_for_managers_and_both_go_with_the_project() {
    let app = spawn_app().await;
    let (_owner, owner) = app.signed_in("owner@bau.example").await;
    let project = app.create_project(&owner).await;
    let (_m, member) = app
        .join_as(&owner, &project, "sub@elektro.example", "member")
        .await;
    let (_x, stranger) = app.signed_in("other@konkurrenz.example").await;
    let open = upload_plan(&app, &owner, &project, "Lageplan.png", 800, 600).await;
    let secret = upload(
        &app,
        &owner,
        &project,
        "Sicherheitsplan.png",
        png(400, 300),
        &[("category", "sitePlan"), ("restricted", "true")],
    )
    .await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let zone = resource(
        &app,
        &owner,
        &project,
        json!({"kind": "unloadingZone", "name": "Zone Nord"}),
    )
    .await;
    let crane = resource(
        &app,
        &owner,
        &project,
        json!({"kind": "crane", "name": "Kran 1"}),
    )
    .await;
    for (id, on) in [(&zone, &open), (&crane, &secret)] {
        let body = json!({"placement": {"planId": on, "shape": "point", "points": [{"x": 0.5, "y": 0.5}]}});
        let resp = patch_resource(&app, &owner, &project, id, body).await;
        assert_eq!(resp.status(), 200);
    }

    // The owner sees both plans and both placements.
    let view = site_plan(&app, &owner, &project, "2031-03-10").await;
    assert_eq!(view["plans"].as_array().map(Vec::len), Some(2));
    assert_eq!(entry(&view, &crane)["placement"]["planId"], secret.as_str());
    // A member sees the open plan only, and no placement on the other.
    let view = site_plan(&app, &member, &project, "2031-03-10").await;
    let ids: Vec<&str> = view["plans"]
        .as_array()
        .expect("plans")
        .iter()
        .filter_map(|p| p["fileId"].as_str())
        .collect();
    assert_eq!(ids, [open.as_str()]);
    assert_eq!(entry(&view, &zone)["placement"]["planId"], open.as_str());
    assert!(entry(&view, &crane)["placement"].is_null());
    // Nor where the crane sits on it, through the resources.
    let listed = app
        .get_json(&format!("/api/projects/{project}/resources"), &member)
        .await;
    let listed_crane = listed["items"]
        .as_array()
        .and_then(|rs| rs.iter().find(|r| r["id"] == crane.as_str()))
        .expect("the crane is listed");
    assert!(listed_crane["placement"].is_null(), "{listed_crane}");
    let one = app
        .get_json(
            &format!("/api/projects/{project}/resources/{crane}"),
            &member,
        )
        .await;
    assert!(one["placement"].is_null(), "{one}");
    let one = app
        .get_json(
            &format!("/api/projects/{project}/resources/{zone}"),
            &member,
        )
        .await;
    assert_eq!(one["placement"]["planId"], open.as_str());
    assert_problem(
        app.get_auth(
            &format!("/api/projects/{project}/files/{secret}/content"),
            &member,
        )
        .await,
        404,
    )
    .await;
    // Someone outside the project sees neither the view nor a plan.
    assert_problem(
        app.get_auth(
            &format!("/api/projects/{project}/site-plan?date=2031-03-10"),
            &stranger,
        )
        .await,
        404,
    )
    .await;
    for id in [&open, &secret] {
        assert_problem(
            app.get_auth(
                &format!("/api/projects/{project}/files/{id}/content"),
                &stranger,
            )
            .await,
            404,
        )
        .await;
    }

    // A pass for both resources shows the open plan and not the restricted one.
    let resp = book(
        &app,
        &owner,
        &project,
        &[&zone, &crane],
        "2031-03-10T08:00:00Z",
        "2031-03-10T09:00:00Z",
    )
    .await;
    assert_eq!(resp.status(), 201);
    let booking: Value = resp.json().await.expect("json");
    let pass = app
        .get_json(
            &format!(
                "/api/projects/{project}/bookings/{}/pass",
                booking["id"].as_str().expect("id")
            ),
            &owner,
        )
        .await;
    let token = pass["link"]
        .as_str()
        .and_then(|l| l.rsplit('/').next())
        .expect("a pass link")
        .to_owned();
    let shown: Value = app
        .get(&format!("/api/passes/{token}"))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(
        shown["plans"],
        json!([{"id": open, "width": 800, "height": 600}])
    );
    let placements: Vec<&Value> = shown["resources"]
        .as_array()
        .expect("resources")
        .iter()
        .map(|r| &r["placement"]["planId"])
        .collect();
    assert_eq!(placements, [&json!(open), &Value::Null], "{shown}");
    assert_problem(
        app.get(&format!("/api/passes/{token}/plans/{secret}"))
            .await,
        404,
    )
    .await;

    // Deleting the project leaves no plan, placement or blob behind (P8).
    let resp = app
        .send_auth(
            Method::DELETE,
            &format!("/api/projects/{project}"),
            &owner,
            None,
        )
        .await;
    assert!(resp.status().is_success(), "{}", resp.status());
    let left: Vec<_> = app
        .every_document()
        .into_iter()
        .filter(|d| {
            d.body["category"] == "sitePlan"
                || d.body.get("placement").is_some_and(|p| !p.is_null())
        })
        .collect();
    assert!(left.is_empty(), "{left:?}");
    assert!(app.blobs(&format!("projects/{project}/")).is_empty());
    assert_problem(
        app.get(&format!("/api/passes/{token}/plans/{open}")).await,
        404,
    )
    .await;
}

/// Without a Functions host, the blob store announces the revision's new
/// image as Blob Storage would, and the index describes the new bytes, not
/// the old ones, even though the bytes land before their metadata.
#[tokio::test]
async fn without_a_host_a_revised_plan_is_indexed_again_with_its_new_bytes() {
    let app = spawn_app_with(&[("LMS_INDEX_IN_PROCESS", "true")]).await;
    let (_owner, owner) = app.signed_in("owner@bau.example").await;
    let project = app.create_project(&owner).await;
    let plan_id = upload_plan(&app, &owner, &project, "Lageplan.png", 800, 600).await;
    let path = format!("/api/projects/{project}/files/{plan_id}");
    let indexed = |meta: &Value| meta["indexStatus"] == "indexed";
    let mut meta = Value::Null;
    for _ in 0..100 {
        meta = app.get_json(&path, &owner).await;
        if indexed(&meta) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(indexed(&meta), "{meta}");
    let first = meta["sha256"].clone();

    let resp = revise(&app, &owner, &project, &plan_id, "neu.png", png(1600, 1200)).await;
    assert_eq!(resp.status(), 200);
    for _ in 0..100 {
        meta = app.get_json(&path, &owner).await;
        if indexed(&meta) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(indexed(&meta), "{meta}");
    assert_ne!(meta["sha256"], first);
    assert_eq!(meta["index"]["sha256"], meta["sha256"]);
    assert_eq!(meta["index"]["width"], 1600);
}
