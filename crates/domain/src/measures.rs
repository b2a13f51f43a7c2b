//! Outcome measures: ONS4 personal wellbeing and SWEMWBS, scored here; the wording of licensed
//! items is loaded by the deploying organisation, never shipped.

use serde::{Deserialize, Serialize};

/// The ONS4 questions (ONS, free to use; cite the Office for National Statistics).
pub const ONS4_ITEMS: [(&str, &str); 4] = [
    (
        "life_satisfaction",
        "Overall, how satisfied are you with your life nowadays?",
    ),
    (
        "worthwhile",
        "Overall, to what extent do you feel that the things you do in your life are worthwhile?",
    ),
    ("happy", "Overall, how happy did you feel yesterday?"),
    (
        "anxious",
        "On a scale where 0 is \"not at all anxious\" and 10 is \"completely anxious\", overall, how anxious did you feel yesterday?",
    ),
];

/// ONS4: four separate 0-10 answers. Anxiety is reported as asked (higher is worse); never summed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ons4 {
    pub life_satisfaction: u8,
    pub worthwhile: u8,
    pub happy: u8,
    pub anxious: u8,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MeasureError {
    #[error("Answer must be a whole number from {min} to {max}")]
    OutOfRange { item: usize, min: u8, max: u8 },
    #[error("Answer every question")]
    Missing { item: usize },
    #[error("Patient activation level must be 1, 2, 3 or 4")]
    PamLevel,
    #[error("Patient activation score must be a number from 0 to 100, like 62.4")]
    PamScore,
    #[error("Patient activation score must have no more than one decimal place, like 62.4")]
    PamScorePrecision,
    #[error("Give exactly {expected} answers, one for each question (you gave {found})")]
    AnswerCount { expected: usize, found: usize },
}

/// A score held exactly, to two decimal places, as a whole number of hundredths: 9.51 is
/// stored and shown as 9.51, never as the nearest single-precision float (9.510000228881836).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Score(u16);

impl Score {
    pub const fn from_hundredths(h: u16) -> Self {
        Score(h)
    }

    pub fn hundredths(self) -> u16 {
        self.0
    }

    /// The score as a double: the nearest double to the decimal (what "9.51" parses to), so
    /// JSON shows `9.51` and the database stores the same value on SQLite and PostgreSQL.
    pub fn as_f64(self) -> f64 {
        f64::from(self.0) / 100.0
    }

    /// The exact score a stored double stands for, if it is one to two decimal places in range.
    pub fn from_f64(v: f64) -> Option<Self> {
        let h = (v * 100.0).round();
        if !(0.0..=f64::from(u16::MAX)).contains(&h) {
            return None;
        }
        // In range, so the cast is exact.
        let s = Score(h as u16);
        (s.as_f64() == v).then_some(s)
    }
}

impl std::fmt::Display for Score {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{:02}", self.0 / 100, self.0 % 100)
    }
}

/// Checks that exactly `N` answers were given, each then checked by the instrument.
fn exactly<const N: usize>(answers: &[Option<i64>]) -> Result<[Option<i64>; N], Vec<MeasureError>> {
    <[Option<i64>; N]>::try_from(answers).map_err(|_| {
        vec![MeasureError::AnswerCount {
            expected: N,
            found: answers.len(),
        }]
    })
}

fn check(item: usize, v: Option<i64>, min: u8, max: u8) -> Result<u8, MeasureError> {
    let v = v.ok_or(MeasureError::Missing { item })?;
    u8::try_from(v)
        .ok()
        .filter(|v| (min..=max).contains(v))
        .ok_or(MeasureError::OutOfRange { item, min, max })
}

impl Ons4 {
    /// From the answers as sent, in question order: exactly four, or an error for the count.
    pub fn from_list(answers: &[Option<i64>]) -> Result<Self, Vec<MeasureError>> {
        Self::from_answers(exactly::<4>(answers)?)
    }

    /// From four answers in question order; each error names its item (0-based).
    pub fn from_answers(a: [Option<i64>; 4]) -> Result<Self, Vec<MeasureError>> {
        let r: Vec<Result<u8, MeasureError>> = a
            .iter()
            .enumerate()
            .map(|(i, v)| check(i, *v, 0, 10))
            .collect();
        let errors: Vec<MeasureError> = r.iter().filter_map(|x| x.clone().err()).collect();
        if !errors.is_empty() {
            return Err(errors);
        }
        let v: Vec<u8> = r.into_iter().filter_map(Result::ok).collect();
        Ok(Ons4 {
            life_satisfaction: v[0],
            worthwhile: v[1],
            happy: v[2],
            anxious: v[3],
        })
    }

