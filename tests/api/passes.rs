//! Driver passes (issue 18): the public pass page and its headers, the
//! token never stored, regeneration, death on cancel/decline/turn-away,
//! the rate limit, the gate's lookup by link, token and code, idempotent
//! check-in, and passes dying with their project.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use insite_lms::store::Stores;
use insite_lms::store::containers::IDENTITIES;
use reqwest::Method;
use serde_json::{Value, json};

use testkit::app::{TestApp, assert_problem, spawn_app_on};
use testkit::bookings::{book, resource};
use testkit::data_folder::files_containing;
use testkit::failing_store::FailingStore;
use testkit::files::{png, site_plan};
use testkit::web_build;

struct Site {
    app: TestApp,
    owner: String,
    project: String,
    zone: String,
    _web: tempfile::TempDir,
}

/// A project with one zone, served with a stand-in web build so that the
/// pass page's own headers are what the tests see.
async fn site() -> Site {
    site_on(|stores| stores).await
}

/// The same on stores the test wraps.
async fn site_on(wrap: impl FnOnce(Stores) -> Stores) -> Site {
    let web = web_build::fake();
    let dir = web.path().display().to_string();
    let app = spawn_app_on(&[("LMS_WEB_DIR", &dir)], wrap).await;
    let (_u, owner) = app.signed_in("owner@bau.example").await;
    let project = app.create_project(&owner).await;
    let zone = resource(
        &app,
        &owner,
        &project,
        json!({"kind": "unloadingZone", "name": "Abladezone Nord"}),
    )
    .await;
    Site {
        app,
        owner,
        project,
        zone,
        _web: web,
    }
}

/// A booking by `token` in the future, 08:00–09:00 on `date`.
async fn booked_by(s: &Site, token: &str, date: &str) -> Value {
    let (start, end) = (format!("{date}T08:00:00Z"), format!("{date}T09:00:00Z"));
    let resp = book(&s.app, token, &s.project, &[&s.zone], &start, &end).await;
    assert_eq!(resp.status(), 201);
    resp.json().await.expect("json")
}

/// A booking in the future (an owner's: approved at once).
async fn approved(s: &Site, day: u32) -> Value {
    let b = booked_by(s, &s.owner, &format!("2031-03-{day:02}")).await;
    assert_eq!(b["status"], "approved");
    b
}

fn pass_path(s: &Site, booking: &str) -> String {
    format!("/api/projects/{}/bookings/{booking}/pass", s.project)
}

/// The booking's pass as its viewers see it.
async fn pass_of(s: &Site, booking: &str) -> Value {
    s.app.get_json(&pass_path(s, booking), &s.owner).await
}

fn valid_from(pass: &Value) -> jiff::Timestamp {
    pass["validFrom"]
        .as_str()
        .and_then(|t| t.parse().ok())
        .expect("validFrom is a timestamp")
}

/// The booking's pass link as its viewers see it.
async fn link_of(s: &Site, booking: &str) -> String {
    pass_of(s, booking).await["link"]
        .as_str()
        .expect("a live pass has a link")
        .to_owned()
}

fn token_of(link: &str) -> &str {
    link.rsplit('/').next().expect("a token")
}

async fn step(s: &Site, token: &str, booking: &str, verb: &str, body: Option<Value>) -> u16 {
    s.app
        .send_auth(
            Method::POST,
            &format!("/api/projects/{}/bookings/{booking}/{verb}", s.project),
            token,
            body.as_ref(),
        )
        .await
        .status()
        .as_u16()
}

async fn lookup(s: &Site, body: Value) -> reqwest::Response {
    s.app
        .send_auth(
            Method::POST,
            &format!("/api/projects/{}/gate/lookup", s.project),
            &s.owner,
            Some(&body),
        )
        .await
}

fn assert_pass_headers(resp: &reqwest::Response) {
    let h = resp.headers();
    assert_eq!(h["cache-control"], "no-store");
    assert_eq!(h["referrer-policy"], "no-referrer");
    assert_eq!(h["x-robots-tag"], "noindex, nofollow");
}

