#!/usr/bin/env node
/**
 * Deterministic generator of realistic web/app behavioural events for the sample datasets and the
 * benchmarks. The same options (including --seed) always produce the same bytes.
 *
 *   node scripts/generate-sample-data.mjs --events 15000 --people 600 --format ndjson \
 *     --namespace ECID --seed web --out examples/data/web-events.ndjson
 *
 * Options
 *   --events N        total events (exact)                         default 10000
 *   --people N        persons                                      default 500
 *   --format F        ndjson | csv | json (JSON array)             default ndjson
 *   --namespace NS    ECID | Email | CRM (fixed, ID in ecid/email/crm_id), or "mixed"
 *                     (ID in person_id, namespace in id_namespace: CRM or Email)  default ECID
 *   --channel C       web | app (app: app.launch at session start, mobile devices) default web
 *   --timestamps T    iso | s | ms (ISO-8601 UTC, epoch seconds, epoch milliseconds) default iso
 *   --no-session-id   omit session_id (sessions then come from the inactivity timeout)
 *   --from DATE       first day (UTC)                              default 2026-09-01
 *   --to DATE         last day (UTC, inclusive)                    default 2026-11-27
 *   --seed S          PRNG seed (any string)                       default 1
 *   --out FILE        output file (required)
 *
 * Output order: persons are generated in batches of 500; within a batch events are sorted by
 * time, so a person's events are interleaved with others' as in a real export, while the
 * generator's memory stays bounded for any --events.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

const PAGES = {
  Home: '/',
  'Product Search': '/search',
  'Search Results': '/search/results',
  Men: '/men',
  Women: '/women',
  'Product Detail': '/product',
  Cart: '/cart',
  Checkout: '/checkout',
  'Order Confirmation': '/checkout/confirmation',
  Account: '/account',
};

/** Page transitions: [next page, weight]. */
const NEXT = {
  Home: [['Men', 3], ['Women', 3], ['Product Search', 3], ['Product Detail', 2], ['Account', 1]],
  'Product Search': [['Search Results', 9], ['Home', 1]],
  'Search Results': [['Product Detail', 7], ['Product Search', 2], ['Home', 1]],
  Men: [['Product Detail', 6], ['Women', 1], ['Home', 1]],
  Women: [['Product Detail', 6], ['Men', 1], ['Home', 1]],
  'Product Detail': [['Cart', 3], ['Product Detail', 3], ['Search Results', 2], ['Home', 1], ['Men', 1], ['Women', 1]],
  Cart: [['Checkout', 5], ['Product Detail', 3], ['Home', 2]],
  Checkout: [['Order Confirmation', 6], ['Cart', 3], ['Home', 1]],
  'Order Confirmation': [['Home', 3], ['Account', 1], ['Product Detail', 1]],
  Account: [['Home', 2], ['Product Detail', 1]],
};

const LANDING = [['Home', 8], ['Search Results', 3], ['Men', 3], ['Women', 3], ['Product Detail', 3]];

const PRODUCTS = [
  ['Trail Running Shoes', 129.99], ['Merino Wool Sweater', 89.5], ['Slim Fit Chinos', 59.95], ['Rain Jacket', 149.0],
  ['Leather Belt', 34.99], ['Cotton T-Shirt 3-Pack', 29.99], ['Yoga Leggings', 64.0], ['Down Parka', 289.0],
  ['Canvas Sneakers', 54.99], ['Silk Scarf', 79.0], ['Denim Jacket', 98.0], ['Hiking Backpack', 119.95],
  ['Wool Beanie', 19.99], ['Linen Shirt', 69.0], ['Ankle Boots', 159.0], ['Sports Bra', 39.99],
  ['Cashmere Cardigan', 199.0], ['Swim Shorts', 44.5], ['Chelsea Boots', 179.0], ['Puffer Vest', 109.0],
];

const CHANNELS = [['Direct', 4], ['Organic Search', 5], ['Paid Search', 3], ['Email', 2], ['Social', 2], ['Display', 1], ['Referral', 1]];
const CAMPAIGNS = {
  'Paid Search': ['brand-search', 'generic-shoes', 'fall-sale-2026'],
  Email: ['newsletter-weekly', 'cart-reminder', 'fall-sale-2026'],
  Social: ['new-arrivals', 'influencer-q4'],
  Display: ['retargeting-cart', 'new-arrivals'],
};
const COUNTRIES = [['US', 10], ['GB', 3], ['DE', 3], ['FR', 2], ['CA', 2], ['AU', 1], ['JP', 1], ['BR', 1]];
const WEB_DEVICES = [['Desktop', 5], ['Mobile', 4], ['Tablet', 1]];
const APP_DEVICES = [['iOS', 5], ['Android', 4]];
const FIRST_NAMES = ['alex', 'sam', 'jordan', 'taylor', 'morgan', 'casey', 'riley', 'jamie', 'robin', 'drew', 'kim', 'lee', 'max', 'noa', 'eli', 'ana'];
const DOMAINS = ['example.com', 'mail.example.org', 'shop.example.net'];

