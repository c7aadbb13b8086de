//! Identifiers: time-ordered UUIDs (v7), one newtype per kind of thing, so a
//! project id can never be passed where a user id is expected.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(uuid::Uuid);

        impl $name {
            pub fn generate() -> Self {
                $name(uuid::Uuid::now_v7())
            }

            /// Parse a client-supplied id; `None` when it is not a UUID.
            pub fn parse(s: &str) -> Option<Self> {
                uuid::Uuid::try_parse(s).ok().map($name)
            }

            pub fn as_string(&self) -> String {
                self.0.hyphenated().to_string()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0.hyphenated())
            }
        }

        impl TryFrom<String> for $name {
            type Error = String;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                Self::parse(&s).ok_or_else(|| format!("{s:?} is not a valid id"))
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.as_string()
            }
        }
    };
}

id_type!(
    /// A user account.
    UserId
);
id_type!(
    /// A customer organization (a company).
    OrganizationId
);
id_type!(
    /// A construction project.
    ProjectId
);
id_type!(
    /// A file stored in a project.
    FileId
);
id_type!(
    /// Any record inside a partition: audit entries, login records, tokens.
    RecordId
);
id_type!(
    /// A site resource: unloading zone, crane, hoist, gate, storage area.
    ResourceId
);
id_type!(
    /// A delivery-slot booking.
    BookingId
);