#[tokio::test]
async fn every_booking_has_a_readable_code_and_an_approved_one_a_pass_that_opens_without_an_account()
 {
    let s = site().await;
    let b = approved(&s, 3).await;
    let code = b["code"].as_str().expect("a code");
    assert_eq!(code.len(), 7, "{code}");
    assert_eq!(&code[3..4], "-");
    let id = b["id"].as_str().expect("id");
    let v = s.app.get_json(&pass_path(&s, id), &s.owner).await;
    assert_eq!(v["code"], code);
    assert_eq!(v["validUntil"], "2031-03-03T21:00:00.000Z");
    let link = v["link"].as_str().expect("link");
    let token = token_of(link);
    assert_eq!(token.len(), 43);
    assert!(link.ends_with(&format!("/pass/{token}")));

    let resp = s.app.get(&format!("/api/passes/{token}")).await;
    assert_eq!(resp.status(), 200);
    assert_pass_headers(&resp);
    let pass: Value = resp.json().await.expect("json");
    assert_eq!(pass["code"], code);
    assert_eq!(pass["start"], "2031-03-03T08:00:00.000Z");
    assert_eq!(pass["timeZone"], "Europe/Vienna");
    assert_eq!(pass["project"]["address"], "Seestadtstraße 1, 1220 Wien");
    assert_eq!(pass["resources"][0]["name"], "Abladezone Nord");
    assert_eq!(pass["awaitingApproval"], false);

    let qr = s.app.get(&format!("/api/passes/{token}/qr.svg")).await;
    assert_eq!(qr.status(), 200);
    assert_pass_headers(&qr);
    assert_eq!(qr.headers()["content-type"], "image/svg+xml");
    assert!(qr.text().await.expect("svg").contains("<svg"));

    let page = s.app.get(&format!("/pass/{token}")).await;
    assert_eq!(page.status(), 200);
    assert_pass_headers(&page);
    // Nothing from another site: every source the page's policy allows is
    // its own origin, or none.
    let csp = page
        .headers()
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .expect("a content security policy")
        .to_owned();
    assert!(csp.contains("default-src 'self'"), "{csp}");
    for source in csp.split(';').flat_map(|d| d.split_whitespace().skip(1)) {
        assert!(matches!(source, "'self'" | "'none'"), "{source} in {csp}");
    }
}

#[tokio::test]
async fn the_pass_page_names_no_user_and_the_token_is_never_stored() {
    let s = site().await;
    let b = approved(&s, 4).await;
    let link = link_of(&s, b["id"].as_str().expect("id")).await;
    let token = token_of(&link).to_owned();
    let body = s
        .app
        .get(&format!("/api/passes/{token}"))
        .await
        .text()
        .await
        .expect("body");
    for personal in [
        "owner@bau.example",
        "@",
        "Zenobia",
        "Quirrelbach",
        "Beton Huber",
    ] {
        assert!(!body.contains(personal), "{personal} in {body}");
    }
    let hits = files_containing(s.app.data_dir.path(), &token);
    assert!(hits.is_empty(), "the token is stored in {hits:?}");
}

#[tokio::test]
async fn a_regenerated_pass_kills_the_old_link_and_is_audited_without_the_token() {
    let s = site().await;
    let b = approved(&s, 5).await;
    let id = b["id"].as_str().expect("id");
    let old = link_of(&s, id).await;
    let issued = valid_from(&pass_of(&s, id).await);
    let audits = s.app.audit_count();
    let resp = s
        .app
        .send_auth(Method::POST, &pass_path(&s, id), &s.owner, None)
        .await;
    assert_eq!(resp.status(), 200);
    let new: Value = resp.json().await.expect("json");
    let reissued = valid_from(&new);
    assert!(reissued >= issued, "{reissued} before {issued}");
    let new = new["link"].as_str().expect("link");
    assert_ne!(new, old);
    let now = pass_of(&s, id).await;
    assert_eq!(now["link"], new, "GET shows the new link");
    assert_eq!(valid_from(&now), reissued, "and when it was issued");
    assert_eq!(s.app.audit_count(), audits + 1);
    let entry = s
        .app
        .every_document()
        .into_iter()
        .find(|d| d.body["action"] == "booking.pass-regenerated")
        .expect("audited");
    let text = entry.body.to_string();
    assert!(!text.contains(token_of(new)) && !text.contains(token_of(&old)));

    let gone = s.app.get(&format!("/api/passes/{}", token_of(&old))).await;
    assert_pass_headers(&gone);
    assert_problem(gone, 404).await;
    let fresh = s.app.get(&format!("/api/passes/{}", token_of(new))).await;
    assert_eq!(fresh.status(), 200);
}

