//! Self-tests of the bench's local families (`common/local/`): one generic lifecycle over each
//! family's data (create → read → list with pagination → update → delete → 404), plus the
//! secrets-once rule, the custom verbs and the cascades across the emulator/local boundary.
//! They run the emulator and the proxy, no Terraform.
mod common;

use common::Bench;
use serde_json::{json, Value};

fn id(v: &Value) -> String {
    v["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no id in {v}"))
        .to_string()
}

trait LocalCount {
    fn local_count(&self, family: &str) -> usize;
}

impl LocalCount for Bench {
    /// How many objects a local family holds (a read-back for objects without a read).
    fn local_count(&self, family: &str) -> usize {
        self.proxy.local().store.lock().unwrap().all(family).len()
    }
}

/// A request the spec forbids: the bench's conformance check refuses it with 422 before any
/// family sees it and records the violation, which must be the only one and name `names` (a
/// body field `/name`, a query parameter `?limit`, or a schema keyword `[oneOf]`).
fn refused(b: &Bench, method: &str, path: &str, body: Option<Value>, names: &str) {
    let (s, v) = b.api(method, path, body);
    assert_eq!(
        (s, v["code"].clone()),
        (422, json!("invalid_request_parameters")),
        "{method} {path}: {v}"
    );
    let vs = b.proxy.take_violations();
    assert_eq!(vs.len(), 1, "{method} {path}: one violation: {vs:?}");
    assert!(
        vs[0].contains("request not per spec") && vs[0].contains(names),
        "{method} {path}: the violation names {names}: {vs:?}"
    );
}

fn ok(b: &Bench, method: &str, path: &str, body: Option<Value>) -> Value {
    let (s, v) = b.api(method, path, body);
    assert!((200..300).contains(&s), "{method} {path}: {s} {v}");
    v
}

fn org(b: &Bench, name: &str) -> String {
    id(&ok(
        b,
        "POST",
        "/organizations",
        Some(json!({"name": name})),
    ))
}

/// A user with a membership (role `member`) in `org`: (user id, membership id).
fn member(b: &Bench, org: &str, email: &str) -> (String, String) {
    let u = ok(
        b,
        "POST",
        "/user_management/users",
        Some(json!({"email": email})),
    );
    let m = ok(
        b,
        "POST",
        "/user_management/organization_memberships",
        Some(json!({"user_id": u["id"], "organization_id": org, "role_slug": "member"})),
    );
    (id(&u), id(&m))
}

type PathOf = Box<dyn Fn(&str) -> String>;

/// One family's lifecycle, as data.
struct Case {
    object: &'static str,
    prefix: &'static str,
    /// The collection (create with POST, list with GET).
    collection: String,
    create: Box<dyn Fn(usize) -> Value>,
    /// GET of one object, when the spec has one (otherwise reads are by list).
    get: Option<PathOf>,
    /// (method, path, body, field that must then equal the body's).
    update: Option<(&'static str, PathOf, Value, &'static str)>,
    delete: Option<PathOf>,
    /// Secret fields only the create answer shows.
    secrets: &'static [&'static str],
    /// The field that names an object in its paths (`id`, or e.g. `slug`).
    key: &'static str,
}

fn ulid_ok(id: &str, prefix: &str) -> bool {
    id.strip_prefix(prefix).is_some_and(|u| {
        u.len() == 26
            && u.chars()
                .all(|c| "0123456789ABCDEFGHJKMNPQRSTVWXYZ".contains(c))
    })
}

fn list_ids(b: &Bench, path: &str) -> (Vec<String>, Value) {
    let v = ok(b, "GET", path, None);
    assert_eq!(v["object"], "list", "{v}");
    let ids = v["data"].as_array().unwrap().iter().map(id).collect();
    (ids, v["list_metadata"].clone())
}

fn sep(path: &str) -> &'static str {
    if path.contains('?') {
        "&"
    } else {
        "?"
    }
}

/// Create 3, limit 2, follow `after`, then `before`, then `order=asc`; limits 0, 101 and
/// `x` are refused.
fn paginate(b: &Bench, c: &Case, made: &[String]) {
    let col = &c.collection;
    let s = sep(col);
    let (page1, meta1) = list_ids(b, &format!("{col}{s}limit=2"));
    assert_eq!(
        page1,
        vec![made[2].clone(), made[1].clone()],
        "newest first"
    );
    assert_eq!(meta1["after"], json!(made[1]));
    assert_eq!(meta1["before"], Value::Null);
    let (page2, meta2) = list_ids(b, &format!("{col}{s}limit=2&after={}", made[1]));
    assert_eq!(page2, vec![made[0].clone()]);
    assert_eq!(meta2["after"], Value::Null);
    assert_eq!(meta2["before"], json!(made[0]));
    let (back, _) = list_ids(b, &format!("{col}{s}limit=2&before={}", made[0]));
    assert_eq!(back, page1);
    let (asc, _) = list_ids(b, &format!("{col}{s}order=asc"));
    assert_eq!(asc, made.to_vec());
    // The spec's `limit` is an integer in 1..=100, so the conformance check refuses these
    // before the family's own limit validation (store.rs `Page`) is reached.
    for (bad, why) in [
        ("0", "?limit: value is less than the minimum of 1 [minimum]"),
        (
            "101",
            "?limit: value is greater than the maximum of 100 [maximum]",
        ),
        ("x", "?limit: value is not of type \"integer\" [type]"),
    ] {
        refused(b, "GET", &format!("{col}{s}limit={bad}"), None, why);
    }
}

fn lifecycle(b: &Bench, c: Case) {
    let mut made = Vec::new();
    let mut keys = Vec::new();
    let mut first = Value::Null;
    for i in 0..3 {
        let (s, v) = b.api("POST", &c.collection, Some((c.create)(i)));
        assert_eq!(s, 201, "create {}: {v}", c.object);
        assert_eq!(v["object"], c.object);
        assert!(
            ulid_ok(&id(&v), c.prefix),
            "id {} is not {}+ULID",
            v["id"],
            c.prefix
        );
        for f in c.secrets {
            assert!(v[*f].is_string(), "create shows {f}: {v}");
        }
        if i == 0 {
            first = v.clone();
        }
        made.push(id(&v));
        keys.push(v[c.key].as_str().unwrap().to_string());
    }
    let mut shown = first.clone();
    for f in c.secrets {
        shown.as_object_mut().unwrap().remove(*f);
    }
    // Read: by GET when the spec has one, else in the list; never a secret.
    let read = match &c.get {
        Some(get) => ok(b, "GET", &get(&keys[0]), None),
        None => {
            let v = ok(
                b,
                "GET",
                &format!("{}{}limit=100", c.collection, sep(&c.collection)),
                None,
            );
            v["data"]
                .as_array()
                .unwrap()
                .iter()
                .find(|x| x["id"] == json!(made[0]))
                .cloned()
                .unwrap()
        }
    };
    assert_eq!(read, shown, "read shows the object without its secrets");
    paginate(b, &c, &made);
    if let Some((method, path, body, field)) = &c.update {
        let v = ok(b, method, &path(&keys[0]), Some(body.clone()));
        assert_eq!(v[*field], body[*field], "{v}");
        assert!(
            v["updated_at"].as_str() > first["updated_at"].as_str(),
            "updated_at moves: {v}"
        );
        assert_eq!(v["created_at"], first["created_at"]);
    }
    let Some(delete) = &c.delete else { return };
    let (s, v) = b.api("DELETE", &delete(&keys[0]), None);
    assert_eq!(s, 204, "{v}");
    assert_eq!(v, Value::Null);
    let (s, v) = b.api("DELETE", &delete(&keys[0]), None);
    assert_eq!(s, 404, "second delete: {v}");
    assert!(v["message"].is_string(), "{v}");
    match &c.get {
        Some(get) => assert_eq!(b.api("GET", &get(&keys[0]), None).0, 404),
        None => assert!(!list_ids(b, &c.collection).0.contains(&made[0])),
    }
}

