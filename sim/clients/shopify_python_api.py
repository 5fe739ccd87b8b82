"""Shopify's own Python library (ShopifyAPI), unmodified, against `xeno sim`.

Run by scripts/check-real-clients.sh. The library is used exactly as against Shopify: a
session for https://pyclient.myshopify.com. The check's network maps that host to the
simulator (what a hosts entry plus a trusted certificate would do), so the library's own URLs,
and the `Link` URLs the simulator names as Shopify does, reach it. It reads orders, customers
and products with their nested objects through the library's resource classes, pages by Link
with `order=updated_at asc` and a date-only `updated_at_min` (read in the shop's time zone),
lists destroy events, and runs GraphQL queries selecting many fields of Order, Customer and
Product with nested connections. Exits non-zero on the first mismatch.
"""
import datetime
import json
import os
import sys
import urllib.parse
import urllib.request
from zoneinfo import ZoneInfo

import shopify

SHOP = "pyclient.myshopify.com"
base = os.environ["SIM_URL"]
summary = json.loads(os.environ["SIM_SUMMARY"])
api_version = os.environ.get("SIM_API_VERSION", "2026-07")


class ShopIsTheSimulator(urllib.request.BaseHandler):
    """Sends https://pyclient.myshopify.com/... to the simulator; refuses any other host."""

    handler_order = 100

    def _to_sim(self, request):
        url = urllib.parse.urlsplit(request.full_url)
        if url.hostname == "127.0.0.1":
            return request
        if url.hostname != SHOP or url.scheme != "https":
            raise urllib.error.URLError(f"the check reaches only {SHOP}: {request.full_url}")
        request.full_url = base + urllib.parse.urlunsplit(("", "", url.path, url.query, ""))
        return request

    https_request = _to_sim
    http_request = _to_sim


urllib.request.install_opener(urllib.request.build_opener(ShopIsTheSimulator()))


def check(ok, what):
    if not ok:
        print("MISMATCH:", what)
        sys.exit(1)


def parse_time(s):
    return datetime.datetime.fromisoformat(s.replace("Z", "+00:00"))


def every_page(first):
    page = first
    items = list(page)
    pages = 1
    while page.has_next_page():
        check(page.next_page_url.startswith(f"https://{SHOP}/admin/api/"), page.next_page_url)
        page = page.next_page()
        items.extend(page)
        pages += 1
    return items, pages


session = shopify.Session(SHOP, api_version, "shpat_client_check")
shopify.ShopifyResource.activate_session(session)

shop = shopify.Shop.current()
zone = ZoneInfo(shop.iana_timezone)
print("shop", shop.name, shop.currency, shop.iana_timezone, shop.timezone)
check(shop.iana_timezone != "Etc/UTC", "the shop has a time zone of its own")

