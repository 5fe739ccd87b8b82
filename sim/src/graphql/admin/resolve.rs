//! The generic resolver: an object is a JSON object keyed by Shopify's field names
//! ([`Obj`], built from the store by `graphql/project/`), and a field answers what its key
//! holds, converted to the field's type: objects and lists as they are, `{"__ref": gid}` as the
//! object the id names (looked up when asked, so cycles such as order → customer → orders cost
//! nothing until selected), an array under a connection field as a page of it (Shopify's
//! `first`/`after`/`last`/`before`/`reverse`), `first` on a plain list as a cut. A key the
//! object lacks answers null when Shopify's type allows it, else a value made up for the type
//! ([`super::synth`]): the simulator keeps no data behind it, but a client still gets what
//! Shopify's schema promises.

use std::borrow::Cow;
use std::sync::Arc;

use async_graphql::dynamic::{FieldValue, ResolverContext, TypeRef};
use async_graphql::{Error, Name, Value as GqlValue};
use serde_json::{json, Value};

use super::catalog::{Catalog, Shape};
use super::synth;
use super::table::Resolver;
use crate::graphql::paging::{paginate, Page, PageArgs};
use crate::graphql::project::lookup;

/// One field of an object type, as its resolver sees it.
pub struct FieldInfo {
    pub name: String,
    pub ty: TypeRef,
    pub catalog: Arc<Catalog>,
    pub custom: Option<Resolver>,
}

/// An object the schema answers from: a JSON object keyed by Shopify's field names, with
/// `__typename` (needed where the field's type is an interface or a union).
#[derive(Debug, Clone)]
pub struct Obj(pub Value);

pub use super::synth::shared;

/// Answers one field.
pub fn field<'a>(
    ctx: &ResolverContext<'a>,
    info: &FieldInfo,
) -> Result<Option<FieldValue<'a>>, Error> {
    if let Some(custom) = info.custom {
        return custom(ctx, &info.catalog);
    }
    let parent = parent_json(ctx)?;
    let mut raw = match parent.get(&info.name) {
        Some(v) => Cow::Borrowed(v),
        None => Cow::Owned(Value::Null),
    };
    let is_list = matches!(&info.ty, TypeRef::List(_))
        || matches!(&info.ty, TypeRef::NonNull(inner) if matches!(**inner, TypeRef::List(_)));
    if is_list && info.catalog.connection(info.ty.type_name()).is_none() {
        let cut = first_cut(ctx);
        if let Value::Array(items) = raw.as_ref() {
            if items.len() > cut {
                raw = Cow::Owned(Value::Array(items[..cut].to_vec()));
            }
        }
    }
    value_of(ctx, &info.catalog, &info.ty, raw, parent)
}

/// The JSON of the object whose field is being resolved: an [`Obj`] a resolver made, or a
/// part of its parent's JSON handed down by reference (objects nested in a projection are
/// never copied to be resolved).
pub fn parent_json<'a>(ctx: &ResolverContext<'a>) -> Result<&'a Value, Error> {
    match ctx.parent_value.try_downcast_ref::<Obj>() {
        Ok(obj) => Ok(&obj.0),
        Err(_) => ctx.parent_value.try_downcast_ref::<Value>(),
    }
}

/// How many items `first` keeps of a plain (not connection) list: all when not given.
pub fn first_cut(ctx: &ResolverContext<'_>) -> usize {
    arg_i64(ctx, "first").map_or(usize::MAX, |n| n.max(0) as usize)
}

/// An integer argument, if given.
pub fn arg_i64(ctx: &ResolverContext<'_>, name: &str) -> Option<i64> {
    ctx.args.get(name).and_then(|v| v.i64().ok())
}

/// A string argument, if given.
pub fn arg_str(ctx: &ResolverContext<'_>, name: &str) -> Option<String> {
    ctx.args
        .get(name)
        .and_then(|v| v.string().ok().map(str::to_string))
}

/// A boolean argument, if given.
pub fn arg_bool(ctx: &ResolverContext<'_>, name: &str) -> Option<bool> {
    ctx.args.get(name).and_then(|v| v.boolean().ok())
}

/// An enum argument's value name, if given.
pub fn arg_enum(ctx: &ResolverContext<'_>, name: &str) -> Option<String> {
    ctx.args
        .get(name)
        .and_then(|v| v.enum_name().ok().map(str::to_string))
}

/// The paging arguments of a connection field.
pub fn page_args(ctx: &ResolverContext<'_>) -> PageArgs {
    PageArgs {
        first: arg_i64(ctx, "first").map(|n| n as i32),
        after: arg_str(ctx, "after"),
        last: arg_i64(ctx, "last").map(|n| n as i32),
        before: arg_str(ctx, "before"),
        reverse: arg_bool(ctx, "reverse").unwrap_or(false),
    }
}

/// A page as the connection object `conn_type` (`edges { cursor node }`, `nodes`,
/// `pageInfo`).
pub fn connection(catalog: &Catalog, conn_type: &str, page: Page<Value>) -> Value {
    let edge = catalog
        .connection(conn_type)
        .map(|c| c.edge.clone())
        .unwrap_or_default();
    let info = &page.page_info;
    json!({
        "__typename": conn_type,
        "pageInfo": {
            "__typename": "PageInfo",
            "hasNextPage": info.has_next_page,
            "hasPreviousPage": info.has_previous_page,
            "startCursor": info.start_cursor,
            "endCursor": info.end_cursor,
        },
        "nodes": page.items.iter().map(|(_, n)| n.clone()).collect::<Vec<_>>(),
        "edges": page.items.into_iter().map(|(cursor, node)| json!({
            "__typename": edge,
            "cursor": cursor,
            "node": node,
        })).collect::<Vec<_>>(),
    })
}

