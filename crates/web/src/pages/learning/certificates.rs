//! Certificates: a learner's own list, each certificate's printable page and PDF (for anyone
//! holding its code, which is what a certificate is for), and the public page where an
//! employer or regulator checks a code.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str};
use serde::Deserialize;
use services::ServiceError;
use services::learning::certificates::{self, Certificate};

use crate::AppState;
use crate::error::PageError;
use crate::forms::Query;
use crate::view::{Errors, Layout, date, render};
use crate::viewer::{CurrentActor, Viewer};

/// A certificate as pages show it.
pub struct CertView {
    pub code: String,
    pub name: String,
    pub heading: &'static str,
    pub did: &'static str,
    pub title: String,
    pub issuer: String,
    pub issued: String,
    pub cpd: String,
    pub current: bool,
    pub expiry: String,
    pub href: String,
}

fn view(c: &Certificate, now: DateTime<Utc>) -> CertView {
    let event = c.kind == "event";
    CertView {
        code: c.code.clone(),
        name: c.name.clone(),
        heading: if event {
            "Certificate of attendance"
        } else {
            "Certificate of completion"
        },
        did: if event { "attended" } else { "completed" },
        title: c.title.clone(),
        issuer: c.issuer.clone(),
        issued: date(&c.issued_at),
        cpd: domain::learning::cpd_label(c.cpd_minutes),
        current: c.current(now),
        expiry: c
            .expires_at
            .map(|t| {
                if t > now {
                    format!("Current until {}", date(&t))
                } else {
                    format!("Expired on {}: re-certification is due", date(&t))
                }
            })
            .unwrap_or_default(),
        href: match (&c.event_uuid, &c.module_slug) {
            (Some(u), _) => format!("/learning/events/{u}"),
            (None, Some(m)) => format!("/learning/modules/{m}"),
            _ => "/learning".into(),
        },
    }
}

#[derive(Template)]
#[template(path = "learning/certificates.html")]
struct MinePage {
    l: Layout,
    certificates: Vec<CertView>,
}

pub async fn mine(
    State(state): State<AppState>,
    v: Viewer,
    CurrentActor(ref a): CurrentActor,
) -> Response {
    let now = state.svc.now();
    match certificates::mine(&state.svc, a).await {
        Ok(list) => render(
            StatusCode::OK,
            &MinePage {
                l: Layout::for_viewer("Your certificates", &v, "/learning"),
                certificates: list.iter().map(|c| view(c, now)).collect(),
            },
        ),
        Err(e) => PageError::new(e, &v).into_response(),
    }
}

#[derive(Template)]
#[template(path = "learning/certificate.html")]
struct OnePage {
    l: Layout,
    c: CertView,
    verify_url: String,
}

/// One certificate, to print or save.
pub async fn one(State(state): State<AppState>, v: Viewer, Path(code): Path<String>) -> Response {
    match certificates::by_code(&state.svc, &code).await {
        Ok(c) => render(
            StatusCode::OK,
            &OnePage {
                l: Layout::for_viewer(format!("Certificate: {}", c.title), &v, "/learning"),
                verify_url: verify_url(&state, &c.code),
                c: view(&c, state.svc.now()),
            },
        ),
        Err(e) => PageError::new(e, &v).into_response(),
    }
}

fn verify_url(state: &AppState, code: &str) -> String {
    format!(
        "{}/certificates/verify?code={code}",
        state.svc.settings.public_url.trim_end_matches('/')
    )
}

/// One certificate as a PDF.
pub async fn pdf(State(state): State<AppState>, v: Viewer, Path(code): Path<String>) -> Response {
    match certificates::by_code(&state.svc, &code).await {
        Ok(c) => {
            let body = render_pdf(&view(&c, state.svc.now()), &verify_url(&state, &c.code));
            (
                [
                    (header::CONTENT_TYPE, "application/pdf".to_owned()),
                    (
                        header::CONTENT_DISPOSITION,
                        format!("attachment; filename=\"certificate-{}.pdf\"", c.code),
                    ),
                ],
                body,
            )
                .into_response()
        }
        Err(e) => PageError::new(e, &v).into_response(),
    }
}

#[derive(Deserialize, Default)]
pub struct CodeQuery {
    #[serde(default)]
    code: String,
}

#[derive(Template)]
#[template(path = "learning/verify.html")]
struct VerifyPage {
    l: Layout,
    errors: Errors,
    code: String,
    found: Option<CertView>,
}

/// The public check: is this a real certificate, whose, and is it current?
pub async fn verify(
    State(state): State<AppState>,
    v: Viewer,
    Query(q): Query<CodeQuery>,
) -> Response {
    let code = q.code.trim().to_owned();
    let (status, errors, found) = if code.is_empty() {
        (StatusCode::OK, Errors::default(), None)
    } else {
        match certificates::by_code(&state.svc, &code).await {
            Ok(c) => (
                StatusCode::OK,
                Errors::default(),
                Some(view(&c, state.svc.now())),
            ),
            Err(ServiceError::NotFound(_)) => (
                StatusCode::NOT_FOUND,
                Errors::one(
                    "code",
                    "No certificate has this code: check it against the certificate, like WMC-7KQ4X-2M9PA",
                ),
                None,
            ),
            Err(e) => return PageError::new(e, &v).into_response(),
        }
    };
    render(
        status,
        &VerifyPage {
            l: Layout::for_viewer("Check a certificate", &v, "/certificates/verify")
                .with_errors(&errors),
            errors,
            code: code.chars().take(40).collect(),
            found,
        },
    )
}

