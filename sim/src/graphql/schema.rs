//! The Admin GraphQL schema (async-graphql): the part of Shopify's `QueryRoot` and `Mutation`
//! the engine reads, with Shopify's type, field and enum names — orders, customers, products
//! and their nested objects, `node`/`nodes`, `shop`, `currentAppInstallation`, and the roots
//! of bulk operations ([`super::bulk`]) and webhook subscriptions ([`super::subscriptions`]).
//!
//! Resolvers read the store through `Arc<Shared>` in the context, page on ids first and clone
//! only the page, and never hold a lock across an await. Deleted objects are simply absent.
//! Scalars and money are in [`super::scalars`], paging in [`super::paging`].

use std::sync::Arc;

use async_graphql::{
    Context, EmptySubscription, Enum, Error, Interface, Object, Schema, SimpleObject, ID,
};
use chrono::Utc;

use super::bulk::{self, BulkOperation};
use super::paging::{paginate, Page, PageArgs, PageInfo, SearchFilter};
use super::scalars::{bag, dt, money, DateTime, Decimal, MoneyBag, MoneyV2, UnsignedInt64};
use super::subscriptions::{
    subscription_url, UserError, WebhookSubscriptionDeletePayload, WebhookSubscriptionInput,
    WebhookSubscriptionNode, WebhookSubscriptionPayload, WebhookSubscriptionTopic,
};
use crate::store::rest::gid;
use crate::store::{self, Customer, LineItem, Order, Product, Refund, Transaction, Variant};
use crate::webhooks::lock;
use crate::Shared;

/// The schema type.
pub type SimSchema = Schema<QueryRoot, Mutation, EmptySubscription>;

/// Builds the schema.
pub fn build() -> SimSchema {
    Schema::build(QueryRoot, Mutation, EmptySubscription)
        .limit_depth(30)
        .finish()
}

fn shared<'a>(ctx: &Context<'a>) -> &'a Arc<Shared> {
    ctx.data_unchecked::<Arc<Shared>>()
}

fn read_store<'a>(ctx: &Context<'a>) -> std::sync::RwLockReadGuard<'a, store::Store> {
    shared(ctx).store.read().unwrap_or_else(|e| e.into_inner())
}

/// Parses `gid://shopify/<Type>/<id>`.
pub fn parse_gid(id: &str) -> Option<(&str, u64)> {
    let rest = id.strip_prefix("gid://shopify/")?;
    let (ty, num) = rest.split_once('/')?;
    let num = num.split('?').next()?;
    Some((ty, num.parse().ok()?))
}

// ---------- enums ----------

macro_rules! sort_keys {
    ($name:ident) => {
        /// Sort keys of the connection.
        #[derive(Enum, Copy, Clone, Eq, PartialEq, Debug, Default)]
        pub enum $name {
            CreatedAt,
            UpdatedAt,
            #[default]
            Id,
        }
    };
}
sort_keys!(OrderSortKeys);
sort_keys!(CustomerSortKeys);
sort_keys!(ProductSortKeys);

fn sort_value(
    key: (bool, bool),
    id: u64,
    created: chrono::DateTime<Utc>,
    updated: chrono::DateTime<Utc>,
) -> (i64, u64) {
    match key {
        (true, _) => (created.timestamp(), id),
        (_, true) => (updated.timestamp(), id),
        _ => (id as i64, id),
    }
}

