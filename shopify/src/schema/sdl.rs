//! Shopify's Admin GraphQL introspection (the JSON of `@shopify/dev-mcp`'s
//! `dist/data/admin_<version>.json.gz`) turned into SDL, keeping what validation needs: every
//! type, field, argument, input field, enum value, interface and union member, default values
//! and `@deprecated`. Descriptions and Shopify's own metadata are dropped.

use std::fmt::Write;

use serde_json::Value;

use super::error::SchemaError;

const BUILT_IN: &[&str] = &["String", "Int", "Float", "Boolean", "ID"];

/// SDL of an introspection result (`{"data": {"__schema": …}}` or the bare `__schema`).
pub fn introspection_to_sdl(v: &Value) -> Result<String, SchemaError> {
    let schema = v
        .pointer("/data/__schema")
        .or_else(|| v.get("__schema"))
        .ok_or_else(|| SchemaError::Introspection("no `__schema`".into()))?;
    let mut out = String::new();
    let root = |k: &str| {
        schema
            .pointer(&format!("/{k}/name"))
            .and_then(Value::as_str)
    };
    out.push_str("schema {\n");
    for (op, key) in [("query", "queryType"), ("mutation", "mutationType")] {
        if let Some(name) = root(key) {
            let _ = writeln!(out, "  {op}: {name}");
        }
    }
    out.push_str("}\n");
    for t in list(schema, "types")? {
        let name = str_of(t, "name")?;
        if name.starts_with("__") || BUILT_IN.contains(&name) {
            continue;
        }
        write_type(&mut out, t, name)?;
    }
    Ok(out)
}

fn write_type(out: &mut String, t: &Value, name: &str) -> Result<(), SchemaError> {
    match str_of(t, "kind")? {
        "SCALAR" => {
            let _ = writeln!(out, "scalar {name}");
        }
        "ENUM" => {
            let _ = writeln!(out, "enum {name} {{");
            for e in list(t, "enumValues")? {
                let _ = writeln!(out, "  {}{}", str_of(e, "name")?, deprecated(e));
            }
            out.push_str("}\n");
        }
        "INPUT_OBJECT" => {
            let _ = writeln!(out, "input {name} {{");
            for f in list(t, "inputFields")? {
                let _ = writeln!(out, "  {}", input_value(f)?);
            }
            out.push_str("}\n");
        }
        "UNION" => {
            let members: Result<Vec<&str>, _> = list(t, "possibleTypes")?
                .iter()
                .map(|p| str_of(p, "name"))
                .collect();
            let _ = writeln!(out, "union {name} = {}", members?.join(" | "));
        }
        kind @ ("OBJECT" | "INTERFACE") => {
            let keyword = if kind == "OBJECT" {
                "type"
            } else {
                "interface"
            };
            let interfaces: Result<Vec<&str>, _> = t
                .get("interfaces")
                .and_then(Value::as_array)
                .map(|a| a.iter().map(|i| str_of(i, "name")).collect())
                .unwrap_or_else(|| Ok(Vec::new()));
            let interfaces = interfaces?;
            let implements = if interfaces.is_empty() {
                String::new()
            } else {
                format!(" implements {}", interfaces.join(" & "))
            };
            let _ = writeln!(out, "{keyword} {name}{implements} {{");
            for f in list(t, "fields")? {
                write_field(out, f)?;
            }
            out.push_str("}\n");
        }
        other => {
            return Err(SchemaError::Introspection(format!(
                "{name}: unknown kind {other}"
            )))
        }
    }
    Ok(())
}

fn write_field(out: &mut String, f: &Value) -> Result<(), SchemaError> {
    let args = list(f, "args")?;
    let args = if args.is_empty() {
        String::new()
    } else {
        let a: Result<Vec<String>, _> = args.iter().map(input_value).collect();
        format!("({})", a?.join(", "))
    };
    let _ = writeln!(
        out,
        "  {}{args}: {}{}",
        str_of(f, "name")?,
        type_ref(f.get("type"))?,
        deprecated(f)
    );
    Ok(())
}

fn input_value(v: &Value) -> Result<String, SchemaError> {
    let default = match v.get("defaultValue").and_then(Value::as_str) {
        Some(d) => format!(" = {d}"),
        None => String::new(),
    };
    Ok(format!(
        "{}: {}{default}{}",
        str_of(v, "name")?,
        type_ref(v.get("type"))?,
        deprecated(v)
    ))
}

fn type_ref(t: Option<&Value>) -> Result<String, SchemaError> {
    let t = t.ok_or_else(|| SchemaError::Introspection("a value without a type".into()))?;
    match str_of(t, "kind")? {
        "NON_NULL" => Ok(format!("{}!", type_ref(t.get("ofType"))?)),
        "LIST" => Ok(format!("[{}]", type_ref(t.get("ofType"))?)),
        _ => Ok(str_of(t, "name")?.to_string()),
    }
}

fn deprecated(v: &Value) -> String {
    if v.get("isDeprecated") != Some(&Value::Bool(true)) {
        return String::new();
    }
    let reason = v
        .get("deprecationReason")
        .and_then(Value::as_str)
        .unwrap_or("No longer supported");
    format!(
        " @deprecated(reason: {})",
        Value::String(reason.to_string())
    )
}

fn list<'a>(v: &'a Value, key: &str) -> Result<&'a Vec<Value>, SchemaError> {
    v.get(key)
        .and_then(Value::as_array)
        .ok_or_else(|| SchemaError::Introspection(format!("`{key}` is not a list in {}", short(v))))
}

fn str_of<'a>(v: &'a Value, key: &str) -> Result<&'a str, SchemaError> {
    v.get(key).and_then(Value::as_str).ok_or_else(|| {
        SchemaError::Introspection(format!("`{key}` is not a string in {}", short(v)))
    })
}

fn short(v: &Value) -> String {
    let mut s = v.to_string();
    s.truncate(120);
    s
}
