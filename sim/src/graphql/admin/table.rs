//! The custom-resolver table the schema builder takes: a resolver per `(type, field)`.

use std::collections::HashMap;

use async_graphql::dynamic::{FieldValue, ResolverContext};
use async_graphql::Error;

use super::catalog::Catalog;

/// A resolver's answer.
pub type Answer<'a> = Result<Option<FieldValue<'a>>, Error>;

/// A field with its own resolver.
pub type Resolver = for<'a> fn(&ResolverContext<'a>, &Catalog) -> Answer<'a>;

/// The custom resolvers by `(type, field)`.
pub type Table = HashMap<(&'static str, &'static str), Resolver>;
