//! Starts the built provider binary the way Terraform does (magic cookie, protocol 6, AutoMTLS
//! with a go-plugin-shaped client certificate) and talks to it over gRPC.

use std::io::Read;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use terraform_provider_workos::protocol::proto::plugin::grpc_controller_client::GrpcControllerClient;
use terraform_provider_workos::protocol::proto::plugin::grpc_stdio_client::GrpcStdioClient;
use terraform_provider_workos::protocol::proto::tfplugin6 as pb;
use terraform_provider_workos::protocol::proto::tfplugin6::provider_client::ProviderClient;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;
use tonic_health::pb::HealthCheckRequest;

#[path = "common/plugin.rs"]
mod plugin;

use plugin::{client_cert, connect, start, BIN, COOKIE};

fn wait_exit(child: &mut Child, within: Duration) -> Option<std::process::ExitStatus> {
    let deadline = Instant::now() + within;
    while Instant::now() < deadline {
        if let Ok(Some(status)) = child.try_wait() {
            return Some(status);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    None
}

fn attribute<'a>(schema: &'a pb::Schema, name: &str) -> Option<&'a pb::schema::Attribute> {
    schema
        .block
        .as_ref()?
        .attributes
        .iter()
        .find(|a| a.name == name)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serves_terraform_over_automtls() {
    let client = client_cert();
    let mut plugin = start(&client.pem);
    let channel = connect(&plugin, &client)
        .await
        .expect("TLS + HTTP/2 connection");

    // Health: "plugin" is SERVING.
    let health = HealthClient::new(channel.clone())
        .check(HealthCheckRequest {
            service: "plugin".into(),
        })
        .await
        .expect("health check")
        .into_inner();
    assert_eq!(health.status, ServingStatus::Serving as i32);

    // Terraform opens the stdio stream early; it must be accepted.
    let _stdio = GrpcStdioClient::new(channel.clone())
        .stream_stdio(())
        .await
        .expect("stdio stream");

    let mut provider = ProviderClient::new(channel.clone()).max_decoding_message_size(256 << 20);

    let meta = provider
        .get_metadata(pb::get_metadata::Request {})
        .await
        .expect("GetMetadata")
        .into_inner();
    assert!(meta.diagnostics.is_empty(), "{:?}", meta.diagnostics);
    let caps = meta.server_capabilities.expect("server capabilities");
    assert!(!caps.plan_destroy && !caps.get_provider_schema_optional);

    let schema = provider
        .get_provider_schema(pb::get_provider_schema::Request {})
        .await
        .expect("GetProviderSchema")
        .into_inner();
    assert!(schema.diagnostics.is_empty(), "{:?}", schema.diagnostics);
    let provider_schema = schema.provider.expect("provider schema");
    let api_key = attribute(&provider_schema, "api_key").expect("api_key attribute");
    assert!(api_key.sensitive, "api_key must be sensitive");
    assert_eq!(api_key.r#type, br#""string""#.to_vec());
    assert_eq!(schema.resource_schemas.len(), meta.resources.len());
    assert_eq!(schema.data_source_schemas.len(), meta.data_sources.len());

    // Nested objects reach Terraform as nested attributes, each field with its own flags.
    let org = &schema.resource_schemas["workos_organization"];
    let domains = attribute(org, "domains").expect("domains attribute");
    assert!(
        domains.r#type.is_empty(),
        "a nested attribute has no plain type"
    );
    let nested = domains
        .nested_type
        .as_ref()
        .expect("domains is a nested attribute");
    assert_eq!(nested.nesting, pb::schema::object::NestingMode::Set as i32);
    let field = |n: &str| nested.attributes.iter().find(|a| a.name == n).expect(n);
    assert!(field("domain").required && !field("domain").computed);
    assert!(field("state").required);
    let webhook = &schema.resource_schemas["workos_webhook_endpoint"];
    let secret = attribute(webhook, "secret").expect("secret attribute");
    assert!(
        secret.sensitive && secret.computed,
        "one-time secret is sensitive"
    );
    let extra = attribute(org, "extra_configuration").expect("extra_configuration");
    assert_eq!(extra.r#type, br#""dynamic""#.to_vec());
    assert!(extra.optional && !extra.computed);

    // Terraform 1.12+ asks for identity schemas right after the schema: no error allowed.
    let ids = provider
        .get_resource_identity_schemas(pb::get_resource_identity_schemas::Request {})
        .await
        .expect("GetResourceIdentitySchemas")
        .into_inner();
    assert!(ids.diagnostics.is_empty());

    // An empty provider configuration validates (every attribute null, as Terraform sends it).
    let core = terraform_provider_workos::engine::new_provider();
    let ty = core.schemas().provider.block.value_type();
    let nulls = match &ty {
        terraform_provider_workos::value::Type::Object(a) => a
            .keys()
            .map(|k| (k.clone(), terraform_provider_workos::value::Value::Null))
            .collect(),
        other => panic!("provider type {other:?}"),
    };
    let config = pb::DynamicValue {
        msgpack: terraform_provider_workos::value::codec::encode_msgpack(
            &terraform_provider_workos::value::Value::Object(nulls),
            &ty,
        )
        .expect("encode"),
        json: vec![],
    };
    let v = provider
        .validate_provider_config(pb::validate_provider_config::Request {
            config: Some(config),
        })
        .await
        .expect("ValidateProviderConfig")
        .into_inner();
    assert!(
        v.diagnostics
            .iter()
            .all(|d| d.severity != pb::diagnostic::Severity::Error as i32),
        "{:?}",
        v.diagnostics
    );

    // Garbage in a DynamicValue is an error diagnostic, not a failed call.
    let bad = pb::DynamicValue {
        msgpack: vec![0xc1, 0xff],
        json: vec![],
    };
    let v = provider
        .validate_provider_config(pb::validate_provider_config::Request { config: Some(bad) })
        .await
        .expect("ValidateProviderConfig with garbage")
        .into_inner();
    assert!(v
        .diagnostics
        .iter()
        .any(|d| d.severity == pb::diagnostic::Severity::Error as i32));

    // Unsupported RPCs answer OK with an error diagnostic.
    let eph = provider
        .validate_ephemeral_resource_config(pb::validate_ephemeral_resource_config::Request {
            type_name: "workos_anything".into(),
            config: None,
        })
        .await
        .expect("unsupported RPCs still answer OK")
        .into_inner();
    assert_eq!(eph.diagnostics.len(), 1);
    assert_eq!(
        eph.diagnostics[0].severity,
        pb::diagnostic::Severity::Error as i32
    );
    assert_eq!(
        eph.diagnostics[0].summary,
        "ValidateEphemeralResourceConfig is not supported by this provider"
    );
    let call = provider
        .call_function(pb::call_function::Request {
            name: "f".into(),
            arguments: vec![],
        })
        .await
        .expect("CallFunction answers OK")
        .into_inner();
    assert!(call
        .error
        .expect("function error")
        .text
        .contains("not supported"));

    let functions = provider
        .get_functions(pb::get_functions::Request {})
        .await
        .expect("GetFunctions")
        .into_inner();
    assert!(functions.functions.is_empty() && functions.diagnostics.is_empty());

    let stop = provider
        .stop_provider(pb::stop_provider::Request {})
        .await
        .expect("StopProvider")
        .into_inner();
    assert_eq!(stop.error, "");

    // Shutdown ends the process within a few seconds.
    GrpcControllerClient::new(channel)
        .shutdown(pb_empty())
        .await
        .expect("Shutdown");
    let status = wait_exit(&mut plugin.child, Duration::from_secs(5))
        .expect("exit within 5 s after Shutdown");
    assert!(status.success(), "exit status {status:?}");
}

fn pb_empty() -> terraform_provider_workos::protocol::proto::plugin::Empty {
    terraform_provider_workos::protocol::proto::plugin::Empty {}
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refuses_a_client_certificate_that_is_not_the_pinned_one() {
    let pinned = client_cert();
    let other = client_cert();
    let plugin = start(&pinned.pem);
    // With TLS 1.3 the refusal may only surface on the first read, so try a call too.
    let refused = match connect(&plugin, &other).await {
        Err(_) => true,
        Ok(channel) => HealthClient::new(channel)
            .check(HealthCheckRequest {
                service: "plugin".into(),
            })
            .await
            .is_err(),
    };
    assert!(refused, "a foreign client certificate must be refused");

    // The pinned one still works afterwards.
    let channel = connect(&plugin, &pinned)
        .await
        .expect("pinned certificate connects");
    let health = HealthClient::new(channel)
        .check(HealthCheckRequest {
            service: "plugin".into(),
        })
        .await
        .expect("health check with the pinned certificate");
    assert_eq!(health.into_inner().status, ServingStatus::Serving as i32);
}

#[test]
fn without_the_magic_cookie_it_explains_and_exits_1() {
    let mut child = Command::new(BIN)
        .env_remove("TF_PLUGIN_MAGIC_COOKIE")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start");
    let status = wait_exit(&mut child, Duration::from_secs(10)).expect("exits promptly");
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut stderr)
        .expect("read stderr");
    assert_eq!(status.code(), Some(1));
    assert!(
        stderr.contains("This binary is a plugin"),
        "stderr: {stderr}"
    );
    assert!(
        stderr.contains("not meant to be executed directly"),
        "stderr: {stderr}"
    );
}

#[test]
fn refuses_a_client_without_protocol_6() {
    let out = Command::new(BIN)
        .env("TF_PLUGIN_MAGIC_COOKIE", COOKIE)
        .env("PLUGIN_PROTOCOL_VERSIONS", "4,5")
        .stdin(Stdio::null())
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty(), "no handshake line may be printed");
    assert!(String::from_utf8_lossy(&out.stderr).contains("protocol version 6"));
}

/// msgpack for a provider configuration: every schema attribute, `set` ones as strings (or
/// unknown for `None`), the rest null.
fn provider_config(names: &[String], set: &[(&str, Option<&str>)]) -> pb::DynamicValue {
    fn str8(out: &mut Vec<u8>, s: &str) {
        out.push(0xda); // str 16: any length these tests use
        out.extend_from_slice(&(s.len() as u16).to_be_bytes());
        out.extend_from_slice(s.as_bytes());
    }
    assert!(names.len() < 16, "fixmap");
    let mut out = vec![0x80 | names.len() as u8];
    for name in names {
        str8(&mut out, name);
        match set.iter().find(|(n, _)| n == name) {
            Some((_, Some(v))) => str8(&mut out, v),
            Some((_, None)) => out.extend_from_slice(&[0xd4, 0x00, 0x00]), // unknown
            None => out.push(0xc0),
        }
    }
    pb::DynamicValue {
        msgpack: out,
        json: vec![],
    }
}

/// Attributes set (`None`: unknown), validate's error paths, configure's error paths.
type ConfigCase<'a> = (
    Vec<(&'a str, Option<&'a str>)>,
    &'a [&'a str],
    &'a [&'a str],
);

