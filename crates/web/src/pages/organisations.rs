//! Organisation pages: list with search and filters, view, add, edit.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::{OrgKind, Permission};
use serde::Deserialize;
use services::org::Organisation;
use services::org::{self, ListFilter, OrgInput};
use services::{FieldError, ServiceError};

use crate::AppState;
use crate::error::PageError;
use crate::forms::optional_int;
use crate::middleware::Viewer;
use crate::view::{Errors, Layout, Pager, render, thousands};
use crate::viewer::CurrentActor;

pub struct Row {
    pub id: i32,
    pub name: String,
    pub kind: &'static str,
    pub code: String,
    pub list_size: String,
    pub closed: bool,
}

fn kind_label(kind: &str) -> &'static str {
    kind.parse::<OrgKind>()
        .map(OrgKind::label)
        .unwrap_or("Organisation")
}

fn row(o: Organisation) -> Row {
    Row {
        id: o.id,
        kind: kind_label(&o.kind),
        code: o.ods_code.unwrap_or_default(),
        list_size: o.list_size.map(|n| thousands(n.into())).unwrap_or_default(),
        closed: o.status == "closed",
        name: o.name,
    }
}

fn kinds() -> Vec<(&'static str, &'static str)> {
    OrgKind::ALL
        .iter()
        .map(|k| (k.as_str(), k.label()))
        .collect()
}

#[derive(Template)]
#[template(path = "organisations/list.html")]
struct ListPage {
    l: Layout,
    q: String,
    kind: String,
    kinds: Vec<(&'static str, &'static str)>,
    rows: Vec<Row>,
    total_text: String,
    pager: Pager,
    can_add: bool,
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    q: Option<String>,
    kind: Option<String>,
    page: Option<u64>,
}

pub async fn list(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref actor): CurrentActor,
    Query(q): Query<ListQuery>,
) -> Response {
    let kind = q.kind.clone().unwrap_or_default();
    let filter = ListFilter {
        kind: kind.parse().ok(),
        q: q.q.clone(),
        parent_id: None,
        page: q.page.unwrap_or(1),
        per_page: 25,
    };
    match org::list(&state.svc, actor, filter).await {
        Ok(page) => {
            let total_text = match page.total {
                0 => "No organisations match your search.".to_string(),
                1 => "1 organisation".to_string(),
                n => format!(
                    "{} organisations, page {} of {}",
                    thousands(n as i64),
                    page.page,
                    page.total_pages()
                ),
            };
            let pager = Pager::new(
                "/organisations",
                &[
                    ("q", q.q.clone().unwrap_or_default()),
                    ("kind", kind.clone()),
                ],
                page.page,
                page.total_pages(),
            );
            render(
                StatusCode::OK,
                &ListPage {
                    l: Layout::for_viewer("Organisations", &v, "/organisations"),
                    q: q.q.unwrap_or_default(),
                    kind,
                    kinds: kinds(),
                    rows: page.items.into_iter().map(row).collect(),
                    total_text,
                    pager,
                    can_add: actor.can(Permission::ManageOrganisations),
                },
            )
        }
        Err(e) => PageError::new(e, &v).into_response(),
    }
}

#[derive(Template)]
#[template(path = "organisations/show.html")]
struct ShowPage {
    l: Layout,
    o: Organisation,
    kind_label: &'static str,
    rows: Vec<(&'static str, String)>,
    ancestors: Vec<(i32, String)>,
    children: Vec<Row>,
    can_edit: bool,
    saved: bool,
}

#[derive(Deserialize, Default)]
pub struct ShowQuery {
    saved: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref actor): CurrentActor,
    Path(id): Path<i32>,
    Query(q): Query<ShowQuery>,
) -> Response {
    let result = async {
        let o = org::get(&state.svc, actor, id).await?;
        let ancestors = org::ancestors(&state.svc, &o).await?;
        let children = org::children(&state.svc, actor, &o).await?;
        org::audit_view(&state.svc, actor, &v.meta, id).await?;
        Ok::<_, ServiceError>((o, ancestors, children))
    }
    .await;
    let (o, ancestors, children) = match result {
        Ok(x) => x,
        Err(e) => return PageError::new(e, &v).into_response(),
    };
    let parent_name = ancestors
        .last()
        .map(|p| p.name.clone())
        .unwrap_or_else(|| "None".into());
    let mut rows = vec![("Kind", kind_label(&o.kind).to_string())];
    if let Some(c) = &o.ods_code {
        rows.push(("ODS code", c.clone()));
    }
    rows.push(("Belongs to", parent_name));
    rows.push((
        "Status",
        if o.status == "closed" {
            "Closed".into()
        } else {
            "Active".into()
        },
    ));
    if let Some(n) = o.list_size {
        rows.push((
            "List size",
            format!("{} registered patients", thousands(n.into())),
        ));
    }
    if o.kind == OrgKind::Practice.as_str() {
        rows.push((
            "PCN membership",
            if o.pcn_opted_out {
                "Opted out of the PCN".into()
            } else {
                "Member of its PCN".into()
            },
        ));
        if let Some(a) = &o.commissioner_arrangement {
            rows.push(("Commissioner's arrangement", a.clone()));
        }
    }
    for (label, value) in [
        ("Postcode", &o.postcode),
        ("Email", &o.email),
        ("Phone", &o.phone),
        ("Website", &o.website),
        ("Charity number", &o.charity_number),
    ] {
        if let Some(v) = value {
            rows.push((label, v.clone()));
        }
    }
    let can_edit = actor.can_at(Permission::ManageOrganisations, &o.path);
    render(
        StatusCode::OK,
        &ShowPage {
            l: Layout::for_viewer(o.name.clone(), &v, "/organisations"),
            kind_label: kind_label(&o.kind),
            rows,
            ancestors: ancestors.into_iter().map(|a| (a.id, a.name)).collect(),
            children: children.into_iter().map(row).collect(),
            can_edit,
            saved: q.saved.is_some(),
            o,
        },
    )
}

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
