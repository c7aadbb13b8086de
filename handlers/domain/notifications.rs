//! Notification mails (P6): the `deliver-notifications` job renders queued
//! outbox items at send time, in the recipient's language, as plain text
//! plus HTML, and sends them. A mail goes only to a user who has opted in,
//! checked again now (the setting may have changed since it was queued);
//! invitations, addressed to people without an account yet, are the one
//! transactional exception. Booking mails carry the booking as `.ics`.

use jiff::Timestamp;
use lettre::Message;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart, header::ContentType};
use serde_json::Value;

use super::accounts::{self, Language};
use super::bookings;
use super::briefing;
use super::email::EmailAddress;
use super::error::DomainError;
use super::ids::{BookingId, ProjectId, UserId};
use super::invitations::InvitationLinks;
use super::opt_in;
use super::outbox::{self, OutboxItem};
use super::passes::{self, PassKey, PassLinks};
use super::projects;
use crate::mail::Mailer;
use crate::store::DocumentStore;

/// Attempts before a mail that keeps failing is given up.
const MAX_ATTEMPTS: u64 = 8;

pub struct MailContext<'a> {
    pub from: &'a Mailbox,
    /// Base URL of the web front end, for links in mails.
    pub app_url: &'a str,
    /// Rebuilds invitation tokens, which the outbox does not hold (L6).
    pub invitation_links: &'a InvitationLinks,
    /// Rebuilds pass links, which no record holds.
    pub pass_key: &'a PassKey,
}

impl MailContext<'_> {
    fn pass_links(&self) -> PassLinks<'_> {
        PassLinks {
            key: self.pass_key,
            app_url: self.app_url,
        }
    }
}

#[derive(Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct DeliveryReport {
    pub sent: u64,
    /// Dropped: recipient opted out, erased, or the subject is gone.
    pub dropped: u64,
    pub failed: u64,
}

struct Rendered {
    subject: String,
    text: String,
    html: String,
    ics: Option<String>,
    /// The pass's QR code, shown inline in the HTML as `cid:` [`QR_CID`].
    qr_png: Option<Vec<u8>>,
    /// Accounts besides the recipient whose names the mail shows.
    names: Option<UserId>,
}

fn escape(s: &str) -> String {
    // Names and project titles are user input; keep them inert in HTML.
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// The HTML twin of a mail's text. `links` are the links this mail put
/// into the text itself: those become clickable (a phone's mail app does
/// not always do it); anything else, user input included, stays inert.
fn html_of(text: &str, links: &[&str]) -> String {
    let body: Vec<String> = text
        .split("\n\n")
        .map(|p| {
            let mut p = escape(p);
            for link in links {
                let link = escape(link);
                p = p.replace(&link, &format!("<a href=\"{link}\">{link}</a>"));
            }
            format!("<p>{}</p>", p.replace('\n', "<br>"))
        })
        .collect();
    format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head><body style=\"font-family:sans-serif\">{}</body></html>",
        body.join("")
    )
}

fn pass_label(lang: Language) -> &'static str {
    match lang {
        Language::De => "Fahrerpass",
        Language::En => "Driver pass",
    }
}

fn role_de(role: &str) -> &'static str {
    match role {
        "manager" => "Logistikkoordinator/in",
        "member" => "Mitglied",
        "viewer" => "Leser/in",
        _ => "Eigentümer/in",
    }
}

fn status_text(status: &str, lang: Language) -> &'static str {
    match (status, lang) {
        ("approved", Language::De) => "bestätigt",
        ("declined", Language::De) => "abgelehnt",
        ("cancelled", Language::De) => "storniert",
        ("requested", Language::De) => "angefragt",
        ("checked-in" | "checkedIn", Language::De) => "eingecheckt",
        ("checked-out" | "checkedOut", Language::De) => "ausgecheckt",
        ("turned-away" | "turnedAway", Language::De) => "abgewiesen",
        ("approved", Language::En) => "approved",
        ("declined", Language::En) => "declined",
        ("cancelled", Language::En) => "cancelled",
        ("requested", Language::En) => "requested",
        ("checked-in" | "checkedIn", Language::En) => "checked in",
        ("checked-out" | "checkedOut", Language::En) => "checked out",
        ("turned-away" | "turnedAway", Language::En) => "turned away",
        (_, Language::De) => "geändert",
        (_, Language::En) => "updated",
    }
}

fn param<'a>(item: &'a OutboxItem, key: &str) -> &'a str {
    item.params
        .get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
}

/// The project a mail is about, if it still exists.
async fn item_project(
    store: &dyn DocumentStore,
    item: &OutboxItem,
) -> Result<Option<(ProjectId, projects::Project)>, DomainError> {
    let Some(project_id) = item.project_id.clone() else {
        return Ok(None);
    };
    Ok(projects::load(store, &project_id)
        .await?
        .map(|(project, _)| (project_id, project)))
}

