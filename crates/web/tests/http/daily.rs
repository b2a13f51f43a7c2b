//! Daily care work through the pages: each role's home page, triage, follow-ups, the caseload
//! that starts at one's own people, contacts at a time of day, and what a GP may see.

use axum::http::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use store::entities::{person, referral, user};

use crate::common::*;

async fn user_id(app: &App, email: &str) -> i32 {
    user::Entity::find()
        .filter(user::Column::Email.eq(email))
        .one(app.svc.db())
        .await
        .unwrap()
        .unwrap()
        .id
}

seeded_db_test!(each_role_starts_the_day_on_its_own_home_page, |db| {
    let app = app(db).await;
    let home = |who: &'static str| {
        let app = &app;
        async move {
            let mut b = app.sign_in(who).await;
            let page = app.get(&mut b, "/").await;
            assert_eq!(page.status, StatusCode::OK, "{who}");
            assert!(!page.body.contains("Where you work"), "{who}");
            page.body
        }
    };
    let lw = home(LINK_WORKER).await;
    for part in [
        "New referrals to triage (1)",
        "Aisha Begum",
        "Follow-ups due",
        "Call back about the befriending service",
        "Reviews due this week",
        "Your caseload",
    ] {
        assert!(lw.contains(part), "link worker: {part}");
    }
    assert!(
        !lw.contains("Organisations you can see"),
        "no organisation counts for workers"
    );
    assert!(
        !lw.contains("Imran Qureshi"),
        "another PCN's referral is not theirs to triage"
    );

    let gp = home(GP).await;
    assert!(
        gp.contains("Your practice&#39;s patients with open referrals")
            || gp.contains("Your practice's patients with open referrals")
    );
    assert!(gp.contains("Jack Turner"), "a patient of the practice");
    assert!(!gp.contains("Aisha Begum"), "a patient of another practice");
    assert!(gp.contains("href=\"/referrals/new\""), "Refer someone");

    let person = home(PERSON).await;
    for part in [
        "Your next step",
        "Who is supporting you",
        "Millbrook Community Garden",
    ] {
        assert!(person.contains(part), "person: {part}");
    }
    assert!(!person.contains("Organisations you can see"));

    let manager = home(PCN_MANAGER).await;
    assert!(
        manager.contains("Your team&#39;s workload") || manager.contains("Your team's workload")
    );
    assert!(
        manager.contains("Not assigned"),
        "the unassigned referral waiting for triage"
    );
    assert!(
        !manager.contains("Aisha Begum"),
        "workload without people's names"
    );
    assert!(
        !manager.contains("href=\"/caseload"),
        "no links to a caseload the manager may not open"
    );

    let admin = home(ADMIN).await;
    assert!(admin.contains("Organisations you can see"));
});

seeded_db_test!(
    triage_accepts_and_assigns_or_closes_once_with_the_reason,
    |db| {
        let app = app(db).await;
        let r = referral_of(&app, "Begum").await;
        let mut b = app.sign_in(LINK_WORKER).await;
        let path = format!("/referrals/{}/triage", r.id);
        let form = app.get(&mut b, &path).await;
        assert_eq!(form.status, StatusCode::OK);
        assert!(form.body.contains("What happens to this referral?"));
        let v = r.version.to_string();
        let none = app.post(&mut b, &path, &[("version", v.as_str())]).await;
        assert_eq!(none.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(none.body.contains("Choose what happens to this referral"));
        assert!(none.body.contains("href=\"#decision\"") && none.body.contains("id=\"decision\""));
        let no_worker = app
            .post(
                &mut b,
                &path,
                &[("version", v.as_str()), ("decision", "accept")],
            )
            .await;
        assert_eq!(no_worker.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            no_worker
                .body
                .contains("Choose who will support the person")
        );
        assert!(
            no_worker
                .body
                .contains("value=\"accept\" data-wm-controls=\"conditional-decision\" checked"),
            "the choice is kept"
        );
        let amira = user_id(&app, LINK_WORKER).await.to_string();
        let ok = app
            .post(
                &mut b,
                &path,
                &[
                    ("version", v.as_str()),
                    ("decision", "accept"),
                    ("assign_to", amira.as_str()),
                ],
            )
            .await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER);
        let page = app.get(&mut b, ok.location()).await;
        assert!(
            page.body
                .contains("The referral has been accepted and assigned")
        );
        let after = referral::Entity::find_by_id(r.id)
            .one(app.svc.db())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            after.assigned_user_id.map(|u| u.to_string()),
            Some(amira.clone())
        );
        assert!(after.accepted_at.is_some());
        assert_eq!(after.state, "received", "accepted, not yet contacted");
        // Triaged once: the page sends them back, and a second decision is refused.
        let again = app.get(&mut b, &path).await;
        assert_eq!(again.status, StatusCode::SEE_OTHER);
        let v2 = after.version.to_string();
        let twice = app
            .post(
                &mut b,
                &path,
                &[
                    ("version", v2.as_str()),
                    ("decision", "not_accepted"),
                    ("reason", "x"),
                ],
            )
            .await;
        assert_eq!(twice.status, StatusCode::CONFLICT);
        assert!(twice.body.contains("already been triaged"));
    }
);

