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
        let wrong = "postcode,easting,northing\nLS9 9ZZ,430000,433000\n";
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