async fn render_invitation(
    store: &dyn DocumentStore,
    item: &OutboxItem,
    ctx: &MailContext<'_>,
) -> Result<Option<Rendered>, DomainError> {
    let Some((_, project)) = item_project(store, item).await? else {
        return Ok(None);
    };
    let inviter = match UserId::parse(param(item, "inviterId")) {
        Some(id) => accounts::load_user(store, &id).await?,
        None => None,
    };
    let names = inviter.as_ref().map(|(u, _)| u.user_id.clone());
    let inviter = inviter
        .map(|(u, _)| format!("{} {}", u.first_name, u.last_name))
        .unwrap_or_else(|| "Insite LMS".to_owned());
    let Some(token) = ctx
        .invitation_links
        .token(param(item, "keyId"), param(item, "invitationId"))
    else {
        tracing::warn!("invitation mail dropped: its link key is no longer configured");
        return Ok(None);
    };
    let role = param(item, "role");
    let link = format!("{}/invitations/{token}", ctx.app_url.trim_end_matches('/'));
    let text = format!(
        "{inviter} lädt Sie als {role_de} in das Projekt „{p}“ auf Insite LMS ein.\n\
         Einladung annehmen: {link}\n\n\
         {inviter} invites you as {role} to the project “{p}” on Insite LMS.\n\
         Accept the invitation: {link}",
        role_de = role_de(role),
        p = project.name,
    );
    Ok(Some(Rendered {
        subject: format!("Einladung / Invitation: {}", project.name),
        html: html_of(&text, &[&link]),
        text,
        ics: None,
        qr_png: None,
        names,
    }))
}

/// The content id of the pass's QR image in an approval mail, in the
/// `left@right` form of RFC 2392 that strict mail clients want.
const QR_CID: &str = "pass-qr@insite-lms";

/// What a calendar event says besides its time: where and how to get in.
struct EventPlace<'a> {
    location: Option<&'a str>,
    description: String,
}

/// An iCalendar document of one booking, for calendar apps.
fn booking_ics(
    booking_id: &str,
    summary: &str,
    (start, end): (Timestamp, Timestamp),
    status: &str,
    place: &EventPlace<'_>,
) -> Option<String> {
    use icalendar::{Component, EventLike, EventStatus};
    let to_chrono = |t: Timestamp| chrono::DateTime::from_timestamp(t.as_second(), 0);
    let (start, end) = (to_chrono(start)?, to_chrono(end)?);
    let ev_status = match status {
        "approved" | "checked-in" | "checked-out" | "checkedIn" | "checkedOut" => {
            EventStatus::Confirmed
        }
        "cancelled" | "declined" | "turned-away" | "turnedAway" => EventStatus::Cancelled,
        _ => EventStatus::Tentative,
    };
    let mut event = icalendar::Event::new();
    event
        .uid(&format!("{booking_id}@insite-lms"))
        .summary(summary)
        .starts(start)
        .ends(end)
        .status(ev_status);
    if let Some(l) = place.location {
        event.location(l);
    }
    if !place.description.is_empty() {
        event.description(&place.description);
    }
    let event = event.done();
    Some(
        icalendar::Calendar::new()
            .name("Insite LMS")
            .push(event)
            .done()
            .to_string(),
    )
}

