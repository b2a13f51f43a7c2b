//! Places on the map: a point's latitude and longitude (WGS84, as the ONS Postcode Directory
//! gives them), the distance between two points, and the box that holds every point within a
//! distance, which is what the database searches by before the exact distance is measured.
//! Ordnance Survey's Code-Point Open gives British National Grid eastings and northings instead;
//! [`NationalGrid`] turns them into latitude and longitude.

/// Metres in a degree of latitude (near enough everywhere in the UK).
pub const METRES_PER_DEGREE: f64 = 111_195.0;
/// The furthest a search reaches: 200 km covers a whole ICB and more.
pub const MAX_RADIUS_M: u32 = 200_000;

/// A point in WGS84.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Point {
    pub latitude: f64,
    pub longitude: f64,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PointError {
    #[error("latitude must be between -90 and 90")]
    Latitude,
    #[error("longitude must be between -180 and 180")]
    Longitude,
}

impl Point {
    /// A point, if both coordinates are on the globe (and are numbers).
    pub fn new(latitude: f64, longitude: f64) -> Result<Point, PointError> {
        if !(latitude.is_finite() && (-90.0..=90.0).contains(&latitude)) {
            return Err(PointError::Latitude);
        }
        if !(longitude.is_finite() && (-180.0..=180.0).contains(&longitude)) {
            return Err(PointError::Longitude);
        }
        Ok(Point {
            latitude,
            longitude,
        })
    }

    /// The great-circle distance in metres (haversine).
    pub fn distance_m(self, other: Point) -> f64 {
        let (la1, la2) = (self.latitude.to_radians(), other.latitude.to_radians());
        let dla = la2 - la1;
        let dlo = (other.longitude - self.longitude).to_radians();
        let a = (dla / 2.0).sin().powi(2) + la1.cos() * la2.cos() * (dlo / 2.0).sin().powi(2);
        2.0 * 6_371_008.8 * a.sqrt().asin()
    }

    /// The box of latitudes and longitudes that holds every point within `metres`:
    /// (south, north, west, east).
    pub fn bounds(self, metres: f64) -> (f64, f64, f64, f64) {
        let dlat = metres / METRES_PER_DEGREE;
        // Longitude degrees shrink towards the poles; the box is sized at its widest latitude.
        let widest = (self.latitude.abs() + dlat).min(89.0).to_radians();
        let dlon = metres / (METRES_PER_DEGREE * widest.cos());
        (
            self.latitude - dlat,
            self.latitude + dlat,
            self.longitude - dlon,
            self.longitude + dlon,
        )
    }

    /// Metres east and north of this point per degree of longitude and latitude near it: the
    /// flat approximation the database sorts by (exact to well under 1% within 200 km).
    pub fn scale(self) -> (f64, f64) {
        (
            METRES_PER_DEGREE * self.latitude.to_radians().cos(),
            METRES_PER_DEGREE,
        )
    }
}

/// The British National Grid (EPSG:27700: a transverse Mercator projection of the OSGB36 datum
/// on the Airy 1830 ellipsoid) and the way from it to WGS84 latitude and longitude. The datum
/// shift is the published seven-parameter Helmert transformation, right to within about five
/// metres anywhere in Great Britain: far closer than a postcode's own spread.
pub struct NationalGrid {
    grid: proj4rs::Proj,
    wgs84: proj4rs::Proj,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum GridError {
    #[error("eastings must be between 0 and 700000 metres and northings between 0 and 1300000")]
    OffTheGrid,
}

impl NationalGrid {
    /// Easternmost easting and northernmost northing of the grid, in metres.
    pub const EXTENT: (f64, f64) = (700_000.0, 1_300_000.0);