seeded_db_test!(
    signposting_at_triage_closes_the_referral_and_tells_the_gp_where,
    |db| {
        let app = app(db).await;
        let r = referral_of(&app, "Qureshi").await;
        let mut b = app.sign_in(OTHER_LINK_WORKER).await;
        let path = format!("/referrals/{}/triage", r.id);
        let v = r.version.to_string();
        let missing = app
            .post(
                &mut b,
                &path,
                &[("version", v.as_str()), ("decision", "signpost")],
            )
            .await;
        assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            missing
                .body
                .contains("Enter where the person was signposted")
        );
        let ok = app
            .post(
                &mut b,
                &path,
                &[
                    ("version", v.as_str()),
                    ("decision", "signpost"),
                    ("signposted_to", "Fellside Carers Centre, 0113 496 0999"),
                ],
            )
            .await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER);
        let page = app.get(&mut b, ok.location()).await;
        assert!(page.body.contains("Signposted elsewhere"));
        assert!(page.body.contains("Fellside Carers Centre"));
        let msg = app
            .get(&mut b, &format!("/referrals/{}/message", r.id))
            .await;
        assert_eq!(msg.status, StatusCode::OK);
        assert!(
            msg.body.contains("Signposted to: Fellside Carers Centre"),
            "{}",
            msg.body
        );
        assert!(
            !msg.body.contains("871711000000103"),
            "not the person declining"
        );
        // Closed: no actions are offered, and their pages send the worker back.
        assert!(!page.body.contains("Record a contact"));
        let contact = app
            .get(&mut b, &format!("/referrals/{}/contacts", r.id))
            .await;
        assert_eq!(contact.status, StatusCode::SEE_OTHER);
    }
);

