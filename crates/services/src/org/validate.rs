//! What may be set on an organisation, checked and normalised before it is saved.

use domain::{Email, OdsCode, OrgKind, Postcode, text};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde::Deserialize;
use store::entities::organisation::{self, Model as Organisation};

use crate::error::Problems;
use crate::{Actor, ServiceError, Services};

/// What a person may set on an organisation. The same shape serves the form and the API.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct OrgInput {
    #[schema(schema_with = crate::schema::org_kind)]
    pub kind: Option<String>,
    pub ods_code: Option<String>,
    #[schema(required = true)]
    pub name: Option<String>,
    pub parent_id: Option<i32>,
    #[schema(schema_with = crate::schema::org_status)]
    pub status: Option<String>,
    #[schema(minimum = 0)]
    pub list_size: Option<i64>,
    pub pcn_opted_out: Option<bool>,
    pub commissioner_arrangement: Option<String>,
    pub postcode: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub website: Option<String>,
    pub charity_number: Option<String>,
    /// The version the editor read; required when editing.
    pub version: Option<i32>,
}

/// The validated, normalised values of an input.
pub(super) struct Valid {
    pub(super) kind: OrgKind,
    pub(super) ods_code: Option<String>,
    pub(super) name: String,
    pub(super) parent: Option<Organisation>,
    pub(super) status: String,
    pub(super) list_size: Option<i32>,
    pub(super) pcn_opted_out: bool,
    pub(super) commissioner_arrangement: Option<String>,
    pub(super) postcode: Option<String>,
    pub(super) email: Option<String>,
    pub(super) phone: Option<String>,
    pub(super) website: Option<String>,
    pub(super) charity_number: Option<String>,
}

fn text(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

pub(super) async fn validate(
    svc: &Services,
    actor: &Actor,
    input: &OrgInput,
    existing: Option<&Organisation>,
) -> Result<Valid, ServiceError> {
    let mut p = Problems::default();
    let kind = match existing {
        Some(o) => o.kind.parse().ok(),
        None => match text(&input.kind) {
            None => {
                p.add("kind", "Select the kind of organisation");
                None
            }
            Some(k) => p.take(
                "kind",
                k.parse::<OrgKind>()
                    .map_err(|_| "Select a kind of organisation from the list"),
            ),
        },
    };
    let name = p
        .required(
            "name",
            &input.name,
            text::ORG_NAME,
            "Enter the organisation's name",
        )
        .unwrap_or_default();
    let mut ods_code = None;
    if let Some(kind) = kind {
        match text(&input.ods_code) {
            Some(c) => {
                ods_code = p
                    .take("ods_code", OdsCode::parse_for(kind, &c))
                    .map(|c| c.as_str().to_owned())
            }
            None if kind.requires_ods_code() => p.add(
                "ods_code",
                format!("Enter the ODS code of the {}", kind.label()),
            ),
            None => {}
        }
    }
    if let Some(code) = &ods_code {
        let clash = organisation::Entity::find()
            .filter(organisation::Column::OdsCode.eq(code.clone()))
            .one(&svc.db)
            .await?
            .filter(|o| existing.is_none_or(|e| e.id != o.id));
        if let Some(other) = clash {
            p.add(
                "ods_code",
                format!("ODS code {code} is already used by {}", other.name),
            );
        }
    }
    let mut parent = None;
    if let Some(kind) = kind {
        let allowed = kind.allowed_parents();
        match input.parent_id {
            None if !allowed.is_empty() => p.add(
                "parent_id",
                format!("Select the organisation this {} belongs to", kind.label()),
            ),
            None => {}
            Some(_) if allowed.is_empty() => {
                p.add("parent_id", "A region sits at the top and has no parent")
            }
            // An organisation the actor cannot see is answered as one that is not there.
            Some(pid) => match organisation::Entity::find_by_id(pid)
                .one(&svc.db)
                .await?
                .filter(|o| actor.can_see_org(&o.path))
            {
                None => p.add(
                    "parent_id",
                    format!("There is no organisation with id {pid}"),
                ),
                Some(par) => {
                    let pk: Option<OrgKind> = par.kind.parse().ok();
                    if !pk.is_some_and(|k| allowed.contains(&k)) {
                        let names: Vec<&str> = allowed.iter().map(|k| k.label()).collect();
                        p.add(
                            "parent_id",
                            format!(
                                "A {} must belong to one of: {}",
                                kind.label(),
                                names.join(", ")
                            ),
                        );
                    } else if existing.is_some_and(|e| par.path.starts_with(&e.path)) {
                        p.add("parent_id", "An organisation cannot belong to itself or to one of its own teams or members");
                    } else {
                        parent = Some(par);
                    }
                }
            },
        }
    }
    let opted_out = input.pcn_opted_out.unwrap_or(false);
    let arrangement = p.text(
        "commissioner_arrangement",
        &input.commissioner_arrangement,
        text::COMMISSIONER_ARRANGEMENT,
    );
    if kind == Some(OrgKind::Practice) {
        let under_icb = parent
            .as_ref()
            .is_some_and(|par| par.kind == OrgKind::Icb.as_str());
        if opted_out && !under_icb && parent.is_some() {
            p.add(
                "parent_id",
                "A practice that opted out of its PCN belongs directly to its ICB: select the ICB",
            );
        }
        if under_icb && !opted_out {
            p.add(
                "pcn_opted_out",
                "A practice directly under an ICB must be recorded as opted out of the PCN",
            );
        }
        if opted_out && arrangement.is_none() {
            p.add("commissioner_arrangement", "Describe how the commissioner makes sure this practice's patients can use network services");
        }
    } else if opted_out {
        p.add("pcn_opted_out", "Only a GP practice can opt out of a PCN");
    }
    let list_size = match input.list_size {
        None => None,
        Some(n) if !(0..=1_000_000).contains(&n) => {
            p.add(
                "list_size",
                "List size must be between 0 and 1,000,000 registered patients",
            );
            None
        }
        Some(n) => i32::try_from(n).ok(),
    };
    let status = text(&input.status).unwrap_or_else(|| "active".into());
    if !["active", "closed"].contains(&status.as_str()) {
        p.add("status", "Status must be active or closed");
    }
    let postcode = match text(&input.postcode) {
        Some(pc) => p
            .take("postcode", Postcode::parse(&pc))
            .map(|v| v.as_str().to_owned()),
        None => None,
    };
    let email = match p.text("email", &input.email, text::EMAIL) {
        Some(e) => p
            .take("email", Email::parse(&e))
            .map(|v| v.as_str().to_owned()),
        None => None,
    };
    let website = p.text("website", &input.website, text::WEBSITE);
    if let Some(w) = &website
        && !(w.starts_with("https://") || w.starts_with("http://"))
    {
        p.add("website", "Enter a website address starting with https://");
    }
    let phone = p.text("phone", &input.phone, text::PHONE);
    if let Some(ph) = &phone
        && ph.chars().filter(char::is_ascii_digit).count() < 10
    {
        p.add(
            "phone",
            "Enter a phone number with at least 10 digits, like 0113 496 0000",
        );
    }
    let charity_number = p.text(
        "charity_number",
        &input.charity_number,
        text::CHARITY_NUMBER,
    );
    p.finish()?;
    let kind =
        kind.ok_or_else(|| ServiceError::invalid("kind", "Select the kind of organisation"))?;
    Ok(Valid {
        kind,
        ods_code,
        name,
        parent,
        status,
        list_size,
        pcn_opted_out: opted_out,
        commissioner_arrangement: if opted_out { arrangement } else { None },
        postcode,
        email,
        phone,
        website,
        charity_number,
    })
}
