//! Shopify's introspection of a version → an executable async-graphql dynamic schema with
//! every type, field, argument (with its default), enum value and deprecation Shopify
//! publishes. Every field of an object type is answered by the generic resolver
//! ([`super::resolve`]) unless the custom table names it; the roots (`QueryRoot`,
//! `Mutation`) serve only the fields the custom table names, since the simulator keeps no
//! data behind the others (asking for one is Shopify's unknown-field error).

use std::sync::Arc;

use async_graphql::dynamic::{
    Enum, EnumItem, Field, FieldFuture, InputObject, InputValue, Interface, InterfaceField, Object,
    Scalar, Schema, TypeRef, Union,
};
use async_graphql::Value;

use super::catalog::Catalog;
use super::introspection::{EnumValueDef, InputDef, Kind, SchemaDef, TypeDef, TypeRefDef};
use super::resolve::{self, FieldInfo};
use super::table::Table;

const BUILT_IN_SCALARS: [&str; 5] = ["String", "Int", "Float", "Boolean", "ID"];

/// The type reference of an introspected one.
pub fn type_ref(t: &TypeRefDef) -> TypeRef {
    match (t.kind, &t.of_type) {
        (Kind::NonNull, Some(inner)) => TypeRef::NonNull(Box::new(type_ref(inner))),
        (Kind::List, Some(inner)) => TypeRef::List(Box::new(type_ref(inner))),
        _ => TypeRef::named(t.name.clone().unwrap_or_default()),
    }
}

/// A default value as introspection spells it (a GraphQL literal), as a value.
fn literal(text: &str) -> Option<Value> {
    let doc = async_graphql::parser::parse_query(format!("{{ f(a: {text}) }}")).ok()?;
    let op = doc.operations.iter().next()?.1;
    let sel = op.node.selection_set.node.items.first()?;
    let async_graphql::parser::types::Selection::Field(field) = &sel.node else {
        return None;
    };
    let (_, value) = field.node.arguments.first()?;
    value.node.clone().into_const()
}

fn input_value(a: &InputDef) -> InputValue {
    let mut v = InputValue::new(a.name.clone(), type_ref(&a.ty));
    if let Some(default) = a.default_value.as_deref().and_then(literal) {
        v = v.default_value(default);
    }
    if a.is_deprecated {
        v = v.deprecation(a.deprecation_reason.as_deref());
    }
    v
}

fn enum_item(e: &EnumValueDef) -> EnumItem {
    let item = EnumItem::new(e.name.clone());
    if e.is_deprecated {
        item.deprecation(e.deprecation_reason.as_deref())
    } else {
        item
    }
}

/// Builds the schema of `def` (of API `version`) with `custom` resolvers by `(type, field)`.
pub fn build(version: &str, def: &SchemaDef, custom: &Table) -> Result<Schema, String> {
    let catalog = Arc::new(Catalog::new(version, def));
    let query = def.query_type.name.clone();
    let mutation = def.mutation_type.as_ref().map(|m| m.name.clone());
    let mut builder = Schema::build(&query, mutation.as_deref(), None).limit_depth(30);
    for t in &def.types {
        if t.name.starts_with("__") {
            continue;
        }
        match t.kind {
            Kind::Scalar if BUILT_IN_SCALARS.contains(&t.name.as_str()) => {}
            Kind::Scalar => builder = builder.register(Scalar::new(t.name.clone())),
            Kind::Enum => {
                builder = builder.register(
                    Enum::new(t.name.clone()).items(t.enum_values.iter().flatten().map(enum_item)),
                )
            }
            Kind::InputObject => {
                let mut o = InputObject::new(t.name.clone());
                for f in t.input_fields.iter().flatten() {
                    o = o.field(input_value(f));
                }
                builder = builder.register(o);
            }
            Kind::Union => {
                let mut u = Union::new(t.name.clone());
                for p in t.possible_types.iter().flatten() {
                    u = u.possible_type(p.name.clone());
                }
                builder = builder.register(u);
            }
            Kind::Interface => builder = builder.register(interface(t)),
            Kind::Object => {
                let root = t.name == query || Some(&t.name) == mutation.as_ref();
                builder = builder.register(object(t, root, custom, &catalog));
            }
            Kind::List | Kind::NonNull => {}
        }
    }
    builder.finish().map_err(|e| e.to_string())
}

/// Interface `t` with Shopify's fields, arguments and deprecations.
fn interface(t: &TypeDef) -> Interface {
    let mut i = Interface::new(t.name.clone());
    for f in t.fields.iter().flatten() {
        let mut field = InterfaceField::new(f.name.clone(), type_ref(&f.ty));
        for a in &f.args {
            field = field.argument(input_value(a));
        }
        if f.is_deprecated {
            field = field.deprecation(f.deprecation_reason.as_deref());
        }
        i = i.field(field);
    }
    for parent in t.interfaces.iter().flatten() {
        i = i.implement(parent.name.clone());
    }
    i
}

/// Object `t`: every field answered by the generic resolver or its `custom` one; a `root`
/// (query or mutation) keeps only the fields it has a custom resolver for.
fn object(t: &TypeDef, root: bool, custom: &Table, catalog: &Arc<Catalog>) -> Object {
    let mut o = Object::new(t.name.clone());
    for f in t.fields.iter().flatten() {
        let own = custom
            .iter()
            .find(|((ty, name), _)| *ty == t.name && *name == f.name)
            .map(|(_, r)| *r);
        if root && own.is_none() {
            continue;
        }
        let info = Arc::new(FieldInfo {
            name: f.name.clone(),
            ty: type_ref(&f.ty),
            catalog: catalog.clone(),
            custom: own,
        });
        let mut field = Field::new(
            f.name.clone(),
            type_ref(&f.ty),
            move |ctx| match resolve::field(&ctx, &info) {
                Ok(v) => FieldFuture::Value(v),
                Err(e) => FieldFuture::new(async move { Err::<Option<Value>, _>(e) }),
            },
        );
        for a in &f.args {
            field = field.argument(input_value(a));
        }
        if f.is_deprecated {
            field = field.deprecation(f.deprecation_reason.as_deref());
        }
        o = o.field(field);
    }
    for parent in t.interfaces.iter().flatten() {
        o = o.implement(parent.name.clone());
    }
    o
}