#[tokio::test]
async fn cancelled_declined_and_turned_away_passes_answer_410_with_the_reason() {
    let s = site().await;
    let (_m, member) = s
        .app
        .join_as(&s.owner, &s.project, "fahrer@bau.example", "member")
        .await;
    let mut cases = Vec::new();
    for (day, verb) in [(6, "cancel"), (7, "turn-away")] {
        let b = approved(&s, day).await;
        let id = b["id"].as_str().expect("id").to_owned();
        let link = link_of(&s, &id).await;
        let reason = json!({"reason": "Baustelle gesperrt"});
        assert_eq!(step(&s, &s.owner, &id, verb, Some(reason)).await, 200);
        cases.push((
            link,
            if verb == "cancel" {
                "cancelled"
            } else {
                "turned-away"
            },
        ));
    }
    // Declined: approved by rescheduling as a manager would not do; a
    // member's rescheduled booking goes back to requested, keeping its pass.
    let b = booked_by(&s, &member, "2031-03-08").await;
    let id = b["id"].as_str().expect("id").to_owned();
    assert!(b["code"].is_string(), "a requested booking has a code too");
    if b["status"] == "requested" {
        let none = s.app.get_auth(&pass_path(&s, &id), &s.owner).await;
        assert_problem(none, 404).await;
        assert_eq!(step(&s, &s.owner, &id, "approve", None).await, 200);
    }
    let link = link_of(&s, &id).await;
    let moved = s
        .app
        .send_auth(
            Method::PATCH,
            &format!("/api/projects/{}/bookings/{id}", s.project),
            &member,
            Some(&json!({"start": "2031-03-08T10:00:00Z", "end": "2031-03-08T11:00:00Z"})),
        )
        .await;
    assert_eq!(moved.status(), 200);
    let pass: Value = s
        .app
        .get(&format!("/api/passes/{}", token_of(&link)))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(
        pass["start"], "2031-03-08T10:00:00.000Z",
        "rescheduling keeps the link"
    );
    assert_eq!(
        link_of(&s, &id).await,
        link,
        "and the booking shows the same one"
    );
    assert_eq!(pass["awaitingApproval"], true, "{pass}");
    let moved: Value = s
        .app
        .get_json(
            &format!("/api/projects/{}/bookings/{id}", s.project),
            &s.owner,
        )
        .await;
    if moved["status"] == "requested" {
        let reason = json!({"reason": "Zu spät"});
        assert_eq!(step(&s, &s.owner, &id, "decline", Some(reason)).await, 200);
        cases.push((link, "declined"));
    }
    assert_eq!(cases.len(), 3, "member bookings wait for approval");
    for (link, reason) in cases {
        let resp = s.app.get(&format!("/api/passes/{}", token_of(&link))).await;
        assert_pass_headers(&resp);
        let p = assert_problem(resp, 410).await;
        assert_eq!(p["extensions"]["reason"], reason);
    }
}

#[tokio::test]
async fn pass_lookups_are_rate_limited_per_address() {
    let s = site().await;
    let fake = "A".repeat(43);
    let mut limited = None;
    for _ in 0..40 {
        let resp = s.app.get(&format!("/api/passes/{fake}")).await;
        if resp.status() == 429 {
            limited = Some(resp);
            break;
        }
        assert_eq!(resp.status(), 404);
    }
    let resp = limited.expect("429 within 40 lookups");
    assert_pass_headers(&resp);
    assert!(resp.headers().contains_key("retry-after"));
}

