//! Provider configuration: attribute, environment variable, default — in that order.

use crate::diag::{Diagnostic, Diagnostics};
use crate::log::{self, Logger};
use crate::transport::{Client, ClientConfig, StopSignal};
use crate::value::{AttributePath, Value};
use descriptor::{ConfigRole, ProviderDesc};

pub fn validate(desc: &ProviderDesc, config: &Value) -> Diagnostics {
    let mut d = Diagnostics::default();
    for c in desc.config {
        if c.role == ConfigRole::BaseUrl {
            if let Value::String(s) = config.attr(c.name) {
                if !(s.starts_with("http://") || s.starts_with("https://")) {
                    d.push(
                        Diagnostic::error(
                            "Invalid base URL",
                            format!("{} must start with http:// or https://; got {s:?}.", c.name),
                        )
                        .at(AttributePath::attr(c.name)),
                    );
                }
            }
        }
    }
    d
}

/// A configuration attribute's resolved value: (name, role, value).
pub type Resolved = (&'static str, ConfigRole, Option<String>);

/// Resolve each configuration attribute; errors name the attribute and its variable.
pub fn resolve(desc: &ProviderDesc, config: &Value) -> Result<Vec<Resolved>, Diagnostics> {
    let mut d = Diagnostics::default();
    let mut out = vec![];
    for c in desc.config {
        let v = config.attr(c.name);
        let value = match v {
            Value::Unknown => {
                d.push(
                    Diagnostic::error(
                        format!("{} is not known yet", c.name),
                        format!("The provider needs `{}` while planning, but its value depends on something not yet created. Use a value known before apply (a variable or{} the environment).", c.name, c.env.map(|e| format!(" `{e}` in")).unwrap_or_default()),
                    )
                    .at(AttributePath::attr(c.name)),
                );
                None
            }
            Value::String(s) if !s.is_empty() => Some(s.clone()),
            _ => c
                .env
                .and_then(|e| std::env::var(e).ok())
                .filter(|s| !s.is_empty())
                .or(c.default.map(str::to_string)),
        };
        if value.is_none() && c.required && !v.is_unknown() {
            d.push(
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
                .at(AttributePath::attr(c.name)),
            );
        }
        out.push((c.name, c.role, value));
    }
    if d.has_errors() {
        Err(d)
    } else {
        Ok(out)
    }
}

/// The API client for a provider configuration: it logs through the transport logger and ends
/// its requests when `stop` fires.
pub fn client_from(
    desc: &ProviderDesc,
    config: &Value,
    stop: &StopSignal,
) -> Result<Client, Diagnostics> {
    let resolved = resolve(desc, config)?;
    let mut api_key = String::new();
    let mut base_url = desc.default_base_url.to_string();
    for (_, role, v) in resolved {
        match (role, v) {
            (ConfigRole::ApiKey, Some(v)) => api_key = v,
            (ConfigRole::BaseUrl, Some(v)) => base_url = v,
            _ => {}
        }
    }
    let mut cfg = ClientConfig {
        base_url,
        api_key,
        user_agent: format!(
            "terraform-provider-{}/{}",
            desc.type_name,
            env!("CARGO_PKG_VERSION")
        ),
        logger: Logger::new(log::TRANSPORT),
        stop: stop.clone(),
        ..ClientConfig::default()
    };
    env_overrides(&mut cfg, |k| std::env::var(k).ok());
    Client::new(cfg)
        .map_err(|e| Diagnostic::error("Could not set up the API client", e.to_string()).into())
}

/// Interim knobs, until the provider has settings for them: `WORKOS_REQUEST_TIMEOUT` (per
/// attempt: `"2s"`, `"500ms"` or seconds) and `WORKOS_MAX_RETRIES`. Unparsable values are ignored.
fn env_overrides(cfg: &mut ClientConfig, var: impl Fn(&str) -> Option<String>) {
    if let Some(t) = var("WORKOS_REQUEST_TIMEOUT").and_then(|v| parse_duration(&v)) {
        cfg.timeout = t;
    }
    if let Some(n) = var("WORKOS_MAX_RETRIES").and_then(|v| v.trim().parse().ok()) {
        cfg.max_retries = n;
    }
}

fn parse_duration(v: &str) -> Option<std::time::Duration> {
    let v = v.trim();
    let (num, scale) = match v.strip_suffix("ms") {
        Some(n) => (n, 0.001),
        None => (v.strip_suffix('s').unwrap_or(v), 1.0),
    };
    let secs = num.trim().parse::<f64>().ok()? * scale;
    (secs > 0.0 && secs.is_finite()).then(|| std::time::Duration::from_secs_f64(secs))
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

    #[test]
    fn environment_overrides_timeout_and_retries() {
        let mut cfg = ClientConfig::default();
        env_overrides(&mut cfg, |k| match k {
            "WORKOS_REQUEST_TIMEOUT" => Some("1500ms".into()),
            "WORKOS_MAX_RETRIES" => Some("1".into()),
            _ => None,
        });
        assert_eq!(cfg.timeout, std::time::Duration::from_millis(1500));
        assert_eq!(cfg.max_retries, 1);
        assert_eq!(
            parse_duration("2s"),
            Some(std::time::Duration::from_secs(2))
        );
        assert_eq!(
            parse_duration("0.5"),
            Some(std::time::Duration::from_millis(500))
        );
        assert_eq!(parse_duration("soon"), None);
        assert_eq!(parse_duration("-1s"), None);
    }
}
