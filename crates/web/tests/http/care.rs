use axum::http::{Method, StatusCode};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;
use store::entities::{person, referral};

use crate::common::*;

seeded_db_test!(
    another_pcns_worker_is_told_not_found_on_every_care_record_route_and_is_audited,
    |db| {
        let app = app(db).await;
        let r = referral_of(&app, "Turner").await;
        let mut b = app.sign_in(OTHER_LINK_WORKER).await;
        let v = r.version.to_string();
        // Every page route that names a referral or a person, each way it can be used.
        let mut requests: Vec<(Method, String)> = routes()
            .into_iter()
            .filter(|(method, _)| *method == Method::GET || *method == Method::POST)
            .filter_map(|(method, template)| {
                let id = if template.starts_with("/referrals/{id}") {
                    r.id
                } else if template.starts_with("/people/{id}") {
                    r.person_id
                } else {
                    return None;
                };
                Some((method, filled(template, id)))
            })
            .collect();
        assert_eq!(requests.len(), 32, "{requests:?}");
        requests.push((
            Method::GET,
            format!("/referrals/new?person_id={}", r.person_id),
        ));
        // Forms that would be accepted on the worker's own records.
        let form = |path: &str| -> Vec<(&str, &str)> {
            if path.ends_with("/contacts") {
                vec![("kind", "phone")]
            } else if path.ends_with("/triage") {
                vec![
                    ("decision", "not_accepted"),
                    ("reason", "x"),
                    ("version", v.as_str()),
                ]
            } else if path.ends_with("/follow-ups") {
                vec![("due_on", "2030-01-01"), ("note", "x")]
            } else if path.ends_with("/assign") {
                vec![("assigned_user_id", ""), ("version", v.as_str())]
            } else if path.ends_with("/state") {
                vec![("to", "declined"), ("reason", "x"), ("version", v.as_str())]
            } else if path.ends_with("/discharge") {
                vec![
                    ("reason", "goals_met"),
                    ("summary", "x"),
                    ("version", v.as_str()),
                ]
            } else {
                vec![]
            }
        };
        let mut before = refusals(&app, r.person_id).await;
        for (method, path) in &requests {
            let status = if *method == Method::GET {
                app.get(&mut b, path).await.status
            } else {
                app.post(&mut b, path, &form(path)).await.status
            };
            assert_eq!(status, StatusCode::NOT_FOUND, "{method} {path}");
            assert_eq!(
                refusals(&app, r.person_id).await,
                before + 1,
                "the refusal of {method} {path} is audited once against the person"
            );
            before += 1;
        }
        let unchanged = referral::Entity::find_by_id(r.id)
            .one(app.svc.db())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(unchanged.version, r.version, "nothing changed");
        let caseload = app.get(&mut b, "/caseload").await;
        assert!(
            !caseload.body.contains("Jack Turner"),
            "not on another PCN's caseload"
        );
        assert_eq!(
            refusals(&app, r.person_id).await,
            requests.len() as u64,
            "refusals are audited against the person"
        );
    }
);

/// Refusals audited against a person.
async fn refusals(app: &App, person_id: i32) -> u64 {
    use sea_orm::PaginatorTrait;
    store::entities::audit_event::Entity::find()
        .filter(store::entities::audit_event::Column::Outcome.eq("refused"))
        .filter(store::entities::audit_event::Column::PersonId.eq(person_id))
        .count(app.svc.db())
        .await
        .unwrap()
}

seeded_db_test!(a_person_and_non_care_staff_cannot_open_the_caseload, |db| {
    let app = app(db).await;
    for who in [PERSON, PCN_MANAGER, "vcse@demo.whatmatters.test"] {
        let mut b = app.sign_in(who).await;
        assert_eq!(
            app.get(&mut b, "/caseload").await.status,
            StatusCode::FORBIDDEN,
            "{who}"
        );
        assert_eq!(
            app.get(&mut b, "/people?q=jack").await.status,
            StatusCode::FORBIDDEN,
            "{who}"
        );
    }
});

seeded_db_test!(the_caseload_filters_and_flags_people_waiting, |db| {
    let app = app(db).await;
    let mut b = app.sign_in(LINK_WORKER).await;
    let open = app.get(&mut b, "/caseload").await;
    assert!(open.body.contains("Jack Turner") && open.body.contains("Peter Lowe"));
    assert!(
        !open.body.contains("Sofia Nowak"),
        "discharged people leave the open caseload"
    );
    let discharged = app.get(&mut b, "/caseload?state=discharged").await;
    assert!(discharged.body.contains("Sofia Nowak"));
    let lost = app.get(&mut b, "/caseload/no-one-lost").await;
    assert!(
        lost.body.contains("Peter Lowe") && lost.body.contains("Waiting 9 days for first contact"),
        "{}",
        lost.body
    );
    assert!(lost.body.contains("waiting for first contact."), "a count");
    // Page numbers that are not pages answer with the page, not an error.
    for q in ["waiting_page=soon&stale_page=0", "waiting_page=99999999999"] {
        let r = app.get(&mut b, &format!("/caseload/no-one-lost?{q}")).await;
        assert_eq!(r.status, StatusCode::OK, "{q}: {}", r.body);
    }
    let bad = app.get(&mut b, "/caseload?no_contact_days=soon").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.body
            .contains("Days without contact must be a whole number")
    );
});

