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
    #[error("Patient activation score must be between 0 and 100")]
    PamScore,
}

fn check(item: usize, v: Option<i64>, min: u8, max: u8) -> Result<u8, MeasureError> {
    let v = v.ok_or(MeasureError::Missing { item })?;
    if v < i64::from(min) || v > i64::from(max) {
        return Err(MeasureError::OutOfRange { item, min, max });
    }
    Ok(v as u8)
}

impl Ons4 {
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

/// SWEMWBS raw total (7-35) to metric score, from the published conversion table.
const SWEMWBS_METRIC: [f32; 29] = [
    7.00, 9.51, 11.25, 12.40, 13.33, 14.08, 14.75, 15.32, 15.84, 16.36, 16.88, 17.43, 17.98, 18.59,
    19.25, 19.98, 20.73, 21.54, 22.35, 23.21, 24.11, 25.03, 26.02, 27.03, 28.13, 29.31, 30.70,
    32.55, 35.00,
];

/// SWEMWBS: seven items, each 1-5 (WEMWBS items 1, 2, 3, 6, 7, 9 and 11).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Swemwbs {
    pub items: [u8; 7],
}

impl Swemwbs {
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

    /// The metric score (7.00-35.00).
    pub fn metric(&self) -> f32 {
        SWEMWBS_METRIC[usize::from(self.raw() - 7)]
    }
}

/// Patient Activation Measure result: the level and score only (the instrument is licensed).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Pam {
    pub level: u8,
    pub score: f32,
}

impl Pam {
    pub fn new(level: i64, score: f64) -> Result<Self, MeasureError> {
        if !(1..=4).contains(&level) {
            return Err(MeasureError::PamLevel);
        }
        if !(0.0..=100.0).contains(&score) {
            return Err(MeasureError::PamScore);
        }
        Ok(Pam {
            level: level as u8,
            score: score as f32,
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
        assert_eq!(all(1).metric(), 7.00);
        assert_eq!(all(5).metric(), 35.00);
        assert_eq!(all(3).raw(), 21);
        assert_eq!(all(3).metric(), 19.25);
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
        assert_eq!((s.raw(), s.metric()), (25, 22.35));
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
    fn ons4_items_are_0_to_10_and_kept_separate() {
        let o = Ons4::from_answers([Some(6), Some(7), Some(5), Some(8)]).unwrap();
        assert_eq!(o.values(), [6, 7, 5, 8]);
        assert!(Ons4::from_answers([Some(11), Some(0), None, Some(0)]).is_err());
    }

    #[test]
    fn pam_level_and_score() {
        assert!(Pam::new(3, 62.4).is_ok());
        assert_eq!(Pam::new(5, 50.0), Err(MeasureError::PamLevel));
    }

    proptest! {
        #[test]
        fn the_metric_rises_with_the_raw_score(items in proptest::array::uniform7(1i64..=5)) {
            let s = Swemwbs::from_answers(items.map(Some)).unwrap();
            prop_assert!((7.0..=35.0).contains(&s.metric()));
            if s.raw() < 35 {
                let mut more = s.items;
                let i = more.iter().position(|v| *v < 5).unwrap();
                more[i] += 1;
                let higher = Swemwbs { items: more }.metric();
                prop_assert!(higher > s.metric());
            }
        }
    }
}
