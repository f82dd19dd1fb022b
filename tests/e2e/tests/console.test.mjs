// The web console in a real browser (Debian's Chromium, headless), against mamorid running the
// fake platform's scenario: sign-in with TOTP, the incident list and detail, the checklist,
// copying a draft, the timeline, hostile reply text, a viewer's read-only view, accessibility.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { chromium } from 'playwright-core';

import {
  apiGet, apiPost, config, control, eventually, incidentOfType, screenshot, seriousViolations, totp, wrongTotp,
} from './support.mjs';

const VIEWPORT = { width: 1366, height: 768 };
const consoleOrigin = new URL(config.console).origin;

let browser;
let responder;  // { context, page, problems }
let impersonation;
let misinformation;

// Every page load is watched for what must never happen: a dialog (script ran), a request to
// anywhere but mamori itself, a Content-Security-Policy violation, an uncaught error.
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
    if (url.origin !== consoleOrigin && url.protocol !== 'data:') problems.push(`${name}: request to ${r.url()}`);
  });
  page.on('pageerror', (e) => problems.push(`${name}: page error ${e.message}`));
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) problems.push(`${name}: ${m.text()}`);
  });
  return { context, page, problems };
}

// Fills the sign-in form and submits; with `code`, answers the TOTP prompt too. Returns the
// status of the last POST /api/v1/session.
// The incident as the API shows it now, a step of it that can be completed (pending, with no
// pending step before it) and that step's element on the detail page.
async function readyStep(incidentPath) {
  const current = await apiGet(incidentPath);
  const byId = new Map(current.steps.map((s) => [s.id, s]));
  const ready = current.steps.find((s) => s.status === 'pending'
    && (s.depends_on ?? []).every((d) => byId.get(d)?.status !== 'pending'));
  assert.ok(ready, 'a pending step without pending dependencies');
  return { current, ready, stepSelector: `#step-${String(ready.id).replace(/[^A-Za-z0-9_-]/g, '_')}` };
}

async function signIn(page, user, code) {
  await page.goto(`${config.console}/login`);
  await page.fill('#login-name', user.name);
  await page.fill('#login-password', user.password);
  const isSession = (r) => r.url().endsWith('/api/v1/session') && r.request().method() === 'POST';
  let [response] = await Promise.all([page.waitForResponse(isSession), page.click('button[type=submit]')]);
  if (code !== undefined) {
    await page.waitForSelector('#login-totp', { state: 'visible' });
    await page.fill('#login-totp', code);
    [response] = await Promise.all([page.waitForResponse(isSession), page.click('button[type=submit]')]);
  }
  return response.status();
}

before(async () => {
  browser = await chromium.launch({
    executablePath: config.chromium,
    headless: true,
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
  });
  // The scenario's impersonator (@soma__city) appears 5 s after the fake platform starts.
  impersonation = await eventually('the impersonation incident', () => incidentOfType('impersonation'), 90000);
  // Hostile replies: three claims contradicting an official post (a misinformation cluster),
  // each carrying a script payload that must stay text.
  await control('posts', {
    platform: 'x', author: 'soma_city', key: 'e2e-matsuri',
    text: '【お知らせ】11月3日の市民まつりは予定どおり中央公園で開催します。',
  });
  await new Promise((r) => setTimeout(r, 3000));  // the official post is polled first: it is the fact
  for (const text of [
    '市民まつり、今年は中止になったらしいよ <script>alert("xss-script")</script>',
    '市民まつりは中止になったって聞いた <img src=x onerror=alert("xss-img")>',
    '市民まつり中止らしい <a href="javascript:alert(\'xss-link\')">詳細</a> javascript:alert("xss-url")',
  ]) {
    await control('posts', { platform: 'x', author: 'taro_yamada', in_reply_to: 'e2e-matsuri', text });
  }
});

after(async () => {
  await browser?.close();
});

