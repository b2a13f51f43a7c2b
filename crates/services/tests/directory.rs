#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The community directory on both databases: postcodes imported, listings checked, search by
//! words, need and distance agreeing across databases.

mod common;
use common::*;

use domain::Postcode;
use services::ServiceError;
use services::directory::postcodes;
use services::directory::search::{self, Query};
use services::paging::Paging;

fn page() -> Paging {
    Paging::new(1, 200).unwrap()
}

store::db_test!(
    postcodes_import_from_the_ons_directory_and_report_bad_rows,
    |db| {
        let svc = ctx(db).await.svc;
        let csv = "pcd,pcd2,pcds,lat,long,doterm\n\
        LS1 4AP,LS1  4AP,LS1 4AP,53.796,-1.5473,\n\
        LS2 7HY,LS2  7HY,LS2 7HY,53.8067,-1.5550,\n\
        ZZ99 9ZZ,,GY1 1AA,99.999999,0.000000,\n\
        XXXX,,notapostcode,53.8,-1.5,\n\
        LS3 1AA,,LS3 1AA,95.0,-1.5,\n\
        LS4 2BB,,LS4 2BB,north,-1.5,\n";
        let r = postcodes::import(&svc, &meta(), csv.as_bytes())
            .await
            .unwrap();
        assert_eq!(
            (r.imported, r.skipped, r.rejected),
            (2, 1, 3),
            "{:?}",
            r.errors
        );
        let lines: Vec<u64> = r.errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, vec![5, 6, 7]);
        assert!(r.errors[1].reason.contains("latitude"), "{:?}", r.errors);
        let at = postcodes::locate(&svc, &Postcode::parse("ls14ap").unwrap())
            .await
            .unwrap()
            .unwrap();
        assert!((at.latitude - 53.796).abs() < 1e-9);
        // Importing again updates, not duplicates.
        let again = "pcds,lat,long\nLS1 4AP,53.8,-1.55\n";
        postcodes::import(&svc, &meta(), again.as_bytes())
            .await
            .unwrap();
        let at = postcodes::locate(&svc, &Postcode::parse("LS1 4AP").unwrap())
            .await
            .unwrap()
            .unwrap();
        assert!((at.latitude - 53.8).abs() < 1e-9);
        // A file without the columns it needs is refused whole.
        let wrong = "postcode,town\nLS9 9ZZ,Leeds\n";
        match postcodes::import(&svc, &meta(), wrong.as_bytes()).await {
            Err(ServiceError::Invalid(e)) => assert!(e[0].message.contains("header row"), "{e:?}"),
            other => panic!("{:?}", other.map(|r| r.imported)),
        }
        assert!(
            postcodes::locate(&svc, &Postcode::parse("LS9 9ZZ").unwrap())
                .await
                .unwrap()
                .is_none()
        );
    }
);

async fn find(svc: &services::Services, pc: &str) -> Option<domain::directory::geo::Point> {
    postcodes::locate(svc, &Postcode::parse(pc).unwrap())
        .await
        .unwrap()
}