#[tokio::test]
async fn gate_lookups_are_rate_limited_too() {
    let s = site().await;
    let mut limited = None;
    for _ in 0..40 {
        let resp = lookup(&s, json!({"code": "ZZZ-ZZZ"})).await;
        if resp.status() == 429 {
            limited = Some(resp);
            break;
        }
        assert_eq!(resp.status(), 404);
    }
    let resp = limited.expect("429 within 40 lookups");
    assert!(resp.headers().contains_key("retry-after"));
    assert_problem(resp, 429).await;
}

#[tokio::test]
async fn the_gate_finds_a_booking_by_link_token_or_code_and_refuses_other_projects() {
    let s = site().await;
    let b = approved(&s, 10).await;
    let id = b["id"].as_str().expect("id");
    let code = b["code"].as_str().expect("code");
    let link = link_of(&s, id).await;
    for body in [
        json!({"pass": link}),
        json!({"pass": token_of(&link)}),
        json!({"code": code}),
        json!({"code": code.replace('-', "").to_lowercase()}),
    ] {
        let resp = lookup(&s, body.clone()).await;
        assert_eq!(resp.status(), 200, "{body}");
        let v: Value = resp.json().await.expect("json");
        assert_eq!(v["id"], id);
    }
    assert_problem(lookup(&s, json!({"code": "ZZZ-ZZZ"})).await, 404).await;
    assert_problem(lookup(&s, json!({"pass": "hello"})).await, 404).await;

    let other = s.app.create_project(&s.owner).await;
    let resp = s
        .app
        .send_auth(
            Method::POST,
            &format!("/api/projects/{other}/gate/lookup"),
            &s.owner,
            Some(&json!({"pass": link})),
        )
        .await;
    let p = assert_problem(resp, 409).await;
    assert_eq!(p["extensions"]["reason"], "other-project");
}

#[tokio::test]
async fn a_repeated_check_in_or_out_changes_nothing_and_is_audited_once() {
    let s = site().await;
    let b = approved(&s, 11).await;
    let id = b["id"].as_str().expect("id");
    let before = s.app.audit_count();
    assert_eq!(step(&s, &s.owner, id, "check-in", None).await, 200);
    assert_eq!(step(&s, &s.owner, id, "check-in", None).await, 200);
    assert_eq!(s.app.audit_count(), before + 1);
    assert_eq!(step(&s, &s.owner, id, "check-out", None).await, 200);
    assert_eq!(step(&s, &s.owner, id, "check-out", None).await, 200);
    assert_eq!(s.app.audit_count(), before + 2);
}

#[tokio::test]
async fn p8_deleting_the_project_leaves_no_pass_record() {
    let s = site().await;
    let b = approved(&s, 12).await;
    let link = link_of(&s, b["id"].as_str().expect("id")).await;
    let resp = s
        .app
        .send_auth(
            Method::DELETE,
            &format!("/api/projects/{}", s.project),
            &s.owner,
            None,
        )
        .await;
    assert!(resp.status().is_success(), "{}", resp.status());
    let left: Vec<_> = s
        .app
        .every_document()
        .into_iter()
        .filter(|d| {
            d.body["kind"] == "passToken" || d.body.get("pass").is_some_and(|p| !p.is_null())
        })
        .collect();
    assert!(left.is_empty(), "{left:?}");
    assert_problem(
        s.app.get(&format!("/api/passes/{}", token_of(&link))).await,
        404,
    )
    .await;
}

/// The `.eml` files the local mail sink wrote.
/// A member who gets mails requests a booking and the owner approves it;
/// its id. The mails are queued, not yet delivered.
async fn requested_and_approved(s: &Site) -> String {
    let (_m, member) = s
        .app
        .join_as(&s.owner, &s.project, "fahrer@bau.example", "member")
        .await;
    let resp = s
        .app
        .send_auth(
            Method::PATCH,
            "/api/me",
            &member,
            Some(&json!({"emailNotifications": true})),
        )
        .await;
    assert_eq!(resp.status(), 200);
    let b = booked_by(s, &member, "2031-04-01").await;
    let id = b["id"].as_str().expect("id").to_owned();
    assert_eq!(b["status"], "requested");
    assert_eq!(step(s, &s.owner, &id, "approve", None).await, 200);
    id
}