describe('sign-in', () => {
  it('refuses a wrong password and says so in Japanese', async () => {
    const { context, page, problems } = await openContext('wrong-password');
    assert.equal(await signIn(page, { ...config.responder, password: `${config.responder.password}x` }), 401);
    const error = page.locator('#login-error');
    await error.filter({ hasText: /./ }).waitFor();
    assert.match(await error.textContent(), /[ぁ-んァ-ン一-龥]/);
    assert.equal(new URL(page.url()).pathname, '/login');
    assert.equal(await page.locator('#login-totp').isVisible(), false);
    await screenshot(page, '01-login-wrong-password');
    assert.deepEqual(problems, []);
    await context.close();
  });

  it('asks for the TOTP code and refuses a wrong one', async () => {
    const { context, page, problems } = await openContext('wrong-totp');
    assert.equal(await signIn(page, config.responder, wrongTotp(config.responder.totpSecret)), 401);
    await page.locator('#login-error').filter({ hasText: /./ }).waitFor();
    assert.equal(await page.locator('#login-totp').isVisible(), true);
    assert.equal(new URL(page.url()).pathname, '/login');
    const session = await page.evaluate(async () => (await fetch('/api/v1/session')).status);
    assert.equal(session, 401);
    await screenshot(page, '02-login-wrong-totp');
    assert.deepEqual(problems, []);
    await context.close();
  });

  it('signs a responder in with password and TOTP', async () => {
    responder = await openContext('responder');
    await responder.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: consoleOrigin });
    const { page } = responder;
    assert.equal(await signIn(page, config.responder, totp(config.responder.totpSecret)), 200);
    await page.waitForSelector('.incident-table');
    assert.equal(new URL(page.url()).pathname, '/');
    assert.equal(await page.locator('#user-name').textContent(), '田中 広報');
  });
});

describe('incident list', () => {
  it('lists the scenario incident newest first, with filters and live refresh', async () => {
    const { page, problems } = responder;
    const link = page.locator(`a[href="/incidents/${impersonation.id}"]`);
    await link.waitFor();
    await page.selectOption('#filter-type', 'flameup');
    // The rows shown before the filter stay until its answer arrives: wait for the list to be
    // replaced (the impersonation incident leaves it), not for any row.
    await link.waitFor({ state: 'detached' });
    await page.locator('.empty:not([hidden]), .incident-table tbody tr').first().waitFor();
    assert.equal(await link.count(), 0);
    assert.match(page.url(), /type=flameup/);
    await page.selectOption('#filter-type', 'impersonation');
    await link.waitFor();
    // The list refreshes itself (every 10 s) without a reload or any input; those requests say
    // they are automatic (they do not keep the session from its idle timeout), the user's not.
    const listRequests = [];
    const onRequest = (r) => {
      if (new URL(r.url()).pathname === '/api/v1/incidents') listRequests.push(r.headers()['x-mamori-background'] ?? '');
    };
    page.on('request', onRequest);
    await page.waitForTimeout(1100);
    const settled = await page.locator('#list-updated').textContent();
    await page.waitForFunction((before) => document.querySelector('#list-updated').textContent !== before,
      settled, { timeout: 15000 });
    await page.selectOption('#filter-type', '');
    await page.locator('.incident-table tbody tr').first().waitFor();
    page.off('request', onRequest);
    assert.ok(listRequests.length >= 2, `list requests: ${listRequests}`);
    assert.equal(listRequests[0], '1', 'the automatic refresh is marked as such');
    assert.equal(listRequests.at(-1), '', 'the user changing the filter is activity');
    await screenshot(page, '03-incident-list');
    assert.deepEqual(await seriousViolations(page), []);
    assert.deepEqual(problems, []);
  });
});