store::db_test!(
    postcodes_import_from_code_point_open_grid_references,
    |db| {
        let svc = ctx(db).await.svc;
        let leeds_station = domain::directory::geo::Point::new(53.7955, -1.5479).unwrap();
        // Code-Point Open's own files: no header row; postcode, quality, eastings, northings, codes.
        let csv = "\"LS1 4DY\",10,429800,433300,\"E92000001\",\"E19000003\",\"E18000003\",\"\",\"E08000035\",\"E05011414\"\n\
        \"LS1 9ZZ\",90,0,0,\"E92000001\",\"\",\"\",\"\",\"\",\"\"\n\
        \"LS2 1XX\",10,-5,433300,\"E92000001\",\"\",\"\",\"\",\"\",\"\"\n\
        \"LS2 2XX\",10,east,433300,\"E92000001\",\"\",\"\",\"\",\"\",\"\"\n\
        \"LS3 1AA\",10,428900,433900,\"E92000001\",\"\",\"\",\"\",\"\",\"\"\n";
        let r = postcodes::import(&svc, &meta(), csv.as_bytes())
            .await
            .unwrap();
        assert_eq!(
            (r.imported, r.skipped, r.rejected),
            (2, 1, 2),
            "{:?}",
            r.errors
        );
        assert_eq!(
            r.errors.iter().map(|e| e.line).collect::<Vec<_>>(),
            vec![3, 4]
        );
        assert!(
            r.errors[0].reason.contains("eastings must be between"),
            "{:?}",
            r.errors
        );
        assert!(
            r.errors[1].reason.contains("must be numbers"),
            "{:?}",
            r.errors
        );
        let at = find(&svc, "LS1 4DY").await.unwrap();
        // The grid reference is central Leeds: a few hundred metres from the station.
        assert!(at.distance_m(leeds_station) < 1_000.0, "{at:?}");
        assert!(find(&svc, "LS1 9ZZ").await.is_none());
        // The same with the header row Code-Point's documentation names; it updates in place.
        let headed = "PC,PQ,EA,NO,CY\nLS1 4DY,10,430800,433300,E92000001\n";
        let r = postcodes::import(&svc, &meta(), headed.as_bytes())
            .await
            .unwrap();
        assert_eq!((r.imported, r.rejected), (1, 0));
        let moved = find(&svc, "LS1 4DY").await.unwrap();
        // One kilometre east on the grid is one kilometre east on the ground.
        let d = moved.distance_m(at);
        assert!((990.0..1_010.0).contains(&d), "{d}");
        assert!(
            (moved.latitude - at.latitude).abs() < 0.001,
            "{moved:?} {at:?}"
        );
    }
);

store::db_test!(search_agrees_on_both_databases, |db| {
    let svc = ctx(db).await.svc;
    services::directory::taxonomy::ensure(&svc).await.unwrap();
    services::demo::seed_directory(&svc).await.unwrap();
    let names = |f: &search::Found| f.hits.iter().map(|h| h.name.clone()).collect::<Vec<_>>();
    // Stemming: "gardening" finds the garden's services.
    let q = Query {
        text: "gardening".into(),
        ..Query::default()
    };
    let found = search::search(&svc, &q, page()).await.unwrap();
    assert!(
        names(&found).iter().any(|n| n == "Green gym (Millbrook)"),
        "{:?}",
        names(&found)
    );
    // Two words: both must match.
    let q = Query {
        text: "debt advice".into(),
        ..Query::default()
    };
    let found = search::search(&svc, &q, page()).await.unwrap();
    assert!(!found.hits.is_empty());
    assert!(
        names(&found)[0].starts_with("Debt and money advice"),
        "best match first: {:?}",
        names(&found)
    );
    assert!(
        names(&found).iter().all(|n| !n.starts_with("Walk")),
        "{:?}",
        names(&found)
    );
    // A slip is corrected, and said so.
    let q = Query {
        text: "choyr".into(),
        ..Query::default()
    };
    let found = search::search(&svc, &q, page()).await.unwrap();
    assert_eq!(found.corrected.as_deref(), Some("choir"));
    assert!(
        names(&found)
            .iter()
            .all(|n| n.starts_with("Community choir"))
    );
    // Search syntax is not ours to run: quotes, stars and operators are only punctuation and
    // common words, so they narrow nothing; a word no listing has finds nothing.
    let q = Query {
        text: "\"* NEAR( OR".into(),
        ..Query::default()
    };
    let all = search::search(&svc, &Query::default(), page())
        .await
        .unwrap()
        .total;
    assert_eq!(search::search(&svc, &q, page()).await.unwrap().total, all);
    let q = Query {
        text: "zzqxjv".into(),
        ..Query::default()
    };
    assert_eq!(search::search(&svc, &q, page()).await.unwrap().total, 0);
    // Near a point, nearest first, within the distance.
    let home = postcodes::locate(&svc, &Postcode::parse("HB3 2DA").unwrap())
        .await
        .unwrap()
        .unwrap();
    let q = Query {
        near: Some((home, 8_000)),
        ..Query::default()
    };
    let found = search::search(&svc, &q, page()).await.unwrap();
    assert!(found.total >= 5, "{}", found.total);
    let d: Vec<f64> = found.hits.iter().map(|h| h.distance.unwrap()).collect();
    assert!(d.windows(2).all(|w| w[0] <= w[1]), "{d:?}");
    assert!(d.iter().all(|x| *x <= 8_000.0));
    assert!(names(&found).iter().all(|n| !n.contains("(Riverdale)")));
    // The total counts every match, not just the page.
    let small = search::search(&svc, &q, Paging::new(1, 2).unwrap())
        .await
        .unwrap();
    assert_eq!((small.hits.len(), small.total), (2, found.total));
});

