//! Adding and editing an organisation: the form, kept as typed when it comes back with errors
//! or after someone else saved first.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::Permission;
use serde::Deserialize;
use services::org::{self, OrgInput, Organisation};
use services::{FieldError, ServiceError};

use super::{kind_label, kinds};
use crate::AppState;
use crate::error::PageError;
use crate::forms::optional_int;
use crate::middleware::Viewer;
use crate::view::{Errors, Layout, render};
use crate::viewer::CurrentActor;

/// The form as typed, so it can be shown again with its errors.
#[derive(Deserialize, Default, Clone)]
pub struct OrgForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    ods_code: String,
    #[serde(default)]
    parent_id: String,
    #[serde(default)]
    list_size: String,
    #[serde(default)]
    pcn_opted_out: Option<String>,
    #[serde(default)]
    commissioner_arrangement: String,
    #[serde(default)]
    postcode: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    website: String,
    #[serde(default)]
    charity_number: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    version: String,
}

pub struct FormValues {
    pub kind: String,
    pub name: String,
    pub ods_code: String,
    pub parent_id: String,
    pub list_size: String,
    pub pcn_opted_out: bool,
    pub commissioner_arrangement: String,
    pub postcode: String,
    pub email: String,
    pub phone: String,
    pub website: String,
    pub charity_number: String,
    pub status: String,
    pub version: String,
}

impl From<&OrgForm> for FormValues {
    fn from(f: &OrgForm) -> Self {
        FormValues {
            kind: f.kind.clone(),
            name: f.name.clone(),
            ods_code: f.ods_code.clone(),
            parent_id: f.parent_id.clone(),
            list_size: f.list_size.clone(),
            pcn_opted_out: f.pcn_opted_out.is_some(),
            commissioner_arrangement: f.commissioner_arrangement.clone(),
            postcode: f.postcode.clone(),
            email: f.email.clone(),
            phone: f.phone.clone(),
            website: f.website.clone(),
            charity_number: f.charity_number.clone(),
            status: f.status.clone(),
            version: f.version.clone(),
        }
    }
}

impl From<&Organisation> for FormValues {
    fn from(o: &Organisation) -> Self {
        FormValues {
            kind: o.kind.clone(),
            name: o.name.clone(),
            ods_code: o.ods_code.clone().unwrap_or_default(),
            parent_id: o.parent_id.map(|p| p.to_string()).unwrap_or_default(),
            list_size: o.list_size.map(|n| n.to_string()).unwrap_or_default(),
            pcn_opted_out: o.pcn_opted_out,
            commissioner_arrangement: o.commissioner_arrangement.clone().unwrap_or_default(),
            postcode: o.postcode.clone().unwrap_or_default(),
            email: o.email.clone().unwrap_or_default(),
            phone: o.phone.clone().unwrap_or_default(),
            website: o.website.clone().unwrap_or_default(),
            charity_number: o.charity_number.clone().unwrap_or_default(),
            status: o.status.clone(),
            version: o.version.to_string(),
        }
    }
}

#[derive(Template)]
#[template(path = "organisations/form.html")]
struct FormPage {
    l: Layout,
    errors: Errors,
    conflict: String,
    heading: String,
    action: String,
    back: String,
    submit: &'static str,
    editing: bool,
    kind_label: &'static str,
    kinds: Vec<(&'static str, &'static str)>,
    parents: Vec<(String, String)>,
    f: FormValues,
}

/// Parses the typed form into the use case's input, collecting format errors.
fn to_input(f: &OrgForm) -> (OrgInput, Vec<FieldError>) {
    let mut errors = Vec::new();
    let list_size = optional_int("list_size", "List size", &f.list_size, &mut errors);
    let version = f.version.trim().parse().ok();
    let parent_id = match f.parent_id.trim() {
        "" => None,
        p => match p.parse() {
            Ok(id) => Some(id),
            Err(_) => {
                errors.push(FieldError::new(
                    "parent_id",
                    "Select the organisation this one belongs to from the list",
                ));
                None
            }
        },
    };
    let input = OrgInput {
        kind: Some(f.kind.clone()),
        ods_code: Some(f.ods_code.clone()),
        name: Some(f.name.clone()),
        parent_id,
        status: Some(f.status.clone()).filter(|s| !s.is_empty()),
        list_size,
        pcn_opted_out: Some(f.pcn_opted_out.is_some()),
        commissioner_arrangement: Some(f.commissioner_arrangement.clone()),
        postcode: Some(f.postcode.clone()),
        email: Some(f.email.clone()),
        phone: Some(f.phone.clone()),
        website: Some(f.website.clone()),
        charity_number: Some(f.charity_number.clone()),
        version,
    };
    (input, errors)
}