#[test]
fn organization_api_keys() {
    let b = Bench::start();
    let o = org(&b, "Keys");
    let o2 = o.clone();
    lifecycle(
        &b,
        Case {
            object: "api_key",
            prefix: "api_key_",
            collection: format!("/organizations/{o}/api_keys"),
            create: Box::new(
                |i| json!({"name": format!("key {i}"), "permissions": ["posts:read"]}),
            ),
            get: None,
            update: Some((
                "POST",
                Box::new(|id| format!("/api_keys/{id}/expire")),
                json!({"expires_at": "2099-01-01T00:00:00.000Z"}),
                "expires_at",
            )),
            delete: Some(Box::new(|id| format!("/api_keys/{id}"))),
            secrets: &["value"],
            key: "id",
        },
    );
    let (s, v) = b.api("GET", "/organizations/org_nope/api_keys", None);
    assert_eq!(s, 404, "{v}");
    let (_, l) = b.api("GET", &format!("/organizations/{o2}/api_keys"), None);
    assert_eq!(
        l["data"][0]["owner"],
        json!({"type": "organization", "id": o2})
    );
}

#[test]
fn api_key_value_once_validate_expire() {
    let b = Bench::start();
    let o = org(&b, "Keys");
    let col = format!("/organizations/{o}/api_keys");
    // The spec requires `name`: the conformance check refuses it before the family would.
    refused(
        &b,
        "POST",
        &col,
        Some(json!({})),
        "/name: \"name\" is a required property",
    );
    let (s, _) = b.api(
        "POST",
        &col,
        Some(json!({"name": "k", "expires_at": "2001-01-01T00:00:00Z"})),
    );
    assert_eq!(s, 422, "expires_at must be in the future");
    let k = ok(&b, "POST", &col, Some(json!({"name": "k"})));
    let value = k["value"].as_str().unwrap().to_string();
    assert!(k["obfuscated_value"]
        .as_str()
        .unwrap()
        .ends_with(&value[value.len() - 4..]));
    let (_, l) = b.api("GET", &col, None);
    assert!(
        l["data"][0].get("value").is_none(),
        "the list never shows the value: {l}"
    );
    assert!(!l.to_string().contains(&value));
    let v = ok(
        &b,
        "POST",
        "/api_keys/validations",
        Some(json!({"value": value})),
    );
    assert_eq!(v["api_key"]["id"], k["id"]);
    let v = ok(
        &b,
        "POST",
        "/api_keys/validations",
        Some(json!({"value": "sk_test_unknown"})),
    );
    assert_eq!(v["api_key"], Value::Null);
    // expire now: validation fails, a second expire is 409.
    let e = ok(
        &b,
        "POST",
        &format!("/api_keys/{}/expire", id(&k)),
        Some(json!({})),
    );
    assert!(e["expires_at"].is_string());
    let v = ok(
        &b,
        "POST",
        "/api_keys/validations",
        Some(json!({"value": value})),
    );
    assert_eq!(
        v["api_key"],
        Value::Null,
        "an expired key does not validate"
    );
    let (s, v) = b.api(
        "POST",
        &format!("/api_keys/{}/expire", id(&k)),
        Some(json!({})),
    );
    assert_eq!(
        (s, v["code"].clone()),
        (409, json!("api_key_already_expired"))
    );
    assert_eq!(
        b.api("POST", "/api_keys/api_key_nope/expire", Some(json!({})))
            .0,
        404
    );
}

#[test]
fn user_api_keys_need_a_membership() {
    let b = Bench::start();
    let o = org(&b, "U");
    let other = org(&b, "Other");
    let (u, _) = member(&b, &o, "k@example.com");
    let col = format!("/user_management/users/{u}/api_keys");
    // The spec requires organization_id (refused before the family's own check).
    refused(
        &b,
        "POST",
        &col,
        Some(json!({"name": "k"})),
        "/organization_id: \"organization_id\" is a required property",
    );
    let (s, v) = b.api(
        "POST",
        &col,
        Some(json!({"name": "k", "organization_id": other})),
    );
    assert_eq!(s, 422, "no membership in that organization: {v}");
    let o2 = o.clone();
    lifecycle(
        &b,
        Case {
            object: "api_key",
            prefix: "api_key_",
            collection: col.clone(),
            create: Box::new(move |i| json!({"name": format!("k{i}"), "organization_id": o2})),
            get: None,
            update: None,
            delete: Some(Box::new(|id| format!("/api_keys/{id}"))),
            secrets: &["value"],
            key: "id",
        },
    );
    let (_, l) = b.api("GET", &format!("{col}?organization_id={o}"), None);
    assert_eq!(
        l["data"][0]["owner"],
        json!({"type": "user", "id": u, "organization_id": o})
    );
    let (_, l) = b.api("GET", &format!("{col}?organization_id={other}"), None);
    assert_eq!(l["data"], json!([]));
    // Cascade: deleting the user removes its keys.
    ok(&b, "DELETE", &format!("/user_management/users/{u}"), None);
    assert_eq!(b.api("GET", &col, None).0, 404);
}

#[test]
fn organization_delete_cascades_into_local_families() {
    let b = Bench::start();
    let o = org(&b, "Doomed");
    let keep = org(&b, "Kept");
    let key = ok(
        &b,
        "POST",
        &format!("/organizations/{o}/api_keys"),
        Some(json!({"name": "k"})),
    );
    let kept = ok(
        &b,
        "POST",
        &format!("/organizations/{keep}/api_keys"),
        Some(json!({"name": "k"})),
    );
    let g = ok(
        &b,
        "POST",
        &format!("/organizations/{o}/groups"),
        Some(json!({"name": "g"})),
    );
    ok(
        &b,
        "PUT",
        &format!("/organizations/{o}/audit_logs_retention"),
        Some(json!({"retention_period_in_days": 30})),
    );
    let r = ok(
        &b,
        "POST",
        "/authorization/resources",
        Some(
            json!({"organization_id": o, "name": "r", "external_id": "r1", "resource_type_slug": "project"}),
        ),
    );
    ok(&b, "DELETE", &format!("/organizations/{o}"), None);
    assert_eq!(
        b.api("DELETE", &format!("/api_keys/{}", id(&key)), None).0,
        404,
        "key went with its organization"
    );
    assert_eq!(
        b.api("GET", &format!("/authorization/resources/{}", id(&r)), None)
            .0,
        404
    );
    assert_eq!(
        b.api(
            "GET",
            &format!("/authorization/groups/{}/role_assignments", id(&g)),
            None
        )
        .0,
        404,
        "group went"
    );
    let v = ok(
        &b,
        "POST",
        "/api_keys/validations",
        Some(json!({"value": key["value"]})),
    );
    assert_eq!(v["api_key"], Value::Null);
    let v = ok(
        &b,
        "POST",
        "/api_keys/validations",
        Some(json!({"value": kept["value"]})),
    );
    assert_eq!(
        v["api_key"]["id"], kept["id"],
        "other organizations keep theirs"
    );
}