/// Text in the PDF standard fonts' WinAnsi encoding: Latin-1 as is, a few typographic marks
/// mapped, anything else a question mark.
fn winansi(s: &str) -> Vec<u8> {
    s.chars()
        .map(|c| match c {
            ' '..='~' => c as u8,
            '\u{a0}'..='\u{ff}' => c as u32 as u8,
            '\u{2018}' => 0x91,
            '\u{2019}' => 0x92,
            '\u{201c}' => 0x93,
            '\u{201d}' => 0x94,
            '\u{2013}' => 0x96,
            '\u{2014}' => 0x97,
            '\u{20ac}' => 0x80,
            _ => b'?',
        })
        .collect()
}

/// Breaks text into lines of at most `width` characters, at spaces.
fn wrap(s: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for w in s.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + w.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(w);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// A one-page A4 landscape certificate in the standard Helvetica fonts.
fn render_pdf(c: &CertView, verify_url: &str) -> Vec<u8> {
    let (catalog, tree, page_id, regular, bold, contents) = (
        Ref::new(1),
        Ref::new(2),
        Ref::new(3),
        Ref::new(4),
        Ref::new(5),
        Ref::new(6),
    );
    let mut pdf = Pdf::new();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree).kids([page_id]).count(1);
    let mut page = pdf.page(page_id);
    page.media_box(Rect::new(0.0, 0.0, 842.0, 595.0));
    page.parent(tree);
    page.contents(contents);
    let mut resources = page.resources();
    let mut fonts = resources.fonts();
    fonts.pair(Name(b"F1"), regular);
    fonts.pair(Name(b"F2"), bold);
    fonts.finish();
    resources.finish();
    page.finish();
    for (id, font) in [(regular, "Helvetica"), (bold, "Helvetica-Bold")] {
        pdf.type1_font(id)
            .base_font(Name(font.as_bytes()))
            .encoding_predefined(Name(b"WinAnsiEncoding"));
    }
    let mut k = Content::new();
    // NHS blue border.
    k.set_stroke_rgb(0.0, 0.369, 0.722);
    k.set_line_width(6.0);
    k.rect(30.0, 30.0, 782.0, 535.0);
    k.stroke();
    let mut y = 505.0;
    let line = |k: &mut Content, y: &mut f32, font: &[u8], size: f32, text: &str, gap: f32| {
        k.begin_text();
        k.set_font(Name(font), size);
        k.next_line(72.0, *y);
        k.show(Str(&winansi(text)));
        k.end_text();
        *y -= gap;
    };
    line(&mut k, &mut y, b"F2", 14.0, "whatmatters", 48.0);
    line(&mut k, &mut y, b"F2", 30.0, c.heading, 44.0);
    line(&mut k, &mut y, b"F1", 14.0, "This is to certify that", 36.0);
    for l in wrap(&c.name, 40).iter().take(2) {
        line(&mut k, &mut y, b"F2", 26.0, l, 32.0);
    }
    line(&mut k, &mut y, b"F1", 14.0, c.did, 28.0);
    for l in wrap(&c.title, 60).iter().take(3) {
        line(&mut k, &mut y, b"F2", 18.0, l, 24.0);
    }
    y -= 8.0;
    line(
        &mut k,
        &mut y,
        b"F1",
        13.0,
        &format!("Run by {}", c.issuer),
        20.0,
    );
    line(
        &mut k,
        &mut y,
        b"F1",
        13.0,
        &format!("Issued on {}", c.issued),
        20.0,
    );
    if !c.cpd.is_empty() {
        line(&mut k, &mut y, b"F1", 13.0, &c.cpd, 20.0);
    }
    if !c.expiry.is_empty() {
        line(&mut k, &mut y, b"F1", 13.0, &c.expiry, 20.0);
    }
    let mut foot = 70.0;
    line(
        &mut k,
        &mut foot,
        b"F2",
        12.0,
        &format!("Verification code: {}", c.code),
        16.0,
    );
    line(
        &mut k,
        &mut foot,
        b"F1",
        10.0,
        &format!("Check it at {verify_url}"),
        0.0,
    );
    pdf.stream(contents, &k.finish());
    pdf.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_encoded_for_the_standard_fonts() {
        assert_eq!(
            winansi("Zoë O’Neil – 5€ 日"),
            b"Zo\xeb O\x92Neil \x96 5\x80 ?".to_vec()
        );
    }

    #[test]
    fn long_titles_wrap_at_spaces() {
        assert_eq!(
            wrap("Personalised care and support planning in practice", 20),
            ["Personalised care", "and support planning", "in practice"]
        );
    }

    #[test]
    fn the_pdf_carries_the_code() {
        let c = CertView {
            code: "WMC-ABCDE-FGHJK".into(),
            name: "Amara Okafor".into(),
            heading: "Certificate of attendance",
            did: "attended",
            title: "Shared decision making".into(),
            issuer: "North East and Yorkshire".into(),
            issued: "1 December 2026".into(),
            cpd: "3 hours CPD".into(),
            current: true,
            expiry: String::new(),
            href: String::new(),
        };
        let bytes = render_pdf(
            &c,
            "https://example.org/certificates/verify?code=WMC-ABCDE-FGHJK",
        );
        assert!(bytes.starts_with(b"%PDF-"));
        let text = String::from_utf8_lossy(&bytes);
        assert!(text.contains("WMC-ABCDE-FGHJK") && text.contains("Amara Okafor"));
    }
}
