// Shopify's own Node clients, unmodified, against `xeno sim` (run by
// scripts/check-real-clients.sh; pinned in sim/clients/node/package-lock.json):
// - @shopify/admin-api-client's GraphQL client, configured for https://nodeclient.myshopify.com
//   as against Shopify; its documented `customFetchApi` hook sends that host to the simulator
//   (what a hosts entry plus a trusted certificate would do). It pages every order with a query
//   selecting many fields, reads customers and products with nested connections, checks
//   `extensions.cost` and that an unknown field comes back as Shopify's validation error.
// - @shopify/admin-api-client's REST client: orders by `Link` page_info, as Shopify pages.
// - @shopify/shopify-api's `webhooks.validate`: a `bulk_operations/finish` webhook the
//   simulator sends (after a bulk query this check runs) passes the library's HMAC and header
//   checks with the app's secret.
// Exits non-zero on the first mismatch.
import http from 'node:http';
import { createAdminApiClient, createAdminRestApiClient } from '@shopify/admin-api-client';
import '@shopify/shopify-api/adapters/node';
import { shopifyApi, ApiVersion, LogSeverity } from '@shopify/shopify-api';

const SHOP = process.env.SIM_SHOP ?? 'nodeclient.myshopify.com';
const base = process.env.SIM_URL;
const summary = JSON.parse(process.env.SIM_SUMMARY);
const token = process.env.SHOPIFY_ACCESS_TOKEN;
const secret = process.env.SHOPIFY_WEBHOOK_SECRET;
const apiVersion = process.env.SIM_API_VERSION ?? '2026-04';

function check(ok, what) {
  if (!ok) {
    console.error('MISMATCH:', what);
    process.exit(1);
  }
}

// Sends https://nodeclient.myshopify.com/... to the simulator; refuses any other host.
const customFetchApi = (url, init) => {
  const u = new URL(url);
  check(u.hostname === SHOP && u.protocol === 'https:', `the check reaches only ${SHOP}: ${url}`);
  return fetch(base + u.pathname + u.search, init);
};

const client = createAdminApiClient({ storeDomain: SHOP, apiVersion, accessToken: token, customFetchApi });

// As an app paces itself against Shopify: a THROTTLED answer is retried once the bucket has
// refilled enough (`extensions.cost.throttleStatus`).
const graphql = {
  async request(query, options) {
    for (;;) {
      const answer = await client.request(query, options);
      const error = answer.errors?.graphQLErrors?.[0];
      if (error?.extensions?.code !== 'THROTTLED') return answer;
      const cost = answer.extensions?.cost;
      const short = cost ? cost.requestedQueryCost - cost.throttleStatus.currentlyAvailable : 50;
      const rate = cost?.throttleStatus?.restoreRate ?? 50;
      await new Promise((r) => setTimeout(r, Math.max(100, (1000 * short) / rate)));
    }
  },
};

const ORDER_FIELDS = `id legacyResourceId name email phone createdAt updatedAt processedAt closedAt
  cancelledAt cancelReason displayFinancialStatus displayFulfillmentStatus currencyCode
  presentmentCurrencyCode tags note test confirmed subtotalLineItemsQuantity
  totalPriceSet { shopMoney { amount currencyCode } presentmentMoney { amount currencyCode } }
  currentTotalPriceSet { shopMoney { amount } } totalTaxSet { shopMoney { amount } }
  totalDiscountsSet { shopMoney { amount } } totalShippingPriceSet { shopMoney { amount } }
  totalRefundedSet { shopMoney { amount } } netPaymentSet { shopMoney { amount } }
  shippingAddress { address1 city countryCodeV2 zip formatted } billingAddress { name }
  customer { id displayName defaultEmailAddress { emailAddress } }
  shippingLine { title originalPriceSet { shopMoney { amount } } }
  taxLines { title rate priceSet { shopMoney { amount } } }
  lineItems(first: 5) { nodes { id name sku quantity currentQuantity
    originalUnitPriceSet { shopMoney { amount } presentmentMoney { amount currencyCode } }
    product { id title } variant { id sku price } } }
  refunds(first: 5) { id createdAt totalRefundedSet { shopMoney { amount } }
    refundLineItems(first: 3) { nodes { quantity lineItem { id } } } }
  transactions(first: 10) { id kind status gateway amountSet { shopMoney { amount } } }
  fulfillments(first: 5) { id status createdAt }`;

// Every order, 10 a page (what the cost limit allows with this selection), by cursor.
let orders = [];
let after = null;
let pages = 0;
for (;;) {
  const { data, errors, extensions } = await graphql.request(
    `query Orders($after: String) { orders(first: 10, after: $after, sortKey: UPDATED_AT) {
       nodes { ${ORDER_FIELDS} } pageInfo { hasNextPage endCursor } } }`,
    { variables: { after } },
  );
  check(!errors, `orders page: ${JSON.stringify(errors)}`);
  check(extensions?.cost?.requestedQueryCost > 0, 'extensions.cost on every answer');
  orders.push(...data.orders.nodes);
  pages += 1;
  if (!data.orders.pageInfo.hasNextPage) break;
  after = data.orders.pageInfo.endCursor;
}
check(orders.length === summary.orders, `every live order listed (${orders.length} of ${summary.orders})`);
check(pages === Math.ceil(summary.orders / 10), "pages of 10");
for (const o of orders) {
  check(/^gid:\/\/shopify\/Order\/\d+$/.test(o.id), `order id ${o.id}`);
  check(o.legacyResourceId === o.id.split('/').pop(), 'legacyResourceId is the id');
  check(o.totalPriceSet.shopMoney.currencyCode === o.currencyCode, 'shop money in the shop currency');
  check(o.totalPriceSet.presentmentMoney.currencyCode === o.presentmentCurrencyCode, 'presentment money');
  check(o.lineItems.nodes.length > 0, `order ${o.name} has line items`);
  for (const l of o.lineItems.nodes) {
    check(l.originalUnitPriceSet.presentmentMoney.currencyCode === o.presentmentCurrencyCode,
      'line prices presented in the order currency');
  }
}
const { data: counted } = await graphql.request('{ ordersCount { count precision } }');
check(counted.ordersCount.count === summary.orders, 'ordersCount');