fn mails(app: &TestApp) -> Vec<String> {
    let dir = app.data_dir.path().join("mail");
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| std::fs::read(e.ok()?.path()).ok())
                .map(|b| String::from_utf8_lossy(&b).into_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// The decoded body of the first MIME part of `content_type` in a mail.
fn part(eml: &str, content_type: &str) -> Option<String> {
    let at = eml.find(&format!("Content-Type: {content_type}"))?;
    let rest = &eml[at..];
    let body_at = rest.find("\r\n\r\n")? + 4;
    let headers = &rest[..body_at];
    let body = &rest[body_at..];
    let body = &body[..body.find("\r\n--").unwrap_or(body.len())];
    if headers.contains("Content-Transfer-Encoding: base64") {
        use base64::Engine;
        let joined: String = body.split_whitespace().collect();
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(joined)
            .ok()?;
        return Some(String::from_utf8_lossy(&bytes).into_owned());
    }
    if headers.contains("Content-Transfer-Encoding: quoted-printable") {
        let unfolded = body.replace("=\r\n", "");
        let mut out = Vec::new();
        let b = unfolded.as_bytes();
        let mut i = 0;
        while i < b.len() {
            let hex = unfolded.get(i + 1..i + 3).filter(|_| b[i] == b'=');
            if let Some(v) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(v);
                i += 3;
                continue;
            }
            out.push(b[i]);
            i += 1;
        }
        return Some(String::from_utf8_lossy(&out).into_owned());
    }
    Some(body.to_owned())
}

/// An event's property, parsed by `ical` (not the library that wrote it).
fn ics_events(text: &str) -> Vec<ical::parser::ical::component::IcalEvent> {
    // Unfolded here because the `ical` crate trims each physical line's end,
    // which drops a space that a fold happens to follow.
    let text = text.replace("\r\n ", "").replace("\r\n\t", "");
    let mut parser = ical::IcalParser::new(std::io::BufReader::new(text.as_bytes()));
    parser
        .next()
        .expect("one calendar")
        .expect("valid iCalendar")
        .events
}

fn prop(e: &ical::parser::ical::component::IcalEvent, name: &str) -> Option<String> {
    e.properties
        .iter()
        .find(|p| p.name == name)
        .and_then(|p| p.value.clone())
}

