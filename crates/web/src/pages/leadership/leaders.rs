//! A leader's own page and profile, the public check of an accreditation, and the pool as
//! organisations see it (with the form network organisers accredit leaders by).

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use domain::Permission;
use domain::leadership::{self as rules, SKILLS};
use services::ServiceError;
use services::leadership::pool::{self, Accreditation, Leader, ProfileInput};
use services::leadership::{influence, opportunities, pldp};
use std::collections::HashMap;

use super::{all, one};
use crate::AppState;
use crate::error::PageError;
use crate::forms::{Form, Query};
use crate::view::{Errors, Layout, date, render};
use crate::viewer::{CurrentActor, Viewer};

fn day(d: NaiveDate) -> String {
    d.format("%-d %B %Y").to_string()
}

/// An accreditation as pages show it.
pub struct AccView {
    pub code: String,
    pub holder: String,
    pub label: &'static str,
    pub issuer: String,
    pub issued: String,
    pub expiry: String,
    pub current: bool,
}

fn acc_view(a: &Accreditation, today: NaiveDate) -> AccView {
    AccView {
        code: a.code.clone(),
        holder: a.holder.clone(),
        label: a.label(),
        issuer: a.issuer.clone(),
        issued: day(a.issued_on),
        expiry: match a.expires_on {
            None => "Does not run out".into(),
            Some(d) if d >= today => format!("Current until {}", day(d)),
            Some(d) => format!("Ran out on {}", day(d)),
        },
        current: a.current(today),
    }
}

/// A leader as pages show them.
pub struct LeaderView {
    pub user_id: i32,
    pub name: String,
    pub lived_experience: String,
    pub skills: String,
    pub interests: String,
    pub region: String,
    pub availability: String,
    pub access_needs: String,
    pub consent: bool,
    pub accreditations: Vec<AccView>,
}

pub(crate) fn leader_view(l: &Leader, today: NaiveDate) -> LeaderView {
    LeaderView {
        user_id: l.user_id,
        name: l.name.clone(),
        lived_experience: l.lived_experience.clone(),
        skills: l
            .skills
            .iter()
            .filter_map(|s| rules::skill_label(s))
            .collect::<Vec<_>>()
            .join(", "),
        interests: l.interests.clone(),
        region: domain::learning::region_label(&l.region)
            .unwrap_or("")
            .to_owned(),
        availability: rules::availability_label(&l.availability)
            .unwrap_or("")
            .to_owned(),
        access_needs: l.access_needs.clone(),
        consent: l.contact_consent,
        accreditations: l
            .accreditations
            .iter()
            .map(|a| acc_view(a, today))
            .collect(),
    }
}

pub struct InvolvedRow {
    pub id: i32,
    pub title: String,
    pub organisation: String,
    pub state: &'static str,
    pub hours: String,
}

#[derive(Template)]
#[template(path = "leadership/hub.html")]
struct HubPage {
    l: Layout,
    profile: Option<LeaderView>,
    accreditations: Vec<AccView>,
    open: usize,
    involved: Vec<InvolvedRow>,
    talks: Vec<(String, String)>,
    contributions: Vec<(String, String, String)>,
    programme: String,
    posts: bool,
}

pub(crate) fn state_label(state: &str) -> &'static str {
    match state {
        "invited" => "Invited: say yes on its page",
        "applied" => "Applied",
        "selected" => "Selected",
        "declined" => "Not selected",
        _ => "Withdrawn",
    }
}

pub(crate) fn hours(minutes: i32) -> String {
    let h = minutes / 60;
    let m = minutes % 60;
    match (h, m) {
        (0, m) => format!("{m} minutes"),
        (1, 0) => "1 hour".into(),
        (h, 0) => format!("{h} hours"),
        (h, m) => format!("{h} h {m} min"),
    }
}