fn examples() -> Option<Vec<(String, String)>> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/oruk-3.0/examples");
    let mut out: Vec<(String, String)> = std::fs::read_dir(dir)
        .ok()?
        .map(|e| {
            let p = e.unwrap().path();
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read_to_string(&p).unwrap(),
            )
        })
        .collect();
    // Taxonomies and organisations before the services that name them.
    out.sort_by_key(|(n, _)| {
        (
            !n.starts_with("taxonomy"),
            !n.starts_with("organization"),
            n.clone(),
        )
    });
    Some(out)
}

store::db_test!(the_standards_examples_import_cleanly, |db| {
    let svc = ctx(db).await.svc;
    services::directory::taxonomy::ensure(&svc).await.unwrap();
    let Some(files) = examples() else {
        eprintln!("the Open Referral examples are not beside the project: skipped");
        return;
    };
    for (name, text) in &files {
        let r = services::directory::import::oruk(&svc, &meta(), text)
            .await
            .unwrap();
        assert!(r.rejected.is_empty(), "{name}: {:?}", r.rejected);
    }
    let s = services::directory::read::service(&svc, "ac148810-d857-441c-9679-408f346de14b")
        .await
        .unwrap();
    assert_eq!(s.service.name, "Community Counselling");
    assert_eq!(s.organization.name, "Example Organization Inc.");
    assert!(!s.needs.is_empty(), "its attribute's term came with it");
    assert!(!s.schedules.is_empty());
    // The example's place is at latitude 100: kept, without coordinates, and said so.
    assert!(s.places.iter().all(|p| p.location.latitude.is_none()));
    let again = services::directory::import::oruk(
        &svc,
        &meta(),
        &files
            .iter()
            .find(|(n, _)| n == "service_full.json")
            .unwrap()
            .1,
    )
    .await
    .unwrap();
    assert!(
        again.warnings.iter().any(|w| w.contains("latitude")),
        "{:?}",
        again.warnings
    );
    assert_eq!(again.services, 1, "upserted, not duplicated");
});

