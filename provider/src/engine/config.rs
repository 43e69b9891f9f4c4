//! Provider configuration: attribute, environment variable, default — in that order.
//!
//! An empty string counts as unset everywhere (so `base_url = ""` falls back to the
//! environment and the default). Every value is checked by one function, [`check_value`], used
//! by both RPCs: ValidateProviderConfig checks the values the configuration sets and that are
//! already known; ConfigureProvider checks every resolved value (including those from the
//! environment and values that were unknown at validation). A bad value gets a diagnostic at
//! its attribute path that quotes at most a short prefix of it, and never a secret.

use std::path::PathBuf;

use crate::diag::{Diagnostic, Diagnostics};
use crate::log::{self, Logger};
use crate::transport::client::{check_api_key, check_base_url, load_ca_bundle};
use crate::transport::error::prefix;
use crate::transport::pacing::{parse_duration, Limit};
use crate::transport::{Client, ClientConfig, StopSignal};
use crate::value::{AttributePath, Value};
use descriptor::{ConfigAttr, ConfigRole, ProviderDesc};

/// Largest `max_retries` accepted.
const MAX_RETRIES_LIMIT: u32 = 100;

/// Checks one value for the role its attribute has; the error explains what is expected.
pub fn check_value(role: ConfigRole, value: &str) -> Result<(), String> {
    match role {
        ConfigRole::ApiKey => check_api_key(value),
        ConfigRole::BaseUrl => check_base_url(value.trim().trim_end_matches('/')),
        ConfigRole::Informational => Ok(()),
        ConfigRole::MaxRetries => parse_max_retries(value).map(drop),
        ConfigRole::RequestTimeout => parse_positive_duration(value).map(drop),
        ConfigRole::RetryMaxWait => parse_duration(value).map(drop),
        ConfigRole::RateLimitGeneral
        | ConfigRole::RateLimitAuthkitRead
        | ConfigRole::RateLimitAuthkitWrite => Limit::parse(value).map(drop),
        ConfigRole::CaBundleFile => load_ca_bundle(&PathBuf::from(value)).map(drop),
    }
}

fn parse_max_retries(value: &str) -> Result<u32, String> {
    let shown = prefix(value.trim(), 40);
    match value.trim().parse::<u32>() {
        Ok(n) if n <= MAX_RETRIES_LIMIT => Ok(n),
        _ => Err(format!(
            "{shown:?} is not a whole number from 0 to {MAX_RETRIES_LIMIT}"
        )),
    }
}

fn parse_positive_duration(value: &str) -> Result<std::time::Duration, String> {
    let d = parse_duration(value)?;
    if d.is_zero() {
        return Err("the timeout must be above zero".to_string());
    }
    Ok(d)
}

/// The diagnostic of a bad value of attribute `c`; `from_env` names the variable it came from.
fn invalid(c: &ConfigAttr, message: String, from_env: bool) -> Diagnostic {
    let source = match (from_env, c.env) {
        (true, Some(e)) => format!(" (from the `{e}` environment variable)"),
        _ => String::new(),
    };
    Diagnostic::error(
        format!("Invalid {}", c.name),
        format!("`{}`{source}: {message}.", c.name),
    )
    .at(AttributePath::attr(c.name))
}

/// ValidateProviderConfig: the values set in the configuration and already known.
pub fn validate(desc: &ProviderDesc, config: &Value) -> Diagnostics {
    let mut d = Diagnostics::default();
    for c in desc.config {
        if let Value::String(s) = config.attr(c.name) {
            if s.is_empty() {
                continue;
            }
            if let Err(m) = check_value(c.role, s) {
                d.push(invalid(c, m, false));
            }
        }
    }
    d
}