const BATCH_PERSONS = 500;
const BLACK_FRIDAY_WEEK = Date.UTC(2026, 10, 20);
const HOUR = 3600e3;
const DAY = 24 * HOUR;

function parseArgs(argv) {
  const opts = {
    events: 10000, people: 500, format: 'ndjson', namespace: 'ECID', channel: 'web', timestamps: 'iso',
    sessionId: true, from: '2026-09-01', to: '2026-11-27', seed: '1', out: undefined,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) fail(`${arg} needs a value`);
      return v;
    };
    switch (arg) {
      case '--events': opts.events = positiveInt(arg, value()); break;
      case '--people': opts.people = positiveInt(arg, value()); break;
      case '--format': opts.format = oneOf(arg, value(), ['ndjson', 'csv', 'json']); break;
      case '--namespace': opts.namespace = value(); break;
      case '--channel': opts.channel = oneOf(arg, value(), ['web', 'app']); break;
      case '--timestamps': opts.timestamps = oneOf(arg, value(), ['iso', 's', 'ms']); break;
      case '--no-session-id': opts.sessionId = false; break;
      case '--from': opts.from = value(); break;
      case '--to': opts.to = value(); break;
      case '--seed': opts.seed = value(); break;
      case '--out': opts.out = value(); break;
      case '--help': case '-h': process.stdout.write(helpText()); process.exit(0); break;
      default: fail(`unknown option ${arg}`);
    }
  }
  if (!opts.out) fail('--out FILE is required');
  if (opts.people > opts.events) fail('--people must not exceed --events');
  return opts;
}

function helpText() {
  const src = fs.readFileSync(new URL(import.meta.url), 'utf8');
  return src.slice(src.indexOf('/**') + 3, src.indexOf('*/')).replace(/^ \*/gm, '') + '\n';
}

function fail(message) {
  process.stderr.write(`generate-sample-data: ${message}\n`);
  process.exit(2);
}

function positiveInt(name, v) {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) fail(`${name} must be a positive integer`);
  return n;
}

function oneOf(name, v, allowed) {
  if (!allowed.includes(v)) fail(`${name} must be one of ${allowed.join(', ')}`);
  return v;
}

