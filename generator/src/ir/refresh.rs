//! Which resources may refresh from their list operation.
//!
//! A resource read with a GET gets a [`RefreshIr`] only when all of these hold, so that a
//! list item can go through exactly the response → state mapping a GET body goes through:
//! - the GET's path ends in `/{p}` and binds no query parameter; `p`'s attribute is read back
//!   from responses (that response field identifies an item);
//! - the spec has a GET on the path without `/{p}` (so its path parameters are the GET's
//!   others) whose response is a page (`data[]` and `list_metadata`), which takes `limit` and
//!   `after`, and requires no query parameter;
//! - that list's item schema, with every `$ref` resolved, is the GET response schema
//!   (structural equality of the resolved shapes: same properties, types, required sets and
//!   descriptions), and it has the identifying field.
//!
//! Anything else gets none: the runtime then always GETs.

use super::attrs::list_item;
use super::check::Errors;
use super::model::{ReadIr, RefreshIr, ResourceIr};
use super::op_ir;
use crate::resolve::{Kind, OperationInfo, Resolver};

/// The list that may serve refreshes of `ir`, whose read operation is `read`.
pub fn refresh_list(
    read: &OperationInfo,
    ir: &ResourceIr,
    resolver: &Resolver,
    errs: &mut Errors,
) -> Option<RefreshIr> {
    let ReadIr::Get(get) = &ir.read else {
        return None;
    };
    if !get.query_params.is_empty() {
        return None;
    }
    let (parent, last) = get.path.rsplit_once('/')?;
    let param = last.strip_prefix('{')?.strip_suffix('}')?;
    let binding = get.path_params.iter().find(|p| p.param == param)?;
    let field = ir
        .attrs
        .iter()
        .find(|a| a.name == binding.attr)?
        .response_field
        .clone()?;
    let body = read.response.as_ref()?;
    if !has_property(body, &field) {
        return None;
    }
    let list = resolver
        .operations()
        .into_iter()
        .find(|o| o.method == "GET" && o.path == parent && serves(o, body))?;
    // The list's path parameters are the GET's others: bound to the same attributes.
    let same = (get.path_params.iter()).map(|b| (b.param.clone(), b.attr.clone()));
    let bind = crate::overrides::Bind::from([(list.operation_id.clone(), same.collect())]);
    let op = op_ir(&list, vec![], &bind, errs, "refresh");
    op.paginated.then(|| RefreshIr {
        op,
        field,
        attr: binding.attr.clone(),
    })
}

/// Is `list` a complete, pageable listing whose items are `body`?
fn serves(list: &OperationInfo, body: &crate::resolve::Shape) -> bool {
    let takes = |name: &str| list.query_params.iter().any(|q| q.name == name);
    takes("limit")
        && takes("after")
        && !list.query_params.iter().any(|q| q.required)
        && list_item(list).as_ref() == Some(body)
}

fn has_property(s: &crate::resolve::Shape, field: &str) -> bool {
    matches!(&s.kind, Kind::Object { properties, .. } if properties.contains_key(field))
}
