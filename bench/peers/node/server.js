// The seed's design, kept small and faithful for the benchmark suite (bench/run.sh):
// Express with the raw body, Shopify's HMAC-SHA256 checked with crypto.timingSafeEqual,
// the delivery published to JetStream (Nats-Msg-Id = webhook id) and the PubAck awaited,
// then 200. One process, as the seed ran it.
//
// Environment: PORT, NATS_URL, STREAM (created if missing, subjects STREAM.>), SECRET.
'use strict';

const crypto = require('node:crypto');
const express = require('express');
const { connect, headers: natsHeaders } = require('nats');

const port = Number(process.env.PORT || 4900);
const natsUrl = process.env.NATS_URL || 'nats://127.0.0.1:4222';
const stream = process.env.STREAM || 'XENO_PEER';
const secret = process.env.SECRET || '';

function validSignature(body, given) {
  if (typeof given !== 'string') return false;
  const expected = crypto.createHmac('sha256', secret).update(body).digest();
  const received = Buffer.from(given, 'base64');
  return received.length === expected.length && crypto.timingSafeEqual(received, expected);
}

async function main() {
  const nc = await connect({ servers: natsUrl });
  const jsm = await nc.jetstreamManager();
  try {
    await jsm.streams.info(stream);
  } catch {
    await jsm.streams.add({ name: stream, subjects: [`${stream}.>`], storage: 'file' });
  }
  const js = nc.jetstream();

  const app = express();
  app.post('/api/webhooks', express.raw({ type: '*/*', limit: '1mb' }), async (req, res) => {
    const topic = req.get('X-Shopify-Topic');
    const shop = req.get('X-Shopify-Shop-Domain');
    const webhookId = req.get('X-Shopify-Webhook-Id');
    if (!topic || !shop || !webhookId || !Buffer.isBuffer(req.body)) {
      return res.status(400).send('missing headers');
    }
    if (!validSignature(req.body, req.get('X-Shopify-Hmac-Sha256'))) {
      return res.status(401).send('invalid signature');
    }
    const h = natsHeaders();
    h.set('X-Shopify-Topic', topic);
    h.set('X-Shopify-Shop-Domain', shop);
    h.set('X-Shopify-Webhook-Id', webhookId);
    try {
      await js.publish(`${stream}.webhook.${shop.replace(/\./g, '_')}`, req.body, {
        msgID: webhookId,
        headers: h,
      });
      res.status(200).send('ok');
    } catch (e) {
      res.status(503).send('queue unavailable');
    }
  });
  app.get('/healthz', (_req, res) => res.send('ok'));
  app.listen(port, '127.0.0.1', () => console.log(`peer listening on 127.0.0.1:${port}`));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
