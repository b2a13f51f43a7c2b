//! Configuration: defaults, then `whatmatters.toml`, then `WHATMATTERS_*` environment variables
//! (and `DATABASE_URL`). Secrets may be given as files with `WHATMATTERS_<NAME>_FILE`.

use anyhow::{Context, Result};
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// sqlite://FILE or postgres://USER:PASSWORD@HOST:PORT/DB
    pub database_url: String,
    pub bind: String,
    pub port: u16,
    /// The address people reach the service at (for links in e-mails).
    pub public_url: Option<String>,
    /// Serve cookies with Secure and the __Host- prefix (set when behind HTTPS).
    pub secure_cookies: bool,
    /// Send Strict-Transport-Security.
    pub hsts: bool,
    /// Trust X-Forwarded-For and X-Forwarded-Proto from a reverse proxy.
    pub trust_proxy: bool,
    pub session_idle_minutes: i64,
    pub session_absolute_hours: i64,
    pub lockout_threshold: i32,
    pub lockout_minutes: i64,
    pub password_reset_minutes: i64,
    /// Where e-mails are written as .eml files when no SMTP server is set.
    pub outbox_dir: PathBuf,
    /// smtp://user:pass@host:587?tls=required or smtps://…; unset writes files to outbox_dir.
    pub smtp_url: Option<String>,
    pub mail_from: String,
    /// text or json
    pub log_format: String,
    pub request_timeout_secs: u64,
    /// SQLite only: `full` (default; a commit survives a power cut) or `normal` (faster writes;
    /// a power cut may lose the last commits).
    pub sqlite_synchronous: String,
    /// A bearer token that /metrics requires; unset, /metrics answers 404.
    pub metrics_token: Option<String>,
    /// Minutes a basket holds places before they go back on sale (1 to 1440).
    pub basket_hold_minutes: i64,
    /// Hours someone offered a place from a waiting list has to take it (1 to 336).
    pub waitlist_offer_hours: i64,
}

impl Default for Config {
    fn default() -> Self {
        let s = services::Settings::default();
        Config {
            database_url: "sqlite://whatmatters.db".into(),
            bind: "127.0.0.1".into(),
            port: 8080,
            public_url: None,
            secure_cookies: false,
            hsts: false,
            trust_proxy: false,
            session_idle_minutes: s.session_idle_minutes,
            session_absolute_hours: s.session_absolute_hours,
            lockout_threshold: s.lockout_threshold,
            lockout_minutes: s.lockout_minutes,
            password_reset_minutes: s.password_reset_minutes,
            outbox_dir: s.outbox_dir,
            smtp_url: None,
            mail_from: s.mail_from,
            log_format: "text".into(),
            request_timeout_secs: 30,
            sqlite_synchronous: "full".into(),
            metrics_token: None,
            basket_hold_minutes: s.basket_hold_minutes,
            waitlist_offer_hours: s.waitlist_offer_hours,
        }
    }
}

const SECRETS: [&str; 3] = ["database_url", "smtp_url", "metrics_token"];

impl Config {
    pub fn load(file: Option<&Path>) -> Result<Config> {
        let mut fig = Figment::from(Serialized::defaults(Config::default()));
        match file {
            Some(f) => {
                if !f.exists() {
                    anyhow::bail!("the configuration file {} does not exist", f.display());
                }
                fig = fig.merge(Toml::file(f));
            }
            None => fig = fig.merge(Toml::file("whatmatters.toml")),
        }
        fig = fig
            .merge(Env::prefixed("WHATMATTERS_").ignore(&[
                "database_url_file",
                "smtp_url_file",
                "metrics_token_file",
            ]))
            .merge(Env::raw().only(&["database_url"]));
        for key in SECRETS {
            let var = format!("WHATMATTERS_{}_FILE", key.to_uppercase());
            if let Ok(path) = std::env::var(&var) {
                let value = std::fs::read_to_string(&path)
                    .with_context(|| format!("reading {var}={path}"))?;
                fig = fig.merge(Serialized::default(key, value.trim().to_owned()));
            }
        }
        let cfg: Config = fig.extract().context("the configuration is not valid")?;
        cfg.check()?;
        Ok(cfg)
    }

    fn check(&self) -> Result<()> {
        store::Backend::of_url(&self.database_url)?;
        if !["text", "json"].contains(&self.log_format.as_str()) {
            anyhow::bail!("log_format must be text or json, not {:?}", self.log_format);
        }
        self.sqlite_durability()?;
        if self
            .metrics_token
            .as_deref()
            .is_some_and(|t| t.trim().len() < 16)
        {
            anyhow::bail!("metrics_token must be at least 16 characters");
        }
        if !(1..=1440).contains(&self.basket_hold_minutes) {
            anyhow::bail!("basket_hold_minutes must be from 1 to 1440");
        }
        if !(1..=336).contains(&self.waitlist_offer_hours) {
            anyhow::bail!("waitlist_offer_hours must be from 1 to 336");
        }
        if self.session_idle_minutes < 1 || self.session_absolute_hours < 1 {
            anyhow::bail!(
                "session timeouts must be at least 1 minute (idle) and 1 hour (absolute)"
            );
        }
        Ok(())
    }

    pub fn sqlite_durability(&self) -> Result<store::SqliteDurability> {
        store::SqliteDurability::parse(&self.sqlite_synchronous).ok_or_else(|| {
            anyhow::anyhow!(
                "sqlite_synchronous must be full or normal, not {:?}",
                self.sqlite_synchronous
            )
        })
    }

    pub fn public_url(&self) -> String {
        self.public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}:{}", self.bind, self.port))
    }

    pub fn settings(&self) -> services::Settings {
        services::Settings {
            session_idle_minutes: self.session_idle_minutes,
            session_absolute_hours: self.session_absolute_hours,
            lockout_threshold: self.lockout_threshold,
            lockout_minutes: self.lockout_minutes,
            password_reset_minutes: self.password_reset_minutes,
            public_url: self.public_url(),
            outbox_dir: self.outbox_dir.clone(),
            smtp_url: self.smtp_url.clone(),
            mail_from: self.mail_from.clone(),
            basket_hold_minutes: self.basket_hold_minutes,
            waitlist_offer_hours: self.waitlist_offer_hours,
        }
    }

    pub fn web(&self) -> web::WebConfig {
        web::WebConfig {
            secure_cookies: self.secure_cookies,
            hsts: self.hsts,
            trust_proxy: self.trust_proxy,
            request_timeout_secs: self.request_timeout_secs,
            metrics_token: self.metrics_token.as_deref().map(|t| t.trim().to_owned()),
        }
    }

    /// The effective configuration as TOML, with passwords hidden.
    pub fn printable(&self) -> String {
        let mut c = self.clone();
        c.database_url = store::redact_url(&c.database_url);
        c.smtp_url = c.smtp_url.as_deref().map(store::redact_url);
        c.metrics_token = c.metrics_token.map(|_| "***".into());
        toml_lines(&c)
    }
}

fn toml_lines(c: &Config) -> String {
    let v = serde_json::to_value(c).unwrap_or_default();
    let mut out = String::from("# effective configuration (secrets hidden)\n");
    if let Some(map) = v.as_object() {
        for (k, v) in map {
            match v {
                serde_json::Value::Null => out.push_str(&format!("# {k} is not set\n")),
                other => out.push_str(&format!("{k} = {other}\n")),
            }
        }
    }
    out
}
