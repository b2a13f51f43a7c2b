//! Server-rendered SVG charts. Each has a title and description for screen readers; the page
//! shows the same figures in a table beside it.

use services::care::Measure;
use std::fmt::Write;

// Drawn narrow, so its 14-unit labels stay readable when it is shrunk onto a 375 px phone.
const W: f64 = 400.0;
const H: f64 = 240.0;
const LEFT: f64 = 48.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 40.0;

/// SWEMWBS metric scores over time (7-35), one point per measure. Empty when there are none.
pub fn wellbeing_svg(measures: &[Measure]) -> String {
    let points: Vec<(String, f64)> = measures
        .iter()
        .filter(|m| m.instrument == domain::measures::Instrument::Swemwbs)
        .filter_map(|m| Some((m.taken_on.format("%-d %b %Y").to_string(), m.score?)))
        .collect();
    if points.is_empty() {
        return String::new();
    }
    let (min, max) = (7.0, 35.0);
    let plot_w = W - LEFT - RIGHT;
    let plot_h = H - TOP - BOTTOM;
    // Points sit inside the plot with room for their date labels at either end.
    let inner = plot_w - 90.0;
    let x = |i: usize| {
        LEFT + 45.0
            + if points.len() == 1 {
                inner / 2.0
            } else {
                inner * i as f64 / (points.len() - 1) as f64
            }
    };
    let y = |v: f64| TOP + plot_h * (1.0 - (v - min) / (max - min));
    let first = points.first().map(|p| p.1).unwrap_or(0.0);
    let last = points.last().map(|p| p.1).unwrap_or(0.0);
    let desc = format!(
        "{} SWEMWBS measures from {:.2} to {:.2}, a change of {:+.2}.",
        points.len(),
        first,
        last,
        last - first
    );
    let mut s = String::new();
    let _ = write!(
        s,
        r##"<svg class="wm-chart" viewBox="0 0 {W} {H}" width="100%" role="img" aria-labelledby="wellbeing-title wellbeing-desc" xmlns="http://www.w3.org/2000/svg"><title id="wellbeing-title">Mental wellbeing (SWEMWBS metric score) over time</title><desc id="wellbeing-desc">{desc}</desc>"##
    );
    for v in [7.0, 14.0, 21.0, 28.0, 35.0] {
        let _ = write!(
            s,
            r##"<line x1="{LEFT}" x2="{}" y1="{y:.1}" y2="{y:.1}" stroke="#d8dde0" stroke-width="1"/><text x="{}" y="{:.1}" font-size="14" text-anchor="end" fill="#212b32">{v}</text>"##,
            W - RIGHT,
            LEFT - 8.0,
            y(v) + 4.0,
            y = y(v)
        );
    }
    let path: Vec<String> = points
        .iter()
        .enumerate()
        .map(|(i, p)| format!("{:.1},{:.1}", x(i), y(p.1)))
        .collect();
    let _ = write!(
        s,
        r##"<polyline points="{}" fill="none" stroke="#005eb8" stroke-width="3"/>"##,
        path.join(" ")
    );
    // Every point is marked; with more than three, only the first and last are labelled, so
    // labels never overlap (the table beside the chart has every figure).
    let last_index = points.len() - 1;
    for (i, (label, v)) in points.iter().enumerate() {
        let _ = write!(
            s,
            r##"<circle cx="{:.1}" cy="{:.1}" r="5" fill="#005eb8"/>"##,
            x(i),
            y(*v)
        );
        if points.len() <= 3 || i == 0 || i == last_index {
            let _ = write!(
                s,
                r##"<text x="{:.1}" y="{}" font-size="14" text-anchor="middle" fill="#212b32">{label}</text><text x="{:.1}" y="{:.1}" font-size="14" text-anchor="middle" fill="#212b32">{v:.2}</text>"##,
                x(i),
                H - 12.0,
                x(i),
                y(*v) - 10.0
            );
        }
    }
    s.push_str("</svg>");
    s
}