#[test]
fn groups() {
    let b = Bench::start();
    let o = org(&b, "G");
    let o1 = o.clone();
    let o2 = o.clone();
    let o3 = o.clone();
    lifecycle(
        &b,
        Case {
            object: "group",
            prefix: "group_",
            collection: format!("/organizations/{o}/groups"),
            create: Box::new(|i| json!({"name": format!("group {i}"), "description": "d"})),
            get: Some(Box::new(move |id| {
                format!("/organizations/{o1}/groups/{id}")
            })),
            update: Some((
                "PATCH",
                Box::new(move |id| format!("/organizations/{o2}/groups/{id}")),
                json!({"description": null}),
                "description",
            )),
            delete: Some(Box::new(move |id| {
                format!("/organizations/{o3}/groups/{id}")
            })),
            secrets: &[],
            key: "id",
        },
    );
    // The spec requires name (refused before the family's own check).
    refused(
        &b,
        "POST",
        &format!("/organizations/{o}/groups"),
        Some(json!({"description": "x"})),
        "/name: \"name\" is a required property",
    );
    assert_eq!(
        b.api(
            "POST",
            "/organizations/org_nope/groups",
            Some(json!({"name": "x"}))
        )
        .0,
        404
    );
    let other = org(&b, "Other");
    let g = ok(
        &b,
        "POST",
        &format!("/organizations/{o}/groups"),
        Some(json!({"name": "x"})),
    );
    assert_eq!(
        b.api(
            "GET",
            &format!("/organizations/{other}/groups/{}", id(&g)),
            None
        )
        .0,
        404,
        "group under the wrong org"
    );
    let (s, _) = b.api(
        "PATCH",
        &format!("/organizations/{o}/groups/{}", id(&g)),
        Some(json!({"name": ""})),
    );
    assert_eq!(s, 422);
}

#[test]
fn group_memberships_and_their_cascades() {
    let b = Bench::start();
    let o = org(&b, "GM");
    authz_setup(&b, &o);
    let other = org(&b, "Other");
    let g = id(&ok(
        &b,
        "POST",
        &format!("/organizations/{o}/groups"),
        Some(json!({"name": "g"})),
    ));
    let members = format!("/organizations/{o}/groups/{g}/organization-memberships");
    let mut oms = Vec::new();
    for i in 0..3 {
        let (_, om) = member(&b, &o, &format!("m{i}@example.com"));
        let v = ok(
            &b,
            "POST",
            &members,
            Some(json!({"organization_membership_id": om})),
        );
        assert_eq!(
            (v["object"].clone(), v["id"].clone()),
            (json!("group"), json!(g)),
            "addMember answers the group"
        );
        oms.push(om);
    }
    ok(
        &b,
        "POST",
        &members,
        Some(json!({"organization_membership_id": oms[0]})),
    );
    let (page, meta) = list_ids(&b, &format!("{members}?limit=2"));
    assert_eq!(
        page,
        vec![oms[2].clone(), oms[1].clone()],
        "a repeated add is harmless"
    );
    let (page2, _) = list_ids(
        &b,
        &format!(
            "{members}?limit=2&after={}",
            meta["after"].as_str().unwrap()
        ),
    );
    assert_eq!(page2, vec![oms[0].clone()]);
    let l = ok(&b, "GET", &members, None);
    assert_eq!(l["data"][0]["object"], "organization_membership");
    let (_, foreign) = member(&b, &other, "f@example.com");
    assert_eq!(
        b.api(
            "POST",
            &members,
            Some(json!({"organization_membership_id": foreign}))
        )
        .0,
        422
    );
    assert_eq!(
        b.api(
            "POST",
            &members,
            Some(json!({"organization_membership_id": "om_nope"}))
        )
        .0,
        404
    );
    let (groups, _) = list_ids(
        &b,
        &format!(
            "/user_management/organization_memberships/{}/groups",
            oms[1]
        ),
    );
    assert_eq!(groups, vec![g.clone()]);
    // remove; then 404
    let rm = format!("{members}/{}", oms[2]);
    assert_eq!(b.api("DELETE", &rm, None).0, 204);
    assert_eq!(b.api("DELETE", &rm, None).0, 404);
    // Cascade: deleting a membership removes it from its groups.
    ok(
        &b,
        "DELETE",
        &format!("/user_management/organization_memberships/{}", oms[1]),
        None,
    );
    assert_eq!(list_ids(&b, &members).0, vec![oms[0].clone()]);
    // Cascade: deleting the group removes its memberships and role assignments.
    ok(
        &b,
        "POST",
        &format!("/authorization/groups/{g}/role_assignments"),
        Some(json!({"role_slug": "member"})),
    );
    ok(
        &b,
        "DELETE",
        &format!("/organizations/{o}/groups/{g}"),
        None,
    );
    assert_eq!(
        list_ids(
            &b,
            &format!(
                "/user_management/organization_memberships/{}/groups",
                oms[0]
            )
        )
        .0,
        Vec::<String>::new()
    );
    assert_eq!(
        b.api(
            "GET",
            &format!("/authorization/groups/{g}/role_assignments"),
            None
        )
        .0,
        404
    );
}

/// An environment with permissions `docs:read`/`docs:write`, an organization role `org-editor`
/// granting `docs:write`, and the built-in `member` role granting `docs:read`.
fn authz_setup(b: &Bench, o: &str) {
    for p in ["docs:read", "docs:write"] {
        ok(
            b,
            "POST",
            "/authorization/permissions",
            Some(json!({"slug": p, "name": p})),
        );
    }
    ok(
        b,
        "POST",
        &format!("/authorization/organizations/{o}/roles"),
        Some(json!({"slug": "org-editor", "name": "Editor"})),
    );
    ok(
        b,
        "PUT",
        &format!("/authorization/organizations/{o}/roles/org-editor/permissions"),
        Some(json!({"permissions": ["docs:write"]})),
    );
    let (s, _) = b.api("GET", "/authorization/roles/member", None);
    if s == 404 {
        ok(
            b,
            "POST",
            "/authorization/roles",
            Some(json!({"slug": "member", "name": "Member"})),
        );
    }
    ok(
        b,
        "PUT",
        "/authorization/roles/member/permissions",
        Some(json!({"permissions": ["docs:read"]})),
    );
}

#[test]
fn group_role_assignments() {
    let b = Bench::start();
    let o = org(&b, "GRA");
    authz_setup(&b, &o);
    let g = id(&ok(
        &b,
        "POST",
        &format!("/organizations/{o}/groups"),
        Some(json!({"name": "g"})),
    ));
    let o1 = o.clone();
    for i in 0..3 {
        ok(
            &b,
            "POST",
            "/authorization/resources",
            Some(
                json!({"organization_id": o1, "name": "r", "external_id": format!("p{i}"), "resource_type_slug": "project"}),
            ),
        );
    }
    let g1 = g.clone();
    lifecycle(
        &b,
        Case {
            object: "group_role_assignment",
            prefix: "group_role_assignment_",
            collection: format!("/authorization/groups/{g}/role_assignments"),
            create: Box::new(
                |i| json!({"role_slug": "org-editor", "resource_external_id": format!("p{i}"), "resource_type_slug": "project"}),
            ),
            get: Some(Box::new(move |id| {
                format!("/authorization/groups/{g1}/role_assignments/{id}")
            })),
            update: None,
            delete: Some(Box::new(move |id| {
                format!("/authorization/groups/{g}/role_assignments/{id}")
            })),
            secrets: &[],
            key: "id",
        },
    );
}

