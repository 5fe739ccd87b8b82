//! `Customer` and `MailingAddress`: the GraphQL view of `store/customer.rs`, and the
//! `CustomerConnection` that `customers` (`graphql/query_root.rs`) pages.

use async_graphql::{Context, Enum, Error, Object, SimpleObject, ID};

use crate::graphql::codes::CountryCode;
use crate::graphql::context::{materialize, read_store};

use crate::graphql::paging::{connection, paginate, sort_keys, sort_value, PageArgs, SearchFilter};
use crate::graphql::scalars::{dt, money, DateTime, MoneyV2, UnsignedInt64};
use crate::store::customer::{Address, Customer};
use crate::store::rest::gid;

#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum CustomerState {
    Declined,
    Disabled,
    Enabled,
    Invited,
}

/// `MailingAddress`.
#[derive(Clone, SimpleObject)]
pub struct MailingAddress {
    pub id: ID,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub name: Option<String>,
    pub company: Option<String>,
    pub address1: Option<String>,
    pub address2: Option<String>,
    pub city: Option<String>,
    pub province: Option<String>,
    pub province_code: Option<String>,
    pub country: Option<String>,
    pub country_code_v2: Option<CountryCode>,
    pub zip: Option<String>,
    pub phone: Option<String>,
}

impl From<&Address> for MailingAddress {
    fn from(a: &Address) -> Self {
        MailingAddress {
            id: ID(format!(
                "gid://shopify/MailingAddress/{}?model_name=CustomerAddress",
                a.id
            )),
            first_name: present(&a.first_name),
            last_name: present(&a.last_name),
            name: present(format!("{} {}", a.first_name, a.last_name).trim()),
            company: a.company.clone(),
            address1: present(&a.address1),
            address2: a.address2.as_deref().and_then(present),
            city: present(&a.city),
            province: a.province.as_deref().and_then(present),
            province_code: a.province_code.as_deref().and_then(present),
            country: present(&a.country),
            country_code_v2: CountryCode::from_code(&a.country_code),
            zip: a.zip.as_deref().and_then(present),
            phone: a.phone.clone(),
        }
    }
}

/// A stored text as Shopify serves a nullable one: an empty text is no value.
fn present(text: &str) -> Option<String> {
    Some(text.to_string()).filter(|t| !t.is_empty())
}

/// `CustomerEmailAddress` (the address only; Shopify's marketing-consent fields are not
/// modelled).
#[derive(Clone, SimpleObject)]
pub struct CustomerEmailAddress {
    pub email_address: String,
}

/// `CustomerPhoneNumber` (the number only).
#[derive(Clone, SimpleObject)]
pub struct CustomerPhoneNumber {
    pub phone_number: String,
}

/// `Customer`.
#[derive(Clone)]
pub struct CustomerNode {
    pub(crate) c: Customer,
    pub(crate) currency: String,
}

impl CustomerNode {
    pub(crate) fn new(c: &Customer, currency: &str) -> Self {
        CustomerNode {
            c: c.clone(),
            currency: currency.to_string(),
        }
    }
}

#[Object(name = "Customer")]
impl CustomerNode {
    pub async fn id(&self) -> ID {
        ID(gid("Customer", self.c.id))
    }
    async fn legacy_resource_id(&self) -> UnsignedInt64 {
        UnsignedInt64(self.c.id)
    }
    async fn first_name(&self) -> Option<&str> {
        Some(&self.c.first_name)
    }
    async fn last_name(&self) -> Option<&str> {
        Some(&self.c.last_name)
    }
    async fn display_name(&self) -> String {
        format!("{} {}", self.c.first_name, self.c.last_name)
    }
    #[graphql(deprecation = "Use `defaultEmailAddress.emailAddress` instead.")]
    async fn email(&self) -> Option<&str> {
        self.c.email.as_deref()
    }
    #[graphql(deprecation = "Use `defaultPhoneNumber.phoneNumber` instead.")]
    async fn phone(&self) -> Option<&str> {
        self.c.phone.as_deref()
    }
    async fn default_email_address(&self) -> Option<CustomerEmailAddress> {
        self.c.email.as_ref().map(|e| CustomerEmailAddress {
            email_address: e.clone(),
        })
    }
    async fn default_phone_number(&self) -> Option<CustomerPhoneNumber> {
        self.c.phone.as_ref().map(|p| CustomerPhoneNumber {
            phone_number: p.clone(),
        })
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

connection!(CustomerConnection, CustomerEdge, CustomerNode);

sort_keys!(CustomerSortKeys);

/// One page of `customers` (`graphql/query_root.rs`): filtered by the search query, sorted by the
/// sort key, ids paged first and only the page cloned.
pub fn connection(
    ctx: &Context<'_>,
    args: PageArgs,
    sort_key: CustomerSortKeys,
    query: Option<&str>,
) -> Result<CustomerConnection, Error> {
    let filter = SearchFilter::parse(query);
    let key = sort_key.flags();
    let items = {
        let s = read_store(ctx);
        s.customers
            .values()
            .filter(|c| filter.matches(c.id, c.created_at, c.updated_at))
            .map(|c| (sort_value(key, c.id, c.created_at, c.updated_at), c.id))
            .collect()
    };
    let page = paginate(ctx, items, args)?;
    Ok(materialize(ctx, page, |s, id| {
        s.customers
            .get(&id)
            .map(|x| CustomerNode::new(x, &s.shop.currency))
    })
    .into())
}
