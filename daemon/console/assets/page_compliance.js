// Compliance: the operating-rules audit of each official account (GET /api/v1/compliance),
// grouped by town: staff of several towns (a prefecture's) see each town under its own heading
// with its own audit time, result and button; a town's staff see their own town only (the API
// lists nothing else, and answers 403 for an audit of another town).
import { api, ApiError } from './api.js';
import { h, timeElement } from './dom.js';
import { platformName } from './labels.js';

const STATUS = {
  pass: ['適合', 'ok'],
  fail: ['不適合', 'problem'],
  unknown: ['未確認', 'unknown'],
};

// Starts the audit (`body`: {} for every town of the caller, {municipality} for one) and says
// so in `status`.
async function startAudit(body, status) {
  status.textContent = '点検を依頼しています…';
  try {
    await api.post('/api/v1/compliance/run', body);
    status.textContent = '点検を開始しました。しばらくしてから再読み込みしてください。';
  } catch (error) {
    status.textContent = error instanceof ApiError ? error.message : '点検を開始できませんでした';
  }
}

// The towns in the API's order (configuration order), each with its accounts; an account of a
// town no longer configured gets a group under its id.
function groupByTown(accounts, municipalities) {
  const towns = new Map();
  for (const t of municipalities) {
    if (typeof t?.id !== 'string') continue;
    towns.set(t.id, { id: t.id, name: t.name || t.id, accounts: [] });
  }
  for (const account of accounts) {
    const id = typeof account.municipality === 'string' ? account.municipality : 'default';
    if (!towns.has(id)) towns.set(id, { id, name: id, accounts: [] });
    towns.get(id).accounts.push(account);
  }
  return [...towns.values()];
}

// The town's last audit: the newest time any of its accounts was checked, and its failing and
// unconfirmed items.
function townSummary(town) {
  let checkedAt = null;
  let failing = 0;
  let unknown = 0;
  let unchecked = 0;
  for (const account of town.accounts) {
    if (!account.checked_at) {
      unchecked += 1;
    } else if (!checkedAt || Date.parse(account.checked_at) > Date.parse(checkedAt)) {
      checkedAt = account.checked_at;
    }
    for (const i of Array.isArray(account.items) ? account.items : []) {
      if (i.status === 'fail') failing += 1;
      else if (i.status !== 'pass') unknown += 1;
    }
  }
  let result;
  if (town.accounts.length === 0) result = h('span', { class: 'badge unknown' }, '公式アカウントの登録なし');
  else if (!checkedAt) result = null;  // the time already says 未点検
  else if (failing > 0) result = h('span', { class: 'badge problem' }, `不適合 ${failing}件`);
  else if (unknown > 0) result = h('span', { class: 'badge unknown' }, `未確認 ${unknown}件`);
  else result = h('span', { class: 'badge ok' }, 'すべて適合');
  return { checkedAt, result, unchecked };
}

function accountSection(account, headingId) {
  const items = Array.isArray(account.items) ? account.items : [];
  const failing = items.filter((i) => i.status === 'fail').length;
  return h('section', { class: 'compliance-account', 'aria-labelledby': headingId },
    h('h3', { id: headingId }, `${platformName(account.platform)} @${account.handle ?? ''}`),
    h('p', { class: 'muted small' }, '点検日時 ', timeElement(account.checked_at, '未点検'),
      failing ? h('span', { class: 'badge problem' }, `不適合 ${failing}件`) : null),
    items.length === 0 ? h('p', { class: 'empty' }, 'このアカウントはまだ点検していません。') : h('table', { class: 'compact' },
      h('thead', {}, h('tr', {}, ['結果', '項目', '根拠', '詳細'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, items.map((i) => {
        const [text, cls] = STATUS[i.status] ?? STATUS.unknown;
        return h('tr', {},
          h('td', {}, h('span', { class: `badge ${cls}` }, text)),
          h('td', {}, i.title ?? i.id ?? ''),
          h('td', { class: 'small' }, i.clause ?? ''),
          h('td', { class: 'small' }, i.detail ?? ''));
      }))));
}

function townSection(town, index, ctx) {
  const headingId = `compliance-town-${index}`;
  const { checkedAt, result, unchecked } = townSummary(town);
  const status = h('p', { role: 'status', 'aria-live': 'polite', class: 'action-status' });
  const section = h('section', { class: 'compliance-town', 'aria-labelledby': headingId, 'data-municipality': town.id },
    h('h2', { id: headingId }, town.name),
    h('p', { class: 'compliance-town-summary' },
      '最終点検 ', timeElement(checkedAt, '未点検'), ' ', result,
      unchecked > 0 && checkedAt ? h('span', { class: 'muted small' }, `（未点検のアカウント ${unchecked}件）`) : null));
  if (ctx.canChange) {
    section.appendChild(h('p', { class: 'no-print' }, h('button', {
      type: 'button',
      onclick: () => startAudit({ municipality: town.id }, status),
    }, `${town.name}を今すぐ点検する`)));
  }
  section.appendChild(status);
  if (town.accounts.length === 0) {
    section.appendChild(h('p', { class: 'empty' }, 'この自治体の公式アカウントは登録されていません。'));
  }
  town.accounts.forEach((account, i) => section.appendChild(accountSection(account, `${headingId}-account-${i}`)));
  return section;
}

export async function renderCompliance(main, _params, ctx) {
  const status = h('p', { role: 'status', 'aria-live': 'polite', class: 'action-status' });
  const section = h('section', { class: 'panel', 'aria-labelledby': 'compliance-title' },
    h('h1', { id: 'compliance-title' }, '運用点検'),
    h('p', { class: 'muted' }, '各公式アカウントが運用方針（ガイドライン）の項目を満たしているかの点検結果です。自治体ごとに表示します。'),
    status);
  main.appendChild(section);
  let accounts;
  let municipalities;
  try {
    const data = await api.get('/api/v1/compliance');
    accounts = Array.isArray(data?.accounts) ? data.accounts : [];
    municipalities = Array.isArray(data?.municipalities) ? data.municipalities : [];
  } catch (error) {
    if (!ctx.isCurrent()) return;
    if (error instanceof ApiError && error.status !== 401 && error.status !== 403) {
      section.appendChild(h('p', { class: 'empty' }, '点検結果はまだありません。'));
      return;
    }
    throw error;
  }
  if (!ctx.isCurrent()) return;
  const towns = groupByTown(accounts, municipalities);
  if (towns.length === 0) {
    section.appendChild(h('p', { class: 'empty' }, '点検結果はまだありません。'));
    return;
  }
  if (ctx.canChange && towns.length > 1) {
    section.appendChild(h('p', { class: 'no-print' }, h('button', {
      type: 'button',
      onclick: () => startAudit({}, status),
    }, `表示中の${towns.length}自治体をすべて点検する`)));
  }
  towns.forEach((town, i) => section.appendChild(townSection(town, i, ctx)));
}