const { data: cust, errors: custErrors } = await graphql.request(`{ customers(first: 25) { nodes {
  id displayName firstName lastName state verifiedEmail taxExempt tags numberOfOrders createdAt
  amountSpent { amount currencyCode } defaultAddress { city countryCodeV2 }
  defaultEmailAddress { emailAddress marketingState } defaultPhoneNumber { phoneNumber }
  addresses(first: 5) { address1 zip } addressesV2(first: 5) { nodes { id } }
  orders(first: 3) { nodes { id } } metafields(first: 3) { nodes { id } }
  statistics { predictedSpendTier } } } }`);
check(!custErrors, `customers: ${JSON.stringify(custErrors)}`);
check(cust.customers.nodes.length === Math.min(25, summary.customers), 'customers page');

const { data: prod, errors: prodErrors } = await graphql.request(`{ products(first: 10) { nodes {
  id title handle vendor productType status tags totalInventory descriptionHtml createdAt
  priceRangeV2 { minVariantPrice { amount currencyCode } } options { name values }
  variants(first: 10) { nodes { id title sku price compareAtPrice inventoryQuantity
    selectedOptions { name value } inventoryItem { id tracked } } }
  media(first: 2) { nodes { id } } collections(first: 2) { nodes { id } } } } }`);
check(!prodErrors, `products: ${JSON.stringify(prodErrors)}`);
check(prod.products.nodes.every((p) => p.variants.nodes.length > 0), 'products have variants');

const { errors: unknown } = await graphql.request('{ shop { name colour } }');
check(unknown?.graphQLErrors?.[0]?.message === "Field 'colour' doesn't exist on type 'Shop'",
  `unknown field is Shopify's validation error: ${JSON.stringify(unknown)}`);

// REST, paged by Link as the client pages Shopify.
const rest = createAdminRestApiClient({ storeDomain: SHOP, apiVersion, accessToken: token, customFetchApi });
let restOrders = 0;
let searchParams = { limit: 100, status: 'any' };
for (;;) {
  const response = await rest.get('orders', { searchParams });
  check(response.ok, `REST orders: ${response.status}`);
  restOrders += (await response.json()).orders.length;
  const next = /<([^>]+)>; rel="next"/.exec(response.headers.get('link') ?? '');
  if (!next) break;
  check(new URL(next[1]).hostname === SHOP, `Link names the shop: ${next[1]}`);
  searchParams = { limit: 100, page_info: new URL(next[1]).searchParams.get('page_info') };
}
check(restOrders === summary.orders, `REST lists every order (${restOrders})`);

// A webhook from the simulator, judged by Shopify's own validation.
const shopify = shopifyApi({
  apiKey: 'xeno-check',
  apiSecretKey: secret,
  hostName: 'localhost',
  apiVersion: ApiVersion.April26,
  isEmbeddedApp: false,
  isCustomStoreApp: true,
  adminApiAccessToken: token,
  logger: { level: LogSeverity.Error },
});
const received = new Promise((resolve) => {
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', async () => {
      const result = await shopify.webhooks.validate({ rawBody: body, rawRequest: req, rawResponse: res });
      res.writeHead(200).end();
      server.close();
      resolve({ result, body: JSON.parse(body) });
    });
  });
  server.listen(0, '127.0.0.1', () => {
    const url = `http://127.0.0.1:${server.address().port}/webhooks`;
    graphql
      .request(`mutation { webhookSubscriptionCreate(topic: BULK_OPERATIONS_FINISH,
         webhookSubscription: { uri: "${url}" }) { webhookSubscription { id } userErrors { message } } }`)
      .then(({ data, errors }) => {
        check(!errors && data.webhookSubscriptionCreate.userErrors.length === 0, 'subscription created');
        return graphql.request(`mutation { bulkOperationRunQuery(query: "{ products { edges { node { id } } } }")
           { bulkOperation { id status } userErrors { message } } }`);
      })
      .then(({ data, errors }) => {
        check(!errors && data.bulkOperationRunQuery.bulkOperation, `bulk query started: ${JSON.stringify(errors ?? data)}`);
      });
  });
});
const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error('no webhook within 60 s')), 60_000));
const { result, body } = await Promise.race([received, timeout]);
check(result.valid === true, `Shopify's webhooks.validate accepts the simulator's webhook: ${JSON.stringify(result)}`);
check(result.topic === 'BULK_OPERATIONS_FINISH' && result.domain === SHOP, `webhook headers: ${JSON.stringify(result)}`);
check(body.status === 'completed', `bulk operation completed: ${JSON.stringify(body)}`);
console.log(`node clients ok: ${orders.length} orders over ${pages} GraphQL pages, REST paged, webhook valid`);