#[test]
fn group_role_assignment_rules() {
    let b = Bench::start();
    let o = org(&b, "GRA");
    authz_setup(&b, &o);
    let g = id(&ok(
        &b,
        "POST",
        &format!("/organizations/{o}/groups"),
        Some(json!({"name": "g"})),
    ));
    let col = format!("/authorization/groups/{g}/role_assignments");
    let a = ok(&b, "POST", &col, Some(json!({"role_slug": "org-editor"})));
    assert_eq!(a["role"], json!({"slug": "org-editor"}));
    assert_eq!(
        a["resource"]["id"],
        json!(o),
        "no target = the organization"
    );
    let (s, v) = b.api("POST", &col, Some(json!({"role_slug": "org-editor"})));
    assert_eq!(
        (s, v["code"].clone()),
        (409, json!("duplicate_group_role_assignment"))
    );
    assert_eq!(
        b.api("POST", &col, Some(json!({"role_slug": "no-such-role"})))
            .0,
        422
    );
    assert_eq!(
        b.api(
            "POST",
            &col,
            Some(json!({"role_slug": "member", "resource_id": "authz_resource_nope"}))
        )
        .0,
        404
    );
    assert_eq!(
        b.api(
            "POST",
            "/authorization/groups/group_nope/role_assignments",
            Some(json!({"role_slug": "member"}))
        )
        .0,
        404
    );
    let v = ok(
        &b,
        "PUT",
        &col,
        Some(json!({"role_assignments": [{"role_slug": "member"}, {"role_slug": "org-editor"}]})),
    );
    assert_eq!(v["data"].as_array().unwrap().len(), 2, "{v}");
    assert_eq!(list_ids(&b, &col).0.len(), 2, "PUT replaces the set");
    let (s, _) = b.api("DELETE", &col, Some(json!({"role_slug": "member"})));
    assert_eq!(s, 204);
    assert_eq!(
        b.api("DELETE", &col, Some(json!({"role_slug": "member"})))
            .0,
        404
    );
    ok(&b, "PUT", &col, Some(json!({"role_assignments": []})));
    assert!(list_ids(&b, &col).0.is_empty());
}

