#![allow(clippy::unwrap_used, clippy::expect_used)]
//! What clients send, on both databases: bounded text, dates within bounds, ids within the
//! caller's scope, no existence oracles, exact scores.

mod common;
use common::*;

use domain::plan::{Action, Goal, Need, PlanContent};
use domain::referral::ReferralState;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use services::care::people::{self, ConsentInput, PersonInput, Search};
use services::care::referrals::{self, ContactInput, ReferralInput, SelfReferralInput};
use services::care::{about_me, discharge, measures, plans, sdm};
use services::{FieldError, ServiceError, Services};
use store::entities::{audit_event, measure, organisation, person, referral, sdm_record};

const RIVERDALE: &str = "link.worker@demo.whatmatters.test";
const FELLSIDE: &str = "link.worker.fellside@demo.whatmatters.test";
async fn org(svc: &Services, code: &str) -> i32 {
    organisation::Entity::find()
        .filter(organisation::Column::OdsCode.eq(code))
        .one(svc.db())
        .await
        .unwrap()
        .unwrap()
        .id
}
fn person_input(nhs: &str) -> PersonInput {
    PersonInput {
        nhs_number: Some(nhs.into()).filter(|n: &String| !n.is_empty()),
        given_name: Some("Jack".into()),
        family_name: Some("Turner".into()),
        date_of_birth: Some("1950-06-01".into()),
        phone: Some("07700 900123".into()),
        preferred_contact: Some("phone".into()),
        ..Default::default()
    }
}

/// A referral of a new person by `by` to their own PCN (`pcn`), registered at `practice`.
fn referral_input(p: PersonInput, pcn: i32, practice: i32) -> ReferralInput {
    ReferralInput {
        person: Some(PersonInput {
            practice_id: Some(practice),
            ..p
        }),
        service: Some("social_prescribing".into()),
        team_org_id: Some(pcn),
        referrer_name: Some("Dr Priya Shah".into()),
        referrer_organisation: Some("Riverside Medical Centre".into()),
        method: Some("secure_messaging".into()),
        reason: Some("Lonely since his wife died".into()),
        urgency: Some("routine".into()),
        ..Default::default()
    }
}

async fn refer_riverdale(
    svc: &Services,
    p: PersonInput,
) -> Result<services::care::Referral, ServiceError> {
    let lw = actor(svc, RIVERDALE).await;
    let input = referral_input(p, org(svc, "U90001").await, org(svc, "B90001").await);
    referrals::create(svc, &lw, &meta(), input).await
}

async fn refer_fellside(
    svc: &Services,
    p: PersonInput,
) -> Result<services::care::Referral, ServiceError> {
    let lw = actor(svc, FELLSIDE).await;
    let input = referral_input(p, org(svc, "U90004").await, org(svc, "B90013").await);
    referrals::create(svc, &lw, &meta(), input).await
}

fn errors(e: ServiceError) -> Vec<FieldError> {
    match e {
        ServiceError::Invalid(list) => list,
        other => panic!("expected invalid input, got {other:?}"),
    }
}

fn one_error(e: ServiceError) -> (String, String) {
    let list = errors(e);
    assert_eq!(list.len(), 1, "{list:?}");
    (list[0].field.clone(), list[0].message.clone())
}

async fn count_people(svc: &Services) -> u64 {
    person::Entity::find().count(svc.db()).await.unwrap()
}

async fn count_referrals(svc: &Services) -> u64 {
    referral::Entity::find().count(svc.db()).await.unwrap()
}

store::db_test!(
    a_101_character_name_or_phone_is_a_field_error_and_nothing_is_saved,
    |db| {
        let svc = ctx(db).await.svc;
        let long = "a".repeat(101);
        for (field, input, message) in [
            (
                "person.given_name",
                PersonInput {
                    given_name: Some(long.clone()),
                    ..person_input("")
                },
                "First name must be 100 characters or fewer",
            ),
            (
                "person.family_name",
                PersonInput {
                    family_name: Some(long.clone()),
                    ..person_input("")
                },
                "Last name must be 100 characters or fewer",
            ),
            (
                "person.phone",
                PersonInput {
                    phone: Some(format!("07700 900123 {}", "1".repeat(88))),
                    ..person_input("")
                },
                "Phone number must be 40 characters or fewer",
            ),
        ] {
            let e = refer_riverdale(&svc, input).await.unwrap_err();
            assert_eq!(one_error(e), (field.to_owned(), message.to_owned()));
        }
        // 100 characters, with letters of two bytes (one that lower-cases to two
        // characters), are fine on both databases.
        refer_riverdale(
            &svc,
            PersonInput {
                given_name: Some("İ".repeat(100)),
                family_name: Some("ß".repeat(100)),
                phone: Some(format!(
                    "07700 900123{}",
                    " ".repeat(10) + "ext 1234567890123"
                )),
                ..person_input("")
            },
        )
        .await
        .unwrap();
        assert_eq!(count_people(&svc).await, 1);
    }
);