pub async fn hub(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
) -> Response {
    let svc = &state.svc;
    let today = svc.today();
    let result: Result<HubPage, ServiceError> = async {
        let profile = pool::mine(svc, a).await?;
        let accreditations = pool::my_accreditations(svc, a).await?;
        let open = opportunities::open(svc).await?.len();
        let involved = opportunities::involved(svc, a)
            .await?
            .into_iter()
            .map(|i| InvolvedRow {
                id: i.opportunity.id,
                title: i.opportunity.title.clone(),
                organisation: i.opportunity.organisation.clone(),
                state: state_label(&i.state),
                hours: if i.minutes > 0 {
                    format!(
                        "{} given, £{} due",
                        hours(i.minutes),
                        opportunities::pounds(i.payment_pence)
                    )
                } else {
                    String::new()
                },
            })
            .collect();
        let record = influence::record(svc, a).await?;
        let programme = match pldp::mine(svc, a).await? {
            None => String::new(),
            Some(p) if p.state == domain::leadership::EnrolmentState::Graduated => {
                "You are a Peer Leader: you graduated from the programme".into()
            }
            Some(p) if p.state == domain::leadership::EnrolmentState::Left => {
                format!("You left the programme at step {}", p.step)
            }
            Some(p) => format!("You are on step {} of 4", p.step),
        };
        Ok(HubPage {
            l: Layout::for_viewer("Leadership", &v, "/leaders"),
            profile: profile.as_ref().map(|p| leader_view(p, today)),
            accreditations: accreditations.iter().map(|x| acc_view(x, today)).collect(),
            open,
            involved,
            talks: record.talks,
            contributions: record
                .contributions
                .into_iter()
                .map(|(t, n, at)| (t, n, date(&at)))
                .collect(),
            programme,
            posts: a.can(Permission::PostOpportunities),
        })
    }
    .await;
    match result {
        Ok(p) => render(StatusCode::OK, &p),
        Err(e) => PageError::new(e, &v).into_response(),
    }
}

#[derive(Template)]
#[template(path = "leadership/profile.html")]
struct ProfilePage {
    l: Layout,
    errors: Errors,
    lived_experience: String,
    skills: Vec<(&'static str, &'static str, bool)>,
    interests: String,
    region: String,
    regions: &'static [(&'static str, &'static str)],
    availability: String,
    times: &'static [(&'static str, &'static str)],
    access_needs: String,
    consent: bool,
}

fn profile_page(v: &Viewer, status: StatusCode, errors: Errors, p: ProfileInput) -> Response {
    render(
        status,
        &ProfilePage {
            l: Layout::for_viewer("Your leader's profile", v, "/leaders").with_errors(&errors),
            errors,
            skills: SKILLS
                .iter()
                .map(|(c, l)| (*c, *l, p.skills.iter().any(|s| s == c)))
                .collect(),
            lived_experience: p.lived_experience,
            interests: p.interests,
            region: p.region,
            regions: &domain::learning::REGIONS,
            availability: p.availability,
            times: pool::WHEN,
            access_needs: p.access_needs,
            consent: p.contact_consent,
        },
    )
}

pub async fn profile_form(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
) -> Response {
    match pool::mine(&state.svc, a).await {
        Ok(p) => {
            let input = p
                .map(|l| ProfileInput {
                    lived_experience: l.lived_experience,
                    skills: l.skills,
                    interests: l.interests,
                    region: l.region,
                    availability: l.availability,
                    access_needs: l.access_needs,
                    contact_consent: l.contact_consent,
                })
                .unwrap_or_default();
            profile_page(&v, StatusCode::OK, Errors::default(), input)
        }
        Err(e) => PageError::new(e, &v).into_response(),
    }
}

pub async fn save_profile(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Form(f): Form<Vec<(String, String)>>,
) -> Response {
    let input = ProfileInput {
        lived_experience: one(&f, "lived_experience"),
        skills: all(&f, "skills"),
        interests: one(&f, "interests"),
        region: one(&f, "region"),
        availability: one(&f, "availability"),
        access_needs: one(&f, "access_needs"),
        contact_consent: one(&f, "contact_consent") == "yes",
    };
    match pool::save(&state.svc, a, &v.meta, &input).await {
        Ok(()) => Redirect::to("/leaders?saved=profile").into_response(),
        Err(ServiceError::Invalid(list)) => {
            profile_page(&v, StatusCode::UNPROCESSABLE_ENTITY, Errors(list), input)
        }
        Err(e) => PageError::new(e, &v).into_response(),
    }
}