    pub fn values(&self) -> [u8; 4] {
        [
            self.life_satisfaction,
            self.worthwhile,
            self.happy,
            self.anxious,
        ]
    }
}

/// SWEMWBS raw total (7-35) to metric score in hundredths, from the published conversion table
/// (Stewart-Brown et al. 2009; Warwick Medical School).
const SWEMWBS_METRIC: [u16; 29] = [
    700, 951, 1125, 1240, 1333, 1408, 1475, 1532, 1584, 1636, 1688, 1743, 1798, 1859, 1925, 1998,
    2073, 2154, 2235, 2321, 2411, 2503, 2602, 2703, 2813, 2931, 3070, 3255, 3500,
];

/// SWEMWBS: seven items, each 1-5 (WEMWBS items 1, 2, 3, 6, 7, 9 and 11).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Swemwbs {
    pub items: [u8; 7],
}

impl Swemwbs {
    /// From the answers as sent: exactly seven, or an error for the count.
    pub fn from_list(answers: &[Option<i64>]) -> Result<Self, Vec<MeasureError>> {
        Self::from_answers(exactly::<7>(answers)?)
    }

    pub fn from_answers(a: [Option<i64>; 7]) -> Result<Self, Vec<MeasureError>> {
        let r: Vec<Result<u8, MeasureError>> = a
            .iter()
            .enumerate()
            .map(|(i, v)| check(i, *v, 1, 5))
            .collect();
        let errors: Vec<MeasureError> = r.iter().filter_map(|x| x.clone().err()).collect();
        if !errors.is_empty() {
            return Err(errors);
        }
        let mut items = [0u8; 7];
        for (i, v) in r.into_iter().enumerate() {
            items[i] = v.unwrap_or(1);
        }
        Ok(Swemwbs { items })
    }

    pub fn raw(&self) -> u8 {
        self.items.iter().sum()
    }

    /// The metric score (7.00-35.00), exactly as published.
    pub fn metric(&self) -> Score {
        let i = usize::from(self.raw().saturating_sub(7));
        Score(SWEMWBS_METRIC.get(i).copied().unwrap_or(3500))
    }
}

/// Patient Activation Measure result: the level and score only (the instrument is licensed).
/// The score is reported to one decimal place and kept exactly so.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pam {
    pub level: u8,
    pub score: Score,
}

