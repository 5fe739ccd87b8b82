//! Shopify's real Admin GraphQL schema, from its published introspection, and the check of a
//! GraphQL document against it: is it valid, and which deprecated fields or arguments does it
//! use. The caller reads the artifact (`admin_<version>.json.gz` of `@shopify/dev-mcp`); this
//! module only decodes and judges.

mod error;
mod sdl;

use std::io::Read;

use apollo_compiler::ast::{Type, Value};
use apollo_compiler::executable::{Selection, SelectionSet};
use apollo_compiler::validation::Valid;
use apollo_compiler::{ExecutableDocument, Schema};

pub use error::SchemaError;
pub use sdl::introspection_to_sdl;

/// A validated Admin schema of one version.
pub struct AdminSchema {
    schema: Valid<Schema>,
}

/// What the schema says about one document.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DocumentReport {
    /// Validation errors; empty when the document is valid.
    pub errors: Vec<String>,
    /// Deprecated fields and arguments used, as `Type.field` or `Type.field(arg:)` with
    /// Shopify's reason.
    pub deprecated: Vec<String>,
}

impl DocumentReport {
    /// No error and nothing deprecated.
    pub fn is_clean(&self) -> bool {
        self.errors.is_empty() && self.deprecated.is_empty()
    }
}

impl AdminSchema {
    /// From the gzipped introspection JSON Shopify ships.
    pub fn from_gzipped_introspection(bytes: &[u8]) -> Result<Self, SchemaError> {
        let mut text = String::new();
        flate2::read::GzDecoder::new(bytes)
            .read_to_string(&mut text)
            .map_err(SchemaError::Gzip)?;
        Self::from_introspection(&text)
    }

    /// From the introspection JSON.
    pub fn from_introspection(text: &str) -> Result<Self, SchemaError> {
        let v: serde_json::Value = serde_json::from_str(text).map_err(SchemaError::Json)?;
        Self::from_sdl(&introspection_to_sdl(&v)?)
    }

    /// From SDL.
    pub fn from_sdl(sdl: &str) -> Result<Self, SchemaError> {
        let schema = Schema::parse_and_validate(sdl, "admin.graphql")
            .map_err(|e| SchemaError::Invalid(e.errors.to_string()))?;
        Ok(AdminSchema { schema })
    }

    /// The schema, for walking its types.
    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    /// The fields of an object or interface type, each as `name(args): Type` (arguments sorted
    /// by name); `None` when the schema has no such type.
    pub fn fields_of(&self, type_name: &str) -> Option<std::collections::BTreeMap<String, String>> {
        let fields = match self.schema.types.get(type_name)? {
            apollo_compiler::schema::ExtendedType::Object(o) => &o.fields,
            apollo_compiler::schema::ExtendedType::Interface(i) => &i.fields,
            _ => return None,
        };
        Some(
            fields
                .iter()
                .map(|(name, f)| {
                    let mut args: Vec<String> = f
                        .arguments
                        .iter()
                        .map(|a| format!("{}: {}", a.name, a.ty))
                        .collect();
                    args.sort();
                    let args = if args.is_empty() {
                        String::new()
                    } else {
                        format!("({})", args.join(", "))
                    };
                    (name.to_string(), format!("{args}: {}", f.ty))
                })
                .collect(),
        )
    }

    /// Every `(type, field)` a valid `document` selects; empty when it is invalid.
    pub fn fields_used(&self, document: &str) -> std::collections::BTreeSet<(String, String)> {
        let mut out = std::collections::BTreeSet::new();
        if let Ok(doc) = ExecutableDocument::parse_and_validate(&self.schema, document, "d.graphql")
        {
            for op in doc.operations.iter() {
                used_in(&op.selection_set, &mut out);
            }
        }
        out
    }

    /// Validates `document` and lists the deprecated fields and arguments it uses.
    pub fn check(&self, document: &str) -> DocumentReport {
        match ExecutableDocument::parse_and_validate(&self.schema, document, "document.graphql") {
            Err(e) => DocumentReport {
                errors: e.errors.iter().map(|d| d.error.to_string()).collect(),
                deprecated: Vec::new(),
            },
            Ok(doc) => {
                let mut deprecated = Vec::new();
                for op in doc.operations.iter() {
                    deprecated_in(&self.schema, &op.selection_set, &mut deprecated);
                }
                for fragment in doc.fragments.values() {
                    deprecated_in(&self.schema, &fragment.selection_set, &mut deprecated);
                }
                deprecated.dedup();
                DocumentReport {
                    errors: Vec::new(),
                    deprecated,
                }
            }
        }
    }
}

