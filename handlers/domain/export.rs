//! The export of everything held about a person (P11, GDPR art. 15/20):
//! profile, consent, memberships, login records, support requests, audit
//! entries naming them as actor, and what each project keeps about them
//! (bookings they requested, files they uploaded).

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use super::accounts::{self, Language, NotificationKind, User};
use super::audit;
use super::bookings::Booking;
use super::error::DomainError;
use super::ids::OrganizationId;
use super::members;
use super::passes::PassLinks;
use super::policy::PolicyVersion;
use super::projects;
use super::roles::Role;
use super::sessions;
use super::support;
use crate::store::containers::{PROJECTS, USERS};
use crate::store::{Container, Document, DocumentStore, Query, StoreError, query_all};

/// Every matching document of one partition, as exported.
async fn all(
    store: &dyn DocumentStore,
    c: Container,
    pk: &str,
    q: Query,
) -> Result<Vec<Value>, StoreError> {
    Ok(stripped(query_all(store, c, pk, q).await?))
}

fn stripped(docs: Vec<Document>) -> Vec<Value> {
    docs.into_iter().map(|d| strip(d.body)).collect()
}

/// Storage bookkeeping is not data about the person.
fn strip(mut v: Value) -> Value {
    if let Some(o) = v.as_object_mut() {
        o.remove("pk");
        o.remove("kind");
    }
    v
}

/// Per project: records of `kind` whose `field` names the user.
pub struct ProjectRecords {
    pub section: &'static str,
    pub kind: &'static str,
    pub field: &'static str,
}

/// What the project partitions hold about a person, by section.
pub const PROJECT_RECORDS: &[ProjectRecords] = &[
    ProjectRecords {
        section: "auditEntries",
        kind: audit::KIND,
        field: "actorId",
    },
    ProjectRecords {
        section: "bookingsRequested",
        kind: super::bookings::KIND,
        field: "userId",
    },
    ProjectRecords {
        section: "filesUploaded",
        kind: super::files::FILE_KIND,
        field: "uploadedBy",
    },
];

/// The export's layout; the records of the stores go in as they are
/// stored, less their bookkeeping.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Export<'a> {
    exported_at: String,
    profile: Profile<'a>,
    consent: Consent<'a>,
    notification_settings: NotificationSettings,
    login_records: Vec<Value>,
    account_audit_entries: Vec<Value>,
    projects: Vec<ProjectExport>,
    support_requests: Vec<Value>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Profile<'a> {
    id: String,
    email: &'a str,
    first_name: &'a str,
    last_name: &'a str,
    organization_id: &'a Option<OrganizationId>,
    company_name: &'a Option<String>,
    language: Language,
    created_at: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Consent<'a> {
    accepted_policy_version: &'a PolicyVersion,
    accepted_policy_at: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct NotificationSettings {
    email_notifications: bool,
    kinds: Vec<NotificationKind>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ProjectExport {
    project_id: String,
    name: String,
    role: Role,
    /// The opt-in to the project's daily briefing (P6).
    briefing_opt_in: bool,
    /// The records of `PROJECT_RECORDS`, by section.
    #[serde(flatten)]
    records: BTreeMap<&'static str, Vec<Value>>,
}

pub async fn export(
    store: &dyn DocumentStore,
    user: &User,
    links: PassLinks<'_>,
) -> Result<Value, DomainError> {
    let uid = user.user_id.as_string();
    let memberships = members::copies_of(store, &user.user_id).await?;
    let logins = stripped(sessions::login_records_of(store, &user.user_id).await?);
    let account_audit = all(store, USERS, &uid, Query::new().eq("kind", audit::KIND)).await?;
    let support_requests = stripped(support::requests_of(store, &user_email_key(user)?).await?);

    let mut projects_out = Vec::new();
    for copy in &memberships {
        let Some((project, _)) = projects::load(store, &copy.project_id).await? else {
            continue;
        };
        let pk = copy.project_id.as_string();
        let briefing = members::load(store, &copy.project_id, &user.user_id)
            .await?
            .is_some_and(|(m, _)| m.briefing);
        let mut records = BTreeMap::new();
        for r in PROJECT_RECORDS {
            let found = all(
                store,
                PROJECTS,
                &pk,
                Query::new().eq("kind", r.kind).eq(r.field, uid.clone()),
            )
            .await?;
            let records_of_kind = if r.kind == super::bookings::KIND {
                found
                    .into_iter()
                    .map(|b| with_pass_link(b, links))
                    .collect()
            } else {
                found
            };
            records.insert(r.section, records_of_kind);
        }
        projects_out.push(ProjectExport {
            project_id: pk,
            name: project.name,
            role: copy.role,
            briefing_opt_in: briefing,
            records,
        });
    }

    let export = Export {
        exported_at: super::time::format(&jiff::Timestamp::now()),
        profile: Profile {
            id: uid,
            email: &user.email,
            first_name: &user.first_name,
            last_name: &user.last_name,
            organization_id: &user.organization_id,
            company_name: &user.company_name,
            language: user.language,
            created_at: super::time::format(&user.created_at),
        },
        consent: Consent {
            accepted_policy_version: &user.accepted_policy_version,
            accepted_policy_at: super::time::format(&user.accepted_policy_at),
        },
        notification_settings: NotificationSettings {
            email_notifications: user.email_notifications,
            kinds: user.notification_kinds(),
        },
        login_records: logins,
        account_audit_entries: account_audit,
        projects: projects_out,
        support_requests,
    };
    // Only string keys and plain values: serializing cannot fail.
    serde_json::to_value(export).map_err(|e| StoreError::Internal(e.to_string()).into())
}

/// A booking as exported: its pass as the link while it is live, never
/// the nonce or the token's hash (issue 18).
fn with_pass_link(mut v: Value, links: PassLinks<'_>) -> Value {
    let link = serde_json::from_value::<Booking>(v.clone())
        .ok()
        .and_then(|b| {
            links.live_link(
                &b.booking_id,
                b.status,
                b.end,
                b.pass.as_ref(),
                jiff::Timestamp::now(),
            )
        });
    if let Some(o) = v.as_object_mut() {
        o.remove("pass");
        o.insert("passLink".into(), link.into());
    }
    v
}

fn user_email_key(user: &User) -> Result<String, StoreError> {
    super::email::EmailAddress::parse(&user.email)
        .map(|e| e.key())
        .map_err(|_| StoreError::Internal("stored email invalid".into()))
}

/// Load the caller and export.
pub async fn export_for(
    store: &dyn DocumentStore,
    user: &super::ids::UserId,
    links: PassLinks<'_>,
) -> Result<Value, DomainError> {
    let (user, _) = accounts::require_user(store, user).await?;
    export(store, &user, links).await
}