/// iCalendar TEXT unescaped in one pass (RFC 5545 3.3.11): `\n` or `\N`
/// is a line break, `\,`, `\;` and `\\` stand for the character itself.
fn unescape(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    let mut chars = v.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n' | 'N') => out.push('\n'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

/// The project's calendar feed as its owner reads it.
async fn feed(s: &Site) -> String {
    s.app
        .get_auth(
            &format!("/api/projects/{}/calendar.ics", s.project),
            &s.owner,
        )
        .await
        .text()
        .await
        .expect("body")
}

/// One event, at the site's address, whose description holds `link`.
fn assert_one_event_with_address_and(ics: &str, link: &str) {
    let events = ics_events(ics);
    assert_eq!(events.len(), 1);
    assert_eq!(
        prop(&events[0], "LOCATION")
            .map(|l| unescape(&l))
            .as_deref(),
        Some("Seestadtstraße 1, 1220 Wien")
    );
    let description = unescape(&prop(&events[0], "DESCRIPTION").expect("a description"));
    assert!(description.contains(link), "{description}");
}

#[tokio::test]
async fn the_approval_mail_carries_the_pass_link_its_qr_inline_and_an_ics_with_location() {
    let s = site().await;
    let id = requested_and_approved(&s).await;
    s.app.run_timer("deliver-notifications").await;
    let link = link_of(&s, &id).await;

    let all = mails(&s.app);
    let mail = all
        .iter()
        .find(|m| m.contains("multipart/related"))
        .unwrap_or_else(|| panic!("an approval mail with an inline image among {}", all.len()));
    let text = part(mail, "text/plain").expect("a text part");
    assert!(text.contains(&link), "the link in the text: {text}");
    let html = part(mail, "text/html").expect("an html part");
    assert!(html.contains("src=\"cid:pass-qr@insite-lms\""), "{html}");
    assert!(
        html.contains(&format!("<a href=\"{link}\">{link}</a>")),
        "the link can be tapped: {html}"
    );
    assert!(!html.contains("data:"), "no data: URI");
    let png_at = mail.find("Content-Type: image/png").expect("the PNG part");
    let block_at = mail[..png_at].rfind("\r\n--").expect("a part boundary");
    let png_headers = &mail[block_at..png_at + mail[png_at..].find("\r\n\r\n").expect("headers")];
    assert!(
        png_headers.contains("Content-ID: <pass-qr@insite-lms>"),
        "{png_headers}"
    );
    assert!(png_headers.contains("inline"), "{png_headers}");

    let ics = part(mail, "text/calendar").expect("the .ics");
    assert_one_event_with_address_and(&ics, &link);
    assert!(
        ics.replace("\r\n ", "")
            .contains(&format!("Fahrerpass: {link}")),
        "labelled in the member's language: {ics}"
    );
}

#[tokio::test]
async fn an_approval_mail_never_hands_out_a_dead_link() {
    let refuse = Arc::new(AtomicBool::new(false));
    let switch = refuse.clone();
    let s = site_on(move |stores| Stores {
        documents: Arc::new(FailingStore::new(stores.documents, move |c, doc| {
            switch.load(Ordering::SeqCst)
                && c == IDENTITIES
                && doc.partition_key.starts_with("pass-")
        })),
        blobs: stores.blobs,
    })
    .await;
    // The pass lookup, written after the approval's batch, fails.
    refuse.store(true, Ordering::SeqCst);
    let id = requested_and_approved(&s).await;
    refuse.store(false, Ordering::SeqCst);

    s.app.run_timer("deliver-notifications").await;
    let link = link_of(&s, &id).await;
    let all = mails(&s.app);
    let mail = all
        .iter()
        .find(|m| m.contains("multipart/related"))
        .expect("the approval mail");
    let text = part(mail, "text/plain").expect("a text part");
    assert!(text.contains(&link), "{text}");
    let opened = s.app.get(&format!("/api/passes/{}", token_of(&link))).await;
    assert_eq!(opened.status(), 200, "the mailed link opens the pass");
}

#[tokio::test]
async fn the_calendar_feed_gives_each_event_the_address_and_its_pass_link() {
    let s = site().await;
    let b = approved(&s, 14).await;
    let link = link_of(&s, b["id"].as_str().expect("id")).await;
    let text = feed(&s).await;
    assert_one_event_with_address_and(&text, &link);
}

#[tokio::test]
async fn p11_the_export_lists_pass_links_without_hashes_or_nonces() {
    let s = site().await;
    let b = approved(&s, 15).await;
    let link = link_of(&s, b["id"].as_str().expect("id")).await;
    let export = s.app.get_json("/api/me/export", &s.owner).await;
    let booking = &export["projects"][0]["bookingsRequested"][0];
    assert_eq!(booking["passLink"], link.as_str());
    let text = export.to_string();
    let stored = s
        .app
        .every_document()
        .into_iter()
        .find(|d| d.body["kind"] == "booking")
        .expect("the booking");
    for secret in [
        &stored.body["pass"]["nonce"],
        &stored.body["pass"]["tokenHash"],
    ] {
        let secret = secret.as_str().expect("stored");
        assert!(!text.contains(secret), "{secret} exported");
    }
}

#[tokio::test]
async fn a_pass_expires_twelve_hours_after_the_booking_ends() {
    use insite_lms::store::DocumentStore;
    use insite_lms::store::containers::PROJECTS;
    let s = site().await;
    let b = approved(&s, 16).await;
    let id = b["id"].as_str().expect("id");
    let link = link_of(&s, id).await;
    // The clock moved on, as an operator's store would show it: the
    // booking ended 12 hours and a second ago.
    let store = s.app.store();
    let doc = store
        .read(PROJECTS, &s.project, &format!("booking-{id}"))
        .await
        .expect("read")
        .expect("the booking");
    let now = jiff::Timestamp::now();
    let end = now - jiff::SignedDuration::from_secs(12 * 3600 + 1);
    let mut body = doc.body.clone();
    body["start"] = json!(insite_lms::domain::time::format(
        &(end - jiff::SignedDuration::from_hours(1))
    ));
    body["end"] = json!(insite_lms::domain::time::format(&end));
    let new = insite_lms::store::NewDocument::from_record(&s.project, doc.id.clone(), &body)
        .expect("a document");
    store
        .replace(PROJECTS, new, Some(&doc.etag))
        .await
        .expect("backdated");
    let p = assert_problem(
        s.app.get(&format!("/api/passes/{}", token_of(&link))).await,
        410,
    )
    .await;
    assert_eq!(p["extensions"]["reason"], "expired");
    let gate = lookup(&s, json!({"pass": link})).await;
    let p = assert_problem(gate, 410).await;
    assert_eq!(p["extensions"]["reason"], "expired");
    assert_problem(s.app.get_auth(&pass_path(&s, id), &s.owner).await, 404).await;
}

/// Instructions with every character iCalendar TEXT escapes: `;`, `,`,
/// `\` and a line break.
const SITE_RULES: &str = "Zufahrt über Tor 2; Hafenstraße, nicht Kai\\Süd";
const ZONE_RULES: &str = "Warnweste Pflicht.\nRückwärts einfahren; Einweiser abwarten";

#[tokio::test]
async fn the_pass_shows_instructions_and_the_plan_its_resources_are_placed_on_and_no_other() {
    let s = site().await;
    let bytes = png(800, 600);
    let placed = site_plan(&s.app, &s.owner, &s.project, "Lageplan.png", 800, 600).await;
    let other = site_plan(&s.app, &s.owner, &s.project, "Kranplan.png", 100, 100).await;
    for (path, body) in [
        (
            format!("/api/projects/{}", s.project),
            json!({"accessInstructions": SITE_RULES}),
        ),
        (
            format!("/api/projects/{}/resources/{}", s.project, s.zone),
            json!({"accessInstructions": ZONE_RULES,
                   "placement": {"planId": placed, "shape": "point", "points": [{"x": 0.25, "y": 0.5}]}}),
        ),
    ] {
        let resp = s
            .app
            .send_auth(Method::PATCH, &path, &s.owner, Some(&body))
            .await;
        assert_eq!(resp.status(), 200, "{path}");
    }
    let b = approved(&s, 17).await;
    let link = link_of(&s, b["id"].as_str().expect("id")).await;
    let token = token_of(&link);
    let pass: Value = s
        .app
        .get(&format!("/api/passes/{token}"))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(pass["project"]["accessInstructions"], SITE_RULES);
    let r = &pass["resources"][0];
    assert_eq!(r["accessInstructions"], ZONE_RULES);
    assert_eq!(r["placement"]["planId"], placed.as_str());
    assert_eq!(r["placement"]["points"][0]["x"], 0.25);
    assert_eq!(
        pass["plans"],
        json!([{"id": placed, "width": 800, "height": 600}])
    );

    let image = s
        .app
        .get(&format!("/api/passes/{token}/plans/{placed}"))
        .await;
    assert_eq!(image.status(), 200);
    assert_pass_headers(&image);
    assert_eq!(image.headers()["content-type"], "image/png");
    assert_eq!(image.bytes().await.expect("bytes").to_vec(), bytes);
    let unplaced = s
        .app
        .get(&format!("/api/passes/{token}/plans/{other}"))
        .await;
    assert_problem(unplaced, 404).await;

    let feed = feed(&s).await;
    let description = unescape(&prop(&ics_events(&feed)[0], "DESCRIPTION").expect("description"));
    for want in [
        SITE_RULES.to_owned(),
        format!("Abladezone Nord: {ZONE_RULES}"),
        link.clone(),
    ] {
        assert!(
            description.contains(&want),
            "{want:?} not in {description:?}"
        );
    }
}