#[test]
fn membership_role_assignments() {
    let b = Bench::start();
    let o = org(&b, "RA");
    authz_setup(&b, &o);
    let (_, om) = member(&b, &o, "ra@example.com");
    for i in 0..3 {
        ok(
            &b,
            "POST",
            "/authorization/resources",
            Some(
                json!({"organization_id": o, "name": "r", "external_id": format!("p{i}"), "resource_type_slug": "project"}),
            ),
        );
    }
    let om1 = om.clone();
    lifecycle(
        &b,
        Case {
            object: "role_assignment",
            prefix: "role_assignment_",
            collection: format!("/authorization/organization_memberships/{om}/role_assignments"),
            create: Box::new(
                |i| json!({"role_slug": "org-editor", "resource_external_id": format!("p{i}"), "resource_type_slug": "project"}),
            ),
            get: None,
            update: None,
            delete: Some(Box::new(move |id| {
                format!("/authorization/organization_memberships/{om1}/role_assignments/{id}")
            })),
            secrets: &[],
            key: "id",
        },
    );
    let col = format!("/authorization/organization_memberships/{om}/role_assignments");
    // A target is required: the spec's body is a oneOf of the target forms, so the
    // conformance check refuses it before the family's own check.
    refused(
        &b,
        "POST",
        &col,
        Some(json!({"role_slug": "org-editor"})),
        "[oneOf]",
    );
    let l = ok(
        &b,
        "GET",
        &format!("{col}?resource_external_id=p1&resource_type_slug=project"),
        None,
    );
    assert_eq!(l["data"].as_array().unwrap().len(), 1, "{l}");
    assert_eq!(
        l["data"][0]["source"],
        json!({"type": "direct", "group_role_assignment_id": null})
    );
    // A group's assignment shows up with source group.
    let g = id(&ok(
        &b,
        "POST",
        &format!("/organizations/{o}/groups"),
        Some(json!({"name": "g"})),
    ));
    ok(
        &b,
        "POST",
        &format!("/organizations/{o}/groups/{g}/organization-memberships"),
        Some(json!({"organization_membership_id": om})),
    );
    let ga = ok(
        &b,
        "POST",
        &format!("/authorization/groups/{g}/role_assignments"),
        Some(
            json!({"role_slug": "member", "resource_external_id": "p0", "resource_type_slug": "project"}),
        ),
    );
    let l = ok(
        &b,
        "GET",
        &format!("{col}?resource_external_id=p0&resource_type_slug=project"),
        None,
    );
    let sources: Vec<Value> = l["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["source"].clone())
        .collect();
    assert_eq!(
        sources,
        vec![json!({"type": "group", "group_role_assignment_id": ga["id"]})],
        "{l}"
    );
    // by criteria
    let (s, _) = b.api("DELETE", &col, Some(json!({"role_slug": "org-editor", "resource_external_id": "p2", "resource_type_slug": "project"})));
    assert_eq!(s, 204);
    // Cascade: the membership's delete removes its assignments.
    let r1 = ok(
        &b,
        "GET",
        &format!("/authorization/organizations/{o}/resources/project/p1/role_assignments"),
        None,
    );
    assert_eq!(r1["data"].as_array().unwrap().len(), 1);
    ok(
        &b,
        "DELETE",
        &format!("/user_management/organization_memberships/{om}"),
        None,
    );
    let r1 = ok(
        &b,
        "GET",
        &format!("/authorization/organizations/{o}/resources/project/p1/role_assignments"),
        None,
    );
    assert_eq!(r1["data"], json!([]));
}

#[test]
fn authorization_resources() {
    let b = Bench::start();
    let o = org(&b, "R");
    let o1 = o.clone();
    lifecycle(
        &b,
        Case {
            object: "authorization_resource",
            prefix: "authz_resource_",
            // The create takes no query; the list's organization_id filter is covered in
            // authorization_resource_parents_and_cascade_delete.
            collection: "/authorization/resources".into(),
            create: Box::new(
                move |i| json!({"organization_id": o1, "name": format!("r{i}"), "external_id": format!("e{i}"), "resource_type_slug": "project"}),
            ),
            get: Some(Box::new(|id| format!("/authorization/resources/{id}"))),
            update: Some((
                "PATCH",
                Box::new(|id| format!("/authorization/resources/{id}")),
                json!({"name": "renamed"}),
                "name",
            )),
            delete: Some(Box::new(|id| format!("/authorization/resources/{id}"))),
            secrets: &[],
            key: "id",
        },
    );
}

#[test]
fn authorization_resource_parents_and_cascade_delete() {
    let b = Bench::start();
    let o = org(&b, "R");
    let create = |body: Value| b.api("POST", "/authorization/resources", Some(body));
    let (s, top) = create(
        json!({"organization_id": o, "name": "top", "external_id": "t", "resource_type_slug": "folder"}),
    );
    assert_eq!(s, 201);
    let (s, v) = create(
        json!({"organization_id": o, "name": "dup", "external_id": "t", "resource_type_slug": "folder"}),
    );
    assert_eq!(
        (s, v["code"].clone()),
        (409, json!("authorization_resource_external_id_conflict"))
    );
    let (s, child) = create(
        json!({"organization_id": o, "name": "c", "external_id": "c", "resource_type_slug": "doc", "parent_resource_external_id": "t", "parent_resource_type_slug": "folder"}),
    );
    assert_eq!(s, 201, "{child}");
    assert_eq!(child["parent_resource_id"], top["id"]);
    assert_eq!(child["description"], Value::Null);
    let (s, _) = create(
        json!({"organization_id": o, "name": "x", "external_id": "x", "resource_type_slug": "doc", "parent_resource_id": "authz_resource_nope"}),
    );
    assert_eq!(s, 404);
    assert_eq!(create(json!({"organization_id": "org_nope", "name": "x", "external_id": "y", "resource_type_slug": "doc"})).0, 404);
    // No name: the spec requires it, so the conformance check refuses it before the family.
    refused(
        &b,
        "POST",
        "/authorization/resources",
        Some(json!({"organization_id": o, "external_id": "y", "resource_type_slug": "doc"})),
        "/name: \"name\" is a required property",
    );
    let by_ext = ok(
        &b,
        "GET",
        &format!("/authorization/organizations/{o}/resources/doc/c"),
        None,
    );
    assert_eq!(by_ext["id"], child["id"]);
    let v = ok(
        &b,
        "PATCH",
        &format!("/authorization/organizations/{o}/resources/doc/c"),
        Some(json!({"description": "d"})),
    );
    assert_eq!(v["description"], "d");
    let (s, _) = b.api(
        "PATCH",
        &format!("/authorization/resources/{}", id(&top)),
        Some(json!({"parent_resource_id": child["id"]})),
    );
    assert_eq!(s, 422, "no cycles");
    let (children, _) = list_ids(
        &b,
        &format!(
            "/authorization/resources?organization_id={o}&parent_resource_id={}",
            id(&top)
        ),
    );
    assert_eq!(children, vec![id(&child)]);
    let top_path = format!("/authorization/resources/{}", id(&top));
    let (s, v) = b.api("DELETE", &top_path, None);
    assert_eq!(
        (s, v["code"].clone()),
        (409, json!("resource_has_dependents"))
    );
    assert_eq!(
        b.api("DELETE", &format!("{top_path}?cascade_delete=true"), None)
            .0,
        204
    );
    assert_eq!(
        b.api(
            "GET",
            &format!("/authorization/resources/{}", id(&child)),
            None
        )
        .0,
        404,
        "children go with cascade_delete"
    );
}

#[test]
fn permission_check_follows_the_evaluation_model() {
    let b = Bench::start();
    let o = org(&b, "Check");
    authz_setup(&b, &o);
    let (_, om) = member(&b, &o, "c@example.com");
    let mk = |ext: &str, parent: Option<&str>| {
        let mut body = json!({"organization_id": o, "name": ext, "external_id": ext, "resource_type_slug": "folder"});
        if let Some(p) = parent {
            body["parent_resource_external_id"] = json!(p);
            body["parent_resource_type_slug"] = json!("folder");
        }
        id(&ok(&b, "POST", "/authorization/resources", Some(body)))
    };
    let top = mk("top", None);
    let sub = mk("sub", Some("top"));
    let other = mk("other", None);
    let check = |perm: &str, res: &str| {
        let v = ok(
            &b,
            "POST",
            &format!("/authorization/organization_memberships/{om}/check"),
            Some(json!({"permission_slug": perm, "resource_id": res})),
        );
        v["authorized"].as_bool().unwrap()
    };
    assert!(
        check("docs:read", &sub),
        "the organization role grants docs:read everywhere"
    );
    assert!(!check("docs:write", &sub));
    ok(
        &b,
        "POST",
        &format!("/authorization/organization_memberships/{om}/role_assignments"),
        Some(json!({"role_slug": "org-editor", "resource_id": top})),
    );
    assert!(
        check("docs:write", &sub),
        "an assignment on an ancestor applies"
    );
    assert!(check("docs:write", &top));
    assert!(!check("docs:write", &other));
    let (rs, _) = list_ids(&b, &format!("/authorization/organization_memberships/{om}/resources?permission_slug=docs:write&order=asc"));
    assert_eq!(rs, vec![top.clone(), sub.clone()]);
    let perms = ok(
        &b,
        "GET",
        &format!("/authorization/organization_memberships/{om}/resources/folder/sub/permissions"),
        None,
    );
    let mut slugs: Vec<&str> = perms["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["slug"].as_str().unwrap())
        .collect();
    slugs.sort();
    assert_eq!(slugs, vec!["docs:read", "docs:write"]);
    let ms = ok(
        &b,
        "GET",
        &format!(
            "/authorization/resources/{sub}/organization_memberships?permission_slug=docs:write"
        ),
        None,
    );
    assert_eq!(ms["data"][0]["id"], json!(om));
    assert_eq!(ms["data"][0]["user"]["email"], "c@example.com");
    let direct = ok(&b, "GET", &format!("/authorization/resources/{sub}/organization_memberships?permission_slug=docs:write&assignment=direct"), None);
    assert_eq!(
        direct["data"],
        json!([]),
        "the assignment is on the parent, not direct"
    );
    // The spec requires permission_slug (refused before the family's own check).
    refused(
        &b,
        "POST",
        &format!("/authorization/organization_memberships/{om}/check"),
        Some(json!({"resource_id": top})),
        "/permission_slug: \"permission_slug\" is a required property",
    );
}

#[test]
fn redirect_uris_keep_one_default() {
    let b = Bench::start();
    lifecycle(
        &b,
        Case {
            object: "redirect_uri",
            prefix: "redir_",
            collection: "/user_management/redirect_uris".into(),
            create: Box::new(|i| json!({"uri": format!("https://app{i}.example.com/callback")})),
            get: None,
            update: None,
            delete: Some(Box::new(|id| {
                format!("/user_management/redirect_uris/{id}")
            })),
            secrets: &[],
            key: "id",
        },
    );
    let l = ok(&b, "GET", "/user_management/redirect_uris?order=asc", None);
    let defaults: Vec<bool> = l["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["default"].as_bool().unwrap())
        .collect();
    assert_eq!(
        defaults,
        vec![true, false],
        "the default went; the oldest remaining took over"
    );
    let (s, _) = b.api(
        "POST",
        "/user_management/redirect_uris",
        Some(json!({"uri": "https://app1.example.com/callback"})),
    );
    assert_eq!(s, 422, "duplicate");
}

#[test]
fn cors_origins_have_no_delete() {
    let b = Bench::start();
    lifecycle(
        &b,
        Case {
            object: "cors_origin",
            prefix: "cors_origin_",
            collection: "/user_management/cors_origins".into(),
            create: Box::new(|i| json!({"origin": format!("https://app{i}.example.com")})),
            get: None,
            update: None,
            delete: None,
            secrets: &[],
            key: "id",
        },
    );
    let (s, v) = b.api(
        "POST",
        "/user_management/cors_origins",
        Some(json!({"origin": "https://app0.example.com"})),
    );
    assert_eq!(
        (s, v["code"].clone()),
        (409, json!("duplicate_cors_origin"))
    );
    assert_eq!(
        b.api(
            "POST",
            "/user_management/cors_origins",
            Some(json!({"origin": "not an origin"}))
        )
        .0,
        422
    );
    assert!(
        common::local::route_for("DELETE", "/user_management/cors_origins/cors_origin_x").is_none()
    );
}

#[test]
fn jwt_template_is_404_before_the_first_put() {
    let b = Bench::start();
    assert_eq!(b.api("GET", "/user_management/jwt_template", None).0, 404);
    let a = ok(
        &b,
        "PUT",
        "/user_management/jwt_template",
        Some(json!({"content": "{\"org\": {{organization.id}}}"})),
    );
    assert_eq!(a["object"], "jwt_template");
    let r = ok(&b, "GET", "/user_management/jwt_template", None);
    assert_eq!(r, a);
    let u = ok(
        &b,
        "PUT",
        "/user_management/jwt_template",
        Some(json!({"content": "{}"})),
    );
    assert_eq!(u["content"], "{}");
    assert!(u["updated_at"].as_str() > a["updated_at"].as_str());
    assert_eq!(u["created_at"], a["created_at"]);
    assert_eq!(
        b.api(
            "PUT",
            "/user_management/jwt_template",
            Some(json!({"content": "{{ broken"}))
        )
        .0,
        422
    );
    // The spec requires content (refused before the family's own check).
    refused(
        &b,
        "PUT",
        "/user_management/jwt_template",
        Some(json!({})),
        "/content: \"content\" is a required property",
    );
}

#[test]
fn audit_log_schemas_version_and_retention_is_30_or_365() {
    let b = Bench::start();
    let path = "/audit_logs/actions/user.signed_in/schemas";
    assert_eq!(b.api("GET", path, None).0, 404);
    for v in 1..=3 {
        let s = ok(
            &b,
            "POST",
            path,
            Some(json!({"targets": [{"type": "user"}], "metadata": {"n": v}})),
        );
        assert_eq!(s["version"], v);
        assert_eq!(s["object"], "audit_log_schema");
    }
    let l = ok(&b, "GET", &format!("{path}?limit=1"), None);
    assert_eq!(l["data"][0]["version"], 3, "newest first");
    // The spec gives targets minItems 1 (refused before the family's own check).
    refused(
        &b,
        "POST",
        path,
        Some(json!({"targets": []})),
        "/targets: value has less than 1 item [minItems]",
    );
    let actions = ok(&b, "GET", "/audit_logs/actions", None);
    assert_eq!(actions["data"][0]["name"], "user.signed_in", "{actions}");
    assert_eq!(
        actions["data"][0]["schema"]["version"], 3,
        "with its newest schema"
    );
    let o = org(&b, "Ret");
    let r = format!("/organizations/{o}/audit_logs_retention");
    assert_eq!(
        ok(&b, "GET", &r, None)["retention_period_in_days"],
        Value::Null
    );
    // 7 is an integer, so the family's 30-or-365 rule answers; a text or null is no integer
    // per the spec, so the conformance check refuses those first.
    let (s, v) = b.api("PUT", &r, Some(json!({"retention_period_in_days": 7})));
    assert_eq!(s, 422, "only 30 or 365: {v}");
    assert!(b.proxy.take_violations().is_empty(), "7 is per spec");
    for bad in [json!("30"), Value::Null] {
        refused(
            &b,
            "PUT",
            &r,
            Some(json!({"retention_period_in_days": bad})),
            "/retention_period_in_days: value is not of type \"integer\" [type]",
        );
    }
    assert_eq!(
        ok(&b, "PUT", &r, Some(json!({"retention_period_in_days": 30})))
            ["retention_period_in_days"],
        30
    );
    assert_eq!(ok(&b, "GET", &r, None)["retention_period_in_days"], 30);
    let conf = ok(
        &b,
        "GET",
        &format!("/organizations/{o}/audit_log_configuration"),
        None,
    );
    assert_eq!(
        conf,
        json!({"organization_id": o, "retention_period_in_days": 30, "state": "active"})
    );
    assert_eq!(
        b.api("GET", "/organizations/org_nope/audit_logs_retention", None)
            .0,
        404
    );
    ok(&b, "DELETE", &format!("/organizations/{o}"), None);
    assert_eq!(b.api("GET", &r, None).0, 404);
}

#[test]
fn connect_applications() {
    let b = Bench::start();
    lifecycle(
        &b,
        Case {
            object: "connect_application",
            prefix: "conn_app_",
            collection: "/connect/applications".into(),
            create: Box::new(
                |i| json!({"name": format!("app {i}"), "application_type": "oauth", "is_first_party": true, "redirect_uris": [{"uri": "https://a.example.com/cb", "default": true}]}),
            ),
            get: Some(Box::new(|id| format!("/connect/applications/{id}"))),
            update: Some((
                "PUT",
                Box::new(|id| format!("/connect/applications/{id}")),
                json!({"scopes": ["openid"]}),
                "scopes",
            )),
            delete: Some(Box::new(|id| format!("/connect/applications/{id}"))),
            secrets: &[],
            key: "id",
        },
    );
    let o = org(&b, "M2M");
    // m2m needs an organization: the spec's CreateM2MApplicationDto requires it, so the
    // conformance check refuses it before the family's own check.
    refused(
        &b,
        "POST",
        "/connect/applications",
        Some(json!({"name": "m", "application_type": "m2m"})),
        "[oneOf]",
    );
    // A third-party oauth application without an organization is per the request schema,
    // but the spec's ConnectApplication gives it none to answer: the family refuses it.
    let (s, v) = b.api(
        "POST",
        "/connect/applications",
        Some(json!({"name": "t", "application_type": "oauth", "is_first_party": false})),
    );
    assert_eq!(s, 422, "third party needs an organization: {v}");
    assert!(b.proxy.take_violations().is_empty());
    let t = ok(
        &b,
        "POST",
        "/connect/applications",
        Some(
            json!({"name": "t", "application_type": "oauth", "is_first_party": false, "organization_id": o}),
        ),
    );
    assert_eq!(
        (
            t["organization_id"].clone(),
            t["was_dynamically_registered"].clone()
        ),
        (json!(o), json!(false))
    );
    let m = ok(
        &b,
        "POST",
        "/connect/applications",
        Some(json!({"name": "m", "application_type": "m2m", "organization_id": o})),
    );
    assert!(m.get("redirect_uris").is_none());
    let by_client = ok(
        &b,
        "GET",
        &format!("/connect/applications/{}", m["client_id"].as_str().unwrap()),
        None,
    );
    assert_eq!(by_client["id"], m["id"]);
    // An unknown application_type matches neither of the spec's create forms (refused by
    // the conformance check; the family's own check is unreachable).
    refused(
        &b,
        "POST",
        "/connect/applications",
        Some(json!({"name": "x", "application_type": "saml"})),
        "[oneOf]",
    );
}

#[test]
fn client_secrets_are_shown_once_and_go_with_their_app() {
    let b = Bench::start();
    let o = org(&b, "Third party");
    let app = ok(
        &b,
        "POST",
        "/connect/applications",
        Some(
            json!({"name": "a", "application_type": "oauth", "is_first_party": false, "organization_id": o}),
        ),
    );
    let col = format!("/connect/applications/{}/client_secrets", id(&app));
    let s1 = ok(&b, "POST", &col, Some(json!({})));
    let secret = s1["secret"].as_str().unwrap().to_string();
    assert!(ulid_ok(&id(&s1), "secret_"));
    assert_eq!(
        s1["secret_hint"].as_str().unwrap(),
        &secret[secret.len() - 4..]
    );
    let s2 = ok(&b, "POST", &col, Some(json!({})));
    let l = ok(&b, "GET", &col, None);
    assert_eq!(l.as_array().unwrap().len(), 2);
    assert!(
        !l.to_string().contains(&secret),
        "the list never shows a secret"
    );
    assert!(l[0].get("secret").is_none());
    assert_eq!(
        b.api(
            "DELETE",
            &format!("/connect/client_secrets/{}", id(&s1)),
            None
        )
        .0,
        204
    );
    assert_eq!(
        b.api(
            "DELETE",
            &format!("/connect/client_secrets/{}", id(&s1)),
            None
        )
        .0,
        404
    );
    ok(
        &b,
        "DELETE",
        &format!("/connect/applications/{}", id(&app)),
        None,
    );
    assert_eq!(
        b.api(
            "DELETE",
            &format!("/connect/client_secrets/{}", id(&s2)),
            None
        )
        .0,
        404,
        "secrets go with the app"
    );
    assert_eq!(b.api("GET", &col, None).0, 404);
}

#[test]
fn faults_apply_before_local_families() {
    let b = Bench::start();
    b.proxy
        .inject_status("GET", "/user_management/redirect_uris", 503, None, 1);
    assert_eq!(b.api("GET", "/user_management/redirect_uris", None).0, 503);
    assert_eq!(b.api("GET", "/user_management/redirect_uris", None).0, 200);
}

#[test]
fn every_local_route_is_a_spec_operation() {
    let spec = common::spec::spec();
    for r in common::local::families::ROUTES {
        let op = spec
            .operations
            .iter()
            .find(|o| o.method == r.method && o.path == r.path);
        assert!(
            op.is_some(),
            "local route {} {} is no spec operation",
            r.method,
            r.path
        );
    }
}

#[test]
fn feature_flags_come_from_fixtures() {
    let b = Bench::start();
    let (slugs, _) = list_ids(&b, "/feature-flags?order=asc");
    assert_eq!(slugs.len(), 3);
    let l = ok(&b, "GET", "/feature-flags?order=asc&limit=2", None);
    assert_eq!(l["data"][0]["slug"], "new-dashboard");
    let after = l["list_metadata"]["after"].as_str().unwrap().to_string();
    let rest = ok(
        &b,
        "GET",
        &format!("/feature-flags?order=asc&after={after}"),
        None,
    );
    assert_eq!(rest["data"][0]["slug"], "dark-mode");
    assert!(ulid_ok(&id(&l["data"][0]), "flag_"));
    let f = ok(&b, "GET", "/feature-flags/new-dashboard", None);
    assert_eq!(f["enabled"], false);
    let on = ok(&b, "PUT", "/feature-flags/new-dashboard/enable", None);
    assert_eq!(on["enabled"], true);
    assert!(on["updated_at"].as_str() > f["updated_at"].as_str());
    assert_eq!(
        ok(&b, "PUT", "/feature-flags/new-dashboard/disable", None)["enabled"],
        false
    );
    assert_eq!(b.api("GET", "/feature-flags/nope", None).0, 404);
    assert_eq!(b.api("PUT", "/feature-flags/nope/enable", None).0, 404);
    // Targets: an organization or a user only; a user's flags include its organizations'.
    let o = org(&b, "Flags");
    let (u, _) = member(&b, &o, "f@example.com");
    let t = format!("/feature-flags/new-dashboard/targets/{o}");
    assert_eq!(b.api("POST", &t, None).0, 204);
    assert_eq!(
        b.api("POST", "/feature-flags/new-dashboard/targets/conn_x", None)
            .0,
        404
    );
    assert_eq!(
        b.proxy.local().flag_targets("new-dashboard"),
        vec![o.clone()]
    );
    ok(&b, "PUT", "/feature-flags/new-dashboard/enable", None);
    let names = |path: &str| -> Vec<String> {
        ok(&b, "GET", path, None)["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["slug"].as_str().unwrap().to_string())
            .collect()
    };
    assert!(
        names(&format!("/organizations/{o}/feature-flags")).contains(&"new-dashboard".to_string())
    );
    assert!(names(&format!("/user_management/users/{u}/feature-flags"))
        .contains(&"new-dashboard".to_string()));
    let other = org(&b, "NoFlags");
    assert!(!names(&format!("/organizations/{other}/feature-flags"))
        .contains(&"new-dashboard".to_string()));
    assert_eq!(b.api("DELETE", &t, None).0, 204);
    assert_eq!(b.api("DELETE", &t, None).0, 404);
    assert!(b.proxy.local().flag_targets("new-dashboard").is_empty());
}

#[test]
fn radar_lists() {
    let b = Bench::start();
    let p = "/radar/lists/ip_address/block";
    assert_eq!(
        b.api("POST", p, Some(json!({"entry": "203.0.113.7"}))).0,
        201
    );
    let (s, v) = b.api("POST", p, Some(json!({"entry": "203.0.113.7"})));
    assert_eq!(s, 200);
    assert!(v["message"].is_string());
    assert_eq!(b.api("POST", p, Some(json!({"entry": "not-an-ip"}))).0, 400);
    assert_eq!(
        b.api(
            "POST",
            "/radar/lists/country/allow",
            Some(json!({"entry": "usa"}))
        )
        .0,
        400
    );
    assert_eq!(
        b.api(
            "POST",
            "/radar/lists/country/allow",
            Some(json!({"entry": "US"}))
        )
        .0,
        201
    );
    assert_eq!(
        b.api(
            "POST",
            "/radar/lists/planet/block",
            Some(json!({"entry": "x"}))
        )
        .0,
        400
    );
    assert_eq!(
        b.proxy.local().radar_entries("ip_address", "block"),
        vec!["203.0.113.7"]
    );
    assert_eq!(
        b.api("DELETE", p, Some(json!({"entry": "203.0.113.7"}))).0,
        204
    );
    assert_eq!(
        b.api("DELETE", p, Some(json!({"entry": "203.0.113.7"}))).0,
        404
    );
    assert!(b
        .proxy
        .local()
        .radar_entries("ip_address", "block")
        .is_empty());
}

const PROVIDERS: [&str; 3] = ["github", "slack", "linear"];

#[test]
fn data_integrations() {
    let b = Bench::start();
    lifecycle(
        &b,
        Case {
            object: "data_integration",
            prefix: "data_integration_",
            collection: "/data-integrations".into(),
            create: Box::new(
                |i| json!({"provider": PROVIDERS[i], "credentials": {"type": "custom", "client_id": "cid", "client_secret": "topsecret1234"}}),
            ),
            get: Some(Box::new(|slug| format!("/data-integrations/{slug}"))),
            update: Some((
                "PUT",
                Box::new(|slug| format!("/data-integrations/{slug}")),
                json!({"description": "d"}),
                "description",
            )),
            delete: Some(Box::new(|slug| format!("/data-integrations/{slug}"))),
            secrets: &[],
            key: "slug",
        },
    );
    let (s, _) = b.api(
        "POST",
        "/data-integrations",
        Some(json!({"provider": "slack"})),
    );
    assert_eq!(s, 409, "one integration per provider");
    let d = ok(&b, "GET", "/data-integrations/slack", None);
    assert_eq!(
        d["credentials"],
        json!({"type": "custom", "client_id": "cid", "redacted_client_secret": "1234"})
    );
    assert!(
        !d.to_string().contains("topsecret"),
        "the client secret is never returned"
    );
}

#[test]
fn organization_data_integration_configurations() {
    let b = Bench::start();
    let o = org(&b, "Pipes");
    ok(
        &b,
        "POST",
        "/data-integrations",
        Some(json!({"provider": "github"})),
    );
    let p = format!("/organizations/{o}/data_integration_configurations/github");
    assert_eq!(
        b.api("PUT", &p, Some(json!({"client_id": "x"}))).0,
        422,
        "client_id needs client_secret"
    );
    assert_eq!(
        b.api(
            "PUT",
            &format!("/organizations/{o}/data_integration_configurations/nope"),
            Some(json!({}))
        )
        .0,
        404
    );
    let c = ok(
        &b,
        "PUT",
        &p,
        Some(
            json!({"enabled": true, "client_id": "cid", "client_secret": "s3cret9876", "scopes": null}),
        ),
    );
    assert_eq!(c["object"], "data_integration_configuration");
    assert_eq!(c["credentials"]["client_secret_last_four"], "9876");
    assert!(!c.to_string().contains("s3cret"));
    let c2 = ok(&b, "PUT", &p, Some(json!({"enabled": false})));
    assert_eq!(
        (c2["id"].clone(), c2["enabled"].clone()),
        (c["id"].clone(), json!(false)),
        "PUT upserts"
    );
    assert!(c2["updated_at"].as_str() > c["updated_at"].as_str());
    let l = ok(
        &b,
        "GET",
        &format!("/organizations/{o}/data_integration_configurations"),
        None,
    );
    assert_eq!(l["data"].as_array().unwrap().len(), 1);
    // Cascades: the integration's delete drops the configurations; so does the organization's.
    ok(&b, "DELETE", "/data-integrations/github", None);
    let l = ok(
        &b,
        "GET",
        &format!("/organizations/{o}/data_integration_configurations"),
        None,
    );
    assert_eq!(l["data"], json!([]));
    ok(
        &b,
        "POST",
        "/data-integrations",
        Some(json!({"provider": "github"})),
    );
    ok(&b, "PUT", &p, Some(json!({})));
    ok(&b, "DELETE", &format!("/organizations/{o}"), None);
    assert_eq!(
        b.local_count("data_integration_configuration"),
        0,
        "the organization's went"
    );
}

#[test]
fn vault_objects_and_data_keys() {
    let b = Bench::start();
    let mk = |name: &str| {
        b.api(
            "POST",
            "/vault/v1/kv",
            Some(json!({"name": name, "value": "v1", "key_context": {"tenant": "t"}})),
        )
    };
    let (s, m) = mk("db-password");
    assert_eq!(s, 201, "{m}");
    assert!(m.get("value").is_none(), "create answers metadata only");
    assert_eq!(mk("db-password").0, 409, "names are unique");
    let oid = id(&m);
    let shown = ok(&b, "GET", &format!("/vault/v1/kv/{oid}"), None);
    assert_eq!(shown["value"], "v1");
    assert_eq!(
        ok(&b, "GET", "/vault/v1/kv/name/db-password", None)["id"],
        json!(oid)
    );
    let meta = ok(&b, "GET", &format!("/vault/v1/kv/{oid}/metadata"), None);
    assert!(meta.get("value").is_none());
    let v1 = meta["metadata"]["version_id"].clone();
    let (s, _) = b.api(
        "PUT",
        &format!("/vault/v1/kv/{oid}"),
        Some(json!({"value": "v2", "version_check": "stale"})),
    );
    assert_eq!(s, 409, "version_check must match");
    let (s, u) = b.api(
        "PUT",
        &format!("/vault/v1/kv/{oid}"),
        Some(json!({"value": "v2", "version_check": v1})),
    );
    assert_eq!(s, 201, "{u}");
    assert_ne!(u["metadata"]["version_id"], v1);
    let vs = ok(&b, "GET", &format!("/vault/v1/kv/{oid}/versions"), None);
    assert_eq!(vs["data"].as_array().unwrap().len(), 2);
    assert_eq!(vs["data"][0]["current_version"], true);
    mk("api-token");
    let idx = ok(&b, "GET", "/vault/v1/kv?search=db", None);
    assert_eq!(idx["data"].as_array().unwrap().len(), 1);
    assert!(!idx.to_string().contains("v2"));
    let d = ok(&b, "DELETE", &format!("/vault/v1/kv/{oid}"), None);
    assert_eq!(d, json!({"name": "db-password", "success": true}));
    assert_eq!(b.api("GET", &format!("/vault/v1/kv/{oid}"), None).0, 404);
    let k = ok(
        &b,
        "POST",
        "/vault/v1/keys/data-key",
        Some(json!({"context": {"tenant": "t"}})),
    );
    let back = ok(
        &b,
        "POST",
        "/vault/v1/keys/decrypt",
        Some(json!({"keys": k["encrypted_keys"]})),
    );
    assert_eq!(
        (back["data_key"].clone(), back["id"].clone()),
        (k["data_key"].clone(), k["id"].clone())
    );
    assert_eq!(
        b.api(
            "POST",
            "/vault/v1/keys/decrypt",
            Some(json!({"keys": "garbage"}))
        )
        .0,
        400
    );
}

#[test]
fn directories_from_fixtures_with_the_spec_filters() {
    let b = Bench::start();
    let o = org(&b, "Dir");
    let other = org(&b, "Other");
    assert_eq!(
        list_ids(&b, "/directories").0,
        Vec::<String>::new(),
        "no directory until seeded"
    );
    let dirs = b.proxy.local().seed_directories(&o);
    b.proxy.local().seed_directories(&other);
    assert!(ulid_ok(&dirs[0], "directory_"));
    assert_eq!(
        list_ids(&b, &format!("/directories?organization_id={o}&order=asc")).0,
        dirs
    );
    assert_eq!(
        list_ids(&b, &format!("/directories?organization_id={o}&search=okta")).0,
        vec![dirs[0].clone()]
    );
    assert_eq!(
        list_ids(
            &b,
            &format!("/directories?organization_id={o}&domain=corp.example.org")
        )
        .0,
        vec![dirs[1].clone()]
    );
    let (page, meta) = list_ids(&b, "/directories?limit=3");
    assert_eq!(page.len(), 3);
    assert_eq!(
        list_ids(
            &b,
            &format!(
                "/directories?limit=3&after={}",
                meta["after"].as_str().unwrap()
            )
        )
        .0
        .len(),
        1
    );
    let d = ok(&b, "GET", &format!("/directories/{}", dirs[0]), None);
    assert_eq!(
        d["metadata"],
        json!({"users": {"active": 2, "inactive": 1}, "groups": 2})
    );
    let users = format!("/directory_users?directory={}", dirs[0]);
    assert_eq!(list_ids(&b, &users).0.len(), 3);
    let grace = ok(&b, "GET", &format!("{users}&email=grace@example.com"), None)["data"][0].clone();
    assert_eq!(grace["groups"].as_array().unwrap().len(), 2, "{grace}");
    let eng = grace["groups"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(
        list_ids(&b, &format!("/directory_users?group={eng}"))
            .0
            .len(),
        2
    );
    assert_eq!(list_ids(&b, &format!("{users}&idp_id=00u-alan")).0.len(), 1);
    assert_eq!(
        ok(&b, "GET", &format!("/directory_users/{}", id(&grace)), None),
        grace
    );
    assert_eq!(
        list_ids(&b, &format!("/directory_groups?user={}", id(&grace)))
            .0
            .len(),
        2
    );
    assert_eq!(
        list_ids(&b, &format!("/directory_groups?directory={}", dirs[0]))
            .0
            .len(),
        2
    );
    assert_eq!(
        ok(&b, "GET", &format!("/directory_groups/{eng}"), None)["name"],
        "Engineering"
    );
    // Delete answers 202 (with a JSON body, as the spec gives) and takes users and groups
    // along; the organization's delete the rest.
    assert_eq!(
        b.api("DELETE", &format!("/directories/{}", dirs[0]), None),
        (202, json!({}))
    );
    assert_eq!(
        b.api("GET", &format!("/directory_users/{}", id(&grace)), None)
            .0,
        404
    );
    assert_eq!(
        b.api("GET", &format!("/directory_groups/{eng}"), None).0,
        404
    );
    assert_eq!(
        b.api("GET", &format!("/directories/{}", dirs[0]), None).0,
        404
    );
    ok(&b, "DELETE", &format!("/organizations/{o}"), None);
    assert_eq!(
        b.api("GET", &format!("/directories/{}", dirs[1]), None).0,
        404
    );
    assert_eq!(
        list_ids(&b, "/directories").0.len(),
        2,
        "the other organization keeps its own"
    );
}

#[test]
fn the_spec_guard_still_refuses_what_no_spec_operation_is() {
    // CORS origins have no delete in the spec; the family has none, and the guard answers
    // 404 before any family is asked.
    let b = Bench::start();
    let c = ok(
        &b,
        "POST",
        "/user_management/cors_origins",
        Some(json!({"origin": "https://a.example.com"})),
    );
    let (s, v) = b.api(
        "DELETE",
        &format!("/user_management/cors_origins/{}", id(&c)),
        None,
    );
    assert_eq!((s, v["code"].clone()), (404, json!("not_found")));
    let violations = b.proxy.take_violations();
    assert_eq!(violations.len(), 1, "{violations:?}");
    assert!(violations[0].contains("not a spec operation"));
    assert_eq!(
        list_ids(&b, "/user_management/cors_origins").0,
        vec![id(&c)],
        "the origin stays"
    );
}

#[test]
fn answers_say_which_family_served_them() {
    let b = Bench::start();
    let o = org(&b, "Log");
    ok(
        &b,
        "POST",
        &format!("/organizations/{o}/groups"),
        Some(json!({"name": "g"})),
    );
    let log = b.proxy.requests();
    let last = log.last().unwrap();
    assert_eq!(last.row, Some("group"));
    assert_eq!(last.status, 201);
    assert_eq!(
        log[0].row,
        Some("OrganizationsController_create"),
        "emulator traffic keeps its rows"
    );
}
