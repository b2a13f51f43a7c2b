//! Static assets, embedded in the binary: the NHS.UK frontend (from npm, at build time) and
//! our own small additions in web/static.
//!
//! Every asset answers at two names under `/assets/`:
//! - its hashed name, `app.3f9a1c2b.css`: the first 8 hex digits of the SHA-256 of the bytes
//!   served, computed once, at the first request or page. Pages link only these, through
//!   [`url`]; they are cached for a year as `immutable`, since changed bytes get a new name.
//! - its plain name, `app.css`: cached for 5 minutes, then revalidated by ETag (a 304 while the
//!   bytes are the same). The NHS.UK stylesheet needs these: it draws its arrow, sort and cross
//!   icons with `url(/assets/images/nhsuk-icon-*.svg)`, absolute plain paths inside a file of
//!   theirs that we serve as it comes, so those icons are always fetched by their plain names.
//!
//! A hashed name with a hash other than the current one answers 404, the not-found path of
//! every other unknown asset, rather than a redirect to the current name. Pages are never cached
//! (`no-store`), so a browser only asks for the hashes of the release that has just rendered its
//! page; a stale hash can only come from a page rendered by another release, mid-deploy, and a
//! redirect would then answer a name that stands for particular bytes with other bytes, and
//! with two releases behind one address could send the browser back and forth between them.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::OnceLock;

use axum::body::{Body, Bytes};
use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

macro_rules! nhsuk {
    ($p:literal) => {
        include_bytes!(concat!(env!("NHSUK_DIST"), "/", $p)).as_slice()
    };
}
macro_rules! ours {
    ($p:literal) => {
        include_bytes!(concat!(env!("WM_STATIC"), "/", $p)).as_slice()
    };
}

const CSS: &str = "text/css; charset=utf-8";
const JS: &str = "text/javascript; charset=utf-8";
const SVG: &str = "image/svg+xml";

/// Every asset: its plain name under /assets/, its bytes as built, its content type. An asset
/// comes after those it links to (see [`LINKS`]).
const FILES: &[(&str, &[u8], &str)] = &[
    (
        "nhsuk-frontend.min.css",
        nhsuk!("nhsuk-frontend.min.css"),
        CSS,
    ),
    ("nhsuk-frontend.min.js", nhsuk!("nhsuk-frontend.min.js"), JS),
    ("app.css", ours!("app.css"), CSS),
    ("app.js", ours!("app.js"), JS),
    (
        "images/favicon.svg",
        nhsuk!("assets/images/favicon.svg"),
        SVG,
    ),
    (
        "images/favicon.ico",
        nhsuk!("assets/images/favicon.ico"),
        "image/x-icon",
    ),
    (
        "images/nhsuk-icon-arrow-down.svg",
        nhsuk!("assets/images/nhsuk-icon-arrow-down.svg"),
        SVG,
    ),
    (
        "images/nhsuk-icon-arrow-up.svg",
        nhsuk!("assets/images/nhsuk-icon-arrow-up.svg"),
        SVG,
    ),
    (
        "images/nhsuk-icon-arrow-up-down.svg",
        nhsuk!("assets/images/nhsuk-icon-arrow-up-down.svg"),
        SVG,
    ),
    (
        "images/nhsuk-icon-cross.svg",
        nhsuk!("assets/images/nhsuk-icon-cross.svg"),
        SVG,
    ),
    (
        "images/nhsuk-icon-search.svg",
        nhsuk!("assets/images/nhsuk-icon-search.svg"),
        SVG,
    ),
    (
        "images/nhsuk-icon-tick.svg",
        nhsuk!("assets/images/nhsuk-icon-tick.svg"),
        SVG,
    ),
    (
        "images/nhsuk-icon-chevron-right-circle.svg",
        nhsuk!("assets/images/nhsuk-icon-chevron-right-circle.svg"),
        SVG,
    ),
];

/// References from one of our assets to another, by plain path, that are served rewritten to
/// the hashed path: app.js imports the NHS.UK script as `/assets/nhsuk-frontend.min.js` (so the
/// file also works as it is), and is served importing `/assets/nhsuk-frontend.min.<hash>.js`.
/// Then every script a page loads is immutable, and app.js's hash changes with the script's.
const LINKS: &[(&str, &str)] = &[("app.js", "nhsuk-frontend.min.js")];