macro_rules! key_flags {
    ($k:expr, $t:ident) => {
        match $k {
            $t::CreatedAt => (true, false),
            $t::UpdatedAt => (false, true),
            $t::Id => (false, false),
        }
    };
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum OrderDisplayFinancialStatus {
    Pending,
    Authorized,
    PartiallyPaid,
    PartiallyRefunded,
    Voided,
    Paid,
    Refunded,
    Expired,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum OrderDisplayFulfillmentStatus {
    Unfulfilled,
    PartiallyFulfilled,
    Fulfilled,
    Restocked,
    PendingFulfillment,
    Open,
    InProgress,
    OnHold,
    Scheduled,
    RequestDeclined,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum OrderCancelReason {
    Customer,
    Declined,
    Fraud,
    Inventory,
    Other,
    Staff,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum CustomerState {
    Declined,
    Disabled,
    Enabled,
    Invited,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum ProductStatus {
    Active,
    Archived,
    Draft,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum OrderTransactionKind {
    Authorization,
    Capture,
    Change,
    EmvAuthorization,
    Refund,
    Sale,
    SuggestedRefund,
    Void,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum OrderTransactionStatus {
    AwaitingResponse,
    Error,
    Failure,
    Pending,
    Success,
    Unknown,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum RefundLineItemRestockType {
    Cancel,
    LegacyRestock,
    NoRestock,
    Return,
}

// ---------- the Node interface ----------

/// `Node`: anything with a global id.
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID"))]
pub enum Node {
    Order(OrderNode),
    Customer(CustomerNode),
    Product(ProductNode),
    ProductVariant(VariantNode),
    BulkOperation(BulkOperation),
    WebhookSubscription(WebhookSubscriptionNode),
}

fn node_by_gid(ctx: &Context<'_>, id: &str) -> Option<Node> {
    let (ty, num) = parse_gid(id)?;
    let s = read_store(ctx);
    let cur = s.shop.currency.clone();
    match ty {
        "Order" => s
            .orders
            .get(&num)
            .map(|o| Node::Order(OrderNode::new(o, &cur))),
        "Customer" => s
            .customers
            .get(&num)
            .map(|c| Node::Customer(CustomerNode::new(c, &cur))),
        "Product" => s
            .products
            .get(&num)
            .map(|p| Node::Product(ProductNode::new(p, &cur))),
        "ProductVariant" => s
            .products
            .values()
            .find_map(|p| p.variants.iter().find(|v| v.id == num))
            .map(|v| {
                Node::ProductVariant(VariantNode {
                    v: v.clone(),
                    currency: cur,
                })
            }),
        "BulkOperation" => {
            drop(s);
            lock(&shared(ctx).bulk).get(num).map(Node::BulkOperation)
        }
        "WebhookSubscription" => {
            drop(s);
            lock(shared(ctx).webhooks.subscriptions())
                .list()
                .iter()
                .find(|w| w.id == num)
                .map(|w| Node::WebhookSubscription(WebhookSubscriptionNode(w.clone())))
        }
        _ => None,
    }
}

// ---------- connections ----------

macro_rules! connection {
    ($conn:ident, $edge:ident, $node:ty) => {
        /// An edge: a node and its cursor.
        #[derive(Clone, SimpleObject)]
        pub struct $edge {
            pub cursor: String,
            pub node: $node,
        }
        /// A page of nodes.
        #[derive(Clone, SimpleObject)]
        pub struct $conn {
            pub edges: Vec<$edge>,
            pub nodes: Vec<$node>,
            pub page_info: PageInfo,
        }
        impl From<Page<$node>> for $conn {
            fn from(page: Page<$node>) -> Self {
                $conn {
                    nodes: page.items.iter().map(|(_, n)| n.clone()).collect(),
                    edges: page
                        .items
                        .into_iter()
                        .map(|(cursor, node)| $edge { cursor, node })
                        .collect(),
                    page_info: page.page_info,
                }
            }
        }
    };
}

connection!(OrderConnection, OrderEdge, OrderNode);
connection!(CustomerConnection, CustomerEdge, CustomerNode);
connection!(ProductConnection, ProductEdge, ProductNode);
connection!(ProductVariantConnection, ProductVariantEdge, VariantNode);
connection!(LineItemConnection, LineItemEdge, LineItemNode);
connection!(
    RefundLineItemConnection,
    RefundLineItemEdge,
    RefundLineItemNode
);
connection!(
    OrderTransactionConnection,
    OrderTransactionEdge,
    TransactionNode
);
connection!(
    WebhookSubscriptionConnection,
    WebhookSubscriptionEdge,
    WebhookSubscriptionNode
);

fn page_args(
    first: Option<i32>,
    after: Option<String>,
    last: Option<i32>,
    before: Option<String>,
    reverse: Option<bool>,
) -> PageArgs {
    PageArgs {
        first,
        after,
        last,
        before,
        reverse: reverse.unwrap_or(false),
    }
}

/// Turns a page of ids into a page of nodes, cloning only what the page holds.
fn materialize<N>(
    ctx: &Context<'_>,
    page: Page<u64>,
    make: impl Fn(&store::Store, u64) -> Option<N>,
) -> Page<N> {
    let s = read_store(ctx);
    Page {
        items: page
            .items
            .into_iter()
            .filter_map(|(cursor, id)| make(&s, id).map(|n| (cursor, n)))
            .collect(),
        page_info: page.page_info,
    }
}

/// Pages a nested list kept in its natural order (positions as keys).
fn nested<T>(ctx: &Context<'_>, items: Vec<(u64, T)>, args: PageArgs) -> Result<Page<T>, Error> {
    paginate(
        ctx,
        items
            .into_iter()
            .enumerate()
            .map(|(i, (id, t))| ((i as i64, id), t))
            .collect(),
        args,
    )
}

// ---------- address ----------

/// `MailingAddress`.
#[derive(Clone, SimpleObject)]
pub struct MailingAddress {
    pub id: ID,
    pub first_name: String,
    pub last_name: String,
    pub name: String,
    pub company: Option<String>,
    pub address1: String,
    pub address2: String,
    pub city: String,
    pub province: String,
    pub province_code: String,
    pub country: String,
    pub country_code_v2: String,
    pub zip: String,
    pub phone: Option<String>,
}

impl From<&store::Address> for MailingAddress {
    fn from(a: &store::Address) -> Self {
        MailingAddress {
            id: ID(format!(
                "gid://shopify/MailingAddress/{}?model_name=CustomerAddress",
                a.id
            )),
            first_name: a.first_name.clone(),
            last_name: a.last_name.clone(),
            name: format!("{} {}", a.first_name, a.last_name),
            company: a.company.clone(),
            address1: a.address1.clone(),
            address2: a.address2.clone(),
            city: a.city.clone(),
            province: a.province.clone(),
            province_code: a.province_code.clone(),
            country: a.country.clone(),
            country_code_v2: a.country_code.clone(),
            zip: a.zip.clone(),
            phone: a.phone.clone(),
        }
    }
}

// ---------- customer ----------

/// `Customer`.
#[derive(Clone)]
pub struct CustomerNode {
    c: Customer,
    currency: String,
}

impl CustomerNode {
    fn new(c: &Customer, currency: &str) -> Self {
        CustomerNode {
            c: c.clone(),
            currency: currency.to_string(),
        }
    }
}

#[Object(name = "Customer")]
impl CustomerNode {
    async fn id(&self) -> ID {
        ID(gid("Customer", self.c.id))
    }
    async fn legacy_resource_id(&self) -> UnsignedInt64 {
        UnsignedInt64(self.c.id)
    }
    async fn first_name(&self) -> &str {
        &self.c.first_name
    }
    async fn last_name(&self) -> &str {
        &self.c.last_name
    }
    async fn display_name(&self) -> String {
        format!("{} {}", self.c.first_name, self.c.last_name)
    }
    async fn email(&self) -> &str {
        &self.c.email
    }
    async fn phone(&self) -> Option<&str> {
        self.c.phone.as_deref()
    }
    async fn state(&self) -> CustomerState {
        match self.c.state {
            "enabled" => CustomerState::Enabled,
            "invited" => CustomerState::Invited,
            "declined" => CustomerState::Declined,
            _ => CustomerState::Disabled,
        }
    }
    async fn verified_email(&self) -> bool {
        self.c.verified_email
    }
    async fn tax_exempt(&self) -> bool {
        false
    }
    async fn tags(&self) -> &[String] {
        &self.c.tags
    }
    async fn note(&self) -> Option<&str> {
        self.c.note.as_deref()
    }
    async fn number_of_orders(&self) -> UnsignedInt64 {
        UnsignedInt64(self.c.orders_count)
    }
    async fn amount_spent(&self) -> MoneyV2 {
        money(self.c.total_spent, &self.currency)
    }
    async fn default_address(&self) -> Option<MailingAddress> {
        self.c.default_address().map(MailingAddress::from)
    }
    async fn addresses(&self, first: Option<i32>) -> Vec<MailingAddress> {
        let n = first.map(|n| n.max(0) as usize).unwrap_or(usize::MAX);
        self.c
            .addresses
            .iter()
            .take(n)
            .map(MailingAddress::from)
            .collect()
    }
    async fn created_at(&self) -> DateTime {
        dt(self.c.created_at)
    }
    async fn updated_at(&self) -> DateTime {
        dt(self.c.updated_at)
    }
}

// ---------- product ----------

/// `ProductVariant`.
#[derive(Clone)]
pub struct VariantNode {
    v: Variant,
    currency: String,
}

#[Object(name = "ProductVariant")]
impl VariantNode {
    async fn id(&self) -> ID {
        ID(gid("ProductVariant", self.v.id))
    }
    async fn legacy_resource_id(&self) -> UnsignedInt64 {
        UnsignedInt64(self.v.id)
    }
    async fn title(&self) -> &str {
        &self.v.title
    }
    async fn display_name(&self) -> &str {
        &self.v.title
    }
    async fn sku(&self) -> &str {
        &self.v.sku
    }
    async fn price(&self) -> Decimal {
        Decimal(store::round_money(self.v.price, &self.currency))
    }
    async fn compare_at_price(&self) -> Option<Decimal> {
        self.v
            .compare_at_price
            .map(|p| Decimal(store::round_money(p, &self.currency)))
    }
    async fn position(&self) -> i32 {
        self.v.position as i32
    }
    async fn inventory_quantity(&self) -> i32 {
        self.v.inventory_quantity as i32
    }
    async fn taxable(&self) -> bool {
        self.v.taxable
    }
    async fn created_at(&self) -> DateTime {
        dt(self.v.created_at)
    }
    async fn updated_at(&self) -> DateTime {
        dt(self.v.updated_at)
    }
    async fn product(&self, ctx: &Context<'_>) -> Option<ProductNode> {
        read_store(ctx)
            .products
            .get(&self.v.product_id)
            .map(|p| ProductNode::new(p, &self.currency))
    }
}

/// `Product`.
#[derive(Clone)]
pub struct ProductNode {
    p: Product,
    currency: String,
}

impl ProductNode {
    fn new(p: &Product, currency: &str) -> Self {
        ProductNode {
            p: p.clone(),
            currency: currency.to_string(),
        }
    }
}

#[Object(name = "Product")]
impl ProductNode {
    async fn id(&self) -> ID {
        ID(gid("Product", self.p.id))
    }
    async fn legacy_resource_id(&self) -> UnsignedInt64 {
        UnsignedInt64(self.p.id)
    }
    async fn title(&self) -> &str {
        &self.p.title
    }
    async fn handle(&self) -> &str {
        &self.p.handle
    }
    async fn description_html(&self) -> &str {
        &self.p.body_html
    }
    async fn vendor(&self) -> &str {
        &self.p.vendor
    }
    async fn product_type(&self) -> &str {
        &self.p.product_type
    }
    async fn status(&self) -> ProductStatus {
        match self.p.status {
            "active" => ProductStatus::Active,
            "draft" => ProductStatus::Draft,
            _ => ProductStatus::Archived,
        }
    }
    async fn tags(&self) -> &[String] {
        &self.p.tags
    }
    async fn total_inventory(&self) -> i32 {
        self.p
            .variants
            .iter()
            .map(|v| v.inventory_quantity)
            .sum::<i64>() as i32
    }
    async fn created_at(&self) -> DateTime {
        dt(self.p.created_at)
    }
    async fn updated_at(&self) -> DateTime {
        dt(self.p.updated_at)
    }
    async fn published_at(&self) -> Option<DateTime> {
        self.p.published_at.map(dt)
    }
    async fn variants(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        reverse: Option<bool>,
    ) -> Result<ProductVariantConnection, Error> {
        let items = self
            .p
            .variants
            .iter()
            .map(|v| {
                (
                    v.id,
                    VariantNode {
                        v: v.clone(),
                        currency: self.currency.clone(),
                    },
                )
            })
            .collect();
        Ok(nested(ctx, items, page_args(first, after, last, before, reverse))?.into())
    }
}

// ---------- order ----------

/// `LineItem`.
#[derive(Clone)]
pub struct LineItemNode {
    l: LineItem,
    refunded: u32,
    currency: String,
}

#[Object(name = "LineItem")]
impl LineItemNode {
    async fn id(&self) -> ID {
        ID(gid("LineItem", self.l.id))
    }
    async fn name(&self) -> String {
        format!("{} - {}", self.l.title, self.l.variant_title)
    }
    async fn title(&self) -> &str {
        &self.l.title
    }
    async fn variant_title(&self) -> &str {
        &self.l.variant_title
    }
    async fn sku(&self) -> &str {
        &self.l.sku
    }
    async fn vendor(&self) -> &str {
        &self.l.vendor
    }
    async fn quantity(&self) -> i32 {
        self.l.quantity as i32
    }
    async fn current_quantity(&self) -> i32 {
        (self.l.quantity - self.refunded) as i32
    }
    async fn refundable_quantity(&self) -> i32 {
        (self.l.quantity - self.refunded) as i32
    }
    async fn unfulfilled_quantity(&self) -> i32 {
        (self.l.quantity - self.l.fulfilled_quantity) as i32
    }
    async fn original_unit_price_set(&self) -> MoneyBag {
        bag(self.l.price, &self.currency)
    }
    async fn original_total_set(&self) -> MoneyBag {
        bag(
            self.l.price * rust_decimal::Decimal::from(self.l.quantity),
            &self.currency,
        )
    }
    async fn total_discount_set(&self) -> MoneyBag {
        bag(self.l.total_discount, &self.currency)
    }
    async fn tax_lines(&self) -> Vec<TaxLine> {
        self.l
            .tax_lines
            .iter()
            .map(|t| TaxLine {
                title: t.title.clone(),
                rate: t.rate.to_string().parse().unwrap_or(0.0),
                price_set: bag(t.price, &self.currency),
            })
            .collect()
    }
    async fn product(&self, ctx: &Context<'_>) -> Option<ProductNode> {
        read_store(ctx)
            .products
            .get(&self.l.product_id)
            .map(|p| ProductNode::new(p, &self.currency))
    }
    async fn variant(&self, ctx: &Context<'_>) -> Option<VariantNode> {
        let s = read_store(ctx);
        let p = s.products.get(&self.l.product_id)?;
        let v = p.variants.iter().find(|v| v.id == self.l.variant_id)?;
        Some(VariantNode {
            v: v.clone(),
            currency: self.currency.clone(),
        })
    }
}

/// `TaxLine`.
#[derive(Clone, SimpleObject)]
pub struct TaxLine {
    pub title: String,
    pub rate: f64,
    pub price_set: MoneyBag,
}

/// `OrderTransaction`.
#[derive(Clone)]
pub struct TransactionNode {
    t: Transaction,
    currency: String,
}

#[Object(name = "OrderTransaction")]
impl TransactionNode {
    async fn id(&self) -> ID {
        ID(gid("OrderTransaction", self.t.id))
    }
    async fn kind(&self) -> OrderTransactionKind {
        match self.t.kind {
            "authorization" => OrderTransactionKind::Authorization,
            "capture" => OrderTransactionKind::Capture,
            "void" => OrderTransactionKind::Void,
            "refund" => OrderTransactionKind::Refund,
            _ => OrderTransactionKind::Sale,
        }
    }
    async fn status(&self) -> OrderTransactionStatus {
        match self.t.status {
            "success" => OrderTransactionStatus::Success,
            "pending" => OrderTransactionStatus::Pending,
            _ => OrderTransactionStatus::Failure,
        }
    }
    async fn gateway(&self) -> &str {
        &self.t.gateway
    }
    async fn test(&self) -> bool {
        false
    }
    async fn amount_set(&self) -> MoneyBag {
        bag(self.t.amount, &self.currency)
    }
    async fn created_at(&self) -> DateTime {
        dt(self.t.created_at)
    }
    async fn processed_at(&self) -> DateTime {
        dt(self.t.created_at)
    }
}

/// `RefundLineItem`.
#[derive(Clone)]
pub struct RefundLineItemNode {
    id: u64,
    quantity: u32,
    restock: bool,
    subtotal: rust_decimal::Decimal,
    total_tax: rust_decimal::Decimal,
    line_item: Option<LineItemNode>,
    currency: String,
}

#[Object(name = "RefundLineItem")]
impl RefundLineItemNode {
    async fn id(&self) -> ID {
        ID(gid("RefundLineItem", self.id))
    }
    async fn quantity(&self) -> i32 {
        self.quantity as i32
    }
    async fn restock_type(&self) -> RefundLineItemRestockType {
        if self.restock {
            RefundLineItemRestockType::Return
        } else {
            RefundLineItemRestockType::NoRestock
        }
    }
    async fn subtotal_set(&self) -> MoneyBag {
        bag(self.subtotal, &self.currency)
    }
    async fn total_tax_set(&self) -> MoneyBag {
        bag(self.total_tax, &self.currency)
    }
    async fn line_item(&self) -> Option<&LineItemNode> {
        self.line_item.as_ref()
    }
}

/// `Refund`.
#[derive(Clone)]
pub struct RefundNode {
    r: Refund,
    order: Arc<Order>,
    currency: String,
}

#[Object(name = "Refund")]
impl RefundNode {
    async fn id(&self) -> ID {
        ID(gid("Refund", self.r.id))
    }
    async fn legacy_resource_id(&self) -> UnsignedInt64 {
        UnsignedInt64(self.r.id)
    }
    async fn note(&self) -> Option<&str> {
        self.r.note.as_deref()
    }
    async fn created_at(&self) -> DateTime {
        dt(self.r.created_at)
    }
    async fn updated_at(&self) -> DateTime {
        dt(self.r.processed_at)
    }
    async fn total_refunded_set(&self) -> MoneyBag {
        bag(self.r.amount(), &self.currency)
    }
    async fn refund_line_items(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        reverse: Option<bool>,
    ) -> Result<RefundLineItemConnection, Error> {
        let items = self
            .r
            .refund_line_items
            .iter()
            .map(|rl| {
                let line = self
                    .order
                    .line_items
                    .iter()
                    .find(|l| l.id == rl.line_item_id)
                    .map(|l| LineItemNode {
                        l: l.clone(),
                        refunded: self.order.refunded_quantity(l.id),
                        currency: self.currency.clone(),
                    });
                (
                    rl.id,
                    RefundLineItemNode {
                        id: rl.id,
                        quantity: rl.quantity,
                        restock: self.r.restock,
                        subtotal: rl.subtotal,
                        total_tax: rl.total_tax,
                        line_item: line,
                        currency: self.currency.clone(),
                    },
                )
            })
            .collect();
        Ok(nested(ctx, items, page_args(first, after, last, before, reverse))?.into())
    }
    async fn transactions(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        reverse: Option<bool>,
    ) -> Result<OrderTransactionConnection, Error> {
        let items = self
            .r
            .transactions
            .iter()
            .map(|t| {
                (
                    t.id,
                    TransactionNode {
                        t: t.clone(),
                        currency: self.currency.clone(),
                    },
                )
            })
            .collect();
        Ok(nested(ctx, items, page_args(first, after, last, before, reverse))?.into())
    }
}

/// `ShippingLine`.
#[derive(Clone, SimpleObject)]
pub struct ShippingLine {
    pub title: String,
    pub code: String,
    pub original_price_set: MoneyBag,
}

/// `Order`.
#[derive(Clone)]
pub struct OrderNode {
    o: Arc<Order>,
    currency: String,
}

impl OrderNode {
    fn new(o: &Order, currency: &str) -> Self {
        OrderNode {
            o: Arc::new(o.clone()),
            currency: currency.to_string(),
        }
    }
    fn bag(&self, amount: rust_decimal::Decimal) -> MoneyBag {
        bag(amount, &self.currency)
    }
}

#[Object(name = "Order")]
impl OrderNode {
    async fn id(&self) -> ID {
        ID(gid("Order", self.o.id))
    }
    async fn legacy_resource_id(&self) -> UnsignedInt64 {
        UnsignedInt64(self.o.id)
    }
    async fn name(&self) -> &str {
        &self.o.name
    }
    async fn email(&self) -> Option<&str> {
        self.o.email.as_deref()
    }
    async fn note(&self) -> Option<&str> {
        self.o.note.as_deref()
    }
    async fn tags(&self) -> &[String] {
        &self.o.tags
    }
    async fn test(&self) -> bool {
        false
    }
    async fn confirmed(&self) -> bool {
        true
    }
    async fn closed(&self) -> bool {
        self.o.closed_at.is_some()
    }
    async fn created_at(&self) -> DateTime {
        dt(self.o.created_at)
    }
    async fn updated_at(&self) -> DateTime {
        dt(self.o.updated_at)
    }
    async fn processed_at(&self) -> DateTime {
        dt(self.o.processed_at)
    }
    async fn closed_at(&self) -> Option<DateTime> {
        self.o.closed_at.map(dt)
    }
    async fn cancelled_at(&self) -> Option<DateTime> {
        self.o.cancelled_at.map(dt)
    }
    async fn cancel_reason(&self) -> Option<OrderCancelReason> {
        self.o.cancel_reason.map(|r| match r {
            "customer" => OrderCancelReason::Customer,
            "fraud" => OrderCancelReason::Fraud,
            "inventory" => OrderCancelReason::Inventory,
            "declined" => OrderCancelReason::Declined,
            "staff" => OrderCancelReason::Staff,
            _ => OrderCancelReason::Other,
        })
    }
    async fn display_financial_status(&self) -> Option<OrderDisplayFinancialStatus> {
        use OrderDisplayFinancialStatus as S;
        Some(match self.o.financial_status {
            "authorized" => S::Authorized,
            "paid" => S::Paid,
            "partially_paid" => S::PartiallyPaid,
            "partially_refunded" => S::PartiallyRefunded,
            "refunded" => S::Refunded,
            "voided" => S::Voided,
            _ => S::Pending,
        })
    }
    async fn display_fulfillment_status(&self) -> OrderDisplayFulfillmentStatus {
        match self.o.fulfillment_status() {
            Some("fulfilled") => OrderDisplayFulfillmentStatus::Fulfilled,
            Some(_) => OrderDisplayFulfillmentStatus::PartiallyFulfilled,
            None => OrderDisplayFulfillmentStatus::Unfulfilled,
        }
    }
    async fn currency_code(&self) -> &str {
        &self.currency
    }
    async fn presentment_currency_code(&self) -> &str {
        &self.currency
    }
    async fn discount_codes(&self) -> Vec<String> {
        self.o
            .discount_codes
            .iter()
            .map(|d| d.code.clone())
            .collect()
    }
    async fn total_price_set(&self) -> MoneyBag {
        self.bag(self.o.total_price())
    }
    async fn current_total_price_set(&self) -> MoneyBag {
        self.bag(self.o.total_price() - self.o.total_refunded())
    }
    async fn subtotal_price_set(&self) -> MoneyBag {
        self.bag(self.o.subtotal_price())
    }
    async fn total_tax_set(&self) -> MoneyBag {
        self.bag(self.o.total_tax())
    }
    async fn total_discounts_set(&self) -> MoneyBag {
        self.bag(self.o.total_discounts)
    }
    async fn total_shipping_price_set(&self) -> MoneyBag {
        self.bag(self.o.total_shipping())
    }
    async fn total_refunded_set(&self) -> MoneyBag {
        self.bag(self.o.total_refunded())
    }
    async fn tax_lines(&self) -> Vec<TaxLine> {
        vec![TaxLine {
            title: "State Tax".into(),
            rate: self.o.tax_rate.to_string().parse().unwrap_or(0.0),
            price_set: self.bag(self.o.total_tax()),
        }]
    }
    async fn shipping_line(&self) -> Option<ShippingLine> {
        self.o.shipping_lines.first().map(|s| ShippingLine {
            title: s.title.clone(),
            code: s.code.clone(),
            original_price_set: self.bag(s.price),
        })
    }
    async fn billing_address(&self) -> Option<MailingAddress> {
        self.o.billing_address.as_ref().map(MailingAddress::from)
    }
    async fn shipping_address(&self) -> Option<MailingAddress> {
        self.o.shipping_address.as_ref().map(MailingAddress::from)
    }
    async fn customer(&self) -> Option<CustomerNode> {
        self.o
            .customer
            .as_ref()
            .map(|c| CustomerNode::new(c, &self.currency))
    }
    async fn line_items(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        reverse: Option<bool>,
    ) -> Result<LineItemConnection, Error> {
        let items = self
            .o
            .line_items
            .iter()
            .map(|l| {
                (
                    l.id,
                    LineItemNode {
                        l: l.clone(),
                        refunded: self.o.refunded_quantity(l.id),
                        currency: self.currency.clone(),
                    },
                )
            })
            .collect();
        Ok(nested(ctx, items, page_args(first, after, last, before, reverse))?.into())
    }
    async fn refunds(&self, first: Option<i32>) -> Vec<RefundNode> {
        let n = first.map(|n| n.max(0) as usize).unwrap_or(usize::MAX);
        self.o
            .refunds
            .iter()
            .take(n)
            .map(|r| RefundNode {
                r: r.clone(),
                order: self.o.clone(),
                currency: self.currency.clone(),
            })
            .collect()
    }
    async fn transactions(&self, first: Option<i32>) -> Vec<TransactionNode> {
        let n = first.map(|n| n.max(0) as usize).unwrap_or(usize::MAX);
        self.o
            .transactions
            .iter()
            .take(n)
            .map(|t| TransactionNode {
                t: t.clone(),
                currency: self.currency.clone(),
            })
            .collect()
    }
}

// ---------- shop ----------

/// `ShopPlan`.
#[derive(Clone, SimpleObject)]
pub struct ShopPlan {
    pub display_name: String,
    pub partner_development: bool,
    pub shopify_plus: bool,
}

/// `Shop`.
#[derive(Clone, SimpleObject)]
pub struct Shop {
    pub id: ID,
    pub name: String,
    pub email: String,
    pub currency_code: String,
    pub iana_timezone: String,
    pub myshopify_domain: String,
    pub plan: ShopPlan,
    pub created_at: DateTime,
}

/// `AccessScope`.
#[derive(Clone, SimpleObject)]
pub struct AccessScope {
    pub handle: String,
}

/// `AppInstallation`.
#[derive(Clone, SimpleObject)]
pub struct AppInstallation {
    pub id: ID,
    pub access_scopes: Vec<AccessScope>,
}

/// Scopes the simulated app holds.
pub const ACCESS_SCOPES: [&str; 5] = [
    "read_orders",
    "read_all_orders",
    "read_customers",
    "read_products",
    "write_webhooks",
];

// ---------- roots ----------

/// `QueryRoot`.
pub struct QueryRoot;

#[Object]
impl QueryRoot {
    #[allow(clippy::too_many_arguments)]
    async fn orders(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        reverse: Option<bool>,
        sort_key: Option<OrderSortKeys>,
        query: Option<String>,
    ) -> Result<OrderConnection, Error> {
        let filter = SearchFilter::parse(query.as_deref());
        let key = key_flags!(sort_key.unwrap_or_default(), OrderSortKeys);
        let items = {
            let s = read_store(ctx);
            s.orders
                .values()
                .filter(|o| filter.matches(o.id, o.created_at, o.updated_at))
                .map(|o| (sort_value(key, o.id, o.created_at, o.updated_at), o.id))
                .collect()
        };
        let page = paginate(ctx, items, page_args(first, after, last, before, reverse))?;
        Ok(materialize(ctx, page, |s, id| {
            s.orders
                .get(&id)
                .map(|x| OrderNode::new(x, &s.shop.currency))
        })
        .into())
    }

    #[allow(clippy::too_many_arguments)]
    async fn customers(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        reverse: Option<bool>,
        sort_key: Option<CustomerSortKeys>,
        query: Option<String>,
    ) -> Result<CustomerConnection, Error> {
        let filter = SearchFilter::parse(query.as_deref());
        let key = key_flags!(sort_key.unwrap_or_default(), CustomerSortKeys);
        let items = {
            let s = read_store(ctx);
            s.customers
                .values()
                .filter(|c| filter.matches(c.id, c.created_at, c.updated_at))
                .map(|c| (sort_value(key, c.id, c.created_at, c.updated_at), c.id))
                .collect()
        };
        let page = paginate(ctx, items, page_args(first, after, last, before, reverse))?;
        Ok(materialize(ctx, page, |s, id| {
            s.customers
                .get(&id)
                .map(|x| CustomerNode::new(x, &s.shop.currency))
        })
        .into())
    }

    #[allow(clippy::too_many_arguments)]
    async fn products(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        reverse: Option<bool>,
        sort_key: Option<ProductSortKeys>,
        query: Option<String>,
    ) -> Result<ProductConnection, Error> {
        let filter = SearchFilter::parse(query.as_deref());
        let key = key_flags!(sort_key.unwrap_or_default(), ProductSortKeys);
        let items = {
            let s = read_store(ctx);
            s.products
                .values()
                .filter(|p| filter.matches(p.id, p.created_at, p.updated_at))
                .map(|p| (sort_value(key, p.id, p.created_at, p.updated_at), p.id))
                .collect()
        };
        let page = paginate(ctx, items, page_args(first, after, last, before, reverse))?;
        Ok(materialize(ctx, page, |s, id| {
            s.products
                .get(&id)
                .map(|x| ProductNode::new(x, &s.shop.currency))
        })
        .into())
    }

    async fn order(&self, ctx: &Context<'_>, id: ID) -> Option<OrderNode> {
        let (_, num) = parse_gid(&id).filter(|(t, _)| *t == "Order")?;
        let s = read_store(ctx);
        s.orders
            .get(&num)
            .map(|o| OrderNode::new(o, &s.shop.currency))
    }

    async fn customer(&self, ctx: &Context<'_>, id: ID) -> Option<CustomerNode> {
        let (_, num) = parse_gid(&id).filter(|(t, _)| *t == "Customer")?;
        let s = read_store(ctx);
        s.customers
            .get(&num)
            .map(|c| CustomerNode::new(c, &s.shop.currency))
    }

    async fn product(&self, ctx: &Context<'_>, id: ID) -> Option<ProductNode> {
        let (_, num) = parse_gid(&id).filter(|(t, _)| *t == "Product")?;
        let s = read_store(ctx);
        s.products
            .get(&num)
            .map(|p| ProductNode::new(p, &s.shop.currency))
    }

    async fn node(&self, ctx: &Context<'_>, id: ID) -> Option<Node> {
        node_by_gid(ctx, &id)
    }

    async fn nodes(&self, ctx: &Context<'_>, ids: Vec<ID>) -> Result<Vec<Option<Node>>, Error> {
        if ids.len() > 250 {
            return Err(Error::new(
                "The input array size of 251 is greater than the maximum allowed of 250.",
            ));
        }
        Ok(ids.iter().map(|id| node_by_gid(ctx, id)).collect())
    }

    async fn shop(&self, ctx: &Context<'_>) -> Shop {
        let s = read_store(ctx);
        let shop = &s.shop;
        Shop {
            id: ID(gid("Shop", shop.id)),
            name: shop.name.clone(),
            email: shop.email.clone(),
            currency_code: shop.currency.clone(),
            iana_timezone: shop.iana_timezone.clone(),
            myshopify_domain: shop.domain.clone(),
            plan: ShopPlan {
                display_name: shop.plan.display_name().to_string(),
                partner_development: false,
                shopify_plus: matches!(
                    shop.plan,
                    crate::config::Plan::Plus | crate::config::Plan::Enterprise
                ),
            },
            created_at: dt(shop.created_at),
        }
    }

    async fn current_app_installation(&self) -> AppInstallation {
        AppInstallation {
            id: ID(gid("AppInstallation", 1)),
            access_scopes: ACCESS_SCOPES
                .iter()
                .map(|h| AccessScope {
                    handle: h.to_string(),
                })
                .collect(),
        }
    }

    async fn bulk_operation(&self, ctx: &Context<'_>, id: ID) -> Option<BulkOperation> {
        let (_, num) = parse_gid(&id).filter(|(t, _)| *t == "BulkOperation")?;
        lock(&shared(ctx).bulk).get(num)
    }

    async fn current_bulk_operation(
        &self,
        ctx: &Context<'_>,
        r#type: Option<bulk::BulkOperationType>,
    ) -> Option<BulkOperation> {
        lock(&shared(ctx).bulk).current(r#type.unwrap_or(bulk::BulkOperationType::Query))
    }

    #[allow(clippy::too_many_arguments)]
    async fn webhook_subscriptions(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        reverse: Option<bool>,
        topics: Option<Vec<WebhookSubscriptionTopic>>,
    ) -> Result<WebhookSubscriptionConnection, Error> {
        let items = lock(shared(ctx).webhooks.subscriptions())
            .list()
            .iter()
            .filter(|s| s.api_managed)
            .filter(|s| {
                topics
                    .as_ref()
                    .is_none_or(|t| t.iter().any(|t| t.rest() == s.topic))
            })
            .map(|s| ((s.id as i64, s.id), WebhookSubscriptionNode(s.clone())))
            .collect();
        Ok(paginate(ctx, items, page_args(first, after, last, before, reverse))?.into())
    }
}

/// `Mutation`.
pub struct Mutation;

#[Object]
impl Mutation {
    async fn bulk_operation_run_query(
        &self,
        ctx: &Context<'_>,
        query: String,
    ) -> bulk::BulkOperationRunQueryPayload {
        let version = ctx
            .data_opt::<super::ApiVersion>()
            .map(|v| v.0.clone())
            .unwrap_or_default();
        bulk::start(shared(ctx), &query, &version)
    }

    async fn bulk_operation_cancel(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> bulk::BulkOperationCancelPayload {
        bulk::cancel(shared(ctx), &id)
    }

    async fn webhook_subscription_create(
        &self,
        ctx: &Context<'_>,
        topic: WebhookSubscriptionTopic,
        webhook_subscription: WebhookSubscriptionInput,
    ) -> WebhookSubscriptionPayload {
        match subscription_url(&webhook_subscription) {
            Err(e) => WebhookSubscriptionPayload {
                webhook_subscription: None,
                user_errors: vec![e],
            },
            Ok(url) => {
                let mut subs = lock(shared(ctx).webhooks.subscriptions());
                if subs
                    .list()
                    .iter()
                    .any(|s| s.api_managed && s.topic == topic.rest() && s.callback_url == url)
                {
                    return WebhookSubscriptionPayload {
                        webhook_subscription: None,
                        user_errors: vec![UserError {
                            field: Some(vec!["webhookSubscription".into(), "callbackUrl".into()]),
                            message: "Address for this topic has already been taken".into(),
                        }],
                    };
                }
                let sub = subs.create(topic.rest(), &url, true);
                WebhookSubscriptionPayload {
                    webhook_subscription: Some(WebhookSubscriptionNode(sub)),
                    user_errors: vec![],
                }
            }
        }
    }

    async fn webhook_subscription_update(
        &self,
        ctx: &Context<'_>,
        id: ID,
        webhook_subscription: WebhookSubscriptionInput,
    ) -> WebhookSubscriptionPayload {
        let not_found = || UserError {
            field: Some(vec!["id".into()]),
            message: "Webhook subscription does not exist".into(),
        };
        let Some((_, num)) = parse_gid(&id).filter(|(t, _)| *t == "WebhookSubscription") else {
            return WebhookSubscriptionPayload {
                webhook_subscription: None,
                user_errors: vec![not_found()],
            };
        };
        match subscription_url(&webhook_subscription) {
            Err(e) => WebhookSubscriptionPayload {
                webhook_subscription: None,
                user_errors: vec![e],
            },
            Ok(url) => match lock(shared(ctx).webhooks.subscriptions()).update(num, &url) {
                Some(sub) => WebhookSubscriptionPayload {
                    webhook_subscription: Some(WebhookSubscriptionNode(sub)),
                    user_errors: vec![],
                },
                None => WebhookSubscriptionPayload {
                    webhook_subscription: None,
                    user_errors: vec![not_found()],
                },
            },
        }
    }

    async fn webhook_subscription_delete(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> WebhookSubscriptionDeletePayload {
        let deleted = parse_gid(&id)
            .filter(|(t, _)| *t == "WebhookSubscription")
            .is_some_and(|(_, num)| lock(shared(ctx).webhooks.subscriptions()).delete(num));
        if deleted {
            WebhookSubscriptionDeletePayload {
                deleted_webhook_subscription_id: Some(id),
                user_errors: vec![],
            }
        } else {
            WebhookSubscriptionDeletePayload {
                deleted_webhook_subscription_id: None,
                user_errors: vec![UserError {
                    field: Some(vec!["id".into()]),
                    message: "Webhook subscription does not exist".into(),
                }],
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_speaks_shopify_names() {
        let sdl = build().sdl();
        for needle in [
            "currentBulkOperation(type: BulkOperationType): BulkOperation",
            "type QueryRoot",
            "displayFinancialStatus: OrderDisplayFinancialStatus",
            "legacyResourceId: UnsignedInt64!",
            "totalPriceSet: MoneyBag!",
            "webhookSubscriptionCreate(topic: WebhookSubscriptionTopic!, webhookSubscription: WebhookSubscriptionInput!)",
            "interface Node",
        ] {
            assert!(sdl.contains(needle), "{needle} missing from\n{sdl}");
        }
    }

    #[test]
    fn gids_parse() {
        assert_eq!(parse_gid("gid://shopify/Order/123"), Some(("Order", 123)));
        assert_eq!(
            parse_gid("gid://shopify/MailingAddress/9?model_name=CustomerAddress"),
            Some(("MailingAddress", 9))
        );
        assert_eq!(parse_gid("Order/123"), None);
    }

    #[test]
    fn currency_helper_formats() {
        assert_eq!(
            money(rust_decimal::Decimal::new(1999, 1), "USD")
                .amount
                .0
                .to_string(),
            "199.90"
        );
    }
}