/// A page of a nested list kept in its natural order (positions are the cursors' keys).
pub fn nested_page(ctx: &ResolverContext<'_>, items: Vec<Value>) -> Result<Page<Value>, Error> {
    paginate(
        ctx.ctx,
        items
            .into_iter()
            .enumerate()
            .map(|(i, v)| ((i as i64, i as u64), v))
            .collect(),
        page_args(ctx),
    )
}

/// The same for a part of a parent's JSON, lent rather than copied.
fn borrowed_object<'a>(catalog: &Catalog, declared: &str, v: &'a Value) -> FieldValue<'a> {
    typed(
        concrete_type(catalog, declared, v),
        FieldValue::borrowed_any(v),
    )
}

/// The concrete type of `v` when `declared` is an interface or a union (its `__typename`,
/// else the first possible type); `None` for an object type.
fn concrete_type(catalog: &Catalog, declared: &str, v: &Value) -> Option<String> {
    match catalog.shape(declared) {
        Shape::Abstract { first } => Some(
            v.get("__typename")
                .and_then(Value::as_str)
                .unwrap_or(first)
                .to_string(),
        ),
        _ => None,
    }
}

fn typed(ty: Option<String>, value: FieldValue<'_>) -> FieldValue<'_> {
    match ty {
        Some(ty) => value.with_type(ty),
        None => value,
    }
}

/// An object value for the schema (an interface's or a union's with its concrete type).
pub fn object<'a>(catalog: &Catalog, declared: &str, v: Value) -> FieldValue<'a> {
    typed(
        concrete_type(catalog, declared, &v),
        FieldValue::owned_any(Obj(v)),
    )
}

/// `raw` as a value of type `ty`; `parent` is the object it belongs to (for made-up values).
pub fn value_of<'a>(
    ctx: &ResolverContext<'a>,
    catalog: &Catalog,
    ty: &TypeRef,
    raw: Cow<'a, Value>,
    parent: &Value,
) -> Result<Option<FieldValue<'a>>, Error> {
    let named = ty.type_name();
    if catalog.connection(named).is_some() && !raw.is_object() {
        let items = match raw.into_owned() {
            Value::Array(items) => items,
            _ => Vec::new(),
        };
        let page = nested_page(ctx, items)?;
        return Ok(Some(object(
            catalog,
            named,
            connection(catalog, named, page),
        )));
    }
    match ty {
        TypeRef::NonNull(inner) => {
            let raw = if raw.is_null() {
                Cow::Owned(synth::value(ctx, catalog, inner, parent))
            } else {
                raw
            };
            value_of(ctx, catalog, inner, raw, parent)
        }
        TypeRef::List(inner) => {
            let items: Vec<Cow<'a, Value>> = match raw {
                Cow::Borrowed(Value::Array(items)) => items.iter().map(Cow::Borrowed).collect(),
                Cow::Owned(Value::Array(items)) => items.into_iter().map(Cow::Owned).collect(),
                Cow::Borrowed(Value::Null) | Cow::Owned(Value::Null) => return Ok(None),
                other => {
                    return Err(Error::new(format!(
                        "internal: a list was expected for {ty}, the simulator holds {other}"
                    )))
                }
            };
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                out.push(value_of(ctx, catalog, inner, item, parent)?.unwrap_or(FieldValue::NULL));
            }
            Ok(Some(FieldValue::list(out)))
        }
        TypeRef::Named(name) => {
            if raw.is_null() {
                return Ok(None);
            }
            match catalog.shape(name) {
                Shape::Scalar => Ok(Some(FieldValue::value(
                    GqlValue::from_json(raw.into_owned()).map_err(|e| Error::new(e.to_string()))?,
                ))),
                Shape::Enum { .. } => match raw.as_ref() {
                    Value::String(s) => Ok(Some(FieldValue::value(GqlValue::Enum(Name::new(s))))),
                    other => Err(Error::new(format!(
                        "internal: an enum value was expected for {name}, the simulator holds {other}"
                    ))),
                },
                Shape::Object { .. } | Shape::Abstract { .. } => {
                    if let Some(gid) = raw.get("__ref").and_then(Value::as_str) {
                        return Ok(deref(ctx, gid).map(|v| object(catalog, name, v)));
                    }
                    Ok(Some(match raw {
                        Cow::Borrowed(v) => borrowed_object(catalog, name, v),
                        Cow::Owned(v) => object(catalog, name, v),
                    }))
                }
                Shape::Input => Err(Error::new(format!("internal: {name} is an input type"))),
            }
        }
    }
}

/// The object a `{"__ref": gid}` names (`None` when it no longer exists). A
/// reference selected only for its identity (`product { id }` on each of 50 000 line items
/// of a bulk query) is answered from the id after an existence check, without projecting
/// the whole object.
fn deref(ctx: &ResolverContext<'_>, gid: &str) -> Option<Value> {
    if selects_only_identity(ctx) {
        return lookup::identity(shared(ctx), gid);
    }
    lookup::by_gid(shared(ctx), gid)
}

/// Whether the field being resolved selects nothing but `id`, `legacyResourceId` and
/// `__typename` of its object.
fn selects_only_identity(ctx: &ResolverContext<'_>) -> bool {
    ctx.ctx.look_ahead().selection_fields().iter().all(|field| {
        field
            .selection_set()
            .all(|f| matches!(f.name(), "id" | "legacyResourceId" | "__typename"))
    })
}