seeded_db_test!(
    a_self_referral_through_the_page_reaches_the_caseload,
    |db| {
        let app = app(db).await;
        let mut anon = Browser::default();
        anon.csrf = app.get(&mut anon, "/self-referral").await.csrf();
        let practice = app.org_id("B90002").await.to_string();
        let empty = app
            .post(&mut anon, "/self-referral", &[("given_name", "")])
            .await;
        assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
        let mut at = 0;
        for msg in [
            "Enter your first name",
            "Choose your GP practice",
            "Choose the kind of support you would like",
            "Confirm we may contact you",
        ] {
            // In the error summary, in the order the form asks.
            let found = empty.body[at..].find(msg);
            assert!(found.is_some(), "{msg} after the one before");
            at += found.unwrap_or(0);
        }
        // Each error links to something on the page.
        for href in empty.body.split("href=\"#").skip(1) {
            let id = href.split('"').next().unwrap_or_default();
            if id == "maincontent" {
                continue;
            }
            assert!(empty.body.contains(&format!("id=\"{id}\"")), "#{id}");
        }
        assert!(
            !app.get(&mut anon, "/self-referral")
                .await
                .body
                .contains(" checked>"),
            "no kind of support chosen for the person"
        );
        // The date of birth is typed as day, month and year (the NHS.UK date input).
        let form = |month: &'static str| {
            [
                ("given_name", "Elsie"),
                ("family_name", "Brennan"),
                ("date_of_birth-day", "3"),
                ("date_of_birth-month", month),
                ("date_of_birth-year", "1946"),
                ("practice_id", practice.as_str()),
                ("preferred_contact", "phone"),
                ("phone", "07700 900555"),
                ("service", "social_prescribing"),
                ("reason", "Lonely since my sister moved away"),
                ("consent_to_contact", "yes"),
                ("website", ""),
            ]
        };
        // A month left out: refused, and the parts typed are shown again.
        let partial = app.post(&mut anon, "/self-referral", &form("")).await;
        assert_eq!(partial.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            partial.body.contains("must be a real date"),
            "{}",
            partial.body
        );
        assert!(partial.body.contains("href=\"#date_of_birth\""));
        assert!(
            partial.body.contains("id=\"date_of_birth\""),
            "the link's target"
        );
        assert!(partial.body.contains(
            "name=\"date_of_birth-year\" type=\"text\" inputmode=\"numeric\" autocomplete=\"bday-year\" value=\"1946\""
        ));
        // The answers are shown back to check, and sent from there.
        let check = app.post(&mut anon, "/self-referral", &form("10")).await;
        assert_eq!(check.status, StatusCode::OK, "{}", check.body);
        assert!(
            check
                .body
                .contains("Check your answers before sending your referral")
        );
        assert!(check.body.contains("3 October 1946"));
        assert!(
            person::Entity::find()
                .filter(person::Column::FamilyName.eq("Brennan"))
                .one(app.svc.db())
                .await
                .unwrap()
                .is_none(),
            "nothing saved before it is sent"
        );
        let change = {
            let mut f = form("10").to_vec();
            f.push(("change", "reason"));
            app.post(&mut anon, "/self-referral", &f).await
        };
        assert_eq!(change.status, StatusCode::OK);
        assert!(change.body.contains("data-wm-focus=\"reason\""));
        assert!(change.body.contains("Lonely since my sister moved away"));
        let mut send = form("10").to_vec();
        send.push(("confirm", "yes"));
        let ok = app.post(&mut anon, "/self-referral", &send).await;
        assert_eq!(ok.status, StatusCode::CREATED);
        assert!(ok.body.contains("Your reference is"));
        let born = person::Entity::find()
            .filter(person::Column::FamilyName.eq("Brennan"))
            .one(app.svc.db())
            .await
            .unwrap()
            .unwrap()
            .date_of_birth;
        assert_eq!(born, chrono::NaiveDate::from_ymd_opt(1946, 10, 3));
        let mut b = app.sign_in(LINK_WORKER).await;
        let caseload = app.get(&mut b, "/caseload?worker=anyone").await;
        assert!(caseload.body.contains("Elsie Brennan"));
    }
);

seeded_db_test!(
    discharging_through_the_page_writes_the_gp_message_once,
    |db| {
        let app = app(db).await;
        let r = referral_of(&app, "Reid").await;
        let mut b = app.sign_in(LINK_WORKER).await;
        let page = app
            .get(&mut b, &format!("/referrals/{}/discharge", r.id))
            .await;
        assert_eq!(page.status, StatusCode::OK);
        let v = r.version.to_string();
        let missing = app
            .post(
                &mut b,
                &format!("/referrals/{}/discharge", r.id),
                &[("version", v.as_str())],
            )
            .await;
        assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(missing.body.contains("Choose the reason for discharge"));
        let done = app
            .post(
                &mut b,
                &format!("/referrals/{}/discharge", r.id),
                &[
                    ("version", v.as_str()),
                    ("reason", "goals_met"),
                    ("summary", "Back at work and running twice a week"),
                ],
            )
            .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER);
        let msg = app.get(&mut b, done.location()).await;
        assert!(msg.body.contains("Messages to the GP and referrer"));
        assert!(msg.body.contains("Back at work and running twice a week"));
        let again = app
            .post(
                &mut b,
                &format!("/referrals/{}/discharge", r.id),
                &[
                    ("version", v.as_str()),
                    ("reason", "goals_met"),
                    ("summary", "again"),
                ],
            )
            .await;
        assert_eq!(again.status, StatusCode::CONFLICT);
        assert!(again.body.contains("already discharged"), "{}", again.body);
    }
);