/** sfc32 seeded from a string hash (cyrb128): fast, good quality, reproducible everywhere. */
function createRandom(seed) {
  let h1 = 1779033703, h2 = 3144134277, h3 = 1013904242, h4 = 2773480762;
  for (let i = 0; i < seed.length; i++) {
    const k = seed.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  let a = h1 >>> 0, b = h2 >>> 0, c = h3 >>> 0, d = h4 >>> 0;
  return () => {
    a |= 0; b |= 0; c |= 0; d |= 0;
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
}

class Sampler {
  constructor(random) {
    this.random = random;
  }
  int(lo, hi) {
    return lo + Math.floor(this.random() * (hi - lo + 1));
  }
  pick(list) {
    return list[Math.floor(this.random() * list.length)];
  }
  weighted(pairs) {
    let total = 0;
    for (const [, w] of pairs) total += w;
    let r = this.random() * total;
    for (const [v, w] of pairs) {
      r -= w;
      if (r < 0) return v;
    }
    return pairs[pairs.length - 1][0];
  }
  /** Log-uniform between lo and hi: as many gaps of seconds as of minutes, etc. */
  logUniform(lo, hi) {
    return Math.exp(Math.log(lo) + this.random() * (Math.log(hi) - Math.log(lo)));
  }
  hex(n) {
    let s = '';
    for (let i = 0; i < n; i++) s += '0123456789abcdef'[Math.floor(this.random() * 16)];
    return s;
  }
  digits(n) {
    let s = String(1 + Math.floor(this.random() * 9));
    for (let i = 1; i < n; i++) s += String(Math.floor(this.random() * 10));
    return s;
  }
}

/** Splits `total` into `parts` positive integers with a skewed (heavy-tailed) distribution. */
function skewedBudgets(sample, total, parts) {
  const weights = new Float64Array(parts);
  let sum = 0;
  for (let i = 0; i < parts; i++) {
    const w = -Math.log(1 - sample.random()) * (sample.random() < 0.1 ? 6 : 1);
    weights[i] = w;
    sum += w;
  }
  const budgets = new Int32Array(parts).fill(1);
  let left = total - parts;
  const spare = left;
  for (let i = 0; i < parts && left > 0; i++) {
    const extra = Math.min(left, Math.floor((spare * weights[i]) / sum));
    budgets[i] += extra;
    left -= extra;
  }
  for (let i = 0; left > 0; i = (i + 1) % parts) {
    budgets[i]++;
    left--;
  }
  return budgets;
}

function personIdentity(sample, opts, index) {
  const email = () => `${sample.pick(FIRST_NAMES)}.${index}.${sample.hex(4)}@${sample.pick(DOMAINS)}`;
  const crm = () => `CRM-${String(100000 + index)}`;
  switch (opts.namespace) {
    case 'mixed': {
      const isCrm = sample.random() < 0.55;
      return { fields: { id_namespace: isCrm ? 'CRM' : 'Email', person_id: isCrm ? crm() : email() } };
    }
    case 'Email': return { fields: { email: email() } };
    case 'CRM': return { fields: { crm_id: crm() } };
    default: return { fields: { ecid: sample.digits(38) } };
  }
}

/** All events of one person: sessions spread over the period, each a walk through the shop. */
function personEvents(sample, opts, person, budget, fromMs, toMs) {
  const app = opts.channel === 'app';
  const device = sample.weighted(app ? APP_DEVICES : WEB_DEVICES);
  const country = sample.weighted(COUNTRIES);
  const favouriteChannel = sample.weighted(CHANNELS);
  const meanPerSession = app ? 5 : 7;
  const sessions = Math.max(1, Math.min(budget, Math.round(budget / (meanPerSession * (0.6 + sample.random() * 0.8)))));
  const sizes = skewedBudgets(sample, budget, sessions);
  // Session starts: a first visit, then returns after gaps from half an hour to weeks. Times are
  // relative to the first visit here, then placed (and squeezed if needed) into the period.
  let t = 0;
  const events = [];
  let cartProduct;
  for (let s = 0; s < sessions; s++) {
    if (s > 0) {
      const r = sample.random();
      const gap = r < 0.35 ? sample.logUniform(0.6 * HOUR, 8 * HOUR) : r < 0.8 ? sample.logUniform(0.5 * DAY, 7 * DAY) : sample.logUniform(7 * DAY, 28 * DAY);
      t += gap;
    }
    const channel = sample.random() < 0.6 ? favouriteChannel : sample.weighted(CHANNELS);
    const campaigns = CAMPAIGNS[channel];
    const campaign = campaigns ? sample.pick(campaigns) : undefined;
    const sessionId = `${app ? 'a' : 's'}${sample.hex(11)}`;
    let page = app ? 'Home' : sample.weighted(LANDING);
    let product = page === 'Product Detail' ? sample.pick(PRODUCTS) : undefined;
    let arrivedByAdd = false;
    for (let k = 0; k < sizes[s]; k++) {
      let eventType = 'web.webpagedetails.pageViews';
      let pageName = page;
      let revenue;
      let orders;
      let cartAdds;
      if (app && k === 0) {
        eventType = 'app.launch';
        pageName = 'Home';
      } else if (page === 'Product Detail') {
        eventType = 'commerce.productViews';
      } else if (page === 'Cart' && arrivedByAdd) {
        eventType = 'commerce.productListAdds';
        cartAdds = 1;
        cartProduct = product;
      } else if (page === 'Checkout') {
        eventType = 'commerce.checkouts';
      } else if (page === 'Order Confirmation' && cartProduct) {
        eventType = 'commerce.purchases';
        const qty = sample.random() < 0.8 ? 1 : 2;
        revenue = Math.round(cartProduct[1] * qty * 100) / 100;
        orders = 1;
      }
      const productName = page === 'Product Detail' || cartAdds || orders ? (orders ? cartProduct : product)?.[0] : undefined;
      events.push({
        t,
        person,
        sessionId,
        eventType,
        pageName,
        url: `https://shop.example.com${PAGES[pageName]}${pageName === 'Product Detail' && product ? '/' + slug(product[0]) : ''}`,
        channel,
        campaign: k === 0 ? campaign : undefined,
        device,
        country,
        product: productName,
        revenue,
        orders,
        cartAdds,
      });
      if (orders) cartProduct = undefined;
      // Next page and the time spent before it: seconds to a few minutes.
      const next = sample.weighted(NEXT[page]);
      arrivedByAdd = page === 'Product Detail' && next === 'Cart';
      if (next === 'Product Detail' && (page !== 'Product Detail' || sample.random() < 0.7)) product = sample.pick(PRODUCTS);
      page = next;
      t += sample.logUniform(4e3, 6 * 60e3);
    }
  }
  const span = toMs - fromMs;
  const used = events[events.length - 1].t;
  const scale = used > span ? span / used : 1;
  const start = fromMs + sample.random() * Math.max(0, span - used * scale);
  for (const e of events) {
    e.t = Math.round(start + e.t * scale);
    if (e.campaign && e.t >= BLACK_FRIDAY_WEEK && sample.random() < 0.5) e.campaign = 'black-friday-2026';
  }
  return events;
}

function slug(s) {
  return s.toLowerCase().replace(/[^a-z0-9]+/g, '-');
}

function formatTime(ms, mode) {
  if (mode === 's') return Math.floor(ms / 1000);
  if (mode === 'ms') return ms;
  return new Date(ms).toISOString();
}

function toRow(e, identities, opts) {
  const row = { timestamp: formatTime(e.t, opts.timestamps), ...identities[e.person].fields };
  if (opts.sessionId) row.session_id = e.sessionId;
  row.event_type = e.eventType;
  row.page_name = e.pageName;
  row.page_url = e.url;
  row.channel = e.channel;
  row.device = e.device;
  row.country = e.country;
  if (e.product !== undefined) row.product = e.product;
  if (e.revenue !== undefined) row.revenue = e.revenue;
  if (e.orders !== undefined) row.orders = e.orders;
  if (e.cartAdds !== undefined) row.cart_adds = e.cartAdds;
  if (e.campaign !== undefined) row.marketing = { campaign: e.campaign };
  row.web = { webPageDetails: { name: e.pageName } };
  return row;
}

function csvColumns(opts) {
  const ids = opts.namespace === 'mixed' ? ['id_namespace', 'person_id'] : [opts.namespace === 'Email' ? 'email' : opts.namespace === 'CRM' ? 'crm_id' : 'ecid'];
  return ['timestamp', ...ids, ...(opts.sessionId ? ['session_id'] : []), 'event_type', 'page_name', 'page_url', 'channel', 'device', 'country', 'product', 'revenue', 'orders', 'cart_adds', 'marketing.campaign'];
}

function csvCell(v) {
  if (v === undefined || v === null) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function csvRow(row, columns) {
  return columns.map((c) => csvCell(c === 'marketing.campaign' ? row.marketing?.campaign : row[c])).join(',');
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const sample = new Sampler(createRandom(opts.seed));
  const fromMs = Date.parse(`${opts.from}T00:00:00Z`);
  const toMs = Date.parse(`${opts.to}T00:00:00Z`) + DAY - 1;
  if (!(toMs > fromMs)) fail('--from must be before --to');
  fs.mkdirSync(path.dirname(path.resolve(opts.out)), { recursive: true });
  const out = fs.createWriteStream(opts.out);
  const write = (text) => (out.write(text) ? Promise.resolve() : new Promise((resolve) => out.once('drain', resolve)));
  const columns = csvColumns(opts);
  if (opts.format === 'csv') await write(columns.join(',') + '\n');
  if (opts.format === 'json') await write('[\n');
  const budgets = skewedBudgets(sample, opts.events, opts.people);
  let first = true;
  for (let start = 0; start < opts.people; start += BATCH_PERSONS) {
    const end = Math.min(opts.people, start + BATCH_PERSONS);
    const identities = [];
    let events = [];
    for (let p = start; p < end; p++) {
      identities[p] = personIdentity(sample, opts, p);
      events = events.concat(personEvents(sample, opts, p, budgets[p], fromMs, toMs));
    }
    events.sort((a, b) => a.t - b.t);
    let text = '';
    for (const e of events) {
      const row = toRow(e, identities, opts);
      if (opts.format === 'csv') text += csvRow(row, columns) + '\n';
      else if (opts.format === 'json') text += (first ? '  ' : ',\n  ') + JSON.stringify(row);
      else text += JSON.stringify(row) + '\n';
      first = false;
      if (text.length > 1 << 20) {
        await write(text);
        text = '';
      }
    }
    await write(text);
  }
  if (opts.format === 'json') await write('\n]\n');
  await new Promise((resolve, reject) => out.end((err) => (err ? reject(err) : resolve())));
}

main().catch((e) => fail(e.stack ?? String(e)));