store::db_test!(
    a_300_character_referrer_name_is_a_field_error_and_nothing_is_saved,
    |db| {
        let svc = ctx(db).await.svc;
        let lw = actor(&svc, RIVERDALE).await;
        let mut input = referral_input(
            person_input(""),
            org(&svc, "U90001").await,
            org(&svc, "B90001").await,
        );
        input.referrer_name = Some("R".repeat(300));
        input.referrer_organisation = Some("O".repeat(201));
        input.reason = Some("x".repeat(4_001));
        let e = referrals::create(&svc, &lw, &meta(), input)
            .await
            .unwrap_err();
        let got: Vec<(String, String)> = errors(e)
            .into_iter()
            .map(|f| (f.field, f.message))
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    "referrer_name".into(),
                    "Referrer's name must be 200 characters or fewer".into()
                ),
                (
                    "referrer_organisation".into(),
                    "Referrer's organisation must be 200 characters or fewer".into()
                ),
                (
                    "reason".into(),
                    "Reason must be 4,000 characters or fewer".into()
                ),
            ]
        );
        assert_eq!(
            (count_people(&svc).await, count_referrals(&svc).await),
            (0, 0)
        );
    }
);

store::db_test!(
    a_nul_or_control_character_in_any_text_is_a_field_error_on_both_databases,
    |db| {
        let svc = ctx(db).await.svc;
        let e = refer_riverdale(
            &svc,
            PersonInput {
                given_name: Some("Ja\0ck".into()),
                family_name: Some("Turner\u{1b}[2J".into()),
                address: Some("1 High St\0".into()),
                representative_name: Some("Amy\nTurner".into()),
                ..person_input("")
            },
        )
        .await
        .unwrap_err();
        let got: Vec<(String, String)> = errors(e)
            .into_iter()
            .map(|f| (f.field, f.message))
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    "person.given_name".into(),
                    "First name must not contain control characters".into()
                ),
                (
                    "person.family_name".into(),
                    "Last name must not contain control characters".into()
                ),
                (
                    "person.address".into(),
                    "Address must not contain control characters".into()
                ),
                (
                    "person.representative_name".into(),
                    "Representative's name must be on one line".into()
                ),
            ]
        );
        assert_eq!(count_people(&svc).await, 0);
        // Line breaks typed in a text area are kept, as \n.
        let r = refer_riverdale(
            &svc,
            PersonInput {
                address: Some("1 High Street\r\nRiverdale\r\n".into()),
                ..person_input("")
            },
        )
        .await
        .unwrap();
        let p = person::Entity::find_by_id(r.person_id)
            .one(svc.db())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(p.address.as_deref(), Some("1 High Street\nRiverdale"));
    }
);

store::db_test!(a_mebibyte_name_is_refused_and_nothing_is_saved, |db| {
    let svc = ctx(db).await.svc;
    let e = refer_riverdale(
        &svc,
        PersonInput {
            family_name: Some("T".repeat(1 << 20)),
            ..person_input("")
        },
    )
    .await
    .unwrap_err();
    assert_eq!(
        one_error(e),
        (
            "person.family_name".into(),
            "Last name must be 100 characters or fewer".into()
        )
    );
    assert_eq!(count_people(&svc).await, 0);
});