const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const SHORT: &str = "public, max-age=300";

struct Asset {
    bytes: Bytes,
    mime: &'static str,
    /// `/assets/app.3f9a1c2b.css`
    url: String,
    /// Weak (`W/"…"`), as the compression layer may gzip the bytes on the way out.
    etag: HeaderValue,
}

struct Assets {
    by_name: HashMap<&'static str, Asset>,
    /// Path under /assets/ → (plain name, whether the path is the hashed name).
    by_path: HashMap<String, (&'static str, bool)>,
}

fn assets() -> &'static Assets {
    static ASSETS: OnceLock<Assets> = OnceLock::new();
    ASSETS.get_or_init(|| {
        let mut by_name: HashMap<&'static str, Asset> = HashMap::new();
        let mut by_path = HashMap::new();
        for &(name, raw, mime) in FILES {
            let mut bytes = Cow::Borrowed(raw);
            if name == "nhsuk-frontend.min.css"
                && let Ok(text) = std::str::from_utf8(raw)
            {
                bytes = Cow::Owned(without_font_faces(text).into_bytes());
            }
            for (_, to) in LINKS.iter().filter(|(from, _)| *from == name) {
                if let (Some(target), Ok(text)) = (by_name.get(to), std::str::from_utf8(&bytes)) {
                    let linked = text.replace(&format!("/assets/{to}"), &target.url);
                    bytes = Cow::Owned(linked.into_bytes());
                }
            }
            let digest: String = Sha256::digest(&bytes)
                .iter()
                .take(8)
                .map(|b| format!("{b:02x}"))
                .collect();
            let hashed = hashed_name(name, &digest[..8]);
            // Hex digits in quotes: always a valid header value.
            let etag = HeaderValue::from_str(&format!("W/\"{digest}\""))
                .unwrap_or(HeaderValue::from_static("W/\"\""));
            by_path.insert(name.to_owned(), (name, false));
            by_path.insert(hashed.clone(), (name, true));
            let bytes = match bytes {
                Cow::Borrowed(b) => Bytes::from_static(b),
                Cow::Owned(v) => Bytes::from(v),
            };
            by_name.insert(
                name,
                Asset {
                    bytes,
                    mime,
                    url: format!("/assets/{hashed}"),
                    etag,
                },
            );
        }
        Assets { by_name, by_path }
    })
}

/// The stylesheet without its `@font-face` rules. The NHS.UK frontend loads the Frutiger web
/// fonts from the NHS's own font server, for services on nhs.uk; this service's pages allow
/// fonts from themselves only (`font-src 'self'`), so the browser would refuse each font and
/// report it. Without the rules, text is set in the frontend's fallback, Arial, with no
/// refused requests.
fn without_font_faces(css: &str) -> String {
    let mut out = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(at) = rest.find("@font-face") {
        out.push_str(&rest[..at]);
        rest = match rest[at..].find('}') {
            Some(end) => &rest[at + end + 1..],
            None => "",
        };
    }
    out.push_str(rest);
    out
}

/// `images/favicon.svg` → `images/favicon.<hash>.svg`.
fn hashed_name(name: &str, hash: &str) -> String {
    match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.ends_with('/') => format!("{stem}.{hash}.{ext}"),
        _ => format!("{name}.{hash}"),
    }
}

/// The URL that pages link for an asset, by its plain name: `url("app.css")` is
/// `/assets/app.3f9a1c2b.css`. Templates call it as `{{ crate::assets::url("app.css") }}`. A
/// name that is not an asset gives its plain path, which answers 404 (a test checks that every
/// name the templates use is an asset).
pub fn url(name: &str) -> Cow<'static, str> {
    match assets().by_name.get(name) {
        Some(a) => Cow::Borrowed(a.url.as_str()),
        None => Cow::Owned(format!("/assets/{name}")),
    }
}

