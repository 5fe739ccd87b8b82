//! Shopify's query cost, computed on the parsed query against the schema's own types.
//!
//! [`TypeInfo`] is read from the schema's SDL once (field → type, type → kind). The rules are
//! Shopify's table "Field returns → Cost value" (shopify.dev, "GraphQL Admin API rate limits",
//! `docs/apps/build/apis/graphql-admin/rate-limits`): a scalar or an enum costs 0; an object 1;
//! an interface or a union the maximum of its possible selections (here 1, as an object); a
//! connection is "sized by `first` and `last`": `2 + n × (cost of one node)` where one node
//! costs 1 plus its selection (`edges { node }` and `nodes` both count, `pageInfo` is free); a
//! mutation 10. The table sizes only connections by their arguments, so a plain list of objects
//! (`Customer.addresses(first: 250)`, `Order.refunds(first:)`, typed `[T!]!`, not a
//! connection) costs what one object does, 1 plus its selection, whatever `first` says (the
//! table has no row for lists; this is the reading that follows its "Object" row). The
//! requested cost uses the arguments; the actual cost walks the response and counts
//! the connection nodes really returned (a list: its most expensive item). Introspection
//! (`__…`) is free.

use std::collections::HashMap;

use async_graphql::parser::types::{
    BaseType, DocumentOperations, ExecutableDocument, FragmentDefinition, OperationType, Selection,
    SelectionSet, Type, TypeKind,
};
use async_graphql::parser::Positioned;
use async_graphql::{Name, Value as ConstValue, Variables};
use serde_json::Value;

/// Cost of one mutation field.
pub const MUTATION_COST: u64 = 10;
/// Shopify's single-query maximum.
pub const MAX_QUERY_COST: u64 = 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Leaf,
    Composite,
}

/// The schema's field types, enough to price a query.
#[derive(Debug, Default)]
pub struct TypeInfo {
    shapes: HashMap<String, Shape>,
    /// `(type, field)` → (named type, is a list).
    fields: HashMap<(String, String), (String, bool)>,
    /// `(type, field)` → the names of its arguments.
    arguments: HashMap<(String, String), Vec<String>>,
}

fn unwrap_type(t: &Type) -> (String, bool) {
    match &t.base {
        BaseType::Named(n) => (n.to_string(), false),
        BaseType::List(inner) => (unwrap_type(inner).0, true),
    }
}

impl TypeInfo {
    /// Reads the types from SDL.
    pub fn from_sdl(sdl: &str) -> TypeInfo {
        let mut info = TypeInfo::default();
        for name in ["String", "Int", "Float", "Boolean", "ID"] {
            info.shapes.insert(name.to_string(), Shape::Leaf);
        }
        let Ok(doc) = async_graphql::parser::parse_schema(sdl) else {
            return info;
        };
        for def in doc.definitions {
            let async_graphql::parser::types::TypeSystemDefinition::Type(t) = def else {
                continue;
            };
            let t = t.node;
            let name = t.name.node.to_string();
            let (shape, fields) = match t.kind {
                TypeKind::Scalar | TypeKind::Enum(_) => (Shape::Leaf, vec![]),
                TypeKind::Object(o) => (Shape::Composite, o.fields),
                TypeKind::Interface(i) => (Shape::Composite, i.fields),
                TypeKind::Union(_) => (Shape::Composite, vec![]),
                TypeKind::InputObject(_) => continue,
            };
            info.shapes.insert(name.clone(), shape);
            for f in fields {
                let key = (name.clone(), f.node.name.node.to_string());
                let args = f.node.arguments.iter();
                let args = args.map(|a| a.node.name.node.to_string()).collect();
                info.arguments.insert(key.clone(), args);
                info.fields.insert(key, unwrap_type(&f.node.ty.node));
            }
        }
        info
    }

