use axum::http::StatusCode;

use crate::common::*;

seeded_db_test!(the_list_is_searchable_and_paged, |db| {
    let app = app(db).await;
    let mut b = app.sign_in(ADMIN).await;
    let all = app.get(&mut b, "/organisations").await;
    assert!(all.body.contains("page 1 of 2"), "{}", all.body);
    assert!(all.body.contains("href=\"/organisations?page=2\""));
    let practices = app.get(&mut b, "/organisations?kind=practice").await;
    assert!(practices.body.contains("24 organisations"));
    let found = app.get(&mut b, "/organisations?q=b90001").await;
    assert!(found.body.contains("Riverside Medical Centre"));
    assert!(found.body.contains("1 organisation"));
});

seeded_db_test!(a_link_worker_sees_only_their_pcn_in_the_list, |db| {
    let app = app(db).await;
    let mut b = app.sign_in(LINK_WORKER).await;
    let r = app.get(&mut b, "/organisations").await;
    assert!(r.body.contains("Riverside Medical Centre"));
    assert!(!r.body.contains("Fellside Group Practice"));
    assert!(
        !r.body.contains("Add an organisation"),
        "no add button without permission"
    );
});

seeded_db_test!(
    adding_an_organisation_with_mistakes_explains_each_and_saves_nothing,
    |db| {
        let app = app(db).await;
        let mut b = app.sign_in(PCN_MANAGER).await;
        let pcn = app.org_id("U90001").await.to_string();
        let r = app
            .post(
                &mut b,
                "/organisations/new",
                &[
                    ("kind", "practice"),
                    ("name", ""),
                    ("ods_code", "B9"),
                    ("parent_id", pcn.as_str()),
                    ("list_size", "lots"),
                    ("postcode", "nowhere"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("There is a problem"));
        assert!(
            r.body
                .contains("href=\"#list_size\">List size must be a whole number")
        );
        let r = app
            .post(
                &mut b,
                "/organisations/new",
                &[
                    ("kind", "practice"),
                    ("name", ""),
                    ("ods_code", "B9001"),
                    ("parent_id", pcn.as_str()),
                    ("list_size", "-4"),
                    ("postcode", "nowhere"),
                ],
            )
            .await;
        for msg in [
            "Enter the organisation&#39;s name",
            "A GP practice ODS code is a letter followed by 5 numbers",
            "List size must be between 0 and 1,000,000",
            "Enter a full UK postcode",
        ] {
            assert!(r.body.contains(msg), "{msg} missing: {}", r.body);
        }
        assert!(
            r.body.contains("value=\"nowhere\""),
            "what was typed is kept"
        );
        let dup = app
            .post(
                &mut b,
                "/organisations/new",
                &[
                    ("kind", "practice"),
                    ("name", "Copy"),
                    ("ods_code", "B90002"),
                    ("parent_id", pcn.as_str()),
                ],
            )
            .await;
        assert!(
            dup.body
                .contains("ODS code B90002 is already used by Bridge Street Surgery")
        );
        let ok = app
            .post(
                &mut b,
                "/organisations/new",
                &[
                    ("kind", "practice"),
                    ("name", "New Riverside Surgery"),
                    ("ods_code", "b90099"),
                    ("parent_id", pcn.as_str()),
                    ("list_size", "6,100"),
                    ("postcode", "rd1 9zz"),
                ],
            )
            .await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
        let shown = app.get(&mut b, ok.location()).await;
        assert!(shown.body.contains("Your changes have been saved"));
        assert!(shown.body.contains("B90099"));
        assert!(shown.body.contains("6,100 registered patients"));
        assert!(shown.body.contains("RD1 9ZZ"));
    }
);

seeded_db_test!(
    an_opted_out_practice_records_the_commissioners_arrangement,
    |db| {
        let app = app(db).await;
        let mut b = app.sign_in(ADMIN).await;
        let icb = app.org_id("QZ1").await.to_string();
        let r = app
            .post(
                &mut b,
                "/organisations/new",
                &[
                    ("kind", "practice"),
                    ("name", "Independent Surgery"),
                    ("ods_code", "B90098"),
                    ("parent_id", icb.as_str()),
                    ("pcn_opted_out", "true"),
                ],
            )
            .await;
        assert!(r.body.contains("Describe how the commissioner makes sure"));
        let r = app
            .post(
                &mut b,
                "/organisations/new",
                &[
                    ("kind", "practice"),
                    ("name", "Independent Surgery"),
                    ("ods_code", "B90098"),
                    ("parent_id", icb.as_str()),
                    ("pcn_opted_out", "true"),
                    (
                        "commissioner_arrangement",
                        "Covered by Riverdale North PCN under an ICB agreement",
                    ),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let shown = app.get(&mut b, r.location()).await;
        assert!(shown.body.contains("Opted out of the PCN"));
        assert!(
            shown
                .body
                .contains("Covered by Riverdale North PCN under an ICB agreement")
        );
    }
);

seeded_db_test!(
    an_edit_over_someone_elses_change_is_refused_and_keeps_what_was_typed,
    |db| {
        let app = app(db).await;
        let id = app.org_id("U90001").await;
        let icb = app.org_id("QZ1").await.to_string();
        let mut one = app.sign_in(PCN_MANAGER).await;
        let mut two = app.sign_in(ADMIN).await;
        let path = format!("/organisations/{id}/edit");
        let f1 = app.get(&mut one, &path).await;
        assert!(f1.body.contains("name=\"version\" value=\"1\""));
        let r = app
            .post(
                &mut two,
                &path,
                &[
                    ("name", "Riverdale Central PCN (renamed)"),
                    ("ods_code", "U90001"),
                    ("parent_id", icb.as_str()),
                    ("version", "1"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let r = app
            .post(
                &mut one,
                &path,
                &[
                    ("name", "Riverdale Centre PCN"),
                    ("ods_code", "U90001"),
                    ("parent_id", icb.as_str()),
                    ("version", "1"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert!(r.body.contains("Someone else changed this organisation"));
        assert!(
            r.body.contains("value=\"Riverdale Centre PCN\""),
            "their typing is kept"
        );
        assert!(
            r.body.contains("name=\"version\" value=\"2\""),
            "saving again is possible"
        );
        let shown = app.get(&mut one, &format!("/organisations/{id}")).await;
        assert!(
            shown.body.contains("Riverdale Central PCN (renamed)"),
            "the first save stands"
        );
    }
);

seeded_db_test!(moving_a_practice_moves_its_teams_with_it, |db| {
    let app = app(db).await;
    let token = app.token_for(ADMIN).await;
    let practice = app.org_id("B90001").await;
    let new_pcn = app.org_id("U90002").await;
    let team = app.api(axum::http::Method::POST, "/api/v1/organisations", &token, Some(serde_json::json!({"kind": "team", "name": "Riverside social prescribing", "parent_id": practice}))).await;
    assert_eq!(team.status, StatusCode::CREATED, "{}", team.body);
    let team_id = team.json()["id"].as_i64().unwrap();
    let r = app.api(axum::http::Method::PUT, &format!("/api/v1/organisations/{practice}"), &token, Some(serde_json::json!({"name": "Riverside Medical Centre", "ods_code": "B90001", "parent_id": new_pcn, "list_size": 4200, "version": 1}))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // The link worker of the old PCN no longer sees the team; the new PCN's scope covers it.
    let lw = app.token_for(LINK_WORKER).await;
    let r = app
        .api(
            axum::http::Method::GET,
            &format!("/api/v1/organisations/{team_id}"),
            &lw,
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
});