seeded_db_test!(a_follow_up_set_today_is_on_the_home_page_until_done, |db| {
    let app = app(db).await;
    let r = referral_of(&app, "Marsden").await;
    let mut b = app.sign_in(LINK_WORKER).await;
    let path = format!("/referrals/{}/follow-ups", r.id);
    let past = app
        .post(
            &mut b,
            &path,
            &[
                ("due_on-day", "1"),
                ("due_on-month", "11"),
                ("due_on-year", "2026"),
                ("note", "Ring"),
            ],
        )
        .await;
    assert_eq!(past.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        past.body
            .contains("The follow-up date must be today or in the future")
    );
    assert!(
        past.body.contains("value=\"Ring\""),
        "what was typed is kept"
    );
    let empty = app
        .post(
            &mut b,
            &path,
            &[
                ("due_on-day", "2"),
                ("due_on-month", "11"),
                ("due_on-year", "2026"),
            ],
        )
        .await;
    assert!(empty.body.contains("Enter what to do"));
    let ok = app
        .post(
            &mut b,
            &path,
            &[
                ("due_on-day", "2"),
                ("due_on-month", "11"),
                ("due_on-year", "2026"),
                ("note", "Try Kelly again on her mobile"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    let home = app.get(&mut b, "/").await;
    assert!(home.body.contains("Try Kelly again on her mobile"));
    let page = app.get(&mut b, ok.location()).await;
    let id: String = page
        .body
        .split(&format!("/referrals/{}/follow-ups/", r.id))
        .nth(1)
        .unwrap()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let done = format!("/referrals/{}/follow-ups/{id}/done", r.id);
    assert_eq!(
        app.post(&mut b, &done, &[]).await.status,
        StatusCode::SEE_OTHER
    );
    assert!(
        !app.get(&mut b, "/")
            .await
            .body
            .contains("Try Kelly again on her mobile")
    );
    let twice = app.post(&mut b, &done, &[]).await;
    assert_eq!(twice.status, StatusCode::CONFLICT);
    assert!(twice.body.contains("This follow-up is already done"));
    // Another referral's follow-up id is not found through this one.
    let other = referral_of(&app, "Turner").await;
    let cross = app
        .post(
            &mut b,
            &format!("/referrals/{}/follow-ups/{id}/done", other.id),
            &[],
        )
        .await;
    assert_eq!(cross.status, StatusCode::NOT_FOUND);
});

seeded_db_test!(the_caseload_starts_at_the_workers_own_people, |db| {
    let app = app(db).await;
    let mut b = app.sign_in(LINK_WORKER).await;
    let mine = app.get(&mut b, "/caseload").await;
    assert!(
        mine.body
            .contains("<option value=\"me\" selected>Me</option>")
    );
    assert!(mine.body.contains("Jack Turner"));
    assert!(
        !mine.body.contains("Aisha Begum"),
        "waiting for triage, no one's yet"
    );
    let all = app.get(&mut b, "/caseload?worker=anyone").await;
    assert!(all.body.contains("Aisha Begum"));
    let triage = app
        .get(&mut b, "/caseload?state=triage&worker=anyone")
        .await;
    assert!(triage.body.contains("Aisha Begum") && !triage.body.contains("Jack Turner"));
});

seeded_db_test!(a_contact_is_recorded_at_the_time_of_day_typed, |db| {
    let app = app(db).await;
    let r = referral_of(&app, "Reid").await;
    let mut b = app.sign_in(LINK_WORKER).await;
    let path = format!("/referrals/{}/contacts", r.id);
    let form = |time: &'static str| {
        [
            ("kind", "phone"),
            ("outcome", "contact"),
            ("date-day", "1"),
            ("date-month", "11"),
            ("date-year", "2026"),
            ("time", time),
        ]
    };
    let bad = app.post(&mut b, &path, &form("25:00")).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("Enter the time like 2:30pm or 14:30"));
    assert!(bad.body.contains("value=\"25:00\""), "kept as typed");
    let ok = app.post(&mut b, &path, &form("2:30pm")).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    let page = app.get(&mut b, ok.location()).await;
    assert!(
        page.body.contains("1 November 2026 at 2:30pm"),
        "{}",
        page.body
    );
});

seeded_db_test!(
    a_gp_reads_their_patients_referrals_but_works_on_none,
    |db| {
        let app = app(db).await;
        let jack = referral_of(&app, "Turner").await;
        let aisha = referral_of(&app, "Begum").await;
        let mut b = app.sign_in(GP).await;
        let page = app.get(&mut b, &format!("/referrals/{}", jack.id)).await;
        assert_eq!(
            page.status,
            StatusCode::OK,
            "a patient of the GP's practice"
        );
        assert!(page.body.contains("Jack Turner"));
        assert!(!page.body.contains("What you can do"), "read-only");
        for tail in [
            "contacts",
            "triage",
            "follow-ups",
            "assign",
            "state",
            "discharge",
        ] {
            let r = app
                .get(&mut b, &format!("/referrals/{}/{tail}", jack.id))
                .await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{tail}");
        }
        let other = app.get(&mut b, &format!("/referrals/{}", aisha.id)).await;
        assert_eq!(
            other.status,
            StatusCode::NOT_FOUND,
            "a patient of another practice"
        );
    }
);

seeded_db_test!(
    the_gp_hears_at_first_contact_and_at_discharge_what_they_need,
    |db| {
        let app = app(db).await;
        let mut b = app.sign_in(LINK_WORKER).await;
        // Aisha is reached for the first time: the GP is told, with the code to record.
        let aisha = referral_of(&app, "Begum").await;
        for _ in 0..2 {
            let r = app
                .post(
                    &mut b,
                    &format!("/referrals/{}/contacts", aisha.id),
                    &[("kind", "phone"), ("outcome", "contact")],
                )
                .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER);
        }
        let first = services::unchecked::gp_messages(app.svc.db(), aisha.id)
            .await
            .unwrap();
        assert_eq!(first.len(), 1, "told once, at the first contact");
        assert_eq!(first[0].snomed_code, "871731000000106");
        let page = app
            .get(&mut b, &format!("/referrals/{}/message", aisha.id))
            .await;
        assert!(page.body.contains("At first contact") && page.body.contains("871731000000106"));
        // Jack is discharged: the reason, his goals and how far each got, and his wellbeing change.
        let jack = referral_of(&app, "Turner").await;
        let v = jack.version.to_string();
        let done = app
            .post(
                &mut b,
                &format!("/referrals/{}/discharge", jack.id),
                &[
                    ("version", v.as_str()),
                    ("reason", "goals_met"),
                    ("summary", "Gardening every Saturday"),
                ],
            )
            .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER);
        let closing = services::unchecked::gp_messages(app.svc.db(), jack.id)
            .await
            .unwrap()
            .pop()
            .unwrap();
        for part in [
            "Reason for discharge: Goals met",
            "Summary: Gardening every Saturday",
            "Goals:\n- Meet people with the same interests every week (in progress)",
            "Wellbeing, first and latest:\n- SWEMWBS metric score",
        ] {
            assert!(closing.body.contains(part), "{part}: {}", closing.body);
        }
        // Why a message was not e-mailed, in words: Callum declined sharing with his practice.
        let callum = referral_of(&app, "Reid").await;
        app.post(
            &mut b,
            &format!("/people/{}/consents", callum.person_id),
            &[("share_with", "GP practice"), ("given", "no"), ("note", "")],
        )
        .await;
        let cur = referral::Entity::find_by_id(callum.id)
            .one(app.svc.db())
            .await
            .unwrap()
            .unwrap();
        let v = cur.version.to_string();
        app.post(
            &mut b,
            &format!("/referrals/{}/discharge", callum.id),
            &[
                ("version", v.as_str()),
                ("reason", "moved_away"),
                ("summary", "Moved to Leeds"),
            ],
        )
        .await;
        let page = app
            .get(&mut b, &format!("/referrals/{}/message", callum.id))
            .await;
        assert!(
        page.body.contains("Not e-mailed: Callum asked that their information is not shared with their GP practice"),
        "{}",
        page.body
    );
    }
);