async fn render_booking(
    store: &dyn DocumentStore,
    item: &OutboxItem,
    lang: Language,
    ctx: &MailContext<'_>,
) -> Result<Option<Rendered>, DomainError> {
    let Some((project_id, project)) = item_project(store, item).await? else {
        return Ok(None);
    };
    let Some(booking_id) = BookingId::parse(param(item, "bookingId")) else {
        return Ok(None);
    };
    let Some((booking, _)) = bookings::load(store, &project_id, &booking_id).await? else {
        return Ok(None);
    };
    // The status the mail announces, even if the booking moved on since.
    let status = match item.params.get("status").and_then(Value::as_str) {
        Some(s) => s.to_owned(),
        None => booking.status.as_str().to_owned(),
    };
    let (start, end) = (booking.start, booking.end);
    let tz = project.time_zone.tz();
    let local = |t: Timestamp| {
        t.to_zoned_datetime(tz.clone())
            .strftime("%d.%m.%Y %H:%M")
            .to_string()
    };
    let word = status_text(&status, lang);
    let booked =
        bookings::pass::booked_resources(store, &project_id, &booking.resource_ids).await?;
    let link = ctx.pass_links().live_link(
        &booking.booking_id,
        booking.status,
        booking.end,
        booking.pass.as_ref(),
        Timestamp::now(),
    );
    let resources: Vec<(&str, Option<&str>)> = booked
        .iter()
        .map(|r| (r.name.as_str(), r.access_instructions.as_deref()))
        .collect();
    let place = EventPlace {
        location: project.address.as_deref(),
        description: passes::directions(
            project.access_instructions.as_deref(),
            &resources,
            link.as_deref().map(|l| (pass_label(lang), l)),
        ),
    };
    // The approval mail hands over the pass: its link and QR code.
    let pass = link.filter(|_| status == "approved");
    if pass.is_some() {
        bookings::pass::ensure_findable(store, &project_id, &booking).await?;
    }
    let (subject, mut text) = match lang {
        Language::De => (
            format!("Buchung {word}: {}", project.name),
            format!(
                "Ihre Lieferbuchung im Projekt „{}“ ist {word}.\nZeit: {} – {} ({})",
                project.name,
                local(start),
                local(end),
                project.time_zone.as_str()
            ),
        ),
        Language::En => (
            format!("Booking {word}: {}", project.name),
            format!(
                "Your delivery booking in the project “{}” is {word}.\nTime: {} – {} ({})",
                project.name,
                local(start),
                local(end),
                project.time_zone.as_str()
            ),
        ),
    };
    let mut html = html_of(&text, &[]);
    let mut qr_png = None;
    if let Some(link) = &pass {
        let (lead, alt) = match lang {
            Language::De => (
                "Fahrerpass für die Anfahrt (ohne Konto zu öffnen; an den Fahrer weitergeben)",
                "QR-Code des Fahrerpasses",
            ),
            Language::En => (
                "Driver pass for the delivery (opens without an account; pass it on to the driver)",
                "QR code of the driver pass",
            ),
        };
        text.push_str(&format!("\n\n{lead}: {link}"));
        html = html_of(&text, &[link]);
        match crate::qr::png(link, 6) {
            Ok(png) => {
                html = html.replace(
                    "</body>",
                    &format!(
                        "<p><img src=\"cid:{QR_CID}\" alt=\"{alt}\" width=\"240\" height=\"240\"></p></body>"
                    ),
                );
                qr_png = Some(png);
            }
            Err(e) => tracing::warn!(error = %e, "pass QR code not rendered"),
        }
    }
    Ok(Some(Rendered {
        ics: booking_ics(
            &booking_id.as_string(),
            &subject,
            (start, end),
            &status,
            &place,
        ),
        subject,
        html,
        text,
        qr_png,
        names: None,
    }))
}

/// Tomorrow's deliveries for a member who opted in; `None` (dropped) when
/// the day has emptied since it was queued.
async fn render_briefing(
    store: &dyn DocumentStore,
    item: &OutboxItem,
    lang: Language,
) -> Result<Option<Rendered>, DomainError> {
    let Some((_, project)) = item_project(store, item).await? else {
        return Ok(None);
    };
    let Ok(date) = param(item, "date").parse::<jiff::civil::Date>() else {
        return Ok(None);
    };
    let days = briefing::content(store, &project, date).await?;
    if days.is_empty() {
        return Ok(None);
    }
    let (heading, company, material, none) = match lang {
        Language::De => (
            format!(
                "Angemeldete Lieferungen für morgen, {}, im Projekt „{}“ (Zeiten in {}):",
                date.strftime("%d.%m.%Y"),
                project.name,
                project.time_zone.as_str()
            ),
            "Firma",
            "Material",
            "–",
        ),
        Language::En => (
            format!(
                "Deliveries booked for tomorrow, {}, in the project “{}” (times in {}):",
                date.strftime("%Y-%m-%d"),
                project.name,
                project.time_zone.as_str()
            ),
            "Company",
            "Material",
            "–",
        ),
    };
    let mut text = heading;
    for day in &days {
        text.push_str(&format!("\n\n{}", day.resource));
        for d in &day.deliveries {
            text.push_str(&format!(
                "\n{}–{} · {company}: {} · {material}: {}",
                d.start,
                d.end,
                d.company.as_deref().unwrap_or(none),
                d.material.as_deref().unwrap_or(none),
            ));
        }
    }
    let subject = match lang {
        Language::De => format!("Lieferungen morgen: {}", project.name),
        Language::En => format!("Tomorrow's deliveries: {}", project.name),
    };
    Ok(Some(Rendered {
        subject,
        html: html_of(&text, &[]),
        text,
        ics: None,
        qr_png: None,
        names: None,
    }))
}