    /// The named type of `type_name.field` and whether it is a list.
    pub fn field_type(&self, type_name: &str, field: &str) -> Option<(&str, bool)> {
        self.fields
            .get(&(type_name.to_string(), field.to_string()))
            .map(|(t, l)| (t.as_str(), *l))
    }

    /// Whether `type_name.field` takes an argument called `argument`.
    pub fn takes_argument(&self, type_name: &str, field: &str, argument: &str) -> bool {
        self.arguments
            .get(&(type_name.to_string(), field.to_string()))
            .is_some_and(|args| args.iter().any(|a| a == argument))
    }

    /// Whether the schema has a type of this name.
    pub fn has_type(&self, type_name: &str) -> bool {
        self.shapes.contains_key(type_name)
    }

    fn is_leaf(&self, type_name: &str) -> bool {
        self.shapes.get(type_name) == Some(&Shape::Leaf)
    }

    /// Whether a type is a connection.
    pub fn is_connection(type_name: &str) -> bool {
        type_name.ends_with("Connection")
    }
}

/// What a cost walk needs besides the selection.
pub struct Walk<'a> {
    pub info: &'a TypeInfo,
    pub fragments: &'a HashMap<Name, Positioned<FragmentDefinition>>,
    pub variables: &'a Variables,
}

impl Walk<'_> {
    fn int_arg(&self, field: &async_graphql::parser::types::Field, name: &str) -> Option<u64> {
        let (_, v) = field
            .arguments
            .iter()
            .find(|(n, _)| n.node.as_str() == name)?;
        let v = v
            .node
            .clone()
            .into_const_with(|var| self.variables.get(&var).cloned().ok_or(()))
            .ok()?;
        match v {
            ConstValue::Number(n) => n.as_u64(),
            _ => None,
        }
    }

    /// Visits every field of `set` (fragments expanded) with the type it is selected on.
    fn fields<'s>(
        &'s self,
        set: &'s SelectionSet,
        type_name: &'s str,
        out: &mut Vec<(&'s async_graphql::parser::types::Field, String)>,
    ) {
        for sel in &set.items {
            match &sel.node {
                Selection::Field(f) => out.push((&f.node, type_name.to_string())),
                Selection::InlineFragment(inline) => {
                    let on = inline
                        .node
                        .type_condition
                        .as_ref()
                        .map(|c| c.node.on.node.as_str())
                        .unwrap_or(type_name);
                    self.fields(&inline.node.selection_set.node, on, out);
                }
                Selection::FragmentSpread(spread) => {
                    if let Some(frag) = self.fragments.get(&spread.node.fragment_name.node) {
                        self.fields(
                            &frag.node.selection_set.node,
                            frag.node.type_condition.node.on.node.as_str(),
                            out,
                        );
                    }
                }
            }
        }
    }

    /// Cost of `set` on `type_name`; with `data`, the actual cost of the response `data`.
    pub fn selection(&self, set: &SelectionSet, type_name: &str, data: Option<&Value>) -> u64 {
        let mut fields = Vec::new();
        self.fields(set, type_name, &mut fields);
        let mut total = 0;
        for (field, on) in fields {
            let name = field.name.node.as_str();
            if name.starts_with("__") {
                continue;
            }
            let Some((ty, is_list)) = self.info.field_type(&on, name) else {
                continue;
            };
            if self.info.is_leaf(ty) {
                continue;
            }
            let key = field
                .alias
                .as_ref()
                .map(|a| a.node.as_str())
                .unwrap_or(name);
            let value = match data {
                Some(d) => match d.get(key) {
                    Some(v) if !v.is_null() => Some(v),
                    // Absent: another fragment's type, or null: nothing returned, nothing charged.
                    _ => continue,
                },
                None => None,
            };
            let sub = &field.selection_set.node;
            total += if TypeInfo::is_connection(ty) {
                self.connection(field, sub, ty, value)
            } else if is_list {
                match value {
                    Some(Value::Array(items)) => items
                        .iter()
                        .map(|i| 1 + self.selection(sub, ty, Some(i)))
                        .max()
                        .unwrap_or(1),
                    Some(_) => 0,
                    None => 1 + self.selection(sub, ty, None),
                }
            } else {
                1 + self.selection(sub, ty, value)
            };
        }
        total
    }

    fn connection(
        &self,
        field: &async_graphql::parser::types::Field,
        set: &SelectionSet,
        conn_type: &str,
        data: Option<&Value>,
    ) -> u64 {
        let mut parts = Vec::new();
        self.fields(set, conn_type, &mut parts);
        let mut per_node = 0;
        let mut actual = 0;
        for (f, on) in parts {
            let name = f.name.node.as_str();
            let key = f.alias.as_ref().map(|a| a.node.as_str()).unwrap_or(name);
            let Some((item_type, _)) = self.info.field_type(&on, name) else {
                continue;
            };
            match name {
                "nodes" => {
                    let sub = &f.selection_set.node;
                    per_node += 1 + self.selection(sub, item_type, None);
                    if let Some(Value::Array(items)) = data.and_then(|d| d.get(key)) {
                        actual += items
                            .iter()
                            .map(|i| 1 + self.selection(sub, item_type, Some(i)))
                            .sum::<u64>();
                    }
                }
                "edges" => {
                    let mut edge_fields = Vec::new();
                    self.fields(&f.selection_set.node, item_type, &mut edge_fields);
                    for (ef, eon) in edge_fields {
                        if ef.name.node.as_str() != "node" {
                            continue;
                        }
                        let Some((node_type, _)) = self.info.field_type(&eon, "node") else {
                            continue;
                        };
                        let sub = &ef.selection_set.node;
                        per_node += 1 + self.selection(sub, node_type, None);
                        let node_key = ef.alias.as_ref().map(|a| a.node.as_str()).unwrap_or("node");
                        if let Some(Value::Array(edges)) = data.and_then(|d| d.get(key)) {
                            actual += edges
                                .iter()
                                .filter_map(|e| e.get(node_key))
                                .map(|n| 1 + self.selection(sub, node_type, Some(n)))
                                .sum::<u64>();
                        }
                    }
                }
                _ => {}
            }
        }
        match data {
            Some(_) => 2 + actual,
            None => {
                let n = self
                    .int_arg(field, "first")
                    .or_else(|| self.int_arg(field, "last"))
                    .unwrap_or(0);
                2 + n * per_node.max(1)
            }
        }
    }
}

