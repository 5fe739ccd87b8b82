"""Shopify's own Python library (ShopifyAPI), unmodified, against `xeno sim`.

Run by scripts/check-real-clients.sh: REST resources with Link/page_info pagination and
counts, and GraphQL through the library's client, must all read the simulated store the way
they read a real one. Exits non-zero on any mismatch.
"""
import json
import os
import sys

import shopify

base = os.environ["SIM_URL"]
expected_orders = int(os.environ["SIM_ORDERS"])
api_version = "2024-07"
session = shopify.Session("pyclient.myshopify.com", api_version, "shpat_client_check")
shopify.ShopifyResource.activate_session(session)
# The library always builds https://{shop}; point its site at the simulator's plain-http address.
shopify.ShopifyResource.set_site(f"{base}/admin/api/{api_version}")
shop = shopify.Shop.current()
print("shop", shop.name, shop.currency)
orders = shopify.Order.find(limit=50, status="any")
n = len(orders)
pages = 1
while orders.has_next_page():
    orders = orders.next_page()
    n += len(orders); pages += 1
print("orders via REST", n, "pages", pages)
print("order count", shopify.Order.count(status="any"))
print("customers", len(shopify.Customer.find(limit=250)))
print("products", len(shopify.Product.find(limit=250)))
o = shopify.Order.find(limit=1)[0]
print("one order", o.id, o.name, o.total_price, len(o.line_items))
# GraphQL through the library's client.
shopify.ShopifyResource.set_site(f"{base}/admin/api/{api_version}")
gql = shopify.GraphQL()
res = json.loads(gql.execute("{ shop { name currencyCode } orders(first: 5) { edges { node { id name totalPriceSet { shopMoney { amount currencyCode } } } } pageInfo { hasNextPage endCursor } } }"))
print("graphql", res["data"]["shop"], len(res["data"]["orders"]["edges"]), res["extensions"]["cost"])
cost = res["extensions"]["cost"]
ok = (
    n == expected_orders
    and shopify.Order.count(status="any") == expected_orders
    and pages == -(-expected_orders // 50)
    and len(res["data"]["orders"]["edges"]) == 5
    and cost["throttleStatus"]["maximumAvailable"] == 2000.0
)
sys.exit(0 if ok else 1)