async fn parents(state: &AppState, v: &Viewer) -> Result<Vec<(String, String)>, ServiceError> {
    let Some(actor) = v.actor() else {
        return Ok(vec![]);
    };
    Ok(org::parent_choices(&state.svc, actor)
        .await?
        .into_iter()
        .map(|o| {
            let code = o.ods_code.map(|c| format!(" ({c})")).unwrap_or_default();
            (
                o.id.to_string(),
                format!("{}{code} – {}", o.name, kind_label(&o.kind)),
            )
        })
        .collect())
}

#[allow(clippy::too_many_arguments)]
async fn form_page(
    state: &AppState,
    v: &Viewer,
    status: StatusCode,
    editing: Option<&Organisation>,
    f: FormValues,
    errors: Errors,
    conflict: String,
) -> Response {
    let parents = match parents(state, v).await {
        Ok(p) => p,
        Err(e) => return PageError::new(e, v).into_response(),
    };
    let (heading, action, back, submit, kind_label_s) = match editing {
        Some(o) => (
            format!("Edit {}", o.name),
            format!("/organisations/{}/edit", o.id),
            format!("/organisations/{}", o.id),
            "Save changes",
            kind_label(&o.kind),
        ),
        None => (
            "Add an organisation".to_string(),
            "/organisations/new".to_string(),
            "/organisations".to_string(),
            "Add organisation",
            "",
        ),
    };
    let l = Layout::for_viewer(heading.clone(), v, "/organisations").with_errors(&errors);
    render(
        status,
        &FormPage {
            l,
            errors,
            conflict,
            heading,
            action,
            back,
            submit,
            editing: editing.is_some(),
            kind_label: kind_label_s,
            kinds: kinds(),
            parents,
            f,
        },
    )
}

pub async fn new_form(State(state): State<AppState>, v: Viewer) -> Response {
    let f = FormValues::from(&OrgForm {
        version: String::new(),
        ..Default::default()
    });
    form_page(
        &state,
        &v,
        StatusCode::OK,
        None,
        f,
        Errors::default(),
        String::new(),
    )
    .await
}

pub async fn create(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref actor): CurrentActor,
    Form(f): Form<OrgForm>,
) -> Response {
    let (input, mut errors) = to_input(&f);
    let result = if errors.is_empty() {
        org::create(&state.svc, actor, &v.meta, input).await
    } else {
        Err(ServiceError::Invalid(vec![]))
    };
    match result {
        Ok(o) => Redirect::to(&format!("/organisations/{}?saved=1", o.id)).into_response(),
        Err(ServiceError::Invalid(list)) => {
            errors.extend(list);
            form_page(
                &state,
                &v,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                FormValues::from(&f),
                Errors(errors),
                String::new(),
            )
            .await
        }
        Err(e) => PageError::new(e, &v).into_response(),
    }
}

pub async fn edit_form(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref actor): CurrentActor,
    Path(id): Path<i32>,
) -> Response {
    let o = match org::get(&state.svc, actor, id).await {
        Ok(o) if actor.can_at(Permission::ManageOrganisations, &o.path) => o,
        Ok(_) => {
            return PageError::new(ServiceError::Forbidden("edit this organisation".into()), &v)
                .into_response();
        }
        Err(e) => return PageError::new(e, &v).into_response(),
    };
    form_page(
        &state,
        &v,
        StatusCode::OK,
        Some(&o),
        FormValues::from(&o),
        Errors::default(),
        String::new(),
    )
    .await
}

pub async fn update(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref actor): CurrentActor,
    Path(id): Path<i32>,
    Form(f): Form<OrgForm>,
) -> Response {
    let (input, mut errors) = to_input(&f);
    let result = if errors.is_empty() {
        org::update(&state.svc, actor, &v.meta, id, input).await
    } else {
        Err(ServiceError::Invalid(vec![]))
    };
    match result {
        Ok(o) => Redirect::to(&format!("/organisations/{}?saved=1", o.id)).into_response(),
        Err(ServiceError::Invalid(list)) => {
            errors.extend(list);
            match org::get(&state.svc, actor, id).await {
                Ok(o) => {
                    form_page(
                        &state,
                        &v,
                        StatusCode::UNPROCESSABLE_ENTITY,
                        Some(&o),
                        FormValues::from(&f),
                        Errors(errors),
                        String::new(),
                    )
                    .await
                }
                Err(e) => PageError::new(e, &v).into_response(),
            }
        }
        // Someone else saved first: show what they saved, with the editor's typing kept in the
        // message, so nothing is lost silently.
        Err(ServiceError::Conflict(msg)) => match org::get(&state.svc, actor, id).await {
            Ok(o) => {
                let mut values = FormValues::from(&f);
                values.version = o.version.to_string();
                form_page(
                    &state,
                    &v,
                    StatusCode::CONFLICT,
                    Some(&o),
                    values,
                    Errors::default(),
                    msg,
                )
                .await
            }
            Err(e) => PageError::new(e, &v).into_response(),
        },
        Err(e) => PageError::new(e, &v).into_response(),
    }
}
