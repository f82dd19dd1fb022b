// Official accounts: each account's health, last poll and remaining API quota; below them the
// city's related accounts the impersonation detector recognised and staff's decisions on
// candidates (issue 18).
import { api, ApiError } from './api.js';
import { formatNumber, h, relativeTime, timeElement } from './dom.js';
import { platformName } from './labels.js';
import { erroneousPostForm } from './erroneous_post.js';

// Related accounts (departments, affiliated bodies, wards) and candidates staff judged not to be
// impersonators: nothing here opens an incident.
async function relatedSection(ctx) {
  const section = h('section', { class: 'panel', 'aria-labelledby': 'related-title' },
    h('h2', { id: 'related-title' }, '関連アカウントと判断済みのアカウント'),
    h('p', { class: 'muted' }, '市の部署・関係団体・区のアカウントとして名乗り、公式のアイコンやプロフィール文を写していないもの（関連アカウント）と、職員が成りすましではないと判断したものです。インシデントにはなりません。'));
  let related = [];
  let decided = [];
  try {
    const [r, d] = await Promise.all([api.get('/api/v1/impersonation/related'), api.get('/api/v1/impersonation/dispositions')]);
    related = Array.isArray(r?.related) ? r.related : [];
    decided = Array.isArray(d?.dispositions) ? d.dispositions : [];
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    section.appendChild(h('p', { class: 'empty' }, '一覧を取得できませんでした。'));
    return section;
  }
  if (!ctx.isCurrent()) return section;
  const account = (a) => [h('strong', {}, a.display_name || a.handle || ''),
    h('div', { class: 'muted small' }, `${platformName(a.platform)} @${a.handle ?? ''}`)];
  const rows = [
    ...decided.map((d) => h('tr', {},
      h('td', {}, ...account(d)),
      h('td', {}, d.disposition === 'related' ? '関連アカウント（職員の判断）' : '問題なし（職員の判断）',
        d.reopened_at ? h('div', { class: 'small' }, 'プロフィールが変わったため再判断待ち') : null),
      h('td', { class: 'small' }, d.decided_by ?? '', h('div', {}, timeElement(d.decided_at)), d.note ? h('div', { class: 'muted' }, d.note) : null))),
    ...related.map((a) => h('tr', {},
      h('td', {}, ...account(a)),
      h('td', {}, `関連アカウント（${a.family || '部署・関係団体'}）`),
      h('td', { class: 'small' }, 'mamori の判定', h('div', {}, '最終確認 ', timeElement(a.last_seen_at)), a.last_seen_at ? h('div', { class: 'muted' }, relativeTime(a.last_seen_at)) : null))),
  ];
  if (rows.length === 0) {
    section.appendChild(h('p', { class: 'empty' }, 'まだありません。'));
    return section;
  }
  section.appendChild(h('div', { class: 'table-wrap' }, h('table', { class: 'accounts-table' },
    h('thead', {}, h('tr', {}, ['アカウント', '判断', '判断した人・日時'].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, rows))));
  return section;
}

export async function renderAccounts(main, _params, ctx) {
  const section = h('section', { class: 'panel', 'aria-labelledby': 'accounts-title' },
    h('h1', { id: 'accounts-title' }, '公式アカウント'),
    h('p', { class: 'muted' }, '監視している公式アカウントの取得状況です。異常があるときは設定と各プラットフォームの状態を確認してください。'));
  main.appendChild(section);
  if (ctx.canChange) main.appendChild(erroneousPostForm(ctx));
  main.appendChild(h('p', { class: 'no-print' }, h('a', { href: '/changes', 'data-nav': true }, 'プロフィールの変更の確認と予定の登録へ')));
  let accounts;
  let spend = {};
  try {
    const data = await api.get('/api/v1/accounts');
    accounts = Array.isArray(data?.accounts) ? data.accounts : [];
    spend = data?.api_spend && typeof data.api_spend === 'object' ? data.api_spend : {};
  } catch (error) {
    if (!ctx.isCurrent()) return;
    if (error instanceof ApiError && (error.status === 404 || error.status === 503)) {
      section.appendChild(h('p', { class: 'empty' }, 'アカウントの状態はまだ取得できません。'));
      return;
    }
    throw error;
  }
  if (!ctx.isCurrent()) return;
  if (accounts.length === 0) {
    section.appendChild(h('p', { class: 'empty' }, '監視する公式アカウントが設定されていません。'));
  } else {
    section.appendChild(accountsTable(accounts));
  }
  if (Object.keys(spend).length > 0) main.appendChild(spendSection(spend));
  const related = await relatedSection(ctx);
  if (ctx.isCurrent()) main.appendChild(related);
}

// This month's API charges per platform (issue 21): month to date, projection, budget.
const DEGRADATION = ['通常どおり', 'なりすまし検索を間引き中', 'なりすまし検索とプロフィール確認を間引き中', 'なりすまし検索を停止中'];

function spendSection(spend) {
  const usd = (v) => (typeof v === 'number' ? `$${v.toFixed(2)}` : '—');
  return h('section', { class: 'panel', 'aria-labelledby': 'spend-title' },
    h('h2', { id: 'spend-title' }, 'API 利用料（今月）'),
    h('p', { class: 'muted' }, '応答の件数から mamori が計算した見積もりです。予算に近づくと取得を間引き、予算を超える取得は行いません。'),
    h('div', { class: 'table-wrap' }, h('table', { class: 'accounts-table' },
      h('thead', {}, h('tr', {}, ['プラットフォーム', '今月の利用料', '月末の見込み', '月の予算', '取得の状態'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, Object.entries(spend).map(([platform, s]) => h('tr', { class: s.degradation_level > 0 ? 'row-problem' : null },
        h('td', {}, platformName(platform)),
        h('td', {}, usd(s.month_to_date_usd), s.units_month_to_date > 0 ? h('div', { class: 'muted small' }, `${formatNumber(s.units_month_to_date)} ユニット`) : null),
        h('td', {}, usd(s.projected_usd)),
        h('td', {}, s.budget_usd === null || s.budget_usd === undefined ? h('span', { class: 'muted' }, '設定なし') : usd(s.budget_usd)),
        h('td', { class: 'small' }, DEGRADATION[s.degradation_level] ?? '')))))));
}

// Seconds since the last successful poll, as staff read it.
function staleText(seconds) {
  if (seconds < 60) return `${seconds} 秒`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} 分`;
  return `${Math.floor(seconds / 3600)} 時間 ${Math.floor((seconds % 3600) / 60)} 分`;
}

function accountsTable(accounts) {
  return h('div', { class: 'table-wrap' }, h('table', { class: 'accounts-table' },
    h('thead', {}, h('tr', {}, ['状態', 'アカウント', '最終取得', '取得担当', 'エラー', 'API の残り回数'].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, accounts.map((a) => h('tr', { class: a.healthy ? null : 'row-problem' },
      h('td', {}, h('span', { class: a.healthy ? 'badge ok' : 'badge problem' }, a.healthy ? '正常' : '要確認')),
      h('td', {},
        h('strong', {}, a.display_name || a.handle || ''),
        h('div', { class: 'muted small' }, `${platformName(a.platform)} @${a.handle ?? ''}`),
        a.account_id ? h('div', { class: 'muted small mono' }, `ID ${a.account_id}`) : null),
      h('td', {}, timeElement(a.last_poll_at, '未取得'),
        a.last_poll_at ? h('div', { class: 'muted small' }, relativeTime(a.last_poll_at)) : null,
        a.last_poll_at ? h('div', { class: 'small' }, a.last_poll_ok ? '成功' : '失敗') : null),
      h('td', { class: 'small' }, a.polled_by ? h('span', { class: 'mono' }, a.polled_by) : h('span', { class: 'muted' }, '—'),
        typeof a.staleness_seconds === 'number' ? h('div', { class: 'muted small' }, `取得成功から ${staleText(a.staleness_seconds)}`) : null),
      h('td', { class: 'small' }, a.last_error || h('span', { class: 'muted' }, 'なし')),
      h('td', {}, a.quota_remaining === null || a.quota_remaining === undefined ? h('span', { class: 'muted' }, '—') : `${formatNumber(a.quota_remaining)}回`,
        a.quota_reset_at ? h('div', { class: 'muted small' }, 'リセット ', timeElement(a.quota_reset_at)) : null))))));
}