fn build(from: &Mailbox, to: &EmailAddress, r: Rendered) -> Result<Message, String> {
    let to: Mailbox = to
        .as_str()
        .parse()
        .map_err(|e: lettre::address::AddressError| e.to_string())?;
    let html = SinglePart::html(r.html);
    let alternative = MultiPart::alternative().singlepart(SinglePart::plain(r.text));
    // The QR image travels beside the HTML that shows it (multipart/
    // related, `cid:`): mail clients block `data:` images and remote ones.
    let alternative = match r.qr_png {
        Some(png) => alternative.multipart(MultiPart::related().singlepart(html).singlepart(
            Attachment::new_inline(QR_CID.to_owned()).body(
                png,
                ContentType::parse("image/png").map_err(|e| e.to_string())?,
            ),
        )),
        None => alternative.singlepart(html),
    };
    let body = match r.ics {
        Some(ics) => MultiPart::mixed().multipart(alternative).singlepart(
            Attachment::new("booking.ics".to_owned()).body(
                ics,
                ContentType::parse("text/calendar; charset=utf-8; method=PUBLISH")
                    .map_err(|e| e.to_string())?,
            ),
        ),
        None => alternative,
    };
    Message::builder()
        .from(from.clone())
        .to(to)
        .subject(r.subject)
        .multipart(body)
        .map_err(|e| e.to_string())
}

/// Whether the item may be sent to its recipient now, and in which language.
async fn recipient_language(
    store: &dyn DocumentStore,
    item: &OutboxItem,
) -> Result<Option<Language>, DomainError> {
    let user = match &item.recipient_user_id {
        Some(id) => accounts::load_user(store, id).await?,
        None => None,
    };
    if item.template == "invitation" {
        return Ok(Some(user.map_or(Language::De, |(u, _)| u.language)));
    }
    if item.template == briefing::TEMPLATE {
        // The project's opt-in, checked again now: it may have been
        // withdrawn, or the membership ended, since the mail was queued.
        let (Some((u, _)), Some(project)) = (user, &item.project_id) else {
            return Ok(None);
        };
        let wanted = u.email == item.to && briefing::wants(store, project, &u.user_id).await?;
        return Ok(wanted.then_some(u.language));
    }
    let Some(kind) = opt_in::kind_of(&item.template, &item.params) else {
        return Ok(None);
    };
    Ok(user
        .filter(|(u, _)| u.wants(kind) && u.email == item.to)
        .map(|(u, _)| u.language))
}

/// Send up to `batch` pending mails, oldest first.
pub async fn deliver(
    store: &dyn DocumentStore,
    mailer: &dyn Mailer,
    ctx: &MailContext<'_>,
    batch: u32,
) -> Result<DeliveryReport, DomainError> {
    let mut report = DeliveryReport::default();
    let page = outbox::pending(store, batch).await?;
    for doc in page.items {
        let item: OutboxItem = doc.parse()?;
        let Ok(to) = EmailAddress::parse(&item.to) else {
            outbox::remove(store, &doc).await?;
            report.dropped += 1;
            continue;
        };
        let Some(lang) = recipient_language(store, &item).await? else {
            outbox::remove(store, &doc).await?;
            report.dropped += 1;
            continue;
        };
        let rendered = match item.template.as_str() {
            "invitation" => render_invitation(store, &item, ctx).await?,
            "booking-status" => render_booking(store, &item, lang, ctx).await?,
            briefing::TEMPLATE => render_briefing(store, &item, lang).await?,
            _ => None,
        };
        let Some(rendered) = rendered else {
            outbox::remove(store, &doc).await?;
            report.dropped += 1;
            continue;
        };
        let about: Vec<String> = item
            .recipient_user_id
            .iter()
            .chain(&rendered.names)
            .map(UserId::as_string)
            .collect();
        let sent = match build(ctx.from, &to, rendered) {
            Ok(message) => mailer
                .send(message, &about)
                .await
                .map_err(|e| e.to_string()),
            Err(e) => Err(e),
        };
        match sent {
            Ok(()) => {
                outbox::remove(store, &doc).await?;
                report.sent += 1;
            }
            Err(error) => {
                report.failed += 1;
                let attempts = outbox::attempts(&doc) + 1;
                tracing::warn!(attempts, template = %item.template, %error, "mail not sent");
                if attempts >= MAX_ATTEMPTS {
                    outbox::remove(store, &doc).await?;
                } else {
                    outbox::record_attempts(store, &doc, attempts).await?;
                }
            }
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::html_of;

    #[test]
    fn only_the_mails_own_links_are_clickable_and_user_text_stays_inert() {
        let ours = "https://lms.example/pass/a&b";
        let text = format!("Projekt <b>„https://evil.example“</b>\n\nFahrerpass: {ours}");
        let html = html_of(&text, &[ours]);
        assert!(html.contains(
            "<a href=\"https://lms.example/pass/a&amp;b\">https://lms.example/pass/a&amp;b</a>"
        ));
        assert!(
            html.contains("&lt;b&gt;„https://evil.example“&lt;/b&gt;"),
            "{html}"
        );
        assert_eq!(html.matches("<a ").count(), 1, "{html}");
    }
}
