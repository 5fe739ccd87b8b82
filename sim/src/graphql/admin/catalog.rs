//! What the resolvers need to know about Shopify's types while answering: the kind of each
//! named type, an enum's values, the first implementation of an interface or union, and which
//! object types are connections. Built from the same introspection as the executable schema
//! ([`super::build`]).

use std::collections::HashMap;

use super::introspection::{Kind, SchemaDef, TypeDef};

/// A connection type's parts.
#[derive(Debug, Clone)]
pub struct Connection {
    /// The edge type (`OrderEdge`).
    pub edge: String,
    /// The node type (`Order`).
    pub node: String,
}

/// How a named type is answered.
#[derive(Debug, Clone)]
pub enum Shape {
    Scalar,
    Enum {
        values: Vec<String>,
    },
    Object {
        connection: Option<Connection>,
    },
    /// An interface or a union: `first` is an object type that is one.
    Abstract {
        first: String,
    },
    Input,
}

/// Every named type of one version.
#[derive(Debug)]
pub struct Catalog {
    /// The API version the types are of.
    pub version: String,
    shapes: HashMap<String, Shape>,
}

fn connection_of(t: &TypeDef) -> Option<Connection> {
    let fields = t.fields.as_ref()?;
    if !t.name.ends_with("Connection") || !fields.iter().any(|f| f.name == "pageInfo") {
        return None;
    }
    let nodes = fields.iter().find(|f| f.name == "nodes")?;
    let edges = fields.iter().find(|f| f.name == "edges")?;
    Some(Connection {
        edge: edges.ty.named().to_string(),
        node: nodes.ty.named().to_string(),
    })
}

impl Catalog {
    /// The catalog of a decoded introspection.
    pub fn new(version: &str, def: &SchemaDef) -> Catalog {
        let mut shapes = HashMap::with_capacity(def.types.len());
        for t in &def.types {
            let shape = match t.kind {
                Kind::Scalar => Shape::Scalar,
                Kind::Enum => Shape::Enum {
                    values: t
                        .enum_values
                        .iter()
                        .flatten()
                        .map(|v| v.name.clone())
                        .collect(),
                },
                Kind::Object => Shape::Object {
                    connection: connection_of(t),
                },
                Kind::Interface | Kind::Union => Shape::Abstract {
                    first: t
                        .possible_types
                        .iter()
                        .flatten()
                        .map(|p| p.name.clone())
                        .min()
                        .unwrap_or_default(),
                },
                Kind::InputObject | Kind::List | Kind::NonNull => Shape::Input,
            };
            shapes.insert(t.name.clone(), shape);
        }
        Catalog {
            version: version.to_string(),
            shapes,
        }
    }

    /// The shape of a named type (`Scalar` for one the schema does not name).
    pub fn shape(&self, name: &str) -> &Shape {
        self.shapes.get(name).unwrap_or(&Shape::Scalar)
    }

    /// The connection parts of `name`, when it is a connection type.
    pub fn connection(&self, name: &str) -> Option<&Connection> {
        match self.shapes.get(name) {
            Some(Shape::Object { connection }) => connection.as_ref(),
            _ => None,
        }
    }
}
