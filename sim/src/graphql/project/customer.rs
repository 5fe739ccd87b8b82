//! `Customer` and `MailingAddress` from `store/customer.rs`.

use serde_json::{json, Value};

use super::values::{money, present, reference, ts};
use crate::store::customer::{Address, Customer};
use crate::store::rest::gid;

/// `MailingAddress` of a customer's (or an order's) address.
pub fn address(a: &Address) -> Value {
    let name = format!("{} {}", a.first_name, a.last_name);
    let area: Vec<&str> = [
        a.city.as_str(),
        a.province_code.as_deref().unwrap_or(""),
        a.zip.as_deref().unwrap_or(""),
    ]
    .into_iter()
    .filter(|s| !s.is_empty())
    .collect();
    let formatted: Vec<String> = [
        a.company.clone().unwrap_or_default(),
        a.address1.clone(),
        a.address2.clone().unwrap_or_default(),
        area.join(" "),
        a.country.clone(),
    ]
    .into_iter()
    .filter(|s| !s.is_empty())
    .collect();
    json!({
        "__typename": "MailingAddress",
        "id": format!("gid://shopify/MailingAddress/{}?model_name=CustomerAddress", a.id),
        "firstName": present(&a.first_name),
        "lastName": present(&a.last_name),
        "name": present(name.trim()),
        "company": a.company,
        "address1": present(&a.address1),
        "address2": a.address2.as_deref().map(present),
        "city": present(&a.city),
        "province": a.province.as_deref().map(present),
        "provinceCode": a.province_code.as_deref().map(present),
        "country": present(&a.country),
        "countryCodeV2": present(&a.country_code),
        "countryCode": present(&a.country_code),
        "zip": a.zip.as_deref().map(present),
        "phone": a.phone,
        "formatted": formatted,
        "formattedArea": present(&area.join(" ")),
        "coordinatesValidated": false,
    })
}

/// `Customer`.
pub fn customer(c: &Customer, currency: &str) -> Value {
    let addresses: Vec<Value> = c.addresses.iter().map(address).collect();
    let display = format!("{} {}", c.first_name, c.last_name);
    let display = display.trim();
    json!({
        "__typename": "Customer",
        "id": gid("Customer", c.id),
        "legacyResourceId": c.id.to_string(),
        "firstName": present(&c.first_name),
        "lastName": present(&c.last_name),
        "displayName": if display.is_empty() { c.email.clone().unwrap_or_default() } else { display.to_string() },
        "email": c.email,
        "phone": c.phone,
        "defaultEmailAddress": c.email.as_ref().map(|e| json!({
            "__typename": "CustomerEmailAddress",
            "emailAddress": e,
            "marketingState": if c.accepts_marketing { "SUBSCRIBED" } else { "NOT_SUBSCRIBED" },
            "marketingOptInLevel": c.accepts_marketing.then_some("SINGLE_OPT_IN"),
            "validFormat": true,
        })),
        "defaultPhoneNumber": c.phone.as_ref().map(|p| json!({
            "__typename": "CustomerPhoneNumber",
            "phoneNumber": p,
            "marketingState": "NOT_SUBSCRIBED",
        })),
        "state": c.state.to_ascii_uppercase(),
        "verifiedEmail": c.verified_email,
        "taxExempt": false,
        "tags": c.tags,
        "note": c.note,
        "numberOfOrders": c.orders_count.to_string(),
        "amountSpent": money(c.total_spent, currency),
        "defaultAddress": c.default_address().map(address),
        "addresses": addresses,
        "addressesV2": addresses,
        "lastOrder": c.last_order_id.map(|id| reference("Order", id)),
        "locale": "en",
        "lifetimeDuration": "",
        "canDelete": c.orders_count == 0,
        "dataSaleOptOut": false,
        "productSubscriberStatus": "NEVER_SUBSCRIBED",
        "createdAt": ts(c.created_at),
        "updatedAt": ts(c.updated_at),
    })
}