describe('incident detail', () => {
  it('shows the impersonator next to the official account with the reasons', async () => {
    const { page, problems } = responder;
    await page.click(`a[href="/incidents/${impersonation.id}"]`);
    await page.waitForSelector('.evidence-impersonation');
    assert.match(await page.locator('h1').textContent(), /soma__city/);
    assert.match(await page.locator('.profile-card.suspect').textContent(), /@soma__city/);
    assert.match(await page.locator('.profile-card.official').textContent(), /@soma_city/);
    assert.ok(await page.locator('.evidence-impersonation .reasons li').count() > 0);
    await page.locator('.draft').first().waitFor();
    await screenshot(page, '04-incident-impersonation');
    assert.deepEqual(await seriousViolations(page), []);
    assert.deepEqual(problems, []);
  });

  it('checks off and skips steps, recorded under the user name', async () => {
    const { page } = responder;
    const step = page.locator('li.step-pending:has(button[data-step-action=complete]:not([disabled]))').first();
    const stepId = await step.getAttribute('id');
    const title = (await step.locator('h3').textContent()).trim();
    await step.locator('input.step-note').fill('e2e: 確認しました');
    await step.locator('button[data-step-action=complete]').click();
    await page.locator(`#${stepId}.step-done`).waitFor();
    assert.match(await page.locator(`#${stepId} .step-done`).textContent(), new RegExp(config.responder.name));
    const entry = page.locator('.timeline li', { hasText: `手順を完了: ${title}` });
    await entry.waitFor();
    assert.equal((await entry.locator('.tl-actor').textContent()).trim(), config.responder.name);

    // Skipping needs a reason; without one nothing is sent.
    const next = page.locator('li.step-pending:has(button[data-step-action=skip]:not([disabled]))').first();
    const nextId = await next.getAttribute('id');
    await next.locator('button[data-step-action=skip]').click();
    assert.match(await next.locator('.form-error').textContent(), /理由/);
    await next.locator('input.step-note').fill('e2e: 今回は対象外');
    await next.locator('button[data-step-action=skip]').click();
    await page.locator(`#${nextId}.step-skipped`).waitFor();

    const incident = await apiGet(`/api/v1/incidents/${impersonation.id}`);
    assert.equal(incident.status, 'acknowledged');
    const done = incident.steps.find((s) => `step-${s.id}` === stepId);
    assert.equal(done.status, 'done');
    assert.equal(done.completed_by, config.responder.name);
  });

  it('copies a draft to the clipboard', async () => {
    const { page, problems } = responder;
    const draft = page.locator('.draft:has(.copy-button)').first();
    const expected = await draft.locator('.draft-body').textContent();
    assert.ok(expected.length > 20);
    await page.evaluate(() => navigator.clipboard.writeText(''));
    await draft.locator('.copy-button').click();
    await draft.locator('.copy-status', { hasText: 'コピーしました' }).waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), expected);
    assert.deepEqual(problems, []);
  });

  it('prints as a report without the controls', async () => {
    const { page } = responder;
    await page.emulateMedia({ media: 'print' });
    assert.equal(await page.locator('.actions').isVisible(), false);
    assert.equal(await page.locator('.report-label').isVisible(), true);
    await screenshot(page, '05-incident-print');
    await page.emulateMedia({ media: 'screen' });
  });

  it('refreshes itself while a note is being typed, keeping the text, focus and place', async () => {
    const { page, problems } = responder;
    await page.goto(`${config.console}/incidents/${impersonation.id}`);
    const note = page.locator('textarea[data-keep="note"]');
    await note.waitFor();
    await page.locator('#incident-updated', { hasText: /^最終更新 \d\d:\d\d:\d\d/ }).waitFor();
    await note.scrollIntoViewIfNeeded();
    await note.click();
    const typed = '夜間当番: 市の公式サイトの掲載を確認中';
    await page.keyboard.type(typed);
    const before = await page.evaluate(() => {
      // Parts the colleague's changes do not touch must not be rebuilt.
      window.e2eUntouched = [document.querySelector('.evidence-list'), document.querySelector('.timeline li')];
      return {
        top: document.activeElement.getBoundingClientRect().top,
        updated: document.querySelector('#incident-updated').textContent,
      };
    });

    // Another member of staff (the API token) adds a note, completes a step and raises the
    // severity while this page stays open untouched.
    const incidentPath = `/api/v1/incidents/${impersonation.id}`;
    const { current, ready, stepSelector } = await readyStep(incidentPath);
    const severity = current.severity === 'critical' ? 'high' : 'critical';
    await apiPost(`${incidentPath}/notes`, { text: 'e2e: 別の職員が電話で確認済み' });
    await apiPost(`${incidentPath}/steps/${encodeURIComponent(ready.id)}/complete`, { note: 'e2e: 別の職員が完了' });
    await apiPost(`${incidentPath}/severity`, { severity, reason: 'e2e: 拡散が続いている' });

    await page.locator('.timeline li', { hasText: 'e2e: 別の職員が電話で確認済み' }).waitFor({ timeout: 15000 });
    await page.locator(`${stepSelector}.step-done`).waitFor({ timeout: 15000 });
    await page.locator(`.incident-head .badge.severity-${severity}`).waitFor({ timeout: 15000 });
    const after = await page.evaluate(() => ({
      keep: document.activeElement?.dataset.keep,
      value: document.activeElement?.value,
      caret: [document.activeElement?.selectionStart, document.activeElement?.selectionEnd],
      top: document.activeElement?.getBoundingClientRect().top,
      updated: document.querySelector('#incident-updated').textContent,
      untouched: window.e2eUntouched.every((node) => node && document.contains(node)),
      severityChoice: document.querySelector('select[data-keep="severity"]').value,
    }));
    assert.equal(after.keep, 'note');
    assert.equal(after.value, typed);
    assert.deepEqual(after.caret, [typed.length, typed.length]);
    assert.ok(Math.abs(after.top - before.top) <= 1, `the note field moved from ${before.top} to ${after.top}`);
    assert.notEqual(after.updated, before.updated);
    assert.match(after.updated, /^最終更新 \d\d:\d\d:\d\d/);
    assert.ok(after.untouched, 'unchanged sections were rebuilt');
    // The severity control (rebuilt with the actions, untouched by the user) shows the new value.
    assert.equal(after.severityChoice, severity);
    // Typing goes on in the same field.
    await page.keyboard.type('。');
    assert.equal(await note.inputValue(), `${typed}。`);
    await screenshot(page, '05b-incident-live-refresh');
    assert.deepEqual(problems, []);
  });

  it('keeps a step note typed while a colleague completes that step', async () => {
    const { page, problems } = responder;
    const incidentPath = `/api/v1/incidents/${impersonation.id}`;
    const { ready, stepSelector } = await readyStep(incidentPath);
    await page.goto(`${config.console}/incidents/${impersonation.id}`);
    const note = page.locator(`${stepSelector} input.step-note`);
    await note.waitFor();
    await note.click();
    const typed = '夜間当番: 削除要請の文面を確認中';
    await page.keyboard.type(typed);
    // A colleague completes the same step first.
    await apiPost(`${incidentPath}/steps/${encodeURIComponent(ready.id)}/complete`, { note: 'e2e: 別の職員が先に完了' });
    const unsent = page.locator(`${stepSelector} .unsent-note`);
    await unsent.waitFor({ timeout: 15000 });
    assert.equal(await unsent.locator('.unsent-text').textContent(), typed);
    assert.equal(await page.locator(`${stepSelector} input.step-note`).count(), 0);
    // One click keeps it on the timeline, under this user's name.
    await unsent.locator('button').click();
    await page.locator('.timeline li', { hasText: typed }).waitFor({ timeout: 10000 });
    assert.equal(await page.locator(`${stepSelector} .unsent-note`).count(), 0);
    assert.deepEqual(problems, []);
  });

  it('pauses the refresh in a hidden tab and catches up when shown', async () => {
    const { page, problems } = responder;
    const incidentPath = `/api/v1/incidents/${impersonation.id}`;
    let fetched = 0;
    const count = (r) => { if (new URL(r.url()).pathname === incidentPath && r.method() === 'GET') fetched += 1; };
    const setVisibility = (state) => page.evaluate((s) => {
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => s });
      Object.defineProperty(document, 'hidden', { configurable: true, get: () => s === 'hidden' });
      document.dispatchEvent(new Event('visibilitychange'));
    }, state);
    await setVisibility('hidden');
    await page.waitForTimeout(500);  // a refresh already under way may finish
    page.on('request', count);
    try {
      await apiPost(`${incidentPath}/notes`, { text: 'e2e: 画面を隠している間のメモ' });
      await page.waitForTimeout(12000);
      assert.equal(fetched, 0);
      assert.equal(await page.locator('.timeline li', { hasText: '画面を隠している間のメモ' }).count(), 0);
      await setVisibility('visible');
      await page.locator('.timeline li', { hasText: '画面を隠している間のメモ' }).waitFor({ timeout: 3000 });
      assert.ok(fetched >= 1);
    } finally {
      page.off('request', count);
      await page.evaluate(() => {
        delete document.visibilityState;
        delete document.hidden;
      });
    }
    assert.deepEqual(problems, []);
  });

  it('renders hostile reply text as inert text', async () => {
    const { page, problems } = responder;
    misinformation = await eventually('the misinformation incident', () => incidentOfType('misinformation'), 60000);
    await page.goto(`${config.console}/incidents/${misinformation.id}`);
    await page.waitForSelector('.evidence-misinformation .samples');
    const samples = await page.locator('.samples .quote').allTextContents();
    assert.ok(samples.some((t) => t.includes('<script>alert("xss-script")</script>')), samples.join('\n'));
    assert.ok(samples.some((t) => t.includes('<img src=x onerror=alert("xss-img")>')), samples.join('\n'));
    assert.equal(await page.locator('main script, main img[src="x"], main [onerror]').count(), 0);
    const hrefs = await page.locator('a[href]').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    assert.ok(hrefs.every((h) => !/^\s*javascript:/i.test(h)), hrefs.join(' '));
    assert.ok(await page.locator('.official-fact .quote').textContent(), '中央公園');
    await page.waitForTimeout(500);
    await screenshot(page, '06-incident-misinformation');
    assert.deepEqual(await seriousViolations(page), []);
    assert.deepEqual(problems, []);
  });

  it('draws the reply-rate chart with baseline and episode for a flame-up', async () => {
    // A flame-up needs hours of learned baseline; this incident is the detector's evidence
    // format (detectors/flameup/reply_rate_detector.cpp) served in place of the API's answer.
    const { page, problems } = responder;
    const start = Date.parse('2026-01-10T00:00:00Z');
    const counts = Array.from({ length: 60 }, (_, i) => (i < 40 ? 2 + (i % 3) : 30 + (i % 5) * 4));
    const iso = (ms) => new Date(ms).toISOString();
    const incident = {
      id: 987654, type: 'flameup', subject: 'x:1402345678901234567', platform: 'x',
      title: '炎上の兆候: @soma_city（X）への返信が急増（炎上）', summary: '直近30分の返信が急増',
      severity: 'high', severity_label: '炎上', score: 0.9, status: 'open', assignee: null, finding_count: 1,
      opened_at: iso(start + 41 * 300000), steps: [], timeline: [], evidence: [],
      findings: [{
        id: 1, detected_at: iso(start + 41 * 300000), score: 0.9, severity: 'high', severity_label: '炎上',
        reasons: ['直近30分の返信・メンションが212件（平常時の想定 15.0件の約14.1倍）', '<b>太字にならない</b>'],
        evidence: {
          phase: 'open', onset: iso(start + 40 * 300000), window_minutes: 30, window_count: 212, window_expected: 15,
          ratio: 14.1, peak_ratio: 14.1, hostile_share: 0.62, supportive_share: 0.1, new_anonymous_share: 0.4,
          top_posts: [
            { post_id: '1850000000000000001', replies: 120, text: '【お知らせ】市民プールは本年度末で営業を終了します<img src=x onerror=alert(1)>', author_handle: 'soma_city', created_at: iso(start + 39 * 300000) },
            { post_id: 'javascript:alert(1)', replies: 3 },
          ],
          series: { start: iso(start), bucket_seconds: 300, counts, expected: counts.map(() => 2.5) },
        },
      }],
    };
    await page.route('**/api/v1/incidents/987654', (route) => route.fulfill({ json: incident }));
    await page.route('**/api/v1/incidents/987654/documents', (route) => route.fulfill({ json: { documents: [] } }));
    await page.goto(`${config.console}/incidents/987654`);
    await page.waitForSelector('.evidence-flameup svg.chart');
    assert.equal(await page.locator('svg.chart rect.chart-bar').count(), counts.length);
    assert.equal(await page.locator('svg.chart polyline.chart-baseline').count(), 1);
    assert.equal(await page.locator('svg.chart rect.chart-episode').count(), 1);
    // The episode starts at bucket 40 of 60: two thirds into the plot.
    const [episodeX, plotLeft, plotRight] = await page.evaluate(() => {
      const r = document.querySelector('rect.chart-episode');
      const axis = document.querySelector('line.chart-axis-line');
      return [Number(r.getAttribute('x')), Number(axis.getAttribute('x1')), Number(axis.getAttribute('x2'))];
    });
    assert.ok(Math.abs((episodeX - plotLeft) / (plotRight - plotLeft) - 40 / 60) < 0.01);
    assert.match(await page.locator('svg.chart').getAttribute('aria-label'), /返信数/);
    assert.equal(await page.locator('.evidence-flameup b').count(), 0);
    assert.ok(await page.locator('a[href="https://x.com/i/web/status/1850000000000000001"]').count() === 1);
    // The post drawing the replies is shown with its text, as text (the markup stays inert).
    assert.match(await page.locator('.evidence-flameup .post-text').first().textContent(), /市民プールは本年度末で営業を終了します<img/);
    assert.equal(await page.locator('.evidence-flameup img').count(), 0);
    await screenshot(page, '06b-incident-flameup');
    await page.unroute('**/api/v1/incidents/987654');
    await page.unroute('**/api/v1/incidents/987654/documents');
    assert.deepEqual(problems, []);
  });

  it('ends the episode band where the detector ended the episode', async () => {
    // The detector's open and end findings (detectors/flameup/reply_rate_detector.cpp) in its
    // evidence format: the end finding carries `ended_at` (the start of the first bucket outside
    // the episode, where `mamorictl spikes`' episode column turns 0) and the series of the hour up
    // to it. The chart joins both series on one time axis and the band stops at `ended_at`, not
    // at the finding's later detection time.
    const { page, problems } = responder;
    const minute = 60000;
    const start = Date.parse('2026-01-11T00:00:00Z');
    const iso = (ms) => new Date(ms).toISOString();
    const openCounts = Array.from({ length: 60 }, (_, i) => (i < 40 ? 2 + (i % 3) : 30 + (i % 5) * 4));
    const endIndex = 130;
    const endCounts = Array.from({ length: 60 }, (_, i) => 2 + (i % 2));
    const finding = (id, at, phase, evidence) => ({
      id, detected_at: iso(at), score: 0.8, severity: 'medium', severity_label: '警戒',
      reasons: [phase === 'end' ? '返信数が平常水準に戻りました' : '返信が急増しています'],
      evidence: { phase, onset: iso(start + 40 * minute), episode_opened_at: iso(start + 41 * minute),
        window_minutes: 15, window_count: 150, window_expected: 10, ratio: 15, peak_ratio: 15, ...evidence },
    });
    const incident = {
      id: 987655, type: 'flameup', subject: 'x:account:1402345678901234567', platform: 'x',
      title: '炎上の兆候: @soma_city（X）への返信が急増（警戒）', summary: '返信が急増',
      severity: 'medium', severity_label: '警戒', score: 0.8, status: 'open', assignee: null, finding_count: 2,
      opened_at: iso(start + 41 * minute), steps: [], timeline: [], evidence: [],
      findings: [
        // The severity rose at bucket 61: the last finding before the end with a series.
        finding(1, start + 62 * minute, 'escalate', {
          series: { start: iso(start + 2 * minute), bucket_seconds: 60, counts: openCounts, expected: openCounts.map(() => 2.5) },
        }),
        // Reported three minutes after the bucket that ended it closed (lateness).
        finding(2, start + (endIndex + 4) * minute, 'end', {
          end_reason: 'back_to_baseline', ended_at: iso(start + endIndex * minute),
          series: { start: iso(start + (endIndex - 59) * minute), bucket_seconds: 60, counts: endCounts, expected: endCounts.map(() => 2.5) },
        }),
      ],
    };
    await page.route('**/api/v1/incidents/987655', (route) => route.fulfill({ json: incident }));
    await page.route('**/api/v1/incidents/987655/documents', (route) => route.fulfill({ json: { documents: [] } }));
    await page.goto(`${config.console}/incidents/987655`);
    await page.waitForSelector('.evidence-flameup svg.chart');
    // One axis from the open series' first bucket (index 2 of the day) to the end series' last
    // (endIndex): 129 buckets, the 9-bucket gap between the two series drawn empty.
    const n = endIndex - 2 + 1;
    assert.equal(await page.locator('svg.chart rect.chart-bar').count(), openCounts.length + endCounts.length);
    assert.equal(await page.locator('svg.chart rect.chart-episode').count(), 1);
    const [left, right, plotLeft, plotRight] = await page.evaluate(() => {
      const r = document.querySelector('rect.chart-episode');
      const axis = document.querySelector('line.chart-axis-line');
      const x = Number(r.getAttribute('x'));
      return [x, x + Number(r.getAttribute('width')), Number(axis.getAttribute('x1')), Number(axis.getAttribute('x2'))];
    });
    const at = (index) => plotLeft + ((index - 2) / n) * (plotRight - plotLeft);
    assert.ok(Math.abs(left - at(40)) < 0.5, `band starts at ${left}, onset at ${at(40)}`);
    assert.ok(Math.abs(right - at(endIndex)) < 0.5, `band ends at ${right}, the detector's end at ${at(endIndex)}`);
    assert.match(await page.locator('.evidence-flameup').textContent(), /平常に戻りました/);
    assert.doesNotMatch(await page.locator('svg.chart').getAttribute('aria-label'), /NaN/);
    await screenshot(page, '06c-incident-flameup-ended');
    await page.unroute('**/api/v1/incidents/987655');
    await page.unroute('**/api/v1/incidents/987655/documents');
    assert.deepEqual(problems, []);
  });

  it('prefills the rumour registry from the claim cluster in one click', async () => {
    const { page, problems } = responder;
    await page.goto(`${config.console}/incidents/${misinformation.id}`);
    await page.click('a[href^="/rumours?incident="]');
    await page.waitForFunction(() => document.querySelector('#rumour-claim')?.value.length > 0);
    assert.match(await page.locator('#rumour-correction').inputValue(), /中央公園/);
    assert.match(await page.locator('#rumour-wordings').inputValue(), /<script>/);
    assert.match(await page.locator('#rumour-claim').inputValue(), /^市民まつり/);
    await page.click('.rumour-form button[type=submit]');
    await page.locator('.rumours li').first().waitFor();
    assert.match(await page.locator('.rumours li').first().textContent(), /中央公園/);
    await screenshot(page, '07-rumours');
    assert.deepEqual(problems, []);
  });

  it('shows the official accounts and the compliance page', async () => {
    const { page, problems } = responder;
    await page.click('#site-nav a[href="/accounts"]');
    await page.locator('h1', { hasText: '公式アカウント' }).waitFor();
    await page.locator('.accounts-table, .empty').first().waitFor();
    await page.locator('#related-title').waitFor();  // related and judged accounts (issue 18)
    await screenshot(page, '08-accounts');
    await page.click('#site-nav a[href="/compliance"]');
    await page.locator('h1', { hasText: '運用点検' }).waitFor();
    await page.locator('.compliance-account, .empty').first().waitFor();
    await screenshot(page, '09-compliance');
    assert.deepEqual(problems, []);
  });
});