seeded_db_test!(recording_a_contact_moves_a_received_referral_on, |db| {
    let app = app(db).await;
    let r = referral_of(&app, "Begum").await;
    let mut b = app.sign_in(LINK_WORKER).await;
    let bad = app
        .post(
            &mut b,
            &format!("/referrals/{}/contacts", r.id),
            &[("kind", ""), ("duration_minutes", "an hour")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let ok = app
        .post(
            &mut b,
            &format!("/referrals/{}/contacts", r.id),
            &[
                ("kind", "video"),
                ("duration_minutes", "40"),
                ("notes", "Talked about respite options"),
                ("outcome", "contact"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    let page = app.get(&mut b, ok.location()).await;
    assert!(page.body.contains("The contact has been recorded"));
    assert!(page.body.contains(">Contacted<"));
    assert!(page.body.contains("Talked about respite options"));
});

seeded_db_test!(
    a_person_sees_their_plan_and_supporters_and_writes_their_own_record,
    |db| {
        let app = app(db).await;
        let jack = referral_of(&app, "Turner").await;
        let other = referral_of(&app, "Reid").await;
        let mut b = app.sign_in(PERSON).await;
        let me = app.get(&mut b, "/me").await;
        assert_eq!(me.status, StatusCode::OK);
        assert!(me.body.contains("Who is supporting you"));
        assert!(
            me.body
                .contains("Meet people with the same interests every week"),
            "the plan is shown"
        );
        assert!(me.body.contains("Riverdale Central PCN"));
        let plan = app
            .get(&mut b, &format!("/people/{}/plan", jack.person_id))
            .await;
        assert_eq!(plan.status, StatusCode::OK);
        assert!(plan.body.contains("If things go wrong"));
        // Their own About Me.
        let form = app
            .get(&mut b, &format!("/people/{}/about-me", jack.person_id))
            .await;
        let based_on = if form.body.contains("name=\"based_on\" value=\"1\"") {
            "1"
        } else {
            "0"
        };
        let saved = app
            .post(
                &mut b,
                &format!("/people/{}/about-me", jack.person_id),
                &[
                    ("based_on", based_on),
                    ("most_important", "My allotment and my grandson Liam"),
                ],
            )
            .await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
        assert_eq!(saved.location(), "/me?saved=about-me");
        // Their own measure is recorded as "self".
        let m = app
            .post(
                &mut b,
                &format!("/people/{}/measures/ons4", jack.person_id),
                &[
                    ("ons4_0", "6"),
                    ("ons4_1", "7"),
                    ("ons4_2", "6"),
                    ("ons4_3", "4"),
                ],
            )
            .await;
        assert_eq!(m.status, StatusCode::SEE_OTHER, "{}", m.body);
        let latest = services::unchecked::measures(app.svc.db(), jack.person_id)
            .await
            .unwrap()
            .into_iter()
            .last()
            .unwrap();
        assert_eq!(
            (latest.timepoint.as_str(), latest.by_person),
            ("self", true)
        );
        // Nobody else's record.
        for path in [
            format!("/people/{}", other.person_id),
            format!("/people/{}/plan", other.person_id),
            format!("/people/{}/about-me", other.person_id),
            format!("/people/{}/measures", other.person_id),
            format!("/people/{}/measures/ons4", other.person_id),
        ] {
            assert_eq!(
                app.get(&mut b, &path).await.status,
                StatusCode::NOT_FOUND,
                "{path}"
            );
        }
    }
);

seeded_db_test!(a_swemwbs_answer_of_6_is_shown_against_its_statement, |db| {
    let app = app(db).await;
    let r = referral_of(&app, "Reid").await;
    let mut b = app.sign_in(LINK_WORKER).await;
    let path = format!("/people/{}/measures/swemwbs", r.person_id);
    let form = [
        ("timepoint", "start"),
        ("swemwbs_0", "3"),
        ("swemwbs_1", "3"),
        ("swemwbs_2", "3"),
        ("swemwbs_3", "3"),
        ("swemwbs_4", "3"),
        ("swemwbs_5", "6"),
        ("swemwbs_6", "3"),
    ];
    let bad = app.post(&mut b, &path, &form).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.body
            .contains("href=\"#swemwbs_5\">Question 6: Answer must be a whole number from 1 to 5"),
        "{}",
        bad.body
    );
    assert!(
        bad.body.contains("value=\"3\" checked"),
        "what was chosen is kept"
    );
    let mut good = form.to_vec();
    good[6] = ("swemwbs_5", "4");
    assert_eq!(
        app.post(&mut b, &path, &good).await.status,
        StatusCode::SEE_OTHER
    );
    let person = app.get(&mut b, &format!("/people/{}", r.person_id)).await;
    assert!(
        person.body.contains("Metric score 19.98 (raw 22)"),
        "{}",
        person.body
    );
    assert!(person.body.contains("<svg class=\"wm-chart\""));
});

seeded_db_test!(a_stale_about_me_save_is_refused_and_keeps_the_words, |db| {
    let app = app(db).await;
    let r = referral_of(&app, "Turner").await;
    let mut b = app.sign_in(LINK_WORKER).await;
    let path = format!("/people/{}/about-me", r.person_id);
    let stale = app
        .post(
            &mut b,
            &path,
            &[
                ("based_on", "0"),
                ("most_important", "Words typed on an old page"),
            ],
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert!(stale.body.contains("Words typed on an old page"));
    assert!(stale.body.contains("Someone else saved a new version"));
});

seeded_db_test!(
    plan_form_refuses_importance_11_and_confidence_minus_1_by_field,
    |db| {
        let app = app(db).await;
        let r = referral_of(&app, "Reid").await;
        let mut b = app.sign_in(LINK_WORKER).await;
        let path = format!("/people/{}/plan/edit", r.person_id);
        let form_page = app.get(&mut b, &path).await;
        assert_eq!(form_page.status, StatusCode::OK);
        assert!(form_page.body.contains("name=\"based_on\" value=\"0\""));
        let mut form = vec![
            ("based_on", "0"),
            ("strengths", "Determined; good with his hands"),
            ("n0_description", "Out of work and low"),
            ("n0_g0_description", "Feel fit again"),
            ("n0_g0_importance", "11"),
            ("n0_g0_status", "in_progress"),
            ("n0_g0_stages", "Walk daily\nJoin parkrun"),
            ("n0_g0_a0_what", "Go to the Saturday parkrun"),
            ("n0_g0_a0_who", "Callum"),
            ("n0_g0_a0_when", "2026-11-28"),
            ("n0_g0_a0_status", "in_progress"),
            ("n0_g0_a0_confidence", "-1"),
            ("c0_trigger", "Not leaving the house for a week"),
            ("c0_action", "Call the link worker"),
            ("c0_contact", "Amira Khan"),
            ("review_date", "2027-01-10"),
        ];
        let bad = app.post(&mut b, &path, &form).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            bad.body.contains(
                "href=\"#n0_g0_importance\">Need 1, goal 1: importance must be a whole number from 1 to 10"
            )
        );
        assert!(bad.body.contains(
            "href=\"#n0_g0_a0_confidence\">Need 1, goal 1, action 1: confidence must be a whole number from 0 to 10"
        ));
        assert!(
            bad.body.contains("value=\"Go to the Saturday parkrun\""),
            "what was typed is kept"
        );
        form[4] = ("n0_g0_importance", "9");
        form[11] = ("n0_g0_a0_confidence", "6");
        let ok = app.post(&mut b, &path, &form).await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
        let plan = app.get(&mut b, ok.location()).await;
        for text in [
            "Feel fit again",
            "How much it matters: 9 out of 10",
            "Join parkrun",
            "Go to the Saturday parkrun",
            "If Not leaving the house for a week",
        ] {
            assert!(plan.body.contains(text), "{text} missing");
        }
        // A second editor who started before that save is told, and the first save stands.
        let stale = app.post(&mut b, &path, &form).await;
        assert_eq!(stale.status, StatusCode::CONFLICT);
        assert_eq!(
            services::unchecked::plan_history(app.svc.db(), r.person_id)
                .await
                .unwrap()
                .len(),
            1
        );
    }
);

seeded_db_test!(
    a_shared_decision_needs_options_with_benefits_risks_and_doing_nothing,
    |db| {
        let app = app(db).await;
        let r = referral_of(&app, "Turner").await;
        let mut b = app.sign_in(LINK_WORKER).await;
        let path = format!("/people/{}/decisions", r.person_id);
        let bad = app
            .post(
                &mut b,
                &path,
                &[
                    ("decision_point", "How to get to the garden group"),
                    ("option_0", "Community bus"),
                    ("decision", "Try the bus"),
                ],
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            bad.body
                .contains("href=\"#benefits_0\">Give the benefits and the risks")
        );
        assert!(
            bad.body
                .contains("href=\"#doing_nothing\">Say what doing nothing would mean")
        );
        let ok = app
            .post(
                &mut b,
                &path,
                &[
                    ("decision_point", "How to get to the garden group"),
                    ("option_0", "Community bus"),
                    ("benefits_0", "Free with his pass; door to door"),
                    ("risks_0", "Runs only twice a day"),
                    ("option_1", "Lift from a volunteer driver"),
                    ("benefits_1", "Flexible"),
                    ("risks_1", "Has to book 2 days ahead"),
                    (
                        "doing_nothing",
                        "Stays at home; loneliness likely to continue",
                    ),
                    ("decision_aids", "Local transport leaflet"),
                    ("decision", "Try the community bus for a month"),
                    ("follow_up", "Amira books the first journey"),
                ],
            )
            .await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER);
        let page = app.get(&mut b, &path).await;
        assert!(page.body.contains("Try the community bus for a month"));
        assert!(page.body.contains("Has to book 2 days ahead"));
        let mut other = app.sign_in(OTHER_LINK_WORKER).await;
        assert_eq!(
            app.get(&mut other, &path).await.status,
            StatusCode::NOT_FOUND
        );
    }
);

seeded_db_test!(
    editing_details_checks_each_field_and_consent_refusal_stops_the_gp_email,
    |db| {
        let app = app(db).await;
        let r = referral_of(&app, "Reid").await;
        let mut b = app.sign_in(LINK_WORKER).await;
        let path = format!("/people/{}/edit", r.person_id);
        let page = app.get(&mut b, &path).await;
        assert_eq!(page.status, StatusCode::OK);
        let bad = app
            .post(
                &mut b,
                &path,
                &[
                    ("version", "1"),
                    ("given_name", "Callum"),
                    ("family_name", "Reid"),
                    ("nhs_number", "12345"),
                    ("date_of_birth", "2999-01-01"),
                    ("preferred_contact", "email"),
                    ("phone", "07700 900102"),
                ],
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        for msg in [
            "NHS number must be 10 digits (you entered 5)",
            "Date of birth must be today or in the past",
            "Enter an email address, as the person prefers email",
        ] {
            assert!(bad.body.contains(msg), "{msg}");
        }
        let ok = app
            .post(
                &mut b,
                &path,
                &[
                    ("version", "1"),
                    ("given_name", "Callum"),
                    ("family_name", "Reid"),
                    ("date_of_birth", "1989-01-23"),
                    ("preferred_contact", "phone"),
                    ("phone", "07700 900102"),
                    ("communication_needs", "Prefers text messages to calls"),
                ],
            )
            .await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
        let stale = app
            .post(
                &mut b,
                &path,
                &[
                    ("version", "1"),
                    ("given_name", "Cal"),
                    ("family_name", "Reid"),
                    ("preferred_contact", "phone"),
                    ("phone", "07700 900102"),
                ],
            )
            .await;
        assert_eq!(stale.status, StatusCode::CONFLICT);
        // Give the practice an e-mail address; Jack (same practice, no refusal) is e-mailed.
        let practice = app.org_id("B90001").await;
        {
            use sea_orm::sea_query::Expr;
            store::entities::organisation::Entity::update_many()
                .col_expr(
                    store::entities::organisation::Column::Email,
                    Expr::value(Some("riverside.mc@nhs.example")),
                )
                .filter(store::entities::organisation::Column::Id.eq(practice))
                .exec(app.svc.db())
                .await
                .unwrap();
        }
        let jack = referral_of(&app, "Turner").await;
        let jv = jack.version.to_string();
        let done = app
            .post(
                &mut b,
                &format!("/referrals/{}/discharge", jack.id),
                &[
                    ("version", jv.as_str()),
                    ("reason", "goals_met"),
                    ("summary", "Gardening weekly"),
                ],
            )
            .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER);
        let sent = services::unchecked::gp_messages(app.svc.db(), jack.id)
            .await
            .unwrap()
            .pop()
            .unwrap();
        assert_eq!(sent.sent_to.as_deref(), Some("riverside.mc@nhs.example"));
        // Callum does not agree to share with his GP practice: the message is written, not e-mailed.
        let c = app
            .post(
                &mut b,
                &format!("/people/{}/consents", r.person_id),
                &[
                    ("share_with", "GP practice"),
                    ("given", "no"),
                    ("note", "Wants to tell the GP himself"),
                ],
            )
            .await;
        assert_eq!(c.status, StatusCode::SEE_OTHER);
        let cur = referral::Entity::find_by_id(r.id)
            .one(app.svc.db())
            .await
            .unwrap()
            .unwrap();
        let v = cur.version.to_string();
        let d = app
            .post(
                &mut b,
                &format!("/referrals/{}/discharge", r.id),
                &[
                    ("version", v.as_str()),
                    ("reason", "goals_met"),
                    ("summary", "Back at work"),
                ],
            )
            .await;
        assert_eq!(d.status, StatusCode::SEE_OTHER);
        let msg = services::unchecked::gp_messages(app.svc.db(), r.id)
            .await
            .unwrap()
            .pop()
            .unwrap();
        assert_eq!(msg.sent_to, None);
    }
);

seeded_db_test!(
    loaded_wording_past_versions_and_the_worker_filter_show,
    |db| {
        let app = app(db).await;
        let r = referral_of(&app, "Turner").await;
        let mut b = app.sign_in(LINK_WORKER).await;
        // SWEMWBS wording appears once the organisation loads it.
        let before = app
            .get(&mut b, &format!("/people/{}/measures/swemwbs", r.person_id))
            .await;
        assert!(
            before
                .body
                .contains("your organisation has not loaded their wording")
        );
        let items: Vec<String> = (1..=7)
            .map(|i| format!("Licensed statement number {i}"))
            .collect();
        services::care::measures::load_wording(&app.svc, "swemwbs", &items)
            .await
            .unwrap();
        let after = app
            .get(&mut b, &format!("/people/{}/measures/swemwbs", r.person_id))
            .await;
        assert!(after.body.contains("Licensed statement number 7"));
        assert!(
            !after
                .body
                .contains("your organisation has not loaded their wording")
        );
        // Earlier plan versions stay readable.
        let plan = services::care::plans::current(
            &app.svc,
            &app_actor(&app, LINK_WORKER).await,
            &services::RequestMeta::default(),
            r.person_id,
        )
        .await
        .unwrap()
        .unwrap();
        let mut content = services::care::plans::content_of(&plan);
        content.strengths = "Changed strengths for version two".into();
        services::care::plans::save(
            &app.svc,
            &app_actor(&app, LINK_WORKER).await,
            &services::RequestMeta::default(),
            r.person_id,
            services::care::plans::PlanInput {
                based_on: plan.version,
                content,
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let v1 = app
            .get(&mut b, &format!("/people/{}/plan?version=1", r.person_id))
            .await;
        assert!(v1.body.contains("Warm, sociable, knows the area well"));
        assert!(v1.body.contains("Version 1:") && v1.body.contains("(shown)"));
        let latest = app
            .get(&mut b, &format!("/people/{}/plan", r.person_id))
            .await;
        assert!(latest.body.contains("Changed strengths for version two"));
        // The caseload filters by worker.
        let amira = services::identity::users::find_by_email(&app.svc, LINK_WORKER)
            .await
            .unwrap()
            .unwrap();
        let cur = referral::Entity::find_by_id(r.id)
            .one(app.svc.db())
            .await
            .unwrap()
            .unwrap();
        let v = cur.version.to_string();
        let uid = amira.id.to_string();
        app.post(
            &mut b,
            &format!("/referrals/{}/assign", r.id),
            &[("assigned_user_id", uid.as_str()), ("version", v.as_str())],
        )
        .await;
        let mine = app
            .get(&mut b, &format!("/caseload?worker={}", amira.id))
            .await;
        assert!(mine.body.contains("Jack Turner"));
        assert!(
            !mine.body.contains("Aisha Begum"),
            "only those assigned to her, not one waiting for triage"
        );
    }
);

async fn app_actor(app: &App, email: &str) -> services::Actor {
    let u = services::identity::users::find_by_email(&app.svc, email)
        .await
        .unwrap()
        .unwrap();
    services::identity::users::load_actor(app.svc.db(), &u)
        .await
        .unwrap()
}

// What API clients send: bounded text, exact scores, no existence oracles.

fn error_list(r: &Resp) -> Vec<(String, String)> {
    r.json()["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("no errors in {}", r.body))
        .iter()
        .map(|e| {
            (
                e["field"].as_str().unwrap_or("").to_owned(),
                e["detail"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect()
}

fn new_referral(person: serde_json::Value, team: i32) -> serde_json::Value {
    json!({
        "person": person,
        "service": "social_prescribing",
        "team_org_id": team,
        "referrer_name": "Dr Shah",
        "method": "phone",
        "reason": "Isolated since moving"
    })
}

fn ann(practice: i32) -> serde_json::Value {
    json!({
        "given_name": "Ann",
        "family_name": "Lee",
        "date_of_birth": "1951-01-01",
        "phone": "07700 900999",
        "practice_id": practice
    })
}

async fn referral_count(app: &App) -> u64 {
    use sea_orm::PaginatorTrait;
    referral::Entity::find().count(app.svc.db()).await.unwrap()
}

seeded_db_test!(
    over_long_or_control_character_text_is_a_422_on_its_field_and_nothing_is_saved,
    |db| {
        let app = app(db).await;
        let token = app.token_for(LINK_WORKER).await;
        let (pcn, practice) = (app.org_id("U90001").await, app.org_id("B90001").await);
        let before = referral_count(&app).await;
        let with = |k: &str, v: serde_json::Value| {
            let mut p = ann(practice);
            p[k] = v;
            new_referral(p, pcn)
        };
        let mut long_referrer = new_referral(ann(practice), pcn);
        long_referrer["referrer_name"] = json!("R".repeat(300));
        for (body, field, detail) in [
            (
                with("given_name", json!("A".repeat(101))),
                "person.given_name",
                "First name must be 100 characters or fewer",
            ),
            (
                with("phone", json!("0".repeat(101))),
                "person.phone",
                "Phone number must be 40 characters or fewer",
            ),
            (
                with("family_name", json!("Lee\u{0}")),
                "person.family_name",
                "Last name must not contain control characters",
            ),
            (
                with("family_name", json!("L".repeat(1 << 20))),
                "person.family_name",
                "Last name must be 100 characters or fewer",
            ),
            (
                long_referrer,
                "referrer_name",
                "Referrer's name must be 200 characters or fewer",
            ),
        ] {
            let r = app
                .api(Method::POST, "/api/v1/referrals", &token, Some(body))
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{field}");
            assert_eq!(
                error_list(&r),
                vec![(field.to_owned(), detail.to_owned())],
                "{field}"
            );
        }
        assert_eq!(referral_count(&app).await, before, "nothing saved");
        // A control character in a query is refused at the edge (400), an over-long search by
        // the use case (422); both name the parameter.
        for (q, status) in [
            ("%00".to_owned(), StatusCode::BAD_REQUEST),
            ("j".repeat(101), StatusCode::UNPROCESSABLE_ENTITY),
        ] {
            let r = app
                .api(Method::GET, &format!("/api/v1/people?q={q}"), &token, None)
                .await;
            assert_eq!(r.status, status, "{q}");
            assert_eq!(r.json()["errors"][0]["field"], "q");
        }
    }
);

seeded_db_test!(
    a_nul_typed_on_the_self_referral_form_is_shown_against_its_field,
    |db| {
        let app = app(db).await;
        let mut anon = Browser::default();
        anon.csrf = app.get(&mut anon, "/self-referral").await.csrf();
        let practice = app.org_id("B90002").await.to_string();
        let r = app
            .post(
                &mut anon,
                "/self-referral",
                &[
                    ("given_name", "El\u{0}sie"),
                    ("family_name", "Brennan"),
                    ("date_of_birth", "1946-10-03"),
                    ("practice_id", practice.as_str()),
                    ("preferred_contact", "phone"),
                    ("phone", "07700 900555"),
                    ("reason", "Lonely since my sister moved away"),
                    ("consent_to_contact", "yes"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.body
                .contains("First name must not contain control characters"),
            "{}",
            r.body
        );
    }
);

seeded_db_test!(
    a_person_or_referral_elsewhere_answers_the_same_404_as_one_not_there_and_is_audited,
    |db| {
        let app = app(db).await;
        let r = referral_of(&app, "Turner").await;
        let other = app.token_for(OTHER_LINK_WORKER).await;
        let mut bodies = Vec::new();
        for id in [r.person_id, 999_999, -1] {
            for path in [
                format!("/api/v1/people/{id}"),
                format!("/api/v1/people/{id}/plan"),
                format!("/api/v1/people/{id}/about-me"),
                format!("/api/v1/people/{id}/measures"),
            ] {
                let resp = app.api(Method::GET, &path, &other, None).await;
                assert_eq!(resp.status, StatusCode::NOT_FOUND, "{path}");
                bodies.push(resp.body);
            }
        }
        for id in [r.id, 999_999, -1] {
            let resp = app
                .api(
                    Method::GET,
                    &format!("/api/v1/referrals/{id}"),
                    &other,
                    None,
                )
                .await;
            assert_eq!(resp.status, StatusCode::NOT_FOUND, "{id}");
            assert_eq!(
                resp.json()["errors"][0]["detail"],
                "No referral has that id"
            );
        }
        assert!(
            bodies.iter().all(|b| *b == bodies[0]),
            "one answer for all: {bodies:?}"
        );
        use sea_orm::PaginatorTrait;
        use store::entities::audit_event;
        // Each person was asked for on four routes, each referral on one.
        for (kind, id, asked) in [
            ("person", r.person_id, 4),
            ("person", 999_999, 4),
            ("person", -1, 4),
            ("referral", r.id, 1),
            ("referral", 999_999, 1),
            ("referral", -1, 1),
        ] {
            let audited = audit_event::Entity::find()
                .filter(audit_event::Column::Outcome.eq("refused"))
                .filter(audit_event::Column::EntityType.eq(kind))
                .filter(audit_event::Column::EntityId.eq(id.to_string()))
                .count(app.svc.db())
                .await
                .unwrap();
            assert_eq!(
                audited, asked,
                "each refusal of {kind} {id} is audited once"
            );
        }
    }
);

seeded_db_test!(
    a_referral_id_of_another_person_or_not_there_is_the_same_422,
    |db| {
        let app = app(db).await;
        let riverdale = referral_of(&app, "Turner").await;
        let token = app.token_for(OTHER_LINK_WORKER).await;
        let (pcn, practice) = (app.org_id("U90004").await, app.org_id("B90013").await);
        let own = app
            .api(
                Method::POST,
                "/api/v1/referrals",
                &token,
                Some(new_referral(ann(practice), pcn)),
            )
            .await;
        assert_eq!(own.status, StatusCode::CREATED, "{}", own.body);
        let own = own.json();
        let pid = own["person_id"].as_i64().unwrap();
        let expected = vec![(
            "referral_id".to_owned(),
            "Choose one of this person's referrals".to_owned(),
        )];
        for bad in [i64::from(riverdale.id), 999_999, -1] {
            let m = app.api(Method::POST, &format!("/api/v1/people/{pid}/measures"), &token, Some(json!({"instrument": "ons4", "timepoint": "start", "answers": [6, 7, 5, 3], "referral_id": bad}))).await;
            assert_eq!(m.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
            assert_eq!(error_list(&m), expected, "{bad}");
            let d = app.api(Method::POST, &format!("/api/v1/people/{pid}/decisions"), &token, Some(json!({"referral_id": bad, "decision_point": "How to get there", "options": [{"option": "Bus", "benefits": "Cheap", "risks": "Slow"}], "doing_nothing": "Stays home", "decision": "Try the bus"}))).await;
            assert_eq!(d.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
            assert_eq!(error_list(&d), expected, "{bad}");
        }
        let ok = app.api(Method::POST, &format!("/api/v1/people/{pid}/measures"), &token, Some(json!({"instrument": "ons4", "timepoint": "start", "answers": [6, 7, 5, 3], "referral_id": own["id"]}))).await;
        assert_eq!(ok.status, StatusCode::CREATED, "{}", ok.body);
    }
);

/// A JSON object without the keys that differ between any two records (ids, and the NHS
/// number the caller typed).
fn without(mut v: serde_json::Value, keys: &[&str]) -> serde_json::Value {
    if let Some(o) = v.as_object_mut() {
        for k in keys {
            o.remove(*k);
        }
    }
    v
}

seeded_db_test!(
    an_nhs_number_known_elsewhere_gets_the_same_answer_as_a_never_seen_one,
    |db| {
        let app = app(db).await;
        let riverdale = app.token_for(LINK_WORKER).await;
        let (rpcn, rpractice) = (app.org_id("U90001").await, app.org_id("B90001").await);
        let mut theirs = ann(rpractice);
        theirs["nhs_number"] = json!("943 476 5919");
        let made = app
            .api(
                Method::POST,
                "/api/v1/referrals",
                &riverdale,
                Some(new_referral(theirs, rpcn)),
            )
            .await;
        assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
        let fellside = app.token_for(OTHER_LINK_WORKER).await;
        let (fpcn, fpractice) = (app.org_id("U90004").await, app.org_id("B90013").await);
        let mut answers = Vec::new();
        for nhs in ["943 476 5919", "401 023 2137"] {
            let mut p = ann(fpractice);
            p["nhs_number"] = json!(nhs);
            let r = app
                .api(
                    Method::POST,
                    "/api/v1/referrals",
                    &fellside,
                    Some(new_referral(p, fpcn)),
                )
                .await;
            let status = r.status;
            let referral = r.json();
            let pid = referral["person_id"].as_i64().unwrap();
            let person = app
                .api(
                    Method::GET,
                    &format!("/api/v1/people/{pid}"),
                    &fellside,
                    None,
                )
                .await;
            assert_eq!(person.status, StatusCode::OK);
            let person = person.json();
            assert_eq!(
                person["nhs_number"],
                json!(nhs.replace(' ', "")),
                "kept as entered"
            );
            answers.push((
                status,
                without(referral, &["id", "person_id"]),
                without(person, &["id", "nhs_number"]),
            ));
        }
        assert_eq!(answers[0], answers[1]);
        assert_eq!(answers[0].0, StatusCode::CREATED);
        assert_ne!(
            made.json()["person_id"],
            json!(null),
            "the Riverdale record is untouched"
        );
        let other_record = made.json()["person_id"].as_i64().unwrap();
        let r = app
            .api(
                Method::GET,
                &format!("/api/v1/people/{other_record}"),
                &fellside,
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
    }
);

seeded_db_test!(swemwbs_9_51_comes_back_as_9_51_not_float_noise, |db| {
    let app = app(db).await;
    let r = referral_of(&app, "Turner").await;
    let token = app.token_for(LINK_WORKER).await;
    let pid = r.person_id;
    let m = app.api(Method::POST, &format!("/api/v1/people/{pid}/measures"), &token, Some(json!({"instrument": "swemwbs", "timepoint": "review", "answers": [2, 1, 1, 1, 1, 1, 1]}))).await;
    assert_eq!(m.status, StatusCode::CREATED, "{}", m.body);
    assert!(m.body.contains("\"score\":9.51"), "{}", m.body);
    let p = app.api(Method::POST, &format!("/api/v1/people/{pid}/measures"), &token, Some(json!({"instrument": "pam", "timepoint": "review", "pam_level": 3, "pam_score": 62.4}))).await;
    assert!(p.body.contains("\"score\":62.4"), "{}", p.body);
    let list = app
        .api(
            Method::GET,
            &format!("/api/v1/people/{pid}/measures"),
            &token,
            None,
        )
        .await;
    assert!(list.body.contains("\"score\":9.51"), "{}", list.body);
    assert!(!list.body.contains("9.5100"), "{}", list.body);
});

seeded_db_test!(
    eight_swemwbs_or_five_ons4_answers_are_a_422_on_answers,
    |db| {
        let app = app(db).await;
        let r = referral_of(&app, "Turner").await;
        let token = app.token_for(LINK_WORKER).await;
        let pid = r.person_id;
        for (instrument, answers, detail) in [
            (
                "swemwbs",
                json!([3, 3, 3, 3, 3, 3, 3, 3]),
                "Give exactly 7 answers, one for each question (you gave 8)",
            ),
            (
                "ons4",
                json!([5, 5, 5, 5, 5]),
                "Give exactly 4 answers, one for each question (you gave 5)",
            ),
        ] {
            let m = app.api(Method::POST, &format!("/api/v1/people/{pid}/measures"), &token, Some(json!({"instrument": instrument, "timepoint": "review", "answers": answers}))).await;
            assert_eq!(m.status, StatusCode::UNPROCESSABLE_ENTITY);
            assert_eq!(
                error_list(&m),
                vec![("answers".to_owned(), detail.to_owned())]
            );
        }
    }
);

seeded_db_test!(people_are_never_shown_staff_forms_nor_staff_links, |db| {
    let app = app(db).await;
    let mut person = app.sign_in(PERSON).await;
    // Refused when asked for, not only when sent.
    let form = app.get(&mut person, "/referrals/new").await;
    assert_eq!(form.status, StatusCode::FORBIDDEN);
    assert!(!form.body.contains("name=\"referrer_name\""));
    let me = app.get(&mut person, "/me").await;
    assert_eq!(me.status, StatusCode::OK);
    let public = app.get(&mut Browser::default(), "/self-referral").await;
    for (who, page) in [("a person", &me.body), ("the public", &public.body)] {
        assert!(!page.contains("href=\"/api/docs\""), "{who}");
        assert!(!page.contains("href=\"/healthz\""), "{who}");
    }
    let mut staff = app.sign_in(LINK_WORKER).await;
    let home = app.get(&mut staff, "/").await;
    assert!(home.body.contains("href=\"/api/docs\"") && home.body.contains("href=\"/healthz\""));
    assert_eq!(
        app.get(&mut staff, "/referrals/new").await.status,
        StatusCode::OK
    );
});

seeded_db_test!(each_action_is_confirmed_with_a_success_banner, |db| {
    let app = app(db).await;
    let r = referral_of(&app, "Turner").await;
    let mut b = app.sign_in(LINK_WORKER).await;
    let sent = app
        .post(
            &mut b,
            &format!("/referrals/{}/contacts", r.id),
            &[("kind", "phone")],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER);
    let page = app.get(&mut b, sent.location()).await;
    assert!(page.body.contains("nhsuk-notification-banner--success"));
    assert!(page.body.contains("role=\"alert\""));
    assert!(page.body.contains("The contact has been recorded"));
    // Only known confirmations: a link cannot put its own words on the page.
    let page = app
        .get(
            &mut b,
            &format!("/people/{}?saved=Your+account+is+locked", r.person_id),
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("nhsuk-notification-banner"));
    assert!(!page.body.contains("Your account is locked"));
});
