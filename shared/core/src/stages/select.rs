//! The select stage (being written).

/// Lead fields a selection condition may name.
pub const FIELDS: &[&str] = &[
    "id", "first_name", "last_name", "email", "title", "company", "website", "industry",
    "employees", "country", "tech_stack", "source", "status", "owner", "created_at", "notes",
];