store::db_test!(a_bad_open_referral_file_is_refused_record_by_record, |db| {
    let svc = ctx(db).await.svc;
    services::directory::taxonomy::ensure(&svc).await.unwrap();
    let food = domain::directory::taxonomy::uuid_of("food");
    let org = serde_json::json!({"id": "0b0b0b0b-0000-4000-8000-000000000001", "name": "Hillside Pantry", "description": "A food pantry"});
    // Each record's own ids end as its id does.
    let good = |id: &str, name: &str| {
        let tail = &id[id.len().saturating_sub(4)..];
        let child = |k: &str| format!("0b0b0b0b-0000-4000-{k}-00000000{tail}");
        serde_json::json!({
            "id": id, "name": name, "description": "Food and a chat", "status": "active",
            "email": "pantry@example.org.uk", "organization": org,
            "attributes": [{"id": child("8aaa"), "taxonomy_term_id": food.to_string()}],
            "service_at_locations": [{"id": child("8bbb"), "location": {
                "id": "0b0b0b0b-0000-4000-8000-0000000000cc", "location_type": "physical", "name": "Church hall",
                "latitude": 54.0, "longitude": -1.5,
                "addresses": [{"id": child("8ddd"), "address_1": "1 Church Lane", "city": "Riverdale", "state_province": "North", "postal_code": "RD1 4CC", "country": "GB", "address_type": "physical"}]
            }}],
            "schedules": [{"id": child("8eee"), "freq": "WEEKLY", "byday": "FR", "opens_at": "10:00:00", "closes_at": "12:00:00"}]
        })
    };
    let mut no_name = good("0b0b0b0b-0000-4000-8000-000000000011", "");
    no_name["name"] = serde_json::Value::Null;
    let mut unknown_term = good("0b0b0b0b-0000-4000-8000-000000000012", "Mystery");
    unknown_term["attributes"][0]["taxonomy_term_id"] =
        "0b0b0b0b-0000-4000-8000-00000000ffff".into();
    let mut bad_place = good("0b0b0b0b-0000-4000-8000-000000000013", "Off the map");
    bad_place["service_at_locations"][0]["location"]["latitude"] = 123.0.into();
    let mut no_status = good("0b0b0b0b-0000-4000-8000-000000000014", "No status");
    no_status.as_object_mut().unwrap().remove("status");
    let mut orphan = good("0b0b0b0b-0000-4000-8000-000000000015", "Orphan");
    orphan.as_object_mut().unwrap().remove("organization");
    let mut not_uuid = good("not-a-uuid", "Bad id");
    not_uuid["minimum_age"] = (-3).into();
    let mut new_org = good("0b0b0b0b-0000-4000-8000-000000000016", "");
    new_org["organization"] = serde_json::json!({"id": "0b0b0b0b-0000-4000-8000-000000000002", "name": "Never saved", "description": "x"});
    let file = serde_json::json!([
        good("0b0b0b0b-0000-4000-8000-000000000010", "Hillside pantry"),
        good("0b0b0b0b-0000-4000-8000-000000000010", "Duplicate"),
        no_name,
        unknown_term,
        bad_place,
        no_status,
        orphan,
        not_uuid,
        new_org,
    ]);
    let r = services::directory::import::oruk(&svc, &meta(), &file.to_string())
        .await
        .unwrap();
    assert_eq!(
        r.services, 2,
        "the good one and the one kept without coordinates: {:?}",
        r.rejected
    );
    let why = |n: usize| {
        r.rejected
            .iter()
            .find(|x| x.record.starts_with(&format!("item {n} ")))
            .map(|x| x.reasons.join(" | "))
            .unwrap_or_default()
    };
    assert!(why(2).contains("earlier in this file"), "{:?}", r.rejected);
    assert!(why(3).contains("name"), "{}", why(3));
    assert!(why(4).contains("no taxonomy term"), "{}", why(4));
    assert!(why(6).contains("status"), "{}", why(6));
    assert!(why(7).contains("organisation"), "{}", why(7));
    assert!(
        why(8).contains("UUID") && why(8).contains("minimum_age"),
        "{}",
        why(8)
    );
    assert!(why(9).contains("name"), "{}", why(9));
    assert!(
        r.warnings.iter().any(|w| w.contains("latitude")),
        "{:?}",
        r.warnings
    );
    // Nothing of a refused record was kept, not even the organisation it came with.
    use sea_orm::{EntityTrait, PaginatorTrait};
    assert_eq!(
        store::entities::directory_organization::Entity::find()
            .count(svc.db())
            .await
            .unwrap(),
        1
    );
    let refused = search::search(
        &svc,
        &Query {
            text: "mystery".into(),
            ..Query::default()
        },
        page(),
    )
    .await
    .unwrap();
    assert_eq!(
        refused.total, 0,
        "a refused service is not in the search index"
    );
    let kept = search::search(
        &svc,
        &Query {
            text: "pantry".into(),
            ..Query::default()
        },
        page(),
    )
    .await
    .unwrap();
    assert_eq!(kept.total, 2, "the two kept, each once");
    // ndjson: a line that is not JSON is named by its line.
    let nd = format!(
        "{}\n{{not json\n",
        good(
            "0b0b0b0b-0000-4000-8000-000000000010",
            "Hillside pantry renamed"
        )
    );
    let r = services::directory::import::oruk(&svc, &meta(), &nd)
        .await
        .unwrap();
    assert_eq!(r.services, 1);
    assert_eq!(r.rejected[0].record, "line 2");
    let s = services::directory::read::service(&svc, "0b0b0b0b-0000-4000-8000-000000000010")
        .await
        .unwrap();
    assert_eq!(s.service.name, "Hillside pantry renamed", "upserted by id");
});

