// One mamorid serving two towns (issue 20), in a real browser: run.sh starts a second mamorid with
// [[municipalities]] 相馬市 (soma) and 新地町 (shinchi) on a database of its own. The compliance page
// groups the audit by town: the prefecture's staff see each town under its own heading, with its
// own audit time and result and a button that audits that town alone; a town's staff see their
// own town only.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { chromium } from 'playwright-core';

import { config, eventually, screenshot, seriousViolations, totp } from './support.mjs';

const VIEWPORT = { width: 1366, height: 768 };

function env(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the browser tests through tests/e2e/run.sh`);
  return value;
}

const towns = {
  console: env('MAMORI_E2E_TOWNS_CONSOLE'),
  prefecture: {
    name: env('MAMORI_E2E_TOWNS_PREFECTURE'),
    password: env('MAMORI_E2E_TOWNS_PREFECTURE_PASSWORD'),
    totpSecret: env('MAMORI_E2E_TOWNS_PREFECTURE_TOTP'),
  },
  town: {
    name: env('MAMORI_E2E_TOWNS_TOWN'),
    password: env('MAMORI_E2E_TOWNS_TOWN_PASSWORD'),
    totpSecret: env('MAMORI_E2E_TOWNS_TOWN_TOTP'),
  },
};
const origin = new URL(towns.console).origin;

let browser;

async function openContext(name) {
  const context = await browser.newContext({ viewport: VIEWPORT, locale: 'ja-JP', timezoneId: 'Asia/Tokyo' });
  context.setDefaultTimeout(15000);
  const page = await context.newPage();
  const problems = [];
  page.on('dialog', async (d) => {
    problems.push(`${name}: dialog "${d.message()}"`);
    await d.dismiss();
  });
  page.on('request', (r) => {
    const url = new URL(r.url());
    if (url.origin !== origin && url.protocol !== 'data:') problems.push(`${name}: request to ${r.url()}`);
  });
  page.on('pageerror', (e) => problems.push(`${name}: page error ${e.message}`));
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) problems.push(`${name}: ${m.text()}`);
  });
  return { context, page, problems };
}

async function signIn(page, user) {
  for (let attempt = 0; attempt < 3; attempt += 1) {
    await page.goto(`${towns.console}/login`);
    await page.fill('#login-name', user.name);
    await page.fill('#login-password', user.password);
    const isSession = (r) => r.url().endsWith('/api/v1/session') && r.request().method() === 'POST';
    await Promise.all([page.waitForResponse(isSession), page.click('button[type=submit]')]);
    await page.waitForSelector('#login-totp', { state: 'visible' });
    await page.fill('#login-totp', totp(user.totpSecret));
    const [response] = await Promise.all([page.waitForResponse(isSession), page.click('button[type=submit]')]);
    if (response.status() === 200) return;
    await new Promise((r) => setTimeout(r, 31000 - (Date.now() % 30000)));
  }
  throw new Error(`could not sign in as ${user.name}`);
}

// The town groups on the compliance page: heading, the accounts listed under it, whether it has
// its own audit button, and its summary line.
async function townGroups(page) {
  return page.locator('.compliance-town').evaluateAll((sections) => sections.map((s) => ({
    id: s.getAttribute('data-municipality'),
    heading: s.querySelector('h2')?.textContent,
    accounts: [...s.querySelectorAll('.compliance-account h3')].map((e) => e.textContent),
    button: s.querySelector('button')?.textContent ?? null,
    summary: s.querySelector('.compliance-town-summary')?.textContent ?? '',
  })));
}

before(async () => {
  browser = await chromium.launch({
    executablePath: config.chromium,
    headless: true,
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
  });
});

after(async () => {
  await browser?.close();
});

describe('compliance by town', () => {
  it('shows the prefecture each town under its own heading, and audits one town alone', async () => {
    const { context, page, problems } = await openContext('prefecture');
    await signIn(page, towns.prefecture);
    await page.goto(`${towns.console}/compliance`);
    await page.locator('h1', { hasText: '運用点検' }).waitFor();
    await page.locator('.compliance-town').nth(1).waitFor();
    const groups = await townGroups(page);
    assert.deepEqual(groups.map((g) => [g.id, g.heading, g.accounts]), [
      ['soma', '相馬市', ['X @soma_city']],
      ['shinchi', '新地町', ['X @shinchi_town']],
    ]);
    assert.deepEqual(groups.map((g) => g.button), ['相馬市を今すぐ点検する', '新地町を今すぐ点検する']);
    assert.equal(await page.locator('button', { hasText: '表示中の2自治体をすべて点検する' }).count(), 1);

    // 新地町's own button: its audit runs (the API is asked for that town alone) and its result
    // appears under its heading.
    const shinchi = page.locator('.compliance-town[data-municipality="shinchi"]');
    const [request] = await Promise.all([
      page.waitForRequest((r) => r.url().endsWith('/api/v1/compliance/run') && r.method() === 'POST'),
      shinchi.locator('button').click(),
    ]);
    assert.deepEqual(JSON.parse(request.postData()), { municipality: 'shinchi' });
    await shinchi.locator('[role=status]', { hasText: '点検を開始しました' }).waitFor();
    await eventually('新地町の点検結果', async () => {
      await page.reload();
      await page.locator('.compliance-town').nth(1).waitFor();
      const now = await townGroups(page);
      return now[1].summary.startsWith('最終点検') && !now[1].summary.includes('未点検') && now[1].summary;
    }, 60000, 1000);
    const audited = await townGroups(page);
    // Each town its own result line: the list page of the fake answers 404, so not all pass.
    assert.match(audited[1].summary, /不適合 \d+件|未確認 \d+件/);
    await screenshot(page, '20-compliance-towns');
    assert.deepEqual(await seriousViolations(page), []);
    assert.deepEqual(problems, []);
    await context.close();
  });

  it('shows a town\'s staff their own town only', async () => {
    const { context, page, problems } = await openContext('town');
    await signIn(page, towns.town);
    await page.goto(`${towns.console}/compliance`);
    await page.locator('h1', { hasText: '運用点検' }).waitFor();
    await page.locator('.compliance-town').first().waitFor();
    const groups = await townGroups(page);
    assert.deepEqual(groups.map((g) => [g.id, g.heading, g.accounts, g.button]), [
      ['soma', '相馬市', ['X @soma_city'], '相馬市を今すぐ点検する'],
    ]);
    const text = await page.locator('main').textContent();
    assert.ok(!text.includes('新地町') && !text.includes('shinchi_town'), text);
    assert.equal(await page.locator('button', { hasText: 'すべて点検する' }).count(), 0);
    await screenshot(page, '21-compliance-one-town');
    assert.deepEqual(problems, []);
    await context.close();
  });
});