describe('viewer', () => {
  it('sees no change controls and the API refuses changes', async () => {
    const { context, page, problems } = await openContext('viewer');
    assert.equal(await signIn(page, config.viewer), 200);
    await page.waitForSelector('.incident-table');
    await page.goto(`${config.console}/incidents/${impersonation.id}`);
    await page.waitForSelector('.checklist');
    await page.locator('.draft, .drafts .empty').first().waitFor();
    assert.equal(await page.locator('.actions').count(), 0);
    assert.equal(await page.locator('[data-step-action], .step-controls, #acknowledge').count(), 0);
    await screenshot(page, '10-incident-viewer');
    await page.goto(`${config.console}/rumours`);
    await page.locator('.rumours, .empty').first().waitFor();
    assert.equal(await page.locator('.rumour-form').count(), 0);
    assert.equal(await page.locator('.rumours button').count(), 0);

    const statuses = await page.evaluate(async (id) => {
      const session = await (await fetch('/api/v1/session')).json();
      const post = (path, body) => fetch(path, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': session.csrf_token },
        body: JSON.stringify(body),
      }).then((r) => r.status);
      return [
        await post(`/api/v1/incidents/${id}/acknowledge`, {}),
        await post(`/api/v1/incidents/${id}/notes`, { text: 'viewer' }),
        await post('/api/v1/rumours', { claim: 'x', correction: 'y' }),
      ];
    }, impersonation.id);
    assert.deepEqual(statuses, [403, 403, 403]);
    assert.deepEqual(problems, []);
    await context.close();
  });
});

