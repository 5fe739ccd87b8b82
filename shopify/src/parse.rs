//! Every payload parser of the crate in one list, for callers that parse without caring
//! which resource module defines the parser (the writer benchmark, the property tests).
//! The parsers live with their resource in [`crate::resource`] and in [`crate::notices`].

pub use crate::error::PayloadError;
pub use crate::notices::{
    bulk_operation_finish, customer_request, id_from_delete, shop_request, BulkOperationFinished,
    CustomerRequest, ShopRequest,
};
pub use crate::resource::customers::{customer_from_graphql, customer_from_rest};
pub use crate::resource::orders::{
    order_from_graphql, order_from_rest, refund_from_graphql, refund_from_rest,
};
pub use crate::resource::products::{product_from_graphql, product_from_rest};