/// The operation a request runs: its root type name and selection.
pub fn operation<'d>(
    doc: &'d ExecutableDocument,
    name: Option<&str>,
) -> Option<(OperationType, &'d SelectionSet)> {
    let op = match (&doc.operations, name) {
        (DocumentOperations::Single(op), _) => op,
        (DocumentOperations::Multiple(ops), Some(n)) => ops.get(n)?,
        (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => ops.values().next()?,
        _ => return None,
    };
    Some((op.node.ty, &op.node.selection_set.node))
}

/// Requested (`data` None) or actual cost of a whole operation.
pub fn operation_cost(
    info: &TypeInfo,
    doc: &ExecutableDocument,
    op_name: Option<&str>,
    variables: &Variables,
    data: Option<&Value>,
) -> u64 {
    let Some((ty, set)) = operation(doc, op_name) else {
        return 0;
    };
    let walk = Walk {
        info,
        fragments: &doc.fragments,
        variables,
    };
    match ty {
        OperationType::Mutation => {
            let mut fields = Vec::new();
            walk.fields(set, "Mutation", &mut fields);
            fields
                .iter()
                .map(|(f, _)| {
                    let name = f.name.node.as_str();
                    let key = f.alias.as_ref().map(|a| a.node.as_str()).unwrap_or(name);
                    match data {
                        Some(d) if d.get(key).is_none_or(Value::is_null) => 0,
                        _ => MUTATION_COST,
                    }
                })
                .sum()
        }
        _ => walk.selection(set, "QueryRoot", data),
    }
}