/// The demo with its directory and people, and a VCSE worker at another organisation.
async fn connected(db: store::DatabaseConnection) -> services::Services {
    let svc = ctx(db).await.svc;
    // ctx seeded the organisations and users only; add the rest of the demo.
    services::directory::taxonomy::ensure(&svc).await.unwrap();
    services::demo::seed_directory(&svc).await.unwrap();
    use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
    use store::entities::{membership, organisation, user};
    let other = organisation::Entity::find()
        .filter(organisation::Column::Name.eq("Harbourside Debt Advice"))
        .one(svc.db())
        .await
        .unwrap()
        .unwrap();
    let u = user::ActiveModel {
        email: Set("vcse.harbourside@demo.whatmatters.test".into()),
        display_name: Set("Harbourside worker".into()),
        active: Set(true),
        failed_sign_ins: Set(0),
        created_at: Set(svc.now()),
        updated_at: Set(svc.now()),
        ..Default::default()
    }
    .insert(svc.db())
    .await
    .unwrap();
    membership::ActiveModel {
        user_id: Set(u.id),
        organisation_id: Set(other.id),
        role: Set("vcse_worker".into()),
        created_at: Set(svc.now()),
        ..Default::default()
    }
    .insert(svc.db())
    .await
    .unwrap();
    svc
}