/// A configuration attribute's resolved value: (name, role, value).
pub type Resolved = (&'static str, ConfigRole, Option<String>);

fn not_known(c: &ConfigAttr) -> Diagnostic {
    Diagnostic::error(
        format!("{} is not known yet", c.name),
        format!("The provider needs `{}` while planning, but its value depends on something not yet created. Use a value known before apply (a variable or{} the environment).", c.name, c.env.map(|e| format!(" `{e}` in")).unwrap_or_default()),
    )
    .at(AttributePath::attr(c.name))
}

fn missing(c: &ConfigAttr) -> Diagnostic {
    Diagnostic::error(
        format!("Missing {}", c.name),
        format!(
            "Set `{}` in the provider block{}.",
            c.name,
            c.env
                .map(|e| format!(" or the `{e}` environment variable"))
                .unwrap_or_default()
        ),
    )
    .at(AttributePath::attr(c.name))
}

/// Resolve each configuration attribute and check it ([`check_value`]); errors name the
/// attribute and its variable.
pub fn resolve(desc: &ProviderDesc, config: &Value) -> Result<Vec<Resolved>, Diagnostics> {
    let mut d = Diagnostics::default();
    let mut out = vec![];
    for c in desc.config {
        let v = config.attr(c.name);
        let (value, from_env) = match v {
            Value::Unknown => {
                d.push(not_known(c));
                (None, false)
            }
            Value::String(s) if !s.is_empty() => (Some(s.clone()), false),
            _ => match c
                .env
                .and_then(|e| std::env::var(e).ok())
                .filter(|s| !s.is_empty())
            {
                Some(e) => (Some(e), true),
                None => (c.default.map(str::to_string), false),
            },
        };
        if value.is_none() && c.required && !v.is_unknown() {
            d.push(missing(c));
        }
        if let Some(Err(m)) = value.as_deref().map(|s| check_value(c.role, s)) {
            d.push(invalid(c, m, from_env));
        }
        out.push((c.name, c.role, value));
    }
    if d.has_errors() {
        Err(d)
    } else {
        Ok(out)
    }
}

/// Client settings from checked values (a value failing to parse here was refused by
/// [`resolve`] already and is left at its default).
fn apply(cfg: &mut ClientConfig, role: ConfigRole, v: String) {
    match role {
        ConfigRole::ApiKey => cfg.api_key = v,
        ConfigRole::BaseUrl => cfg.base_url = v,
        ConfigRole::Informational => {}
        ConfigRole::MaxRetries => {
            cfg.max_retries = parse_max_retries(&v).unwrap_or(cfg.max_retries)
        }
        ConfigRole::RequestTimeout => {
            cfg.timeout = parse_positive_duration(&v).unwrap_or(cfg.timeout)
        }
        ConfigRole::RetryMaxWait => {
            cfg.max_retry_wait = parse_duration(&v).unwrap_or(cfg.max_retry_wait)
        }
        ConfigRole::RateLimitGeneral => {
            cfg.rate_limits.general = Limit::parse(&v).unwrap_or(cfg.rate_limits.general)
        }
        ConfigRole::RateLimitAuthkitRead => {
            cfg.rate_limits.authkit_read = Limit::parse(&v).unwrap_or(cfg.rate_limits.authkit_read)
        }
        ConfigRole::RateLimitAuthkitWrite => {
            cfg.rate_limits.authkit_write =
                Limit::parse(&v).unwrap_or(cfg.rate_limits.authkit_write)
        }
        ConfigRole::CaBundleFile => cfg.ca_bundle_file = Some(PathBuf::from(v)),
    }
}

/// The client settings of a provider configuration (checked as [`resolve`] does).
pub fn client_config(desc: &ProviderDesc, config: &Value) -> Result<ClientConfig, Diagnostics> {
    let resolved = resolve(desc, config)?;
    let mut cfg = ClientConfig {
        base_url: desc.default_base_url.to_string(),
        user_agent: format!(
            "terraform-provider-{}/{}",
            desc.type_name,
            env!("CARGO_PKG_VERSION")
        ),
        logger: Logger::new(log::TRANSPORT),
        ..ClientConfig::default()
    };
    for (_, role, v) in resolved {
        if let Some(v) = v {
            apply(&mut cfg, role, v);
        }
    }
    Ok(cfg)
}

/// The API client for a provider configuration: it logs through the transport logger and ends
/// its requests when `stop` fires.
pub fn client_from(
    desc: &ProviderDesc,
    config: &Value,
    stop: &StopSignal,
) -> Result<Client, Diagnostics> {
    let cfg = ClientConfig {
        stop: stop.clone(),
        ..client_config(desc, config)?
    };
    Client::new(cfg)
        .map_err(|e| Diagnostic::error("Could not set up the API client", e.to_string()).into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use descriptor::ConfigAttr;

    static DESC: ProviderDesc = ProviderDesc {
        type_name: "t",
        source_address: "registry.terraform.io/x/t",
        default_base_url: "https://api.example.com",
        spec_sha256: "",
        spec_version: "",
        description: "",
        config: &[ConfigAttr {
            name: "api_key",
            description: "",
            env: Some("TEST_CONFIG_UNSET_VARIABLE"),
            sensitive: true,
            required: true,
            default: None,
            role: ConfigRole::ApiKey,
        }],
        resources: &[],
        data_sources: &[],
    };

    fn config(v: Value) -> Value {
        Value::Object([("api_key".to_string(), v)].into_iter().collect())
    }

    #[test]
    fn missing_and_unknown_keys_are_named() {
        let d = resolve(&DESC, &config(Value::Null)).unwrap_err();
        assert!(d.0[0].summary.contains("Missing api_key"));
        assert!(d.0[0].detail.contains("TEST_CONFIG_UNSET_VARIABLE"));
        let d = resolve(&DESC, &config(Value::Unknown)).unwrap_err();
        assert!(d.0[0].summary.contains("not known"));
        assert_eq!(d.0[0].attribute, Some(AttributePath::attr("api_key")));
        let ok = resolve(&DESC, &config(Value::String("sk_test".into()))).unwrap();
        assert_eq!(ok[0].2.as_deref(), Some("sk_test"));
    }

    const fn attr(name: &'static str, role: ConfigRole) -> ConfigAttr {
        ConfigAttr {
            name,
            description: "",
            env: None,
            sensitive: false,
            required: false,
            default: None,
            role,
        }
    }

    static ALL: ProviderDesc = ProviderDesc {
        config: &[
            attr("api_key", ConfigRole::ApiKey),
            attr("base_url", ConfigRole::BaseUrl),
            attr("max_retries", ConfigRole::MaxRetries),
            attr("request_timeout", ConfigRole::RequestTimeout),
            attr("retry_max_wait", ConfigRole::RetryMaxWait),
            attr("rate_limit_general", ConfigRole::RateLimitGeneral),
            attr("rate_limit_authkit_read", ConfigRole::RateLimitAuthkitRead),
            attr(
                "rate_limit_authkit_write",
                ConfigRole::RateLimitAuthkitWrite,
            ),
            attr("ca_bundle_file", ConfigRole::CaBundleFile),
        ],
        type_name: "t",
        source_address: "registry.terraform.io/x/t",
        default_base_url: "https://api.example.com",
        spec_sha256: "",
        spec_version: "",
        description: "",
        resources: &[],
        data_sources: &[],
    };

    fn set(pairs: &[(&str, &str)]) -> Value {
        let mut all = vec![("api_key", "sk_test_x")];
        all.extend_from_slice(pairs);
        Value::Object(
            all.iter()
                .map(|(k, v)| (k.to_string(), Value::String(v.to_string())))
                .collect(),
        )
    }

    /// Both RPCs' verdicts on one configuration: (validate's attribute paths, resolve's).
    fn verdicts(pairs: &[(&str, &str)]) -> (Vec<String>, Vec<String>) {
        let paths = |d: &Diagnostics| {
            d.0.iter()
                .map(|x| format!("{:?}", x.attribute))
                .collect::<Vec<_>>()
        };
        let v = validate(&ALL, &set(pairs));
        let r = resolve(&ALL, &set(pairs)).err().unwrap_or_default();
        (paths(&v), paths(&r))
    }

    #[test]
    fn validate_and_configure_agree() {
        for (name, value) in [
            ("base_url", "http://127.0.0.1:99999"),
            ("base_url", "ftp://h"),
            ("base_url", "not a url"),
            ("api_key", "sk_test_a\r\nX-Evil: 1"),
            ("max_retries", "-1"),
            ("max_retries", "many"),
            ("max_retries", "1000"),
            ("request_timeout", "0s"),
            ("request_timeout", "soon"),
            ("retry_max_wait", "5 minutes"),
            ("rate_limit_general", "fast"),
            ("rate_limit_authkit_read", "0/10s"),
            ("rate_limit_authkit_write", "10"),
            ("ca_bundle_file", "/nonexistent/ca.pem"),
        ] {
            let (v, r) = verdicts(&[(name, value)]);
            let at = format!("{:?}", Some(AttributePath::attr(name)));
            assert_eq!(v, std::slice::from_ref(&at), "validate {name}={value:?}");
            assert_eq!(r, [at], "configure {name}={value:?}");
        }
        // Empty means unset for both.
        assert_eq!(verdicts(&[("base_url", "")]), (vec![], vec![]));
        let ok = [
            ("base_url", "http://127.0.0.1:4100/"),
            ("max_retries", "0"),
            ("request_timeout", "1m30s"),
            ("retry_max_wait", "0s"),
            ("rate_limit_general", "off"),
            ("rate_limit_authkit_read", "100/1s"),
        ];
        assert_eq!(verdicts(&ok), (vec![], vec![]));
    }

    #[test]
    fn messages_quote_a_prefix_and_never_the_key() {
        let huge = format!("ftp://{}", "h".repeat(100_000));
        let d = validate(&ALL, &set(&[("base_url", huge.as_str())]));
        assert!(d.0[0].detail.len() < 400, "{}", d.0[0].detail.len());
        let d = validate(&ALL, &set(&[("api_key", "sk_secret_value\n")]));
        assert!(
            !d.0[0].detail.contains("sk_secret_value"),
            "{}",
            d.0[0].detail
        );
    }

    #[test]
    fn settings_reach_the_client_config() {
        let cfg = client_config(
            &ALL,
            &set(&[
                ("max_retries", "3"),
                ("request_timeout", "5s"),
                ("retry_max_wait", "2m"),
                ("rate_limit_general", "off"),
                ("rate_limit_authkit_write", "50/10s"),
            ]),
        )
        .unwrap();
        assert_eq!(cfg.max_retries, 3);
        assert_eq!(cfg.timeout, std::time::Duration::from_secs(5));
        assert_eq!(cfg.max_retry_wait, std::time::Duration::from_secs(120));
        assert_eq!(cfg.rate_limits.general, None);
        assert_eq!(
            cfg.rate_limits.authkit_write,
            Some(Limit::new(50, std::time::Duration::from_secs(10)))
        );
        assert_eq!(cfg.base_url, "https://api.example.com");
    }
}