#[derive(Template)]
#[template(path = "leadership/verify.html")]
struct VerifyPage {
    l: Layout,
    code: String,
    found: Option<AccView>,
    looked: bool,
}

pub async fn verify(
    State(state): State<AppState>,
    v: Viewer,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let code = q.get("code").cloned().unwrap_or_default();
    if code.trim().is_empty() {
        return render(
            StatusCode::OK,
            &VerifyPage {
                l: Layout::for_viewer("Check an accreditation", &v, "/leaders"),
                code,
                found: None,
                looked: false,
            },
        );
    }
    show(&state, &v, code).await
}

async fn show(state: &AppState, v: &Viewer, code: String) -> Response {
    match pool::verify(&state.svc, &code).await {
        Ok(found) => {
            let today = state.svc.today();
            render(
                if found.is_some() {
                    StatusCode::OK
                } else {
                    StatusCode::NOT_FOUND
                },
                &VerifyPage {
                    l: Layout::for_viewer("Check an accreditation", v, "/leaders"),
                    found: found.as_ref().map(|a| acc_view(a, today)),
                    code,
                    looked: true,
                },
            )
        }
        Err(e) => PageError::new(e, v).into_response(),
    }
}

pub async fn accreditation(
    State(state): State<AppState>,
    v: Viewer,
    Path(code): Path<String>,
) -> Response {
    show(&state, &v, code).await
}

#[derive(Template)]
#[template(path = "leadership/pool.html")]
struct PoolPage {
    l: Layout,
    errors: Errors,
    leaders: Vec<LeaderView>,
    accredits: bool,
    kinds: &'static [(&'static str, &'static str)],
    /// The leader whose accreditation form had errors, and what was typed.
    failed: i32,
    f: HashMap<String, String>,
}

async fn pool_page(
    state: &AppState,
    v: &Viewer,
    a: &services::Actor,
    status: StatusCode,
    errors: Errors,
    failed: i32,
    f: HashMap<String, String>,
) -> Response {
    match pool::pool(&state.svc, a, &v.meta).await {
        Ok(list) => {
            let today = state.svc.today();
            render(
                status,
                &PoolPage {
                    l: Layout::for_viewer("The leader pool", v, "/leaders").with_errors(&errors),
                    errors,
                    leaders: list.iter().map(|l| leader_view(l, today)).collect(),
                    accredits: a.can(Permission::RunNetworks),
                    kinds: pool::KINDS,
                    failed,
                    f,
                },
            )
        }
        Err(e) => PageError::new(e, v).into_response(),
    }
}

impl PoolPage {
    fn val(&self, user: &i32, k: &str) -> &str {
        if *user == self.failed {
            self.f.get(k).map(String::as_str).unwrap_or("")
        } else {
            ""
        }
    }
    fn err(&self, user: &i32, k: &str) -> &str {
        if *user == self.failed {
            self.errors.get(k).unwrap_or("")
        } else {
            ""
        }
    }
}

pub async fn pool(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
) -> Response {
    pool_page(
        &state,
        &v,
        a,
        StatusCode::OK,
        Errors::default(),
        0,
        HashMap::new(),
    )
    .await
}

pub async fn accredit(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
    Path(user): Path<i32>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    // Each leader's form names its fields with their id, so every field on the page is unique.
    let get = |k: &str| f.get(&format!("{k}-{user}")).cloned().unwrap_or_default();
    let opt = |k: &str| f.get(&format!("{k}-{user}")).cloned();
    match pool::accredit(
        &state.svc,
        a,
        &v.meta,
        user,
        &get("kind"),
        &get("issuer"),
        &opt("issued_on"),
        &opt("expires_on"),
    )
    .await
    {
        Ok(code) => Redirect::to(&format!("/leaders/accreditations/{code}")).into_response(),
        Err(ServiceError::Invalid(list)) => {
            let list = list
                .into_iter()
                .map(|mut x| {
                    x.field = format!("{}-{user}", x.field);
                    x
                })
                .collect();
            pool_page(
                &state,
                &v,
                a,
                StatusCode::UNPROCESSABLE_ENTITY,
                Errors(list),
                user,
                f,
            )
            .await
        }
        Err(e) => PageError::new(e, &v).into_response(),
    }
}
