// Shared pieces of the console's browser tests: the environment run.sh sets up, TOTP codes,
// the API as a setup client (bearer token), the fake platform's control API, axe-core.
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

function env(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the browser tests through tests/e2e/run.sh`);
  return value;
}

export const config = {
  console: env('MAMORI_E2E_CONSOLE'),
  fake: env('MAMORI_E2E_FAKE'),
  artifacts: env('MAMORI_E2E_ARTIFACTS'),
  chromium: env('MAMORI_E2E_CHROMIUM'),
  apiToken: env('MAMORI_E2E_API_TOKEN'),
  responder: {
    name: env('MAMORI_E2E_RESPONDER'),
    password: env('MAMORI_E2E_RESPONDER_PASSWORD'),
    totpSecret: env('MAMORI_E2E_RESPONDER_TOTP'),
  },
  viewer: { name: env('MAMORI_E2E_VIEWER'), password: env('MAMORI_E2E_VIEWER_PASSWORD') },
};

function base32Decode(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const out = [];
  for (const ch of text.replace(/=+$/, '').toUpperCase()) {
    const index = alphabet.indexOf(ch);
    if (index < 0) throw new Error(`not base32: ${ch}`);
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

// RFC 6238 TOTP (HMAC-SHA1, 30 s, 6 digits), `offset` steps from now.
export function totp(secret, offset = 0, now = Date.now()) {
  const counter = Math.floor(now / 1000 / 30) + offset;
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const digest = createHmac('sha1', base32Decode(secret)).update(message).digest();
  const at = digest[digest.length - 1] & 0x0f;
  const code = (digest.readUInt32BE(at) & 0x7fffffff) % 1000000;
  return String(code).padStart(6, '0');
}

// A code that is valid for none of the steps a server accepts around now.
export function wrongTotp(secret) {
  const valid = new Set([-2, -1, 0, 1, 2].map((o) => totp(secret, o)));
  for (let n = 123456; ; n = (n + 111111) % 1000000) {
    const code = String(n).padStart(6, '0');
    if (!valid.has(code)) return code;
  }
}

export async function apiGet(pathname) {
  const res = await fetch(config.console + pathname, { headers: { Authorization: `Bearer ${config.apiToken}` } });
  if (!res.ok) throw new Error(`GET ${pathname}: ${res.status} ${await res.text()}`);
  return res.json();
}

export async function apiPost(pathname, body) {
  const res = await fetch(config.console + pathname, {
    method: 'POST',
    headers: { Authorization: `Bearer ${config.apiToken}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`POST ${pathname}: ${res.status} ${await res.text()}`);
  return res.json();
}

export async function control(what, body) {
  const res = await fetch(`${config.fake}/_control/${what}`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`fake platform ${what}: ${res.status} ${text}`);
  return JSON.parse(text);
}

// Polls `probe` until it returns a value (not undefined/null/false) or the time is up.
export async function eventually(what, probe, timeoutMs = 60000, intervalMs = 500) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${last.message}` : ''}`);
}

export async function incidentOfType(type, predicate = () => true) {
  const data = await apiGet(`/api/v1/incidents?type=${type}`);
  return data.incidents.find(predicate);
}

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

// axe-core's WCAG 2.1 A/AA checks run in the page (injected through the automation channel,
// not a <script> tag, so the page's Content-Security-Policy stays as it is).
export async function seriousViolations(page) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
  });
  return result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

export async function screenshot(page, name) {
  await page.screenshot({ path: path.join(config.artifacts, `${name}.png`), fullPage: true });
}