store::db_test!(
    every_text_of_contacts_state_changes_and_discharge_is_bounded,
    |db| {
        let svc = ctx(db).await.svc;
        let lw = actor(&svc, RIVERDALE).await;
        let m = meta();
        let r = refer_riverdale(&svc, person_input("")).await.unwrap();
        let e = referrals::record_contact(
            &svc,
            &lw,
            &m,
            r.id,
            ContactInput {
                kind: Some("phone".into()),
                notes: Some("Called\0".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
        assert_eq!(
            one_error(e),
            (
                "notes".into(),
                "Notes must not contain control characters".into()
            )
        );
        let declined = referrals::change_state(
            &svc,
            &lw,
            &m,
            r.id,
            r.version,
            referrals::StateChange {
                to: ReferralState::Declined,
                reason: Some("n".repeat(4_001)),
                review_due: None,
            },
        )
        .await
        .unwrap_err();
        assert_eq!(
            one_error(declined),
            (
                "reason".into(),
                "Reason must be 4,000 characters or fewer".into()
            )
        );
        referrals::record_contact(
            &svc,
            &lw,
            &m,
            r.id,
            ContactInput {
                kind: Some("phone".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let r = referral::Entity::find_by_id(r.id)
            .one(svc.db())
            .await
            .unwrap()
            .unwrap();
        let e = discharge::discharge(&svc, &lw, &m, r.id, r.version, "goals_met", "Done\0")
            .await
            .unwrap_err();
        assert_eq!(
            one_error(e),
            (
                "summary".into(),
                "Summary must not contain control characters".into()
            )
        );
        let unchanged = referral::Entity::find_by_id(r.id)
            .one(svc.db())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (unchanged.state.as_str(), unchanged.version),
            ("contacted", r.version)
        );
    }
);

fn plan() -> PlanContent {
    PlanContent {
        strengths: "Loves gardening".into(),
        needs: vec![Need {
            description: "Lonely since moving".into(),
            goals: vec![Goal {
                description: "Meet people who like gardening".into(),
                importance: Some(8),
                status: "in_progress".into(),
                stage_goals: vec![],
                actions: vec![Action {
                    what: "Go to the Saturday garden session".into(),
                    who: "Jack".into(),
                    when: "2026-11-14".into(),
                    status: "in_progress".into(),
                    confidence: Some(6),
                }],
            }],
        }],
        contingencies: vec![],
    }
}

store::db_test!(
    consent_about_me_plan_and_decision_texts_are_bounded_and_nothing_is_saved,
    |db| {
        let svc = ctx(db).await.svc;
        let lw = actor(&svc, RIVERDALE).await;
        let m = meta();
        let r = refer_riverdale(&svc, person_input("")).await.unwrap();
        let pid = r.person_id;
        let e = people::record_consent(
            &svc,
            &lw,
            &m,
            pid,
            ConsentInput {
                share_with: Some("G".repeat(201)),
                given: Some(true),
                note: Some("ok\0".into()),
            },
        )
        .await
        .unwrap_err();
        assert_eq!(
            errors(e).into_iter().map(|f| f.field).collect::<Vec<_>>(),
            vec!["share_with", "note"]
        );
        let mut sections = about_me::Sections::new();
        sections.insert("most_important".into(), "m".repeat(5_001));
        let e = about_me::save(&svc, &lw, &m, pid, 0, sections, Some("Amira\0".into()))
            .await
            .unwrap_err();
        assert_eq!(
            errors(e)
                .into_iter()
                .map(|f| (f.field, f.message))
                .collect::<Vec<_>>(),
            vec![
                (
                    "most_important".into(),
                    "Each section must be 5,000 characters or fewer".into()
                ),
                (
                    "helped_by".into(),
                    "Who helped write it must not contain control characters".into()
                ),
            ]
        );
        let mut unknown = about_me::Sections::new();
        unknown.insert("wellness".into(), "Good days and bad".into());
        unknown.insert("favourite_colour".into(), "Green".into());
        let e = about_me::save(&svc, &lw, &m, pid, 0, unknown, None)
            .await
            .unwrap_err();
        assert_eq!(
            one_error(e).0,
            "sections",
            "an unknown section is not dropped"
        );
        let mut long_plan = plan();
        long_plan.needs = vec![long_plan.needs[0].clone(); 21];
        let e = plans::save(
            &svc,
            &lw,
            &m,
            pid,
            plans::PlanInput {
                based_on: 0,
                content: long_plan,
                agreed_with: Some("A".repeat(201)),
                funding_source: Some("NHS\0".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
        assert_eq!(
            errors(e).into_iter().map(|f| f.field).collect::<Vec<_>>(),
            vec!["needs", "agreed_with", "funding_source"]
        );
        let e = sdm::record(
            &svc,
            &lw,
            &m,
            pid,
            sdm::SdmInput {
                decision_point: Some("d".repeat(4_001)),
                options: vec![
                    sdm::SdmOption {
                        option: "Community bus".into(),
                        benefits: "b".repeat(1_001),
                        risks: "Book ahead".into(),
                    };
                    11
                ],
                doing_nothing: Some("Stays home".into()),
                decision: Some("Try the bus\0".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
        assert_eq!(
            errors(e).into_iter().map(|f| f.field).collect::<Vec<_>>(),
            vec!["decision_point", "options", "decision"]
        );
        assert_eq!(
            services::unchecked::about_me_history(svc.db(), pid)
                .await
                .unwrap()
                .len()
                + services::unchecked::plan_history(svc.db(), pid)
                    .await
                    .unwrap()
                    .len()
                + services::unchecked::consents(svc.db(), pid)
                    .await
                    .unwrap()
                    .len()
                + services::unchecked::decisions(svc.db(), pid)
                    .await
                    .unwrap()
                    .len(),
            0,
            "nothing saved"
        );
    }
);

store::db_test!(
    search_text_with_a_nul_or_over_100_characters_is_a_field_error,
    |db| {
        let svc = ctx(db).await.svc;
        let lw = actor(&svc, RIVERDALE).await;
        refer_riverdale(&svc, person_input("")).await.unwrap();
        for (typed, message) in [
            ("jack\0", "Search must not contain control characters"),
            (&*"j".repeat(101), "Search must be 100 characters or fewer"),
        ] {
            let e = people::search(
                &svc,
                &lw,
                &meta(),
                Search {
                    text: typed.to_owned(),
                    date_of_birth: None,
                },
            )
            .await
            .err()
            .unwrap();
            assert_eq!(one_error(e), ("q".into(), message.into()));
        }
        let found = people::search(
            &svc,
            &lw,
            &meta(),
            Search {
                text: "  jack turnr ".into(),
                date_of_birth: None,
            },
        )
        .await
        .unwrap();
        assert_eq!(found.len(), 1);
    }
);

/// The refusals audited against an id asked for.
async fn refusals_naming(svc: &Services, kind: &str, id: i32) -> u64 {
    audit_event::Entity::find()
        .filter(audit_event::Column::Outcome.eq("refused"))
        .filter(audit_event::Column::EntityType.eq(kind))
        .filter(audit_event::Column::EntityId.eq(id.to_string()))
        .count(svc.db())
        .await
        .unwrap()
}

fn not_found(r: Result<impl std::fmt::Debug, ServiceError>) -> String {
    match r {
        Err(e @ ServiceError::NotFound(_)) => e.to_string(),
        other => panic!("expected not found, got {other:?}"),
    }
}

store::db_test!(
    a_person_elsewhere_and_a_person_not_there_get_the_same_not_found_and_both_are_audited,
    |db| {
        let svc = ctx(db).await.svc;
        let elsewhere = refer_riverdale(&svc, person_input(""))
            .await
            .unwrap()
            .person_id;
        let fellside = actor(&svc, FELLSIDE).await;
        let m = meta();
        for id in [elsewhere, 999_999, -1] {
            let answers = vec![
                not_found(people::get(&svc, &fellside, &m, id).await),
                not_found(people::update(&svc, &fellside, &m, id, 1, person_input("")).await),
                not_found(
                    people::record_consent(&svc, &fellside, &m, id, ConsentInput::default()).await,
                ),
                not_found(about_me::current(&svc, &fellside, &m, id).await),
                not_found(plans::current(&svc, &fellside, &m, id).await),
                not_found(
                    measures::record(&svc, &fellside, &m, id, measures::MeasureInput::default())
                        .await,
                ),
                not_found(sdm::record(&svc, &fellside, &m, id, sdm::SdmInput::default()).await),
            ];
            assert!(
                answers.iter().all(|a| a == "person not found"),
                "{id}: {answers:?}"
            );
            // A person named inside a referral is a field of the request: the same field error
            // whether the person is elsewhere or not there.
            let referral = referrals::create(
                &svc,
                &fellside,
                &m,
                ReferralInput {
                    person_id: Some(id),
                    ..Default::default()
                },
            )
            .await;
            match referral {
                Err(ServiceError::Invalid(list)) => {
                    assert_eq!(list.len(), 1, "{list:?}");
                    assert_eq!(list[0].field, "person_id");
                    assert_eq!(
                        list[0].message,
                        "Choose a person you work with, or enter the person's details instead"
                    );
                }
                other => panic!("{id}: expected a field error, got {other:?}"),
            }
            assert_eq!(
                refusals_naming(&svc, "person", id).await,
                8,
                "every refusal of {id} is audited"
            );
        }
        // The refusal of someone who exists is filed against them, for their privacy officer.
        let against_person = audit_event::Entity::find()
            .filter(audit_event::Column::Outcome.eq("refused"))
            .filter(audit_event::Column::PersonId.eq(elsewhere))
            .count(svc.db())
            .await
            .unwrap();
        assert_eq!(against_person, 8);
    }
);

store::db_test!(
    a_referral_elsewhere_and_one_not_there_get_the_same_not_found_and_both_are_audited,
    |db| {
        let svc = ctx(db).await.svc;
        let r = refer_riverdale(&svc, person_input("")).await.unwrap();
        let fellside = actor(&svc, FELLSIDE).await;
        let m = meta();
        for id in [r.id, 999_999, -1] {
            let answers = vec![
                not_found(referrals::get(&svc, &fellside, &m, id).await),
                not_found(
                    referrals::record_contact(&svc, &fellside, &m, id, ContactInput::default())
                        .await,
                ),
                not_found(referrals::assign(&svc, &fellside, &m, id, 1, None).await),
                not_found(
                    referrals::change_state(
                        &svc,
                        &fellside,
                        &m,
                        id,
                        1,
                        referrals::StateChange {
                            to: ReferralState::Declined,
                            reason: Some("x".into()),
                            review_due: None,
                        },
                    )
                    .await,
                ),
                not_found(discharge::discharge(&svc, &fellside, &m, id, 1, "goals_met", "x").await),
            ];
            assert!(
                answers.iter().all(|a| a == "referral not found"),
                "{id}: {answers:?}"
            );
            assert_eq!(refusals_naming(&svc, "referral", id).await, 5, "{id}");
        }
    }
);

store::db_test!(
    a_measure_or_decision_with_a_referral_that_is_not_this_persons_is_refused_the_same_way,
    |db| {
        let svc = ctx(db).await.svc;
        let riverdale = refer_riverdale(&svc, person_input("")).await.unwrap();
        let own = refer_fellside(&svc, person_input("")).await.unwrap();
        let other_fellside = refer_fellside(
            &svc,
            PersonInput {
                given_name: Some("Ruth".into()),
                ..person_input("")
            },
        )
        .await
        .unwrap();
        let lw = actor(&svc, FELLSIDE).await;
        let m = meta();
        let measure = |referral_id| measures::MeasureInput {
            instrument: "ons4".into(),
            timepoint: Some("start".into()),
            answers: vec![Some(6), Some(7), Some(5), Some(3)],
            referral_id,
            ..Default::default()
        };
        let decision = |referral_id| sdm::SdmInput {
            referral_id,
            decision_point: Some("How to get to the garden group".into()),
            options: vec![sdm::SdmOption {
                option: "Community bus".into(),
                benefits: "Door to door".into(),
                risks: "Book 2 days ahead".into(),
            }],
            doing_nothing: Some("Stays at home".into()),
            decision: Some("Try the bus".into()),
            ..Default::default()
        };
        let expected = (
            "referral_id".to_owned(),
            "Choose one of this person's referrals".to_owned(),
        );
        for bad in [riverdale.id, other_fellside.id, 999_999, -1] {
            let e = measures::record(&svc, &lw, &m, own.person_id, measure(Some(bad)))
                .await
                .unwrap_err();
            assert_eq!(one_error(e), expected, "measure with referral {bad}");
            let e = sdm::record(&svc, &lw, &m, own.person_id, decision(Some(bad)))
                .await
                .unwrap_err();
            assert_eq!(one_error(e), expected, "decision with referral {bad}");
        }
        assert_eq!(measure::Entity::find().count(svc.db()).await.unwrap(), 0);
        assert_eq!(sdm_record::Entity::find().count(svc.db()).await.unwrap(), 0);
        // The person's own referral, or none, is fine.
        let saved = measures::record(&svc, &lw, &m, own.person_id, measure(Some(own.id)))
            .await
            .unwrap();
        assert_eq!(saved.referral_id, Some(own.id));
        measures::record(&svc, &lw, &m, own.person_id, measure(None))
            .await
            .unwrap();
        let d = sdm::record(&svc, &lw, &m, own.person_id, decision(Some(own.id)))
            .await
            .unwrap();
        assert_eq!(d.referral_id, Some(own.id));
    }
);

/// What a caller sees of a referral they made: everything but ids and times.
fn shape(r: &services::care::Referral, p: &services::care::Person) -> String {
    format!(
        "{} {} {} {} {} {:?} {} | {:?} {} {} {:?} {:?} {} {}",
        r.service,
        r.source,
        r.state,
        r.urgency,
        r.referrer_name,
        r.possible_duplicate_of,
        r.version,
        p.date_of_birth,
        p.given_name,
        p.family_name,
        p.phone,
        p.practice_id,
        p.preferred_contact,
        p.version,
    )
}

store::db_test!(
    an_nhs_number_known_elsewhere_starts_a_flagged_record_and_tells_the_caller_nothing,
    |db| {
        let svc = ctx(db).await.svc;
        let m = meta();
        let theirs = refer_riverdale(&svc, person_input("943 476 5919"))
            .await
            .unwrap();
        let fellside = actor(&svc, FELLSIDE).await;
        // The same details with a number known elsewhere, and with one never seen.
        let known = refer_fellside(&svc, person_input("943 476 5919"))
            .await
            .unwrap();
        let unknown = refer_fellside(&svc, person_input("401 023 2137"))
            .await
            .unwrap();
        let known_p = people::get(&svc, &fellside, &m, known.person_id)
            .await
            .unwrap();
        let unknown_p = people::get(&svc, &fellside, &m, unknown.person_id)
            .await
            .unwrap();
        assert_eq!(shape(&known, &known_p), shape(&unknown, &unknown_p));
        assert_eq!(known_p.nhs_number.as_deref(), Some("9434765919"));
        assert_ne!(known.person_id, theirs.person_id, "a record of its own");
        // It gives no way into the other record.
        assert!(matches!(
            people::get(&svc, &fellside, &m, theirs.person_id).await,
            Err(ServiceError::NotFound(_))
        ));
        let found = people::search(
            &svc,
            &fellside,
            &m,
            Search {
                text: "9434765919".into(),
                date_of_birth: None,
            },
        )
        .await
        .unwrap();
        let ids: Vec<i32> = found.iter().map(|f| f.person.id).collect();
        assert_eq!(ids, vec![known.person_id]);
        // Flagged for an administrator, who sees both records.
        assert!(known_p.needs_reconciliation && !unknown_p.needs_reconciliation);
        let admin = actor(&svc, "admin@demo.whatmatters.test").await;
        let list = people::awaiting_reconciliation(&svc, &admin, &m)
            .await
            .unwrap();
        assert_eq!(list.len(), 1);
        assert_eq!(
            (list[0].person_id, list[0].same_number.clone()),
            (known.person_id, vec![theirs.person_id])
        );
        assert!(matches!(
            people::awaiting_reconciliation(&svc, &fellside, &m).await,
            Err(ServiceError::Forbidden(_))
        ));
        let flagged = audit_event::Entity::find()
            .filter(audit_event::Column::Action.eq("person_flagged_for_reconciliation"))
            .filter(audit_event::Column::PersonId.eq(known.person_id))
            .count(svc.db())
            .await
            .unwrap();
        assert_eq!(flagged, 1);
        // Within the caller's own scope the number is pointed to, as before.
        let again = refer_fellside(&svc, person_input("943 476 5919"))
            .await
            .unwrap_err();
        assert_eq!(
            one_error(again),
            ("person.nhs_number".into(), people::ALREADY_RECORDED.into())
        );
    }
);

store::db_test!(
    editing_a_persons_nhs_number_to_one_known_elsewhere_is_saved_and_flagged_silently,
    |db| {
        let svc = ctx(db).await.svc;
        let m = meta();
        refer_riverdale(&svc, person_input("943 476 5919"))
            .await
            .unwrap();
        let own = refer_fellside(&svc, person_input("")).await.unwrap();
        let lw = actor(&svc, FELLSIDE).await;
        let p = people::get(&svc, &lw, &m, own.person_id).await.unwrap();
        let edited = people::update(
            &svc,
            &lw,
            &m,
            p.id,
            p.version,
            PersonInput {
                practice_id: p.practice_id,
                ..person_input("9434765919")
            },
        )
        .await
        .unwrap();
        assert_eq!(edited.nhs_number.as_deref(), Some("9434765919"));
        assert!(edited.needs_reconciliation);
    }
);

/// A self-referral by the person of [`person_input`] (the same name and date of birth).
fn self_referral(practice: i32, nhs: &str) -> SelfReferralInput {
    SelfReferralInput {
        person: PersonInput {
            practice_id: Some(practice),
            ..person_input(nhs)
        },
        service: Some("social_prescribing".into()),
        reason: Some("I would like to find a walking group".into()),
        consent_to_contact: true,
        trap: None,
    }
}

store::db_test!(
    a_self_referral_joins_a_record_only_when_the_pcn_already_knows_the_person,
    |db| {
        let svc = ctx(db).await.svc;
        let m = meta();
        let fellside = refer_fellside(&svc, person_input("943 476 5919"))
            .await
            .unwrap();
        let riverdale = refer_riverdale(&svc, person_input("401 023 2137"))
            .await
            .unwrap();
        let practice = org(&svc, "B90001").await;
        // Known only to Fellside: a new record, not a referral on Fellside's person.
        referrals::self_refer(&svc, &m, self_referral(practice, "9434765919"))
            .await
            .unwrap();
        let on_fellside_person = referral::Entity::find()
            .filter(referral::Column::PersonId.eq(fellside.person_id))
            .count(svc.db())
            .await
            .unwrap();
        assert_eq!(on_fellside_person, 1);
        let new_person = person::Entity::find()
            .filter(person::Column::NhsNumber.eq("9434765919"))
            .filter(person::Column::NeedsReconciliation.eq(true))
            .one(svc.db())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(new_person.practice_id, Some(practice));
        // Known to Riverdale Central, where this referral goes: the same person.
        referrals::self_refer(&svc, &m, self_referral(practice, "4010232137"))
            .await
            .unwrap();
        let on_riverdale_person = referral::Entity::find()
            .filter(referral::Column::PersonId.eq(riverdale.person_id))
            .count(svc.db())
            .await
            .unwrap();
        assert_eq!(on_riverdale_person, 2);
    }
);

store::db_test!(swemwbs_9_51_is_stored_and_read_back_exactly, |db| {
    let svc = ctx(db).await.svc;
    let lw = actor(&svc, RIVERDALE).await;
    let r = refer_riverdale(&svc, person_input("")).await.unwrap();
    let m = measures::record(
        &svc,
        &lw,
        &meta(),
        r.person_id,
        measures::MeasureInput {
            instrument: "swemwbs".into(),
            timepoint: Some("start".into()),
            answers: [2, 1, 1, 1, 1, 1, 1].map(Some).to_vec(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let read = services::unchecked::measures(svc.db(), r.person_id)
        .await
        .unwrap();
    assert_eq!(read[0].id, m.id);
    assert_eq!(read[0].score, Some(9.51));
    assert_eq!(serde_json::to_string(&read[0].score).unwrap(), "9.51");
    let pam = measures::record(
        &svc,
        &lw,
        &meta(),
        r.person_id,
        measures::MeasureInput {
            instrument: "pam".into(),
            timepoint: Some("start".into()),
            pam_level: Some(3),
            pam_score: Some(62.4),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let read = measure::Entity::find_by_id(pam.id)
        .one(svc.db())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(serde_json::to_string(&read.score).unwrap(), "62.4");
    let e = measures::record(
        &svc,
        &lw,
        &meta(),
        r.person_id,
        measures::MeasureInput {
            instrument: "pam".into(),
            timepoint: Some("start".into()),
            pam_level: Some(3),
            pam_score: Some(62.45),
            ..Default::default()
        },
    )
    .await
    .unwrap_err();
    assert_eq!(one_error(e).0, "pam_score");
});

store::db_test!(
    eight_swemwbs_answers_or_five_ons4_answers_are_refused_not_cut_short,
    |db| {
        let svc = ctx(db).await.svc;
        let lw = actor(&svc, RIVERDALE).await;
        let r = refer_riverdale(&svc, person_input("")).await.unwrap();
        for (instrument, n, message) in [
            (
                "swemwbs",
                8,
                "Give exactly 7 answers, one for each question (you gave 8)",
            ),
            (
                "swemwbs",
                6,
                "Give exactly 7 answers, one for each question (you gave 6)",
            ),
            (
                "ons4",
                5,
                "Give exactly 4 answers, one for each question (you gave 5)",
            ),
            (
                "ons4",
                0,
                "Give exactly 4 answers, one for each question (you gave 0)",
            ),
        ] {
            let e = measures::record(
                &svc,
                &lw,
                &meta(),
                r.person_id,
                measures::MeasureInput {
                    instrument: instrument.into(),
                    timepoint: Some("start".into()),
                    answers: vec![Some(3); n],
                    ..Default::default()
                },
            )
            .await
            .unwrap_err();
            assert_eq!(one_error(e), ("answers".into(), message.into()));
        }
        assert_eq!(measure::Entity::find().count(svc.db()).await.unwrap(), 0);
    }
);

store::db_test!(
    a_practice_outside_the_callers_scope_is_refused_like_one_that_is_not_there,
    |db| {
        let svc = ctx(db).await.svc;
        let m = meta();
        let lw = actor(&svc, RIVERDALE).await;
        let r = refer_riverdale(&svc, person_input("")).await.unwrap();
        let p = people::get(&svc, &lw, &m, r.person_id).await.unwrap();
        let fellside_practice = org(&svc, "B90013").await;
        let a_pcn = org(&svc, "U90001").await;
        for bad in [fellside_practice, a_pcn, 999_999, -1] {
            let e = people::update(
                &svc,
                &lw,
                &m,
                p.id,
                p.version,
                PersonInput {
                    practice_id: Some(bad),
                    ..person_input("")
                },
            )
            .await
            .unwrap_err();
            assert_eq!(
                one_error(e),
                ("practice_id".into(), people::CHOOSE_PRACTICE.into()),
                "{bad}"
            );
            // A new person referred to Riverdale Central must be registered at a practice
            // it serves.
            let mut input = referral_input(person_input(""), a_pcn, org(&svc, "B90001").await);
            if let Some(person) = input.person.as_mut() {
                person.practice_id = Some(bad);
            }
            let e = referrals::create(&svc, &lw, &m, input).await.unwrap_err();
            assert_eq!(
                one_error(e),
                (
                    "person.practice_id".into(),
                    people::CHOOSE_SERVED_PRACTICE.into()
                ),
                "{bad}"
            );
        }
        // Another practice the team serves is fine, and so is keeping the one recorded.
        let other_member = org(&svc, "B90002").await;
        let edited = people::update(
            &svc,
            &lw,
            &m,
            p.id,
            p.version,
            PersonInput {
                practice_id: Some(other_member),
                ..person_input("")
            },
        )
        .await
        .unwrap();
        assert_eq!(edited.practice_id, Some(other_member));
    }
);

store::db_test!(
    a_plan_review_owner_outside_the_team_is_refused_like_one_that_is_not_there,
    |db| {
        let svc = ctx(db).await.svc;
        let m = meta();
        let lw = actor(&svc, RIVERDALE).await;
        let r = refer_riverdale(&svc, person_input("")).await.unwrap();
        let fellside = actor(&svc, FELLSIDE).await;
        let coach = actor(&svc, "coach@demo.whatmatters.test").await;
        for bad in [fellside.user_id, 999_999, -1] {
            let e = plans::save(
                &svc,
                &lw,
                &m,
                r.person_id,
                plans::PlanInput {
                    based_on: 0,
                    content: plan(),
                    review_owner_user_id: Some(bad),
                    ..Default::default()
                },
            )
            .await
            .unwrap_err();
            assert_eq!(one_error(e).0, "review_owner_user_id", "{bad}");
        }
        let saved = plans::save(
            &svc,
            &lw,
            &m,
            r.person_id,
            plans::PlanInput {
                based_on: 0,
                content: plan(),
                review_owner_user_id: Some(coach.user_id),
                review_date: Some("2027-02-01".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(saved.review_owner_user_id, Some(coach.user_id));
    }
);

store::db_test!(
    dates_outside_their_bounds_or_formats_are_field_errors,
    |db| {
        let svc = ctx(db).await.svc;
        let m = meta();
        let lw = actor(&svc, RIVERDALE).await;
        let pcn = org(&svc, "U90001").await;
        let practice = org(&svc, "B90001").await;
        for (date, message) in [
            (
                "1899-12-31",
                "Referral date must be on or after 1 January 1900",
            ),
            ("2/11/26", "Referral date must be a real date"),
            ("+2026-11-02", "Referral date must be a real date"),
            ("2026-11-03", "Referral date must be today or in the past"),
        ] {
            let mut input = referral_input(person_input(""), pcn, practice);
            input.referred_on = Some(date.into());
            let e = referrals::create(&svc, &lw, &m, input).await.unwrap_err();
            assert_eq!(one_error(e), ("referred_on".into(), message.into()));
        }
        let e = refer_riverdale(
            &svc,
            PersonInput {
                date_of_birth: Some("1899-01-01".into()),
                ..person_input("")
            },
        )
        .await
        .unwrap_err();
        assert_eq!(one_error(e).0, "person.date_of_birth");
        let r = refer_riverdale(&svc, person_input("")).await.unwrap();
        let e = referrals::record_contact(
            &svc,
            &lw,
            &m,
            r.id,
            ContactInput {
                kind: Some("phone".into()),
                date: Some("1066-10-14".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
        assert_eq!(one_error(e).0, "date");
        referrals::record_contact(
            &svc,
            &lw,
            &m,
            r.id,
            ContactInput {
                kind: Some("phone".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let r = referral::Entity::find_by_id(r.id)
            .one(svc.db())
            .await
            .unwrap()
            .unwrap();
        let far = chrono::NaiveDate::from_ymd_opt(2030, 1, 1).unwrap();
        let e = referrals::change_state(
            &svc,
            &lw,
            &m,
            r.id,
            r.version,
            referrals::StateChange {
                to: ReferralState::Active,
                reason: None,
                review_due: Some(far),
            },
        )
        .await
        .unwrap_err();
        assert_eq!(
            one_error(e),
            (
                "review_due".into(),
                "Review date must be no later than 2 November 2029".into()
            )
        );
        let e = plans::save(
            &svc,
            &lw,
            &m,
            r.person_id,
            plans::PlanInput {
                based_on: 0,
                content: plan(),
                review_date: Some("9999-12-31".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
        assert_eq!(one_error(e).0, "review_date");
        let e = measures::record(
            &svc,
            &lw,
            &m,
            r.person_id,
            measures::MeasureInput {
                instrument: "ons4".into(),
                timepoint: Some("start".into()),
                taken_on: Some("1899-12-31".into()),
                answers: vec![Some(5); 4],
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
        assert_eq!(one_error(e).0, "taken_on");
    }
);

store::db_test!(a_version_of_i32_max_is_a_conflict_not_a_panic, |db| {
    let svc = ctx(db).await.svc;
    let m = meta();
    let lw = actor(&svc, RIVERDALE).await;
    let r = refer_riverdale(&svc, person_input("")).await.unwrap();
    assert!(matches!(
        people::update(&svc, &lw, &m, r.person_id, i32::MAX, person_input("")).await,
        Err(ServiceError::Conflict(_))
    ));
    assert!(matches!(
        referrals::assign(&svc, &lw, &m, r.id, i32::MAX, None).await,
        Err(ServiceError::Conflict(_))
    ));
});

store::db_test!(
    user_and_token_names_are_bounded_and_a_nul_email_signs_no_one_in,
    |db| {
        let svc = ctx(db).await.svc;
        let m = meta();
        let admin = actor(&svc, "admin@demo.whatmatters.test").await;
        let region = org(&svc, "Y90").await;
        let e = services::identity::users::create(
            &svc,
            Some(&admin),
            &m,
            services::identity::users::NewUser {
                email: "new.worker@example.nhs.uk".into(),
                display_name: "N".repeat(201),
                password: "a long enough password".into(),
                memberships: vec![(domain::Role::LinkWorker, region)],
            },
        )
        .await
        .unwrap_err();
        assert_eq!(
            one_error(e),
            (
                "display_name".into(),
                "Name must be 200 characters or fewer".into()
            )
        );
        let lw = actor(&svc, RIVERDALE).await;
        let e = services::identity::token::create(&svc, &lw, &m, "sync\0", None)
            .await
            .unwrap_err();
        assert_eq!(
            one_error(e),
            (
                "name".into(),
                "Token name must not contain control characters".into()
            )
        );
        assert!(
            services::identity::users::find_by_email(&svc, "admin@demo.whatmatters.test\0")
                .await
                .unwrap()
                .is_none()
        );
        assert!(matches!(
            services::identity::sign_in::sign_in(&svc, "admin\0@demo.whatmatters.test", "x", &m)
                .await,
            Err(services::identity::sign_in::SignInError::Incorrect)
        ));
    }
);

store::db_test!(
    an_organisation_outside_the_callers_view_is_refused_as_a_parent_like_one_not_there,
    |db| {
        let svc = ctx(db).await.svc;
        let m = meta();
        let manager = actor(&svc, "pcn.manager@demo.whatmatters.test").await;
        let fellside_pcn = org(&svc, "U90004").await;
        for parent in [fellside_pcn, 999_999] {
            let e = services::org::create(
                &svc,
                &manager,
                &m,
                services::org::OrgInput {
                    kind: Some("vcse".into()),
                    name: Some("Riverdale Knit and Natter".into()),
                    parent_id: Some(parent),
                    ..Default::default()
                },
            )
            .await
            .unwrap_err();
            assert_eq!(
                one_error(e),
                (
                    "parent_id".into(),
                    format!("There is no organisation with id {parent}")
                )
            );
        }
        let e = services::org::create(
            &svc,
            &manager,
            &m,
            services::org::OrgInput {
                kind: Some("vcse".into()),
                name: Some("Knit\0".into()),
                parent_id: Some(org(&svc, "U90001").await),
                commissioner_arrangement: Some("x".repeat(4_001)),
                website: Some(format!("https://{}", "w".repeat(300))),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
        assert_eq!(
            errors(e).into_iter().map(|f| f.field).collect::<Vec<_>>(),
            vec!["name", "commissioner_arrangement", "website"]
        );
    }
);

store::db_test!(
    an_ods_file_with_an_over_long_or_control_character_name_reports_the_row,
    |db| {
        let svc = ctx(db).await.svc;
        let long = "A".repeat(201);
        let csv = format!(
            "B91001,{long},Y90,QZ1,1 HIGH STREET,,RIVERDALE,,,RD1 3AA,20200101,,A,B,QZ1,20200101,,,,,,0,,,,4,\n\
             B91002,NUL\u{0}SURGERY,Y90,QZ1,2 HIGH STREET,,RIVERDALE,,,RD1 3AB,20200101,,A,B,QZ1,20200101,,,,,,0,,,,4,\n\
             B91003,GOOD SURGERY,Y90,QZ1,3 HIGH STREET,,RIVERDALE,,,RD1 3AD,20200101,,A,B,QZ1,20200101,,,,,,0,,,,4,\n"
        );
        let before = organisation::Entity::find().count(svc.db()).await.unwrap();
        let report = services::ods_import::import(
            &svc,
            &meta(),
            services::ods_import::Layout::Practices,
            csv.as_bytes(),
        )
        .await
        .unwrap();
        let lines: Vec<u64> = report.errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, vec![1, 2], "{:?}", report.errors);
        assert!(report.errors[0].reason.contains("200 characters or fewer"));
        assert!(report.errors[1].reason.contains("control characters"));
        assert_eq!(
            organisation::Entity::find().count(svc.db()).await.unwrap(),
            before + 1
        );
    }
);
