//! The generator refuses an override that would generate but fail at run time. One case per
//! rule on the `rules` fixture (tests/fixtures/rules/): each error names the file, the key and
//! the fix; the accepted forms produce the bindings the runtime needs.

use descriptor::Mode;
use generator::ir::{AttrIr, DataKindIr, OpIr, ProviderIr, ReadIr, ResourceIr, ValidatorIr};
use std::path::Path;

fn fixture() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rules")
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let (p, dest) = (e.path(), to.join(e.file_name()));
        if p.is_dir() {
            copy_tree(&p, &dest);
        } else {
            std::fs::copy(&p, &dest).unwrap();
        }
    }
}

/// Generate the fixture with `files` (path under the root → content) added or replaced.
fn generate(files: &[(&str, &str)]) -> Result<ProviderIr, Vec<String>> {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&fixture(), dir.path());
    for (path, content) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    }
    generator::generate(dir.path())
        .map(|o| o.ir)
        .map_err(|e| e.iter().map(|e| e.to_string()).collect())
}

fn resource(name: &str, body: &str) -> (String, String) {
    (
        format!("overrides/resources/{name}.yaml"),
        format!("resource: rules_{name}\ndescription: A {name}.\n{body}"),
    )
}

/// The errors of the fixture plus one resource file.
fn errors(name: &str, body: &str) -> Vec<String> {
    let (path, content) = resource(name, body);
    match generate(&[(&path, &content)]) {
        Ok(_) => vec![],
        Err(e) => e,
    }
}

/// One error names the file and the key and says every one of `words`.
fn assert_error(errs: &[String], file: &str, key: &str, words: &[&str]) {
    let hit = errs.iter().any(|e| {
        e.contains(file) && e.contains(&format!(": {key}: ")) && words.iter().all(|w| e.contains(w))
    });
    assert!(hit, "no error at {file}: {key} saying {words:?}: {errs:#?}");
}

fn accepted(name: &str, body: &str) -> ResourceIr {
    let (path, content) = resource(name, body);
    let ir = generate(&[(&path, &content)]).unwrap_or_else(|e| panic!("{e:#?}"));
    (ir.resources.into_iter())
        .find(|r| r.name == format!("rules_{name}"))
        .unwrap()
}

fn attr<'a>(attrs: &'a [AttrIr], name: &str) -> &'a AttrIr {
    (attrs.iter().find(|a| a.name == name)).unwrap_or_else(|| panic!("no attribute {name}"))
}

fn binding(op: &OpIr, param: &str) -> String {
    let b = op.path_params.iter().find(|b| b.param == param);
    b.unwrap_or_else(|| panic!("{} has no {param}", op.operation_id))
        .attr
        .clone()
}

fn read_op(r: &ResourceIr) -> &OpIr {
    match &r.read {
        ReadIr::Get(op) | ReadIr::ListFind { op, .. } => op,
    }
}

const GADGET_OPS: &str = "operations:\n  create: Gadgets_create\n  read: Gadgets_get\n  update: Gadgets_update\n  delete: Gadgets_delete\nimport: [parent_id, id]\n";

// ---- G1: create path parameters are Required and force-new, echoed or not ----

#[test]
fn create_path_parameter_echoed_by_the_response_is_required_and_read_back() {
    let r = accepted(
        "gadget2",
        &format!("{GADGET_OPS}bind:\n  \"*\": {{gadgetId: id}}\n"),
    );
    let p = attr(&r.attrs, "parent_id");
    assert_eq!(
        p.mode,
        Mode::Required,
        "a create path parameter is set by the user"
    );
    assert!(p.force_new, "and replaces the object when changed");
    assert_eq!(p.response_field.as_deref(), Some("parent_id"), "read back");
    assert_eq!(binding(&r.create, "parentId"), "parent_id");
    assert_eq!(r.attrs.iter().filter(|a| a.name == "parent_id").count(), 1);
}

// ---- every path parameter resolves ----

#[test]
fn a_path_parameter_nothing_fills_is_refused_with_bind_as_the_fix() {
    // {gadgetId} → gadget_id: no field of the response has that name.
    let errs = errors("gadget2", GADGET_OPS);
    for key in ["operations.read", "operations.update", "operations.delete"] {
        assert_error(
            &errs,
            "gadget2.yaml",
            key,
            &["{gadgetId}", "Gadgets_", "gadget_id", "bind: {Gadgets_"],
        );
    }
}

