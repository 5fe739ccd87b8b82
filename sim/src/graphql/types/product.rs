//! `Product` and `ProductVariant`: the GraphQL view of `store/product.rs`, and the
//! connections `products` (`graphql/query_root.rs`) and `Product.variants` page.

use async_graphql::{Context, Enum, Error, Object, ID};

use crate::graphql::context::{materialize, nested, page_args, read_store};
use crate::graphql::paging::{connection, paginate, sort_keys, sort_value, PageArgs, SearchFilter};
use crate::graphql::scalars::{dt, DateTime, Html, Money, UnsignedInt64};
use crate::store::product::{Product, Variant};
use crate::store::rest::gid;
use crate::store::units::round_money;

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum ProductStatus {
    Active,
    Archived,
    Draft,
}

/// `ProductVariant`.
#[derive(Clone)]
pub struct VariantNode {
    pub(crate) v: Variant,
    pub(crate) currency: String,
}

#[Object(name = "ProductVariant")]
impl VariantNode {
    pub async fn id(&self) -> ID {
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
    async fn sku(&self) -> Option<&str> {
        Some(&self.v.sku)
    }
    async fn price(&self) -> Money {
        Money(round_money(self.v.price, &self.currency))
    }
    async fn compare_at_price(&self) -> Option<Money> {
        self.v
            .compare_at_price
            .map(|p| Money(round_money(p, &self.currency)))
    }
    async fn position(&self) -> i32 {
        self.v.position as i32
    }
    async fn inventory_quantity(&self) -> Option<i32> {
        Some(self.v.inventory_quantity as i32)
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
    /// Never null (a variant lives inside its product); an error only if the store lost it.
    async fn product(&self, ctx: &Context<'_>) -> Result<ProductNode, Error> {
        read_store(ctx)
            .products
            .get(&self.v.product_id)
            .map(|p| ProductNode::new(p, &self.currency))
            .ok_or_else(|| Error::new(format!("Product {} not found", self.v.product_id)))
    }
}

/// `Product`.
#[derive(Clone)]
pub struct ProductNode {
    pub(crate) p: Product,
    pub(crate) currency: String,
}

impl ProductNode {
    pub(crate) fn new(p: &Product, currency: &str) -> Self {
        ProductNode {
            p: p.clone(),
            currency: currency.to_string(),
        }
    }
}

#[Object(name = "Product")]
impl ProductNode {
    pub async fn id(&self) -> ID {
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
    async fn description_html(&self) -> Html {
        Html(self.p.body_html.clone())
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
    #[allow(clippy::too_many_arguments)]
    async fn variants(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        reverse: Option<bool>,
        sort_key: Option<ProductVariantSortKeys>,
    ) -> Result<ProductVariantConnection, Error> {
        let mut variants: Vec<_> = self.p.variants.iter().collect();
        let key = sort_key.unwrap_or(ProductVariantSortKeys::Position);
        variants.sort_by(|a, b| key.compare(&self.p.title, a, b));
        let items = variants
            .into_iter()
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

/// `ProductVariantSortKeys`: Shopify's sort keys of a product's variants (default `POSITION`).
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum ProductVariantSortKeys {
    FullTitle,
    Id,
    InventoryLevelsAvailable,
    InventoryManagement,
    InventoryPolicy,
    InventoryQuantity,
    Name,
    Popular,
    Position,
    Relevance,
    Sku,
    Title,
}

impl ProductVariantSortKeys {
    /// The order of two variants of the product titled `product_title`. The simulated store
    /// tracks every variant the same way (one policy, Shopify-managed, no sales ranking, no
    /// search), so the keys about those order by position, as Shopify does among equals.
    fn compare(self, product_title: &str, a: &Variant, b: &Variant) -> std::cmp::Ordering {
        let full = |v: &Variant| format!("{product_title} - {}", v.title);
        let by_key = match self {
            Self::Id => a.id.cmp(&b.id),
            Self::Sku => a.sku.cmp(&b.sku),
            Self::Title => a.title.cmp(&b.title),
            Self::FullTitle | Self::Name => full(a).cmp(&full(b)),
            Self::InventoryQuantity | Self::InventoryLevelsAvailable => {
                a.inventory_quantity.cmp(&b.inventory_quantity)
            }
            Self::InventoryManagement
            | Self::InventoryPolicy
            | Self::Popular
            | Self::Position
            | Self::Relevance => std::cmp::Ordering::Equal,
        };
        by_key
            .then(a.position.cmp(&b.position))
            .then(a.id.cmp(&b.id))
    }
}

connection!(ProductConnection, ProductEdge, ProductNode);
connection!(ProductVariantConnection, ProductVariantEdge, VariantNode);

sort_keys!(ProductSortKeys);

/// One page of `products` (`graphql/query_root.rs`): filtered by the search query, sorted by the
/// sort key, ids paged first and only the page cloned.
pub fn connection(
    ctx: &Context<'_>,
    args: PageArgs,
    sort_key: ProductSortKeys,
    query: Option<&str>,
) -> Result<ProductConnection, Error> {
    let filter = SearchFilter::parse(query);
    let key = sort_key.flags();
    let items = {
        let s = read_store(ctx);
        s.products
            .values()
            .filter(|p| filter.matches(p.id, p.created_at, p.updated_at))
            .map(|p| (sort_value(key, p.id, p.created_at, p.updated_at), p.id))
            .collect()
    };
    let page = paginate(ctx, items, args)?;
    Ok(materialize(ctx, page, |s, id| {
        s.products
            .get(&id)
            .map(|x| ProductNode::new(x, &s.shop.currency))
    })
    .into())
}