seeded_db_test!(
    the_plan_editor_adds_goals_and_actions_without_saving,
    |db| {
        let app = app(db).await;
        let r = referral_of(&app, "Reid").await;
        let mut b = app.sign_in(LINK_WORKER).await;
        let path = format!("/people/{}/plan/edit", r.person_id);
        let typed = [
            ("based_on", "0"),
            ("slots_n", "1"),
            ("slots_n0_g", "1"),
            ("slots_n0_g0_a", "1"),
            ("slots_c", "1"),
            ("n0_description", "Out of work and low"),
            ("n0_g0_description", "Feel fit again"),
            ("n0_g0_status", "in_progress"),
            ("n0_g0_a0_what", "Go to parkrun"),
            ("n0_g0_a0_status", "in_progress"),
        ];
        let with = |extra: &[(&'static str, &'static str)]| {
            let mut f = typed.to_vec();
            f.extend_from_slice(extra);
            f
        };
        // Another goal: the same form with a second goal slot, what was typed kept, nothing saved.
        let more = app.post(&mut b, &path, &with(&[("add", "n0_g")])).await;
        assert_eq!(more.status, StatusCode::OK);
        assert!(
            more.body.contains("id=\"n0_g1_description\""),
            "a second goal"
        );
        assert!(more.body.contains("data-wm-focus=\"n0_g1_description\""));
        assert!(more.body.contains("value=\"Go to parkrun\""), "kept");
        assert!(more.body.contains("name=\"slots_n0_g\" value=\"2\""));
        assert!(
            services::unchecked::plan_history(app.svc.db(), r.person_id)
                .await
                .unwrap()
                .is_empty(),
            "nothing saved"
        );
        let action = app.post(&mut b, &path, &with(&[("add", "n0_g0_a")])).await;
        assert!(action.body.contains("Goal 1, action 2"));
        // Saving: the error names the goal and action, and links to the field.
        let bad = app.post(&mut b, &path, &with(&[])).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            bad.body
                .contains("href=\"#n0_g0_a0_who\">Need 1, goal 1, action 1: say who will do it"),
            "{}",
            bad.body
        );
        // Importance and confidence may be left out.
        let ok = app
            .post(&mut b, &path, &with(&[("n0_g0_a0_who", "Callum")]))
            .await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
        let person = app.get(&mut b, &format!("/people/{}", r.person_id)).await;
        assert!(
            person.body.contains("Go to parkrun (Callum): in progress"),
            "the summary shows actions"
        );
    }
);