async fn riverdale_person(
    svc: &services::Services,
) -> (services::Actor, services::care::PersonAccess) {
    use services::care::referrals::{self as care_referrals, ReferralInput};
    let lw = actor(svc, "link.worker@demo.whatmatters.test").await;
    let practice = org(svc, "B90001").await;
    let pcn = org(svc, "U90001").await;
    let r = care_referrals::create(
        svc,
        &lw,
        &meta(),
        ReferralInput {
            person: Some(services::care::people::PersonInput {
                given_name: Some("Rose".into()),
                family_name: Some("Allen".into()),
                date_of_birth: Some("1950-02-03".into()),
                phone: Some("07700 900321".into()),
                preferred_contact: Some("phone".into()),
                practice_id: Some(practice),
                reasonable_adjustments: Some("Uses a wheelchair".into()),
                ..Default::default()
            }),
            service: Some("social_prescribing".into()),
            team_org_id: Some(pcn),
            referrer_name: Some("Dr Priya Shah".into()),
            referrer_organisation: Some("Riverside Medical Centre".into()),
            method: Some("secure_messaging".into()),
            reason: Some("Caring for her husband".into()),
            urgency: Some("routine".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let p = services::care::person_for(svc, &lw, &meta(), r.person_id, "person_viewed")
        .await
        .unwrap();
    (lw, p)
}

fn carers_cuppa() -> String {
    domain::directory::taxonomy::uuid_of("demo-service/0").to_string()
}

store::db_test!(
    a_person_is_connected_with_consent_and_the_service_answers_once,
    |db| {
        use services::directory::referrals::{self, SendInput, State};
        let svc = connected(db).await;
        let (lw, p) = riverdale_person(&svc).await;
        let service = carers_cuppa();
        // Without consent to share with the organisation, nothing is sent.
        let input = SendInput {
            reason: "Would like to meet other carers".into(),
            ..SendInput::default()
        };
        match referrals::send(&svc, &lw, &meta(), &p, &service, input.clone()).await {
            Err(ServiceError::Invalid(e)) => assert_eq!(e[0].field, "consent", "{e:?}"),
            other => panic!("{:?}", other.map(|_| ())),
        }
        // Consent given as it is sent: recorded, then sent; the organisation is e-mailed.
        let id = referrals::send(
            &svc,
            &lw,
            &meta(),
            &p,
            &service,
            SendInput {
                consent_now: true,
                ..input.clone()
            },
        )
        .await
        .unwrap();
        let consents = services::unchecked::consents(svc.db(), p.id())
            .await
            .unwrap();
        assert!(
            consents
                .iter()
                .any(|c| c.given && c.share_with == "Riverdale Carers Centre")
        );
        // A second while the first is open is refused.
        assert!(matches!(
            referrals::send(&svc, &lw, &meta(), &p, &service, input.clone()).await,
            Err(ServiceError::Conflict(_))
        ));
        // The organisation's worker sees only what the service needs; another organisation's
        // worker is told it does not exist, as for an id that does not.
        let vcse = actor(&svc, "vcse@demo.whatmatters.test").await;
        let got = referrals::received(&svc, &vcse, &meta(), id).await.unwrap();
        assert_eq!(got.name, "Rose Allen");
        assert_eq!(got.adjustments.as_deref(), Some("Uses a wheelchair"));
        let other = actor(&svc, "vcse.harbourside@demo.whatmatters.test").await;
        for who in [&other, &lw] {
            let refused = referrals::received(&svc, who, &meta(), id)
                .await
                .unwrap_err();
            let absent = referrals::received(&svc, who, &meta(), 999_999)
                .await
                .unwrap_err();
            assert_eq!(
                format!("{refused:?}").replace("Forbidden", "NotFound"),
                format!("{absent:?}").replace("Forbidden", "NotFound")
            );
        }
        let (inbox, total) = referrals::inbox(&svc, &other, &meta(), page())
            .await
            .unwrap();
        assert_eq!((inbox.len(), total), (0, 0));
        // The VCSE worker gains no access to the person's record.
        assert!(
            services::care::person_for(&svc, &vcse, &meta(), p.id(), "person_viewed")
                .await
                .is_err()
        );
        // Attendance cannot come before an answer; a decline needs a reason.
        assert!(matches!(
            referrals::outcome(&svc, &vcse, &meta(), id, true).await,
            Err(ServiceError::Conflict(_))
        ));
        assert!(matches!(
            referrals::reply(&svc, &vcse, &meta(), id, false, " ").await,
            Err(ServiceError::Invalid(_))
        ));
        // Many answers at once: exactly one is applied.
        let tries = (0..8).map(|i| {
            let (svc, vcse) = (svc.clone(), vcse.clone());
            async move {
                referrals::reply(&svc, &vcse, &meta(), id, i % 2 == 0, "No places this term").await
            }
        });
        let results = futures::future::join_all(tries).await;
        assert_eq!(
            results.iter().filter(|r| r.is_ok()).count(),
            1,
            "{results:?}"
        );
        assert!(
            results
                .iter()
                .filter(|r| r.is_err())
                .all(|r| matches!(r, Err(ServiceError::Conflict(_))))
        );
        let now = referrals::of_person(&svc, &p).await.unwrap();
        if now[0].state == State::Accepted {
            let attended = (0..6).map(|_| {
                let (svc, vcse) = (svc.clone(), vcse.clone());
                async move { referrals::outcome(&svc, &vcse, &meta(), id, true).await }
            });
            let results = futures::future::join_all(attended).await;
            assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1);
            assert_eq!(
                referrals::of_person(&svc, &p).await.unwrap()[0].state,
                State::Attended
            );
        } else {
            assert_eq!(now[0].state, State::Declined);
            assert_eq!(
                now[0].decline_reason.as_deref(),
                Some("No places this term")
            );
        }
        // Referrers see how the service answers.
        let s = services::directory::read::service(&svc, &service)
            .await
            .unwrap();
        let rec = referrals::records(&svc, &[s.service.id]).await.unwrap();
        assert_eq!(rec[0].1.answered, 1);
    }
);

store::db_test!(simultaneous_sends_make_one_referral, |db| {
    use services::directory::referrals::{self, SendInput};
    let svc = connected(db).await;
    let (lw, p) = riverdale_person(&svc).await;
    let service = carers_cuppa();
    let sends = (0..8).map(|_| {
        let (svc, lw, p, service) = (svc.clone(), lw.clone(), p.clone(), service.clone());
        async move {
            referrals::send(
                &svc,
                &lw,
                &meta(),
                &p,
                &service,
                SendInput {
                    reason: "Carer".into(),
                    consent_now: true,
                    ..SendInput::default()
                },
            )
            .await
        }
    });
    let results = futures::future::join_all(sends).await;
    assert_eq!(
        results.iter().filter(|r| r.is_ok()).count(),
        1,
        "{:?}",
        results
            .iter()
            .map(|r| r.as_ref().map(|_| ()).map_err(|e| e.to_string()))
            .collect::<Vec<_>>()
    );
    assert!(
        results
            .iter()
            .filter(|r| r.is_err())
            .all(|r| matches!(r, Err(ServiceError::Conflict(_))))
    );
    assert_eq!(referrals::of_person(&svc, &p).await.unwrap().len(), 1);
});

store::db_test!(
    owners_propose_curators_publish_once_and_stale_listings_are_reminded,
    |db| {
        use services::directory::curation;
        let svc = connected(db).await;
        let vcse = actor(&svc, "vcse@demo.whatmatters.test").await;
        let other = actor(&svc, "vcse.harbourside@demo.whatmatters.test").await;
        let curator = actor(&svc, "commissioner@demo.whatmatters.test").await;
        let lw = actor(&svc, "link.worker@demo.whatmatters.test").await;
        let cuppa = carers_cuppa();
        // The Carers Centre's worker has its listings; another organisation's does not.
        let mine = curation::listings(&svc, &vcse).await.unwrap();
        assert!(
            mine.iter()
                .all(|r| r.organization == "Riverdale Carers Centre"),
            "{mine:?}"
        );
        assert!(mine.iter().any(|r| r.uuid == cuppa));
        for who in [&other, &lw] {
            assert!(matches!(
                curation::listing(&svc, who, &cuppa).await,
                Err(ServiceError::NotFound(_))
            ));
        }
        assert!(matches!(
            curation::listings(&svc, &lw).await,
            Err(ServiceError::Forbidden(_))
        ));
        // Places change at once.
        curation::set_capacity(
            &svc,
            &vcse,
            &meta(),
            &cuppa,
            domain::directory::listing::Capacity::Full,
        )
        .await
        .unwrap();
        let now = services::directory::read::service(&svc, &cuppa)
            .await
            .unwrap();
        assert_eq!(now.service.capacity.as_deref(), Some("full"));
        // A change waits for a curator; a bad one is refused, naming the field.
        let mut l = now.listing();
        l.name = "Carers' cuppa and chat (Riverdale)".into();
        let mut bad = l.clone();
        bad.phone = String::new();
        bad.email = String::new();
        bad.url = String::new();
        assert!(matches!(
            curation::propose(&svc, &vcse, &meta(), &cuppa, &bad).await,
            Err(ServiceError::Invalid(_))
        ));
        let mut unknown = l.clone();
        unknown.places[0].postcode = "ZZ9 9ZZ".into();
        unknown.places[0].point = None;
        match curation::propose(&svc, &vcse, &meta(), &cuppa, &unknown).await {
            Err(ServiceError::Invalid(e)) => assert_eq!(e[0].field, "places[0].postcode"),
            other => panic!("{other:?}"),
        }
        assert!(
            !curation::propose(&svc, &vcse, &meta(), &cuppa, &l)
                .await
                .unwrap(),
            "waits"
        );
        assert_eq!(
            services::directory::read::service(&svc, &cuppa)
                .await
                .unwrap()
                .service
                .name,
            now.service.name
        );
        let waiting = curation::pending(&svc, &curator).await.unwrap();
        assert_eq!(waiting.len(), 1);
        let id = waiting[0].id;
        // Publishing many times at once applies it once.
        let tries = (0..6).map(|_| {
            let (svc, curator) = (svc.clone(), curator.clone());
            async move { curation::publish(&svc, &curator, &meta(), id).await }
        });
        let results = futures::future::join_all(tries).await;
        assert_eq!(
            results.iter().filter(|r| r.is_ok()).count(),
            1,
            "{results:?}"
        );
        let published = services::directory::read::service(&svc, &cuppa)
            .await
            .unwrap();
        assert_eq!(published.service.name, "Carers' cuppa and chat (Riverdale)");
        assert_eq!(published.service.assured_date, Some(svc.today()));
        assert_eq!(
            published.service.assurer_email.as_deref(),
            Some("commissioner@demo.whatmatters.test")
        );
        // A returned change needs a note.
        curation::propose(&svc, &vcse, &meta(), &cuppa, &l)
            .await
            .unwrap();
        let id = curation::pending(&svc, &curator).await.unwrap()[0].id;
        assert!(matches!(
            curation::return_change(&svc, &curator, &meta(), id, "  ").await,
            Err(ServiceError::Invalid(_))
        ));
        curation::return_change(&svc, &curator, &meta(), id, "Please add the room number")
            .await
            .unwrap();
        assert!(curation::pending(&svc, &curator).await.unwrap().is_empty());
        // Stale listings: their organisations are reminded once, not again within the month.
        let first = curation::remind_stale(&svc).await.unwrap();
        assert!(first >= 1, "the demo has overdue listings with owners");
        assert_eq!(curation::remind_stale(&svc).await.unwrap(), 0);
    }
);