#[test]
fn a_create_path_parameter_made_computed_is_refused() {
    let body = format!(
        "{GADGET_OPS}bind:\n  \"*\": {{gadgetId: id}}\nattributes:\n  parent_id: {{mode: computed}}\n"
    );
    assert_error(
        &errors("gadget2", &body),
        "gadget2.yaml",
        "operations.create",
        &[
            "{parentId}",
            "by the naming rule",
            "parent_id",
            "computed",
            "before the API has answered",
            "attributes.parent_id.mode: required",
        ],
    );
}

#[test]
fn a_renamed_path_parameter_attribute_is_refused_naming_bind() {
    let body = format!(
        "{GADGET_OPS}bind:\n  \"*\": {{gadgetId: id}}\nattributes:\n  parent_id: {{rename: parent}}\n"
    )
    .replace("[parent_id, id]", "[parent, id]");
    assert_error(
        &errors("gadget2", &body),
        "gadget2.yaml",
        "operations.read",
        &[
            "{parentId}",
            "not an attribute",
            "bind: {Gadgets_get: {parentId: <attribute>}}",
        ],
    );
}

// ---- a plural data source's path parameters are its Required arguments ----

#[test]
fn a_parent_scoped_list_takes_its_path_parameter_as_a_required_argument() {
    let ir = generate(&[]).unwrap_or_else(|e| panic!("{e:#?}"));
    let d = &ir.data_sources[0];
    let arg = attr(&d.attrs, "parent_id");
    assert_eq!(arg.mode, Mode::Required);
    assert_eq!(
        attr(&d.attrs, "name").mode,
        Mode::Optional,
        "a query filter"
    );
    let DataKindIr::List { op, .. } = &d.kind else {
        panic!("a list")
    };
    assert_eq!(binding(op, "parentId"), "parent_id", "sent in the path");
}

// ---- bind ----

const ROLE_PERMISSION: &str = "operations:\n  create: Roles_addPermission\n  read: Roles_getPermission\n  delete: Roles_removePermission\nimport: [role_slug, slug]\n";

#[test]
fn bind_parts_a_path_parameter_from_a_body_field_of_its_name() {
    // Without bind, {slug} (the role) merges with the body's slug (the permission) and
    // {permissionSlug} has no value.
    assert_error(
        &errors("role_permission", ROLE_PERMISSION),
        "role_permission.yaml",
        "operations.read",
        &["{permissionSlug}", "permission_slug", "bind:"],
    );
    let body = format!(
        "{ROLE_PERMISSION}bind:\n  \"*\": {{slug: role_slug, permissionSlug: slug}}\nattributes:\n  slug: {{description: The permission.}}\n"
    );
    let r = accepted("role_permission", &body);
    let role = attr(&r.attrs, "role_slug");
    assert_eq!((role.mode, role.force_new), (Mode::Required, true));
    assert_eq!(role.create_field, None, "the role is sent in the path only");
    let perm = attr(&r.attrs, "slug");
    assert_eq!(
        perm.create_field.as_deref(),
        Some("slug"),
        "the body field keeps its attribute"
    );
    assert!(
        perm.description.starts_with("The permission."),
        "and its override"
    );
    assert!(
        !role.description.contains("The permission."),
        "not the parameter's"
    );
    assert_eq!(binding(&r.create, "slug"), "role_slug");
    assert_eq!(binding(read_op(&r), "slug"), "role_slug");
    assert_eq!(binding(read_op(&r), "permissionSlug"), "slug");
}

#[test]
fn bind_per_operation_gives_one_parameter_two_meanings() {
    let ops = "operations:\n  create: Secrets_create\n  read: Secrets_get\n  delete: Secrets_delete\nimport: [id]\n";
    let r = accepted(
        "secret",
        &format!("{ops}bind:\n  Secrets_create: {{id: app_id}}\n"),
    );
    assert_eq!(binding(&r.create, "id"), "app_id", "the application");
    assert_eq!(binding(read_op(&r), "id"), "id", "the secret");
    assert_eq!(binding(r.delete.as_ref().unwrap(), "id"), "id");
    let app = attr(&r.attrs, "app_id");
    assert_eq!((app.mode, app.force_new), (Mode::Required, true));
    assert_eq!(
        attr(&r.attrs, "id").mode,
        Mode::Computed,
        "filled by the create response"
    );
}