seeded_db_test!(
    each_questionnaire_has_its_own_page_dated_today_unless_changed,
    |db| {
        let app = app(db).await;
        let r = referral_of(&app, "Reid").await;
        let mut b = app.sign_in(LINK_WORKER).await;
        let path = format!("/people/{}/measures/ons4", r.person_id);
        let page = app.get(&mut b, &path).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            page.body
                .contains("Overall, how satisfied are you with your life nowadays?")
        );
        // Today (2 November 2026 here) unless changed.
        assert!(
            page.body
                .contains("name=\"taken_on-day\" type=\"text\" inputmode=\"numeric\" value=\"2\"")
        );
        let answers = [
            ("ons4_0", "5"),
            ("ons4_1", "6"),
            ("ons4_2", "5"),
            ("ons4_3", "3"),
        ];
        let with = |day: &'static str| {
            let mut f = answers.to_vec();
            f.extend([
                ("timepoint", "start"),
                ("taken_on-day", day),
                ("taken_on-month", "11"),
                ("taken_on-year", "2026"),
            ]);
            f
        };
        let future = app.post(&mut b, &path, &with("3")).await;
        assert_eq!(future.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            future.body.contains("href=\"#taken_on\""),
            "{}",
            future.body
        );
        assert!(future.body.contains("value=\"5\" checked"), "answers kept");
        let ok = app.post(&mut b, &path, &with("1")).await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
        let saved = services::unchecked::measures(app.svc.db(), r.person_id)
            .await
            .unwrap()
            .pop()
            .unwrap();
        assert_eq!(saved.taken_on.to_string(), "2026-11-01");
        // SWEMWBS without its licensed wording: a note to staff, numbered statements.
        let sw = app
            .get(&mut b, &format!("/people/{}/measures/swemwbs", r.person_id))
            .await;
        assert!(sw.body.contains("Wording not loaded"));
        assert!(sw.body.contains("Statement 1 of the printed questionnaire"));
        // A person answers ONS4 for themselves, but not SWEMWBS without wording, nor PAM.
        let jack = referral_of(&app, "Turner").await;
        let mut me = app.sign_in(PERSON).await;
        for (tail, status) in [
            ("ons4", StatusCode::OK),
            ("swemwbs", StatusCode::NOT_FOUND),
            ("pam", StatusCode::NOT_FOUND),
            ("nonsense", StatusCode::NOT_FOUND),
        ] {
            let r = app
                .get(
                    &mut me,
                    &format!("/people/{}/measures/{tail}", jack.person_id),
                )
                .await;
            assert_eq!(r.status, status, "{tail}");
        }
        let chooser = app
            .get(&mut me, &format!("/people/{}/measures", jack.person_id))
            .await;
        assert!(
            chooser.body.contains("ONS4 personal wellbeing")
                && !chooser.body.contains("Patient activation")
        );
    }
);

seeded_db_test!(
    a_self_referral_with_a_known_nhs_number_but_another_name_is_not_joined_up,
    |db| {
        let app = app(db).await;
        let jack = referral_of(&app, "Turner").await;
        let known = person::Entity::find_by_id(jack.person_id)
            .one(app.svc.db())
            .await
            .unwrap()
            .unwrap();
        let nhs = known.nhs_number.clone().unwrap();
        let practice = known.practice_id.unwrap().to_string();
        let mut anon = Browser::default();
        anon.csrf = app.get(&mut anon, "/self-referral").await.csrf();
        let send = |given: &'static str, born: &'static str| {
            vec![
                ("given_name", given),
                ("family_name", "Turner"),
                ("date_of_birth", born),
                ("nhs_number", nhs.as_str()),
                ("practice_id", practice.as_str()),
                ("preferred_contact", "phone"),
                ("phone", "07700 900777"),
                ("service", "social_prescribing"),
                ("reason", "Struggling since my wife died"),
                ("consent_to_contact", "yes"),
                ("website", ""),
                ("confirm", "yes"),
            ]
        };
        let r = app
            .post(&mut anon, "/self-referral", &send("John", "1948-05-12"))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let newest = referral::Entity::find()
            .order_by_desc(referral::Column::Id)
            .one(app.svc.db())
            .await
            .unwrap()
            .unwrap();
        assert_ne!(
            newest.person_id, jack.person_id,
            "not joined to Jack's record"
        );
        assert_eq!(newest.identity_check_person_id, Some(jack.person_id));
        let mut b = app.sign_in(LINK_WORKER).await;
        let page = app.get(&mut b, &format!("/referrals/{}", newest.id)).await;
        assert!(page.body.contains("Check who this is"));
        assert!(
            page.body
                .contains(&format!("href=\"/people/{}\"", jack.person_id))
        );
        // The same name and date of birth (in any case) is the same person.
        let same = app
            .post(&mut anon, "/self-referral", &send("JACK", "1948-05-12"))
            .await;
        assert_eq!(same.status, StatusCode::CREATED);
        let latest = referral::Entity::find()
            .order_by_desc(referral::Column::Id)
            .one(app.svc.db())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(latest.person_id, jack.person_id);
        assert_eq!(latest.identity_check_person_id, None);
    }
);

