// Compliance: the operating-rules audit of each official account (GET /api/v1/compliance).
import { api, ApiError } from './api.js';
import { h, timeElement } from './dom.js';
import { platformName } from './labels.js';

const STATUS = {
  pass: ['適合', 'ok'],
  fail: ['不適合', 'problem'],
  unknown: ['未確認', 'unknown'],
};

export async function renderCompliance(main, _params, ctx) {
  const status = h('p', { role: 'status', 'aria-live': 'polite', class: 'action-status' });
  const section = h('section', { class: 'panel', 'aria-labelledby': 'compliance-title' },
    h('h1', { id: 'compliance-title' }, '運用点検'),
    h('p', { class: 'muted' }, '各公式アカウントが運用方針（ガイドライン）の項目を満たしているかの点検結果です。'),
    status);
  main.appendChild(section);
  if (ctx.canChange) {
    section.appendChild(h('p', { class: 'no-print' }, h('button', {
      type: 'button',
      onclick: async () => {
        status.textContent = '点検を依頼しています…';
        try {
          await api.post('/api/v1/compliance/run', {});
          status.textContent = '点検を開始しました。しばらくしてから再読み込みしてください。';
        } catch (error) {
          status.textContent = error instanceof ApiError ? error.message : '点検を開始できませんでした';
        }
      },
    }, '今すぐ点検する')));
  }
  let accounts;
  try {
    const data = await api.get('/api/v1/compliance');
    accounts = Array.isArray(data?.accounts) ? data.accounts : [];
  } catch (error) {
    if (!ctx.isCurrent()) return;
    if (error instanceof ApiError && error.status !== 401 && error.status !== 403) {
      section.appendChild(h('p', { class: 'empty' }, '点検結果はまだありません。'));
      return;
    }
    throw error;
  }
  if (!ctx.isCurrent()) return;
  if (accounts.length === 0) {
    section.appendChild(h('p', { class: 'empty' }, '点検結果はまだありません。'));
    return;
  }
  for (const account of accounts) {
    const items = Array.isArray(account.items) ? account.items : [];
    const failing = items.filter((i) => i.status === 'fail').length;
    section.appendChild(h('section', { class: 'compliance-account' },
      h('h2', {}, `${platformName(account.platform)} @${account.handle ?? ''}`),
      h('p', { class: 'muted small' }, '点検日時 ', timeElement(account.checked_at, '未点検'),
        failing ? h('span', { class: 'badge problem' }, `不適合 ${failing}件`) : null),
      h('table', { class: 'compact' },
        h('thead', {}, h('tr', {}, ['結果', '項目', '根拠', '詳細'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, items.map((i) => {
          const [text, cls] = STATUS[i.status] ?? STATUS.unknown;
          return h('tr', {},
            h('td', {}, h('span', { class: `badge ${cls}` }, text)),
            h('td', {}, i.title ?? i.id ?? ''),
            h('td', { class: 'small' }, i.clause ?? ''),
            h('td', { class: 'small' }, i.detail ?? ''));
        })))));
  }
}