# Orders by id, 50 a page, with every nested object read through the resource classes.
orders, pages = every_page(shopify.Order.find(limit=50, status="any"))
print("orders via REST", len(orders), "pages", pages)
check(len(orders) == summary["orders"], "every live order listed")
check(pages == -(-summary["orders"] // 50), "pages of 50")
check(shopify.Order.count(status="any") == summary["orders"], "order count")
for o in orders:
    check(isinstance(o, shopify.Order) and o.name.startswith("#"), f"order name {o.name}")
    check(o.currency == shop.currency and float(o.total_price) >= 0, f"order {o.id} money")
    check(len(o.line_items) > 0, f"order {o.id} has line items")
    for li in o.line_items:
        check(isinstance(li, shopify.LineItem), "line items are LineItem resources")
        check(li.quantity > 0 and float(li.price) >= 0 and li.title, f"line item {li.id}")
        check(all(float(t.price) >= 0 for t in li.tax_lines), f"line item {li.id} tax lines")
    for r in o.refunds:
        check(all(rli.line_item_id for rli in r.refund_line_items), f"refund {r.id} lines")
    if o.customer is not None:
        check(isinstance(o.customer, shopify.Customer) and o.customer.id, f"order {o.id} customer")
    if getattr(o, "shipping_address", None) is not None:
        check(o.shipping_address.country_code, f"order {o.id} shipping address")
    check(parse_time(o.updated_at) >= parse_time(o.created_at), f"order {o.id} times")

# A date without a time is midnight on the shop's clock; order=updated_at asc sorts by it.
times = sorted(parse_time(o.updated_at) for o in orders)
day = times[len(times) // 2].astimezone(zone).date()
midnight = datetime.datetime.combine(day, datetime.time(0), tzinfo=zone)
since, since_pages = every_page(
    shopify.Order.find(limit=10, status="any", order="updated_at asc", updated_at_min=day.isoformat())
)
keys = [(parse_time(o.updated_at), o.id) for o in since]
print("orders updated since", day, len(since), "pages", since_pages)
check(keys == sorted(keys), "order=updated_at asc sorts by updated_at")
check(len(since) == sum(1 for o in orders if parse_time(o.updated_at) >= midnight),
      "updated_at_min=<date> is midnight in the shop's zone")
check(since_pages > 1, "the date filter pages by Link")

# Customers with their addresses; products with variants, options and images.
customers, _ = every_page(shopify.Customer.find(limit=250))
check(len(customers) == summary["customers"], "every live customer listed")
for c in customers:
    check(isinstance(c, shopify.Customer) and c.id, "customers are Customer resources")
    for a in c.addresses:
        check(isinstance(a, shopify.Address) and a.customer_id == c.id, f"customer {c.id} address")
    if c.default_address is not None:
        check(c.default_address.id in [a.id for a in c.addresses], f"customer {c.id} default")
products, _ = every_page(shopify.Product.find(limit=250))
check(len(products) == summary["products"], "every live product listed")
for p in products:
    check(isinstance(p, shopify.Product) and p.title, "products are Product resources")
    check(len(p.variants) > 0, f"product {p.id} has variants")
    for v in p.variants:
        # The library keeps a variant's product_id as its URL prefix, not as an attribute.
        check(isinstance(v, shopify.Variant) and v._prefix_options.get("product_id") == p.id,
              f"variant {v.id}")
        check(float(v.price) >= 0, f"variant {v.id} price")
    for i in p.images:
        check(isinstance(i, shopify.Image) and i.src, f"product {p.id} image")
print("customers", len(customers), "products", len(products))

# Destroy events of the deleted orders and products (customers emit none).
events = shopify.Event.find(filter="Order,Product", verb="destroy", limit=250)
deleted = summary["deleted"]
print("destroy events", len(events))
check(all(e.verb == "destroy" and e.subject_type in ("Order", "Product") for e in events),
      "only destroy events of orders and products")
check(len(events) == min(250, deleted["orders"] + deleted["products"]), "one event per deletion")
live = {o.id for o in orders}
check(not any(e.subject_id in live for e in events if e.subject_type == "Order"),
      "a destroyed order is not listed")

# GraphQL through the library's client: many fields, nested connections, quoted search.
gql = shopify.GraphQL()
query = """
query Recent($q: String!) {
  shop { name currencyCode ianaTimezone }
  orders(first: 5, sortKey: UPDATED_AT, query: $q) {
    nodes {
      id legacyResourceId name email createdAt updatedAt processedAt closedAt cancelledAt
      displayFinancialStatus displayFulfillmentStatus currencyCode tags note test
      totalPriceSet { shopMoney { amount currencyCode } presentmentMoney { amount } }
      subtotalPriceSet { shopMoney { amount } } totalTaxSet { shopMoney { amount } }
      totalRefundedSet { shopMoney { amount } }
      customer { id firstName lastName defaultEmailAddress { emailAddress } }
      shippingAddress { name address1 city provinceCode countryCodeV2 zip }
      taxLines { title rate priceSet { shopMoney { amount } } }
      lineItems(first: 20) {
        nodes {
          id name title sku vendor quantity variantTitle
          originalUnitPriceSet { shopMoney { amount currencyCode } }
          taxLines { title rate }
          variant { id sku price }
        }
        pageInfo { hasNextPage }
      }
      refunds { id createdAt totalRefundedSet { shopMoney { amount } } }
    }
    pageInfo { hasNextPage endCursor }
  }
  customers(first: 5, sortKey: UPDATED_AT) {
    nodes {
      id firstName lastName displayName state verifiedEmail taxExempt tags note createdAt updatedAt
      defaultEmailAddress { emailAddress } defaultPhoneNumber { phoneNumber }
      numberOfOrders amountSpent { amount currencyCode }
      defaultAddress { id address1 city countryCodeV2 zip }
      addresses { id firstName lastName address1 city provinceCode countryCodeV2 zip phone }
    }
  }
  products(first: 5, sortKey: UPDATED_AT) {
    nodes {
      id legacyResourceId title handle vendor productType status tags createdAt updatedAt
      variants(first: 10) { nodes { id title sku price compareAtPrice position inventoryQuantity } }
    }
  }
}
"""
since_text = midnight.astimezone(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S+00:00")
res = json.loads(gql.execute(query, variables={"q": f"updated_at:>='{since_text}'"}))
check("errors" not in res, f"GraphQL errors: {res.get('errors')}")
data = res["data"]
gql_orders = data["orders"]["nodes"]
by_id = {o.id: o for o in orders}
for g in gql_orders:
    o = by_id[int(g["legacyResourceId"])]
    check(parse_time(g["updatedAt"]) >= midnight, "quoted search value with a space")
    check(g["name"] == o.name, f"GraphQL and REST agree on order {o.id}'s name")
    check(float(g["totalPriceSet"]["shopMoney"]["amount"]) == float(o.total_price), f"{o.id} total")
    check(len(g["lineItems"]["nodes"]) == min(20, len(o.line_items)), f"{o.id} line items")
check(len(gql_orders) == 5 and len(data["customers"]["nodes"]) == 5, "GraphQL pages of 5")
check(all(len(p["variants"]["nodes"]) > 0 for p in data["products"]["nodes"]), "variants")
count_query = "query($q: String!) { orders(first: 250, query: $q) { nodes { id } } }"
res = json.loads(gql.execute(count_query, variables={"q": f'updated_at:>="{since_text}"'}))
check(len(res["data"]["orders"]["nodes"]) == len(since), "GraphQL search and REST agree")
cost = res["extensions"]["cost"]
print("graphql", data["shop"], len(gql_orders), cost)
check(cost["throttleStatus"]["maximumAvailable"] == 2000.0, "standard plan bucket")
print("ok")