#[test]
fn bind_takes_a_path_parameter_from_a_request_attribute() {
    let ops = "operations:\n  create: Members_add\n  read: Members_get\n  delete: Members_remove\nimport: [group_id, organization_membership_id]\n";
    assert_error(
        &errors("member", ops),
        "member.yaml",
        "operations.delete",
        &[
            "{omId}",
            "om_id",
            "bind: {Members_remove: {omId: <attribute>}}",
        ],
    );
    // Renaming the body field to the parameter's name is the remedy the old message suggested;
    // the message now says a path parameter is bound, not renamed.
    let renamed = format!("{ops}attributes:\n  organization_membership_id: {{rename: om_id}}\n")
        .replace("organization_membership_id]", "om_id]");
    assert_error(
        &errors("member", &renamed),
        "member.yaml",
        "attributes.om_id",
        &[
            "two fields",
            "{omId}",
            "neither renamed nor ignored",
            "bind:",
        ],
    );
    let r = accepted(
        "member",
        &format!("{ops}bind:\n  \"*\": {{omId: organization_membership_id}}\n"),
    );
    let delete = r.delete.as_ref().unwrap();
    assert_eq!(binding(delete, "omId"), "organization_membership_id");
    assert_eq!(binding(delete, "groupId"), "group_id");
    let m = attr(&r.attrs, "organization_membership_id");
    assert_eq!(m.mode, Mode::Required);
    assert_eq!(
        m.create_field.as_deref(),
        Some("organization_membership_id")
    );
}

#[test]
fn bind_keys_must_name_an_operation_and_a_path_parameter() {
    let body = format!("{GADGET_OPS}bind:\n  \"*\": {{gadgetId: id}}\n  Gadgets_fetch: {{x: id}}\n  Gadgets_get: {{name: name}}\n");
    let errs = errors("gadget2", &body);
    assert_error(
        &errs,
        "gadget2.yaml",
        "bind.Gadgets_fetch",
        &["not an operation of this object"],
    );
    assert_error(
        &errs,
        "gadget2.yaml",
        "bind.Gadgets_get.name",
        &["no path parameter {name}"],
    );
}

// ---- methods fit roles ----

#[test]
fn an_operation_whose_method_does_not_fit_its_role_is_refused() {
    let get_create = GADGET_OPS.replace("create: Gadgets_create", "create: Gadgets_find");
    let body = format!("{get_create}bind:\n  \"*\": {{gadgetId: id}}\n");
    assert_error(
        &errors("gadget2", &body),
        "gadget2.yaml",
        "operations.create",
        &["Gadgets_find", "GET /gadgets/{id}", "POST or PUT"],
    );
    let post_read = GADGET_OPS.replace("read: Gadgets_get", "read: Gadgets_search");
    let body = format!("{post_read}bind:\n  \"*\": {{gadgetId: id}}\n");
    assert_error(
        &errors("gadget2", &body),
        "gadget2.yaml",
        "operations.read",
        &["Gadgets_search", "POST /gadgets/search", "GET"],
    );
    let ds = "data_source: rules_gadget\ndescription: One gadget.\nlookups:\n  name:\n    operation: Gadgets_search\n";
    let errs = generate(&[("overrides/data-sources/gadget.yaml", ds)]).unwrap_err();
    assert_error(
        &errs,
        "gadget.yaml",
        "lookups.name.operation",
        &[
            "Gadgets_search",
            "POST",
            "POST lookups are not supported yet",
        ],
    );
}

// ---- a lookup binds only arguments ----

#[test]
fn a_lookup_query_bound_to_a_result_is_refused() {
    let ds = |query: &str| {
        format!("data_source: rules_gadget\ndescription: One gadget.\nlookups:\n  id:\n    operation: Gadgets_find\n    query: {{parent_id: {query}}}\n")
    };
    // parent_id is a result of the lookup: the user cannot set it.
    let errs = generate(&[("overrides/data-sources/gadget.yaml", &ds("parent_id"))]).unwrap_err();
    assert_error(
        &errs,
        "gadget.yaml",
        "lookups.id.query.parent_id",
        &[
            "a result the user cannot set",
            "bind it to the lookup's argument \"id\"",
        ],
    );
    // Bound to the lookup's own argument, it is accepted.
    generate(&[("overrides/data-sources/gadget.yaml", &ds("id"))])
        .unwrap_or_else(|e| panic!("{e:#?}"));
}

