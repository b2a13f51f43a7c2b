//! Makes the NHS.UK frontend available to the binary. The package comes from the npm registry
//! as declared in web/package.json (never copied into the repository); when it is missing, this
//! runs `npm ci` (or `npm install`) in web/. The files are embedded in the binary by assets.rs.

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default());
    let web = manifest
        .join("../../web")
        .canonicalize()
        .unwrap_or_else(|_| manifest.join("../../web"));
    let dist = web.join("node_modules/nhsuk-frontend/dist/nhsuk");
    println!(
        "cargo:rerun-if-changed={}",
        web.join("package.json").display()
    );
    println!("cargo:rerun-if-changed={}", web.join("static").display());
    println!(
        "cargo:rerun-if-changed={}",
        dist.join("nhsuk-frontend.min.css").display()
    );
    if !dist.join("nhsuk-frontend.min.css").exists() {
        install(&web);
    }
    if !dist.join("nhsuk-frontend.min.css").exists() {
        panic!(
            "the NHS.UK frontend is missing from {}: run `npm ci` in web/ (Node.js and npm are needed to build whatmatters)",
            dist.display()
        );
    }
    println!("cargo:rustc-env=NHSUK_DIST={}", dist.display());
    println!("cargo:rustc-env=WM_STATIC={}", web.join("static").display());
}

fn install(web: &Path) {
    let lock = web.join("package-lock.json").exists();
    let args: &[&str] = if lock {
        &["ci", "--no-audit", "--no-fund"]
    } else {
        &["install", "--no-audit", "--no-fund"]
    };
    match Command::new("npm").args(args).current_dir(web).status() {
        Ok(s) if s.success() => {}
        Ok(s) => println!(
            "cargo:warning=npm {} in {} exited with {s}",
            args[0],
            web.display()
        ),
        Err(e) => println!("cargo:warning=could not run npm in {}: {e}", web.display()),
    }
}