describe('impersonation disposition', () => {
  it('records that the candidate is one of the city\'s related accounts, with who, and lists it', async () => {
    const { page } = responder;
    await page.goto(`${config.console}/incidents/${impersonation.id}`);
    await page.waitForSelector('select[data-keep="disposition"]');
    await page.selectOption('select[data-keep="disposition"]', 'related');
    await page.fill('input[data-keep="disposition-note"]', 'e2e: 消防本部の公式アカウントと確認');
    await page.click('button[data-keep="disposition-submit"]');
    await eventually('the incident resolved by the decision',
      async () => (await apiGet(`/api/v1/incidents/${impersonation.id}`)).status === 'resolved', 15000);
    await page.waitForSelector('select[data-keep="disposition"]', { state: 'detached' });
    const { dispositions } = await apiGet('/api/v1/impersonation/dispositions');
    assert.equal(dispositions[0].disposition, 'related');
    assert.equal(dispositions[0].decided_by, config.responder.name);
    assert.equal(dispositions[0].incident_id, impersonation.id);
    await page.click('#site-nav a[href="/accounts"]');
    await page.locator('#related-title').waitFor();
    await page.locator('td', { hasText: '関連アカウント（職員の判断）' }).first().waitFor();
    await screenshot(page, '11-accounts-related');
  });
});

describe('responder session', () => {
  it('had no dialog, foreign request or policy violation all along', () => {
    assert.deepEqual(responder.problems, []);
  });
});