seeded_db_test!(only_the_team_supporting_the_person_changes_the_plan, |db| {
    let app = app(db).await;
    let jack = referral_of(&app, "Turner").await;
    let edit = format!("/people/{}/plan/edit", jack.person_id);
    // The team's link worker: the link, the page and the save.
    let mut lw = app.sign_in(LINK_WORKER).await;
    let record = app
        .get(&mut lw, &format!("/people/{}", jack.person_id))
        .await;
    assert!(record.body.contains(&format!("href=\"{edit}\"")));
    assert_eq!(app.get(&mut lw, &edit).await.status, StatusCode::OK);
    // His GP reads the record and the plan, but is refused the edit page when opening it, and
    // the save.
    let mut gp = app.sign_in(GP).await;
    let record = app
        .get(&mut gp, &format!("/people/{}", jack.person_id))
        .await;
    assert_eq!(record.status, StatusCode::OK);
    assert!(
        !record.body.contains(&format!("href=\"{edit}\"")),
        "no link"
    );
    assert_eq!(
        app.get(&mut gp, &format!("/people/{}/plan", jack.person_id))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(app.get(&mut gp, &edit).await.status, StatusCode::FORBIDDEN);
    let save = app
        .post(
            &mut gp,
            &edit,
            &[("based_on", "1"), ("strengths", "Changed by the GP")],
        )
        .await;
    assert_eq!(save.status, StatusCode::FORBIDDEN);
    // Jack himself reads his plan on his own page and is refused the staff form.
    let mut me = app.sign_in(PERSON).await;
    assert_eq!(app.get(&mut me, &edit).await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        services::unchecked::plan_history(app.svc.db(), jack.person_id)
            .await
            .unwrap()
            .len(),
        1,
        "nothing changed"
    );
});

seeded_db_test!(no_home_page_links_to_a_page_its_reader_is_refused, |db| {
    let app = app(db).await;
    for who in [
        ADMIN,
        LINK_WORKER,
        PCN_MANAGER,
        PERSON,
        GP,
        "commissioner@demo.whatmatters.test",
        "care.coordinator@demo.whatmatters.test",
        "coach@demo.whatmatters.test",
        "vcse@demo.whatmatters.test",
        "network.organiser@demo.whatmatters.test",
        "peer.leader@demo.whatmatters.test",
    ] {
        let mut b = app.sign_in(who).await;
        let home = app.get(&mut b, "/").await;
        let mut links: Vec<String> = home
            .body
            .split("href=\"")
            .skip(1)
            .filter_map(|rest| rest.split('"').next())
            .filter(|h| h.starts_with('/') && !h.starts_with("/assets/"))
            .map(|h| h.replace("&amp;", "&"))
            .collect();
        links.sort();
        links.dedup();
        assert!(links.len() >= 3, "{who}: {links:?}");
        for link in links {
            let r = app.get(&mut b, &link).await;
            assert!(
                r.status.is_success() || r.status.is_redirection(),
                "{who}: {link} answered {}",
                r.status
            );
        }
    }
});

seeded_db_test!(
    a_gp_does_not_see_a_patient_who_declined_sharing_with_the_practice,
    |db| {
        let app = app(db).await;
        let callum = referral_of(&app, "Reid").await;
        let mut gp = app.sign_in(GP).await;
        assert_eq!(
            app.get(&mut gp, &format!("/referrals/{}", callum.id))
                .await
                .status,
            StatusCode::OK
        );
        assert!(app.get(&mut gp, "/").await.body.contains("Callum Reid"));
        let mut lw = app.sign_in(LINK_WORKER).await;
        let r = app
            .post(
                &mut lw,
                &format!("/people/{}/consents", callum.person_id),
                &[("share_with", "GP practice"), ("given", "no"), ("note", "")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        for path in [
            format!("/referrals/{}", callum.id),
            format!("/people/{}", callum.person_id),
        ] {
            assert_eq!(
                app.get(&mut gp, &path).await.status,
                StatusCode::NOT_FOUND,
                "{path}"
            );
        }
        let home = app.get(&mut gp, "/").await;
        assert!(!home.body.contains("Callum Reid"), "off the practice list");
        assert!(home.body.contains("Jack Turner"));
    }
);
