//! Projects (P7, P8): a project belongs to the creating user's organization,
//! whose admins are its owners. Everything of a project lives in its own
//! partition of the `projects` container, so deleting a project is deleting
//! that partition (plus the few things kept elsewhere: membership copies,
//! invitation tokens and file blobs).

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::accounts::{self, Organization};
use super::audit;
use super::error::{DomainError, Validator};
use super::ids::{OrganizationId, ProjectId, UserId};
use super::members;
use super::roles::Role;
use super::text::Name;
use crate::store::containers::{ORGANIZATIONS, PROJECTS};
use crate::store::{
    BatchOp, DocumentStore, ETag, NewDocument, Query, StoreError, query_all, read_record,
};

pub const PROJECT_ID: &str = "project";
pub const NAME_MAX: usize = 200;
pub const ADDRESS_MAX: usize = 300;

/// A valid IANA time zone name, e.g. `Europe/Vienna`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TimeZoneName(String);

impl TimeZoneName {
    pub fn parse(s: &str) -> Result<Self, String> {
        jiff::tz::TimeZone::get(s.trim())
            .map(|_| TimeZoneName(s.trim().to_owned()))
            .map_err(|_| format!("{s:?} is not an IANA time zone such as Europe/Vienna"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn tz(&self) -> jiff::tz::TimeZone {
        jiff::tz::TimeZone::get(&self.0).unwrap_or(jiff::tz::TimeZone::UTC)
    }
}

impl TryFrom<String> for TimeZoneName {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Self::parse(&s)
    }
}

impl From<TimeZoneName> for String {
    fn from(t: TimeZoneName) -> String {
        t.0
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ProjectSettings {
    /// Members' bookings start as `requested` and need a manager's approval.
    pub booking_approval_required: bool,
    /// Members may not create or change bookings starting sooner than this.
    pub booking_cutoff_hours: u32,
    /// Minutes after an approved booking's end without check-in before it
    /// counts as a no-show.
    pub no_show_grace_minutes: u32,
}

impl Default for ProjectSettings {
    fn default() -> Self {
        ProjectSettings {
            booking_approval_required: true,
            booking_cutoff_hours: 0,
            no_show_grace_minutes: 30,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Project {
    pub kind: String,
    pub project_id: ProjectId,
    pub organization_id: OrganizationId,
    pub name: String,
    pub address: Option<String>,
    pub time_zone: TimeZoneName,
    pub settings: ProjectSettings,
    #[serde(with = "crate::domain::time::fixed")]
    pub created_at: Timestamp,
    pub created_by: UserId,
    /// Site-wide instructions for drivers (the gate, the way in).
    #[serde(default)]
    pub access_instructions: Option<String>,
}

/// The organization's list of its projects: one small document each.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrgProject {
    pub kind: String,
    pub project_id: ProjectId,
}

pub fn org_project_id(project: &ProjectId) -> String {
    format!("project-{project}")
}

/// The ids of an organization's projects.
pub async fn of_organization(
    store: &dyn DocumentStore,
    org: &OrganizationId,
) -> Result<Vec<ProjectId>, DomainError> {
    let docs = query_all(
        store,
        ORGANIZATIONS,
        &org.as_string(),
        Query::new().eq("kind", "orgProject"),
    )
    .await?;
    Ok(docs
        .iter()
        .map(|d| d.parse::<OrgProject>().map(|o| o.project_id))
        .collect::<Result<_, _>>()?)
}

/// Fields of a new or changed project, as received.
#[derive(Default)]
pub struct ProjectInput<'a> {
    pub name: Option<&'a str>,
    pub address: Option<Option<&'a str>>,
    pub time_zone: Option<&'a str>,
    pub settings: Option<ProjectSettings>,
    /// `Some(None)` or empty text removes them.
    pub access_instructions: Option<Option<&'a str>>,
}

fn check_settings(v: &mut Validator, s: &ProjectSettings) {
    if s.booking_cutoff_hours > 24 * 90 {
        v.fail("settings.bookingCutoffHours", "must be at most 2160 hours");
    }
    if s.no_show_grace_minutes > 24 * 60 {
        v.fail(
            "settings.noShowGraceMinutes",
            "must be at most 1440 minutes",
        );
    }
}

fn optional_address(v: &mut Validator, raw: Option<&str>) -> Option<String> {
    let raw = raw.map(str::trim).filter(|s| !s.is_empty())?;
    v.check("address", Name::parse(raw, ADDRESS_MAX))
        .map(|n| n.as_str().to_owned())
}

pub async fn load(
    store: &dyn DocumentStore,
    project: &ProjectId,
) -> Result<Option<(Project, ETag)>, DomainError> {
    Ok(read_record(store, PROJECTS, &project.as_string(), PROJECT_ID).await?)
}

pub async fn require(
    store: &dyn DocumentStore,
    project: &ProjectId,
) -> Result<(Project, ETag), DomainError> {
    load(store, project).await?.ok_or(DomainError::NotFound)
}

/// Create a project in the creator's organization; its admins become owners.
pub async fn create(
    store: &dyn DocumentStore,
    creator: &UserId,
    input: ProjectInput<'_>,
) -> Result<Project, DomainError> {
    let (user, _) = accounts::require_user(store, creator).await?;
    let Some(org_id) = user.organization_id else {
        return Err(DomainError::Forbidden(
            "only users of a customer organization can create projects",
        ));
    };
    let mut v = Validator::default();
    let name = v.check(
        "name",
        Name::parse(input.name.unwrap_or_default(), NAME_MAX),
    );
    let address = optional_address(&mut v, input.address.flatten());
    let time_zone = match input.time_zone {
        Some(tz) => v.check("timeZone", TimeZoneName::parse(tz)),
        None => {
            v.fail("timeZone", "is required, e.g. Europe/Vienna");
            None
        }
    };
    let settings = input.settings.unwrap_or_default();
    check_settings(&mut v, &settings);
    let access_instructions = v
        .check(
            "accessInstructions",
            super::text::access_instructions(input.access_instructions.flatten()),
        )
        .flatten();
    v.finish()?;
    let (Some(name), Some(time_zone)) = (name, time_zone) else {
        return Err(DomainError::Validation(Vec::new()));
    };
    let org: Organization = store
        .read(ORGANIZATIONS, &org_id.as_string(), &org_id.as_string())
        .await?
        .ok_or_else(|| StoreError::Internal("organization record missing".into()))?
        .parse()?;

    let project = Project {
        kind: "project".into(),
        project_id: ProjectId::generate(),
        organization_id: org_id,
        name: name.as_str().to_owned(),
        address,
        time_zone,
        settings,
        created_at: Timestamp::now(),
        created_by: creator.clone(),
        access_instructions,
    };
    let pk = project.project_id.as_string();
    let mut owners = org.admin_ids.clone();
    if !owners.contains(creator) {
        owners.push(creator.clone());
    }
    let mut batch = vec![BatchOp::Create(NewDocument::from_record(
        &pk, PROJECT_ID, &project,
    )?)];
    for owner in &owners {
        batch.push(BatchOp::Create(members::member_doc(
            &project.project_id,
            owner,
            Role::Owner,
        )?));
    }
    batch.push(BatchOp::Create(audit::entry(
        &pk,
        Some(creator),
        "project.created",
        "project",
        &pk,
        &["name", "address", "timeZone", "settings"],
    )?));
    store.batch(PROJECTS, &pk, batch).await?;
    store
        .upsert(
            ORGANIZATIONS,
            NewDocument::from_record(
                project.organization_id.as_string(),
                org_project_id(&project.project_id),
                &OrgProject {
                    kind: "orgProject".into(),
                    project_id: project.project_id.clone(),
                },
            )?,
        )
        .await?;
    for owner in &owners {
        members::write_membership_copy(store, &project.project_id, owner, Role::Owner).await?;
    }
    Ok(project)
}

/// Change name, address, time zone or settings.
pub async fn update(
    store: &dyn DocumentStore,
    actor: &UserId,
    project_id: &ProjectId,
    input: ProjectInput<'_>,
) -> Result<Project, DomainError> {
    let (mut project, etag) = require(store, project_id).await?;
    let mut v = Validator::default();
    let mut changed = Vec::new();
    if let Some(name) = input.name
        && let Some(n) = v.check("name", Name::parse(name, NAME_MAX))
        && n.as_str() != project.name
    {
        project.name = n.as_str().to_owned();
        changed.push("name");
    }
    if let Some(address) = input.address {
        let a = optional_address(&mut v, address);
        if a != project.address {
            project.address = a;
            changed.push("address");
        }
    }
    if let Some(tz) = input.time_zone
        && let Some(tz) = v.check("timeZone", TimeZoneName::parse(tz))
        && tz != project.time_zone
    {
        project.time_zone = tz;
        changed.push("timeZone");
    }
    if let Some(settings) = input.settings {
        check_settings(&mut v, &settings);
        if settings != project.settings {
            project.settings = settings;
            changed.push("settings");
        }
    }
    if let Some(text) = input.access_instructions
        && let Some(text) = v.check("accessInstructions", super::text::access_instructions(text))
        && text != project.access_instructions
    {
        project.access_instructions = text;
        changed.push("accessInstructions");
    }
    v.finish()?;
    if changed.is_empty() {
        return Ok(project);
    }
    let pk = project_id.as_string();
    store
        .batch(
            PROJECTS,
            &pk,
            vec![
                BatchOp::Replace {
                    doc: NewDocument::from_record(&pk, PROJECT_ID, &project)?,
                    if_match: Some(etag),
                },
                BatchOp::Create(audit::entry(
                    &pk,
                    Some(actor),
                    "project.updated",
                    "project",
                    &pk,
                    &changed,
                )?),
            ],
        )
        .await?;
    Ok(project)
}

/// The projects the user is a member of, with the user's role.
pub async fn list_for_user(
    store: &dyn DocumentStore,
    user: &UserId,
    limit: u32,
    next: Option<String>,
) -> Result<(Vec<(Project, Role)>, Option<String>), DomainError> {
    let (copies, next) = members::copies_page(store, user, limit, next).await?;
    let mut out = Vec::new();
    for m in copies {
        // The project partition is the authority; a stale copy is skipped.
        if let Some(member) = members::load(store, &m.project_id, user).await?
            && let Some((project, _)) = load(store, &m.project_id).await?
        {
            out.push((project, member.0.role));
        }
    }
    Ok((out, next))
}

/// The blob-name prefix under which a project's files live.
pub fn blob_prefix(project: &ProjectId) -> String {
    format!("projects/{project}/")
}

/// What an admin sees of their organization: its users and its projects.
pub struct OrganizationOverview {
    pub organization: Organization,
    pub users: Vec<accounts::User>,
    pub projects: Vec<Project>,
}

/// The organization with its users and projects; only its admins may see
/// it, anyone else learns nothing (404).
pub async fn organization_overview(
    store: &dyn DocumentStore,
    actor: &UserId,
    org: &OrganizationId,
) -> Result<OrganizationOverview, DomainError> {
    let organization = accounts::load_organization(store, org)
        .await?
        .filter(|o| o.admin_ids.contains(actor))
        .ok_or(DomainError::NotFound)?;
    let mut users = Vec::with_capacity(organization.admin_ids.len());
    for id in &organization.admin_ids {
        if let Some((u, _)) = accounts::load_user(store, id).await? {
            users.push(u);
        }
    }
    let mut projects = Vec::new();
    for id in of_organization(store, org).await? {
        if let Some((p, _)) = load(store, &id).await? {
            projects.push(p);
        }
    }
    projects.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(OrganizationOverview {
        organization,
        users,
        projects,
    })
}