    pub fn new() -> NationalGrid {
        let proj = |s: &str| {
            #[expect(
                clippy::expect_used,
                reason = "fixed definitions, checked by the tests"
            )]
            proj4rs::Proj::from_proj_string(s).expect("a valid projection")
        };
        NationalGrid {
            grid: proj(concat!(
                "+proj=tmerc +lat_0=49 +lon_0=-2 +k=0.9996012717 +x_0=400000 +y_0=-100000",
                " +ellps=airy +towgs84=446.448,-125.157,542.06,0.15,0.247,0.842,-20.489",
                " +units=m +no_defs"
            )),
            wgs84: proj("+proj=longlat +ellps=WGS84 +datum=WGS84 +no_defs"),
        }
    }

    /// The WGS84 point at an easting and northing in metres.
    pub fn point(&self, easting: f64, northing: f64) -> Result<Point, GridError> {
        let (max_e, max_n) = Self::EXTENT;
        if !((0.0..=max_e).contains(&easting) && (0.0..=max_n).contains(&northing)) {
            return Err(GridError::OffTheGrid);
        }
        let mut p = (easting, northing, 0.0);
        proj4rs::transform::transform(&self.grid, &self.wgs84, &mut p)
            .map_err(|_| GridError::OffTheGrid)?;
        Point::new(p.1.to_degrees(), p.0.to_degrees()).map_err(|_| GridError::OffTheGrid)
    }
}

impl Default for NationalGrid {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances_are_right_to_a_few_metres() {
        // Leeds station to York station, about 35.5 km as the crow flies.
        let leeds = Point::new(53.7955, -1.5479).unwrap();
        let york = Point::new(53.9580, -1.0930).unwrap();
        let d = leeds.distance_m(york);
        assert!((34_500.0..36_500.0).contains(&d), "{d}");
        assert_eq!(leeds.distance_m(leeds), 0.0);
    }

    #[test]
    fn the_box_holds_every_point_within_the_distance() {
        let p = Point::new(54.5, -2.0).unwrap();
        let (s, n, w, e) = p.bounds(5_000.0);
        for (lat, lon) in [
            (s, p.longitude),
            (n, p.longitude),
            (p.latitude, w),
            (p.latitude, e),
        ] {
            let d = p.distance_m(Point::new(lat, lon).unwrap());
            assert!(d >= 4_990.0, "{d}");
        }
    }

    #[test]
    fn national_grid_references_become_latitude_and_longitude() {
        let grid = NationalGrid::new();
        // Ordnance Survey's published pair for a point in Norfolk: ETRS89 (WGS84 to within a
        // metre or so) 52.658007833 N, 1.716073973 E is 651409.792 E, 313177.448 N.
        let p = grid.point(651_409.792, 313_177.448).unwrap();
        let there = Point::new(52.658_007_833, 1.716_073_973).unwrap();
        assert!(
            p.distance_m(there) < 6.0,
            "{p:?} is {} m off",
            p.distance_m(there)
        );
        // The grid's true origin, 49 N 2 W, is 400000 E, -100000 N (south of the grid, so off it);
        // 400000 E, 0 N is due north of it on the central meridian.
        let q = grid.point(400_000.0, 0.0).unwrap();
        assert!((q.longitude + 2.0).abs() < 0.01, "{q:?}");
        assert!((49.8..50.0).contains(&q.latitude), "{q:?}");
        assert_eq!(grid.point(-1.0, 0.0), Err(GridError::OffTheGrid));
        assert_eq!(grid.point(0.0, 1_300_001.0), Err(GridError::OffTheGrid));
        assert_eq!(grid.point(f64::NAN, 0.0), Err(GridError::OffTheGrid));
    }

    #[test]
    fn points_off_the_globe_are_refused() {
        assert_eq!(Point::new(91.0, 0.0), Err(PointError::Latitude));
        assert_eq!(Point::new(0.0, -181.0), Err(PointError::Longitude));
        assert_eq!(Point::new(f64::NAN, 0.0), Err(PointError::Latitude));
        assert!(Point::new(-90.0, 180.0).is_ok());
    }
}