pub async fn serve(Path(path): Path<String>, headers: HeaderMap) -> Response {
    let all = assets();
    let Some((asset, hashed)) = all
        .by_path
        .get(&path)
        .and_then(|&(name, hashed)| Some((all.by_name.get(name)?, hashed)))
    else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let cache = if hashed { IMMUTABLE } else { SHORT };
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .is_some_and(|v| etag_matches(v, &asset.etag));
    let mut r = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let mut r = Body::from(asset.bytes.clone()).into_response();
        r.headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(asset.mime));
        r
    };
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    r.headers_mut().insert(header::ETAG, asset.etag.clone());
    r
}

/// If-None-Match uses the weak comparison: `W/` prefixes do not count.
fn etag_matches(if_none_match: &HeaderValue, etag: &HeaderValue) -> bool {
    let (Ok(list), Ok(ours)) = (if_none_match.to_str(), etag.to_str()) else {
        return false;
    };
    let ours = ours.trim_start_matches("W/");
    list.split(',')
        .map(str::trim)
        .any(|t| t == "*" || t.trim_start_matches("W/") == ours)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn the_stylesheet_served_loads_no_fonts_from_elsewhere() {
        assert_eq!(
            without_font_faces("a{b:c}@font-face{font-family:F;src:url(https://x/f.woff2)}d{e:f}"),
            "a{b:c}d{e:f}"
        );
        let css = &assets().by_name["nhsuk-frontend.min.css"].bytes;
        let css = std::str::from_utf8(css).unwrap();
        assert!(css.contains(".nhsuk-button"), "the rest is kept");
        assert!(!css.contains("@font-face") && !css.contains("https://"));
    }

    #[test]
    fn hashed_names_keep_the_directory_and_extension() {
        assert_eq!(hashed_name("app.css", "0123abcd"), "app.0123abcd.css");
        assert_eq!(
            hashed_name("nhsuk-frontend.min.js", "0123abcd"),
            "nhsuk-frontend.min.0123abcd.js"
        );
        assert_eq!(
            hashed_name("images/favicon.svg", "0123abcd"),
            "images/favicon.0123abcd.svg"
        );
    }

    #[test]
    fn urls_carry_the_sha256_of_the_bytes_served() {
        let css = ours!("app.css");
        let hex: String = Sha256::digest(css)
            .iter()
            .take(4)
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(url("app.css"), format!("/assets/app.{hex}.css"));
        assert_eq!(url("no-such.css"), "/assets/no-such.css");
        for (name, _, _) in FILES {
            let u = url(name);
            let (_, hashed) = assets().by_path[u.trim_start_matches("/assets/")];
            assert!(hashed, "{name}: {u}");
        }
    }

    #[test]
    fn app_js_imports_the_hashed_nhsuk_script() {
        let js = std::str::from_utf8(&assets().by_name["app.js"].bytes).unwrap();
        let import = format!("from '{}'", url("nhsuk-frontend.min.js"));
        assert!(js.contains(&import), "{js}");
        assert!(!js.contains("/assets/nhsuk-frontend.min.js"), "{js}");
        // As built, the file imports the plain name: what LINKS rewrites.
        let raw = std::str::from_utf8(ours!("app.js")).unwrap();
        assert!(
            raw.contains("from '/assets/nhsuk-frontend.min.js'"),
            "{raw}"
        );
    }

    #[test]
    fn every_asset_a_template_names_is_served() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
        let mut stack = vec![dir];
        let mut named = Vec::new();
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                    continue;
                }
                let text = std::fs::read_to_string(&p).unwrap();
                assert!(
                    !text.contains("/assets/"),
                    "{}: links an asset by a fixed URL",
                    p.display()
                );
                for call in text.split("assets::url(\"").skip(1) {
                    named.push(call.split('"').next().unwrap().to_owned());
                }
            }
        }
        assert!(named.len() >= 4, "{named:?}");
        for name in named {
            assert!(assets().by_name.contains_key(name.as_str()), "{name}");
        }
    }

    #[test]
    fn if_none_match_compares_weakly() {
        let ours = HeaderValue::from_static("W/\"0123456789abcdef\"");
        let m = |v: &'static str| etag_matches(&HeaderValue::from_static(v), &ours);
        assert!(m("W/\"0123456789abcdef\""));
        assert!(m("\"0123456789abcdef\""));
        assert!(m("\"other\", W/\"0123456789abcdef\""));
        assert!(m("*"));
        assert!(!m("W/\"0123456789abcdee\""));
        assert!(!m(""));
    }
}
