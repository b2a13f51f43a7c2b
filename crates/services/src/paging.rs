//! Paging of lists: one range check for every list a client can page through, so no page
//! number or size a client sends can overflow an offset or ask for an unbounded read.

use crate::ServiceError;
use crate::error::Problems;

/// The largest page size any list serves.
pub const MAX_PER_PAGE: u64 = 200;
/// The highest page number accepted (with [`MAX_PER_PAGE`], twenty million rows deep).
pub const MAX_PAGE: u64 = 100_000;

/// A checked page request: `page` in 1..=[`MAX_PAGE`], `per_page` in 1..=[`MAX_PER_PAGE`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Paging {
    pub page: u64,
    pub per_page: u64,
}

impl Paging {
    /// Checks a page number and size; names `page` or `per_page` when out of range.
    pub fn new(page: u64, per_page: u64) -> Result<Paging, ServiceError> {
        let mut p = Problems::default();
        if !(1..=MAX_PAGE).contains(&page) {
            p.add(
                "page",
                format!("Page must be a whole number from 1 to {MAX_PAGE}"),
            );
        }
        if !(1..=MAX_PER_PAGE).contains(&per_page) {
            p.add(
                "per_page",
                format!("Items per page must be a whole number from 1 to {MAX_PER_PAGE}"),
            );
        }
        p.finish()?;
        Ok(Paging { page, per_page })
    }

    /// Rows to skip: at most `MAX_PAGE * MAX_PER_PAGE`, so it cannot overflow.
    pub fn offset(&self) -> u64 {
        (self.page - 1) * self.per_page
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_numbers_and_sizes_are_range_checked() {
        assert!(Paging::new(1, 1).is_ok());
        assert_eq!(
            Paging::new(MAX_PAGE, MAX_PER_PAGE).map(|p| p.offset()).ok(),
            Some((MAX_PAGE - 1) * MAX_PER_PAGE)
        );
        for (page, per_page, field) in [
            (0, 50, "page"),
            (MAX_PAGE + 1, 50, "page"),
            (u64::MAX, 50, "page"),
            (9_223_372_036_854_775_807, 50, "page"),
            (1, 0, "per_page"),
            (1, MAX_PER_PAGE + 1, "per_page"),
        ] {
            match Paging::new(page, per_page) {
                Err(ServiceError::Invalid(list)) => {
                    assert_eq!(list.len(), 1);
                    assert_eq!(list[0].field, field);
                }
                other => panic!("{page}/{per_page} gave {other:?}"),
            }
        }
    }
}