/// The attribute names of error diagnostics.
fn error_paths(diags: &[pb::Diagnostic]) -> Vec<String> {
    diags
        .iter()
        .filter(|d| d.severity == pb::diagnostic::Severity::Error as i32)
        .map(|d| {
            let steps = d
                .attribute
                .as_ref()
                .map(|a| a.steps.clone())
                .unwrap_or_default();
            match steps.first().and_then(|s| s.selector.clone()) {
                Some(pb::attribute_path::step::Selector::AttributeName(n)) => n,
                other => format!("{other:?}: {}", d.summary),
            }
        })
        .collect()
}

/// ValidateProviderConfig and ConfigureProvider agree on the provider settings (issue 10
/// item 9): a bad value is refused by the earliest RPC that sees it, at its attribute path; an
/// empty string is "unset" for both; a value unknown at validation is checked at configure.
#[tokio::test]
async fn provider_config_is_checked_alike_by_validate_and_configure() {
    let client = client_cert();
    let plugin = start(&client.pem);
    let channel = connect(&plugin, &client).await.expect("connection");
    let mut provider = ProviderClient::new(channel).max_decoding_message_size(256 << 20);
    let schema = provider
        .get_provider_schema(pb::get_provider_schema::Request {})
        .await
        .expect("GetProviderSchema")
        .into_inner();
    let names: Vec<String> = schema
        .provider
        .expect("provider schema")
        .block
        .expect("block")
        .attributes
        .iter()
        .map(|a| a.name.clone())
        .collect();
    let key = ("api_key", Some("sk_test_protocol"));
    let cases: Vec<ConfigCase> = vec![
        // (config, validate's error paths, configure's error paths)
        (vec![key, ("base_url", Some(""))], &[], &[]),
        (
            vec![key, ("base_url", Some("http://127.0.0.1:99999"))],
            &["base_url"],
            &["base_url"],
        ),
        (
            vec![("api_key", Some("sk_test_a\r\nX-Injected: 1"))],
            &["api_key"],
            &["api_key"],
        ),
        (
            vec![
                key,
                ("max_retries", Some("lots")),
                ("request_timeout", Some("0s")),
            ],
            &["max_retries", "request_timeout"],
            &["max_retries", "request_timeout"],
        ),
        (
            vec![
                key,
                ("rate_limit_general", Some("fast")),
                ("ca_bundle_file", Some("/nonexistent.pem")),
            ],
            &["rate_limit_general", "ca_bundle_file"],
            &["rate_limit_general", "ca_bundle_file"],
        ),
        // Unknown while validating: nothing to say yet; configure needs it.
        (vec![key, ("base_url", None)], &[], &["base_url"]),
        (
            vec![
                key,
                ("max_retries", Some("3")),
                ("retry_max_wait", Some("10m")),
            ],
            &[],
            &[],
        ),
    ];
    for (set, at_validate, at_configure) in cases {
        let v = provider
            .validate_provider_config(pb::validate_provider_config::Request {
                config: Some(provider_config(&names, &set)),
            })
            .await
            .expect("ValidateProviderConfig")
            .into_inner();
        assert_eq!(
            error_paths(&v.diagnostics),
            at_validate,
            "validate {set:?}: {:?}",
            v.diagnostics
        );
        let c = provider
            .configure_provider(pb::configure_provider::Request {
                terraform_version: "1.11.4".into(),
                config: Some(provider_config(&names, &set)),
                client_capabilities: None,
            })
            .await
            .expect("ConfigureProvider")
            .into_inner();
        assert_eq!(
            error_paths(&c.diagnostics),
            at_configure,
            "configure {set:?}: {:?}",
            c.diagnostics
        );
        for d in v.diagnostics.iter().chain(&c.diagnostics) {
            assert!(
                !d.detail.contains("sk_test_a"),
                "a key is never quoted: {}",
                d.detail
            );
        }
    }
}