impl Pam {
    pub fn new(level: i64, score: f64) -> Result<Self, MeasureError> {
        let level = u8::try_from(level)
            .ok()
            .filter(|l| (1..=4).contains(l))
            .ok_or(MeasureError::PamLevel)?;
        if !(0.0..=100.0).contains(&score) {
            return Err(MeasureError::PamScore);
        }
        let tenths = (score * 10.0).round();
        // 62.4 arrives as the double nearest 62.4; anything further from a tenth was typed
        // with more decimals.
        if (score * 10.0 - tenths).abs() > 1e-6 {
            return Err(MeasureError::PamScorePrecision);
        }
        // 0 <= tenths <= 1000, so the cast is exact.
        let h = (tenths as u16).saturating_mul(10);
        Ok(Pam {
            level,
            score: Score(h),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn swemwbs_converts_by_the_published_table() {
        let all = |v| Swemwbs::from_answers([Some(v); 7]).unwrap();
        assert_eq!(all(1).metric(), Score::from_hundredths(700));
        assert_eq!(all(5).metric().to_string(), "35.00");
        assert_eq!(all(3).raw(), 21);
        assert_eq!(all(3).metric().to_string(), "19.25");
        let s = Swemwbs::from_answers([
            Some(4),
            Some(4),
            Some(3),
            Some(3),
            Some(4),
            Some(3),
            Some(4),
        ])
        .unwrap();
        assert_eq!((s.raw(), s.metric().as_f64()), (25, 22.35));
    }

    #[test]
    fn swemwbs_9_51_is_exactly_9_51() {
        let s = Swemwbs::from_answers([
            Some(2),
            Some(1),
            Some(1),
            Some(1),
            Some(1),
            Some(1),
            Some(1),
        ])
        .unwrap();
        assert_eq!(s.metric().as_f64(), 9.51);
        assert_eq!(s.metric().as_f64().to_string(), "9.51");
        assert_eq!(s.metric().to_string(), "9.51");
    }

    #[test]
    fn every_published_metric_survives_the_double_round_trip() {
        for h in SWEMWBS_METRIC {
            let s = Score::from_hundredths(h);
            assert_eq!(Score::from_f64(s.as_f64()), Some(s));
            assert_eq!(s.as_f64().to_string().parse::<f64>().unwrap(), s.as_f64());
            assert_eq!(
                format!("{}", s.as_f64()),
                s.to_string().trim_end_matches('0').trim_end_matches('.')
            );
        }
        // The float noise of before is not a score to two places.
        assert_eq!(Score::from_f64(f64::from(9.51f32)), None);
    }

    #[test]
    fn a_swemwbs_item_of_6_is_refused_with_its_item() {
        let e = Swemwbs::from_answers([
            Some(3),
            Some(3),
            Some(3),
            Some(3),
            Some(3),
            Some(6),
            Some(3),
        ])
        .unwrap_err();
        assert_eq!(
            e,
            vec![MeasureError::OutOfRange {
                item: 5,
                min: 1,
                max: 5
            }]
        );
    }

    #[test]
    fn eight_swemwbs_answers_or_five_ons4_answers_are_refused_not_cut_short() {
        assert_eq!(
            Swemwbs::from_list(&[Some(3); 8]),
            Err(vec![MeasureError::AnswerCount {
                expected: 7,
                found: 8
            }])
        );
        assert_eq!(
            Ons4::from_list(&[Some(3); 5]),
            Err(vec![MeasureError::AnswerCount {
                expected: 4,
                found: 5
            }])
        );
        assert!(Ons4::from_list(&[Some(3); 3]).is_err());
        assert!(Swemwbs::from_list(&[Some(3); 7]).is_ok());
        assert!(Ons4::from_list(&[Some(3); 4]).is_ok());
    }

    #[test]
    fn ons4_items_are_0_to_10_and_kept_separate() {
        let o = Ons4::from_answers([Some(6), Some(7), Some(5), Some(8)]).unwrap();
        assert_eq!(o.values(), [6, 7, 5, 8]);
        assert!(Ons4::from_answers([Some(11), Some(0), None, Some(0)]).is_err());
        assert!(Ons4::from_answers([Some(i64::MIN), Some(0), Some(0), Some(256)]).is_err());
    }

    #[test]
    fn pam_level_and_score_to_one_decimal_place() {
        let p = Pam::new(3, 62.4).unwrap();
        assert_eq!((p.level, p.score.as_f64()), (3, 62.4));
        assert_eq!(p.score.to_string(), "62.40");
        assert_eq!(Pam::new(5, 50.0), Err(MeasureError::PamLevel));
        assert_eq!(Pam::new(i64::MAX, 50.0), Err(MeasureError::PamLevel));
        assert_eq!(Pam::new(2, 100.1), Err(MeasureError::PamScore));
        assert_eq!(Pam::new(2, f64::NAN), Err(MeasureError::PamScore));
        assert_eq!(Pam::new(2, 62.45), Err(MeasureError::PamScorePrecision));
        assert_eq!(Pam::new(1, 0.0).unwrap().score.as_f64(), 0.0);
        assert_eq!(Pam::new(4, 100.0).unwrap().score.as_f64(), 100.0);
    }

    proptest! {
        #[test]
        fn the_metric_rises_with_the_raw_score(items in proptest::array::uniform7(1i64..=5)) {
            let s = Swemwbs::from_answers(items.map(Some)).unwrap();
            prop_assert!((700..=3500).contains(&s.metric().hundredths()));
            if s.raw() < 35 {
                let mut more = s.items;
                let i = more.iter().position(|v| *v < 5).unwrap();
                more[i] += 1;
                let higher = Swemwbs { items: more }.metric();
                prop_assert!(higher > s.metric());
            }
        }

        #[test]
        fn any_pam_score_in_tenths_is_kept_exactly(tenths in 0u16..=1000, level in 1i64..=4) {
            let typed: f64 = format!("{}.{}", tenths / 10, tenths % 10).parse().unwrap();
            let p = Pam::new(level, typed).unwrap();
            prop_assert_eq!(p.score.as_f64(), typed);
        }
    }
}

named_enum!(
    /// The outcome measures recorded.
    Instrument {
        Ons4 = "ons4": "ONS4",
        Swemwbs = "swemwbs": "SWEMWBS",
        Pam = "pam": "Patient activation",
    }
);

named_enum!(
    /// When in the person's support a measure was taken (a person's own entries are `SelfReport`).
    Timepoint {
        Start = "start": "Start",
        Review = "review": "Review",
        End = "end": "End",
        SelfReport = "self": "Recorded by the person",
    }
);