// ---- singletons ----

const SETTINGS: &str = "operations:\n  create: Settings_put\n  read: Settings_get\nimport: []\n";

#[test]
fn an_empty_import_list_needs_a_declared_singleton() {
    assert_error(
        &errors("settings", SETTINGS),
        "settings.yaml",
        "import",
        &["any import ID", "singleton: true"],
    );
    let (path, content) = resource("settings", &format!("{SETTINGS}singleton: true\n"));
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&fixture(), dir.path());
    std::fs::write(dir.path().join(&path), content).unwrap();
    let out = generator::generate(dir.path()).unwrap_or_else(|e| panic!("{e:?}"));
    assert!(out.ir.resources.iter().any(|r| r.singleton));
    let doc = &out.files["docs/resources/settings.md"];
    assert!(
        doc.contains("terraform import rules_settings.example singleton"),
        "{doc}"
    );
    assert!(doc.contains("overwrites"), "{doc}");
    let sh = &out.files["examples/resources/rules_settings/import.sh"];
    assert!(
        sh.contains("terraform import rules_settings.example \"singleton\""),
        "{sh}"
    );
}

// ---- hooks ----

#[test]
fn a_hook_the_registry_lacks_is_refused() {
    let body =
        format!("{GADGET_OPS}bind:\n  \"*\": {{gadgetId: id}}\nhooks: [read_by_membership]\n");
    assert_error(
        &errors("gadget2", &body),
        "gadget2.yaml",
        "hooks.read_by_membership",
        &["provider/src/hooks/names.txt"],
    );
    let (path, content) = resource("gadget2", &body);
    let names = "# resource hook\nrules_gadget2 read_by_membership\n";
    generate(&[(&path, &content), ("provider/src/hooks/names.txt", names)])
        .unwrap_or_else(|e| panic!("{e:#?}"));
}

// ---- operations chosen by a value: `import_by`, `transitions` ----

#[test]
fn import_by_needs_a_get_whose_path_takes_the_attribute() {
    let bind = "bind:\n  \"*\": {gadgetId: id}\n";
    let r = accepted(
        "gadget2",
        &format!("{GADGET_OPS}{bind}import_by:\n  id: Gadgets_find\n"),
    );
    assert_eq!(r.import_by.len(), 1);
    assert_eq!(r.import_by[0].attr, "id");
    assert_eq!(binding(&r.import_by[0].op, "id"), "id");
    let errs = errors(
        "gadget2",
        &format!("{GADGET_OPS}{bind}import_by:\n  name: Gadgets_find\n"),
    );
    assert_error(
        &errs,
        "gadget2.yaml",
        "import_by.name",
        &["path parameter id", "not to \"name\""],
    );
    let errs = errors(
        "gadget2",
        &format!("{GADGET_OPS}{bind}import_by:\n  name: Gadgets_search\n"),
    );
    assert_error(&errs, "gadget2.yaml", "import_by.name", &["POST", "GET"]);
}

#[test]
fn a_transition_attribute_is_settable_and_takes_only_its_values() {
    let bind = "bind:\n  \"*\": {gadgetId: id}\n";
    let to = "transitions:\n  owner_id:\n    gone: Gadgets_delete\n";
    let errs = errors("gadget2", &format!("{GADGET_OPS}{bind}{to}"));
    assert_error(
        &errs,
        "gadget2.yaml",
        "transitions.owner_id",
        &["computed", "mode: computed_optional"],
    );
    let settable = "attributes:\n  owner_id:\n    mode: computed_optional\n";
    let r = accepted("gadget2", &format!("{GADGET_OPS}{bind}{to}{settable}"));
    let a = attr(&r.attrs, "owner_id");
    assert_eq!(a.validators, vec![ValidatorIr::OneOf(vec!["gone".into()])]);
    assert!(
        a.description.contains("One of: `gone`."),
        "{}",
        a.description
    );
    assert_eq!(r.transitions[0].to[0].value, "gone");
    assert_eq!(r.transitions[0].to[0].op.operation_id, "Gadgets_delete");
    let errs = errors(
        "gadget2",
        &format!("{GADGET_OPS}{bind}transitions:\n  nothing:\n    x: Gadgets_delete\n"),
    );
    assert_error(
        &errs,
        "gadget2.yaml",
        "transitions.nothing",
        &["not an attribute"],
    );
}