fn used_in(set: &SelectionSet, out: &mut std::collections::BTreeSet<(String, String)>) {
    for selection in &set.selections {
        match selection {
            Selection::Field(f) => {
                if !f.name.starts_with("__") {
                    out.insert((set.ty.to_string(), f.name.to_string()));
                }
                used_in(&f.selection_set, out);
            }
            Selection::InlineFragment(f) => used_in(&f.selection_set, out),
            Selection::FragmentSpread(_) => {}
        }
    }
}

fn deprecated_in(schema: &Schema, set: &SelectionSet, out: &mut Vec<String>) {
    for selection in &set.selections {
        match selection {
            Selection::Field(field) => {
                let def = &field.definition;
                let at = format!("{}.{}", set.ty, def.name);
                if let Some(reason) = reason(&def.directives) {
                    out.push(format!("{at}: {reason}"));
                }
                for arg in &field.arguments {
                    let Some(arg_def) = def.argument_by_name(&arg.name) else {
                        continue;
                    };
                    let at = format!("{at}({}:)", arg.name);
                    if let Some(reason) = reason(&arg_def.directives) {
                        out.push(format!("{at}: {reason}"));
                    }
                    deprecated_inputs(schema, &arg_def.ty, &arg.value, &at, out);
                }
                deprecated_in(schema, &field.selection_set, out);
            }
            Selection::InlineFragment(f) => deprecated_in(schema, &f.selection_set, out),
            Selection::FragmentSpread(_) => {}
        }
    }
}

/// Deprecated input fields named in a literal `value` of type `ty`.
fn deprecated_inputs(schema: &Schema, ty: &Type, value: &Value, at: &str, out: &mut Vec<String>) {
    match value {
        Value::List(items) => {
            for item in items {
                deprecated_inputs(schema, ty.item_type(), item, at, out);
            }
        }
        Value::Object(fields) => {
            let Some(input) = schema.get_input_object(ty.inner_named_type()) else {
                return;
            };
            for (name, v) in fields {
                let Some(def) = input.fields.get(name) else {
                    continue;
                };
                let at = format!("{at} {}.{name}", input.name);
                if let Some(reason) = reason(&def.directives) {
                    out.push(format!("{at}: {reason}"));
                }
                deprecated_inputs(schema, &def.ty, v, &at, out);
            }
        }
        _ => {}
    }
}

fn reason(directives: &apollo_compiler::ast::DirectiveList) -> Option<String> {
    let d = directives.get("deprecated")?;
    Some(
        d.specified_argument_by_name("reason")
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_else(|| "deprecated".to_string()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const SDL: &str = "type Query { a: Int @deprecated(reason: \"use b\") \
        b(x: Int @deprecated(reason: \"gone\"), y: Int, i: [I]): Int } \
        input I { old: Int @deprecated(reason: \"use new\") new: Int }";

    #[test]
    fn reports_errors_and_deprecations() {
        let s = AdminSchema::from_sdl(SDL).unwrap();
        assert!(s.check("{ b(y: 1) }").is_clean());
        let r = s.check("{ a b(x: 1) }");
        assert!(r.errors.is_empty());
        assert_eq!(r.deprecated, vec!["Query.a: use b", "Query.b(x:): gone"]);
        assert!(!s.check("{ c }").errors.is_empty());
        let r = s.check("{ b(i: [{new: 1}, {old: 2}]) }");
        assert_eq!(r.deprecated, vec!["Query.b(i:) I.old: use new"]);
    }

    #[test]
    fn converts_introspection() {
        let json = r#"{"data":{"__schema":{"queryType":{"name":"Q"},"mutationType":null,"types":[
            {"kind":"OBJECT","name":"Q","fields":[{"name":"n","args":[{"name":"k","type":{"kind":"NON_NULL","ofType":{"kind":"ENUM","name":"K"}},"defaultValue":"A"}],
              "type":{"kind":"LIST","ofType":{"kind":"NON_NULL","ofType":{"kind":"SCALAR","name":"String"}}},"isDeprecated":false}],"interfaces":[]},
            {"kind":"ENUM","name":"K","enumValues":[{"name":"A"},{"name":"B","isDeprecated":true,"deprecationReason":"no"}]}]}}}"#;
        let s = AdminSchema::from_introspection(json).unwrap();
        assert!(s.check("{ n(k: B) }").errors.is_empty());
        assert!(!s.check("{ n(k: C) }").errors.is_empty());
    }
}
