// Planned changes and closures of official accounts (soma-city.txt 4, hokkaido.txt 3(8)), a part
// of the profile-changes page: register one (mamori opens its checklist with the dates counted
// from the planned day) and see the plans with their next date.
import { api, ApiError } from './api.js';
import { clear, externalLink, h, relativeTime, timeElement } from './dom.js';
import { label, platformName, STATUS_LABELS } from './labels.js';

export function accountPlans(accounts, ctx) {
  const wrap = h('div', {});
  const listSection = h('section', { class: 'panel', 'aria-labelledby': 'plans-title' });
  const status = h('p', { class: 'action-status', role: 'status', 'aria-live': 'polite' });

  if (ctx.canChange) {
    const account = h('select', { id: 'plan-account' },
      accounts.map((a) => h('option', { value: `${a.platform}:${a.handle}` }, `${platformName(a.platform)} @${a.handle}`)));
    const kind = h('select', { id: 'plan-kind' }, h('option', { value: 'change' }, '変更'), h('option', { value: 'closure' }, '廃止'));
    const what = h('textarea', { id: 'plan-what', rows: '2', required: true });
    const date = h('input', { id: 'plan-date', type: 'date', required: true, 'aria-describedby': 'plan-date-help' });
    const url = h('input', { id: 'plan-url', type: 'url', inputmode: 'url', autocomplete: 'off', placeholder: 'https://', 'aria-describedby': 'plan-url-help' });
    const text = h('input', { id: 'plan-text', type: 'text', autocomplete: 'off', 'aria-describedby': 'plan-text-help' });
    const formError = h('div', { class: 'form-error', role: 'alert' });
    const form = h('form', { class: 'panel no-print', 'aria-labelledby': 'plan-form-title', novalidate: true },
      h('h2', { id: 'plan-form-title' }, 'アカウントの変更・廃止を予定する'),
      h('p', { class: 'muted small' }, '予定日から逆算した手順（統括情報管理者への届出、一月以上前のアカウントとホームページでの周知、実施、変更後1年・廃止後半年の掲載の継続）を mamori が作り、周知の掲載を自動で確認し、期限の前に知らせます（相馬市 第4、北海道 3(8)）。'),
      h('div', { class: 'field' }, h('label', { for: 'plan-account' }, '公式アカウント'), account),
      h('div', { class: 'field' }, h('label', { for: 'plan-kind' }, '種類'), kind),
      h('div', { class: 'field' }, h('label', { for: 'plan-what' }, '内容'), what),
      h('div', { class: 'field' }, h('label', { for: 'plan-date' }, '予定日'), date,
        h('p', { class: 'help', id: 'plan-date-help' }, '周知は予定日の一月以上前に必要です。')),
      h('div', { class: 'field' }, h('label', { for: 'plan-url' }, 'お知らせを掲載するページの URL'), url,
        h('p', { class: 'help', id: 'plan-url-help' }, '空欄なら設定のお知らせページです。市のホームページ上のページにしてください。')),
      h('div', { class: 'field' }, h('label', { for: 'plan-text' }, 'お知らせに含まれる文言'), text,
        h('p', { class: 'help', id: 'plan-text-help' }, '空欄ならアカウントのハンドルです。この文言がページに現れると周知の手順が完了します。')),
      formError,
      h('button', { type: 'submit', class: 'button-primary' }, '予定を登録する'));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      clear(formError);
      if (!what.value.trim()) {
        formError.textContent = '内容を入力してください';
        what.focus();
        return;
      }
      if (!/^\d{4}-\d{2}-\d{2}$/.test(date.value)) {
        formError.textContent = '予定日を入力してください';
        date.focus();
        return;
      }
      const [platform, ...rest] = account.value.split(':');
      const body = { platform, handle: rest.join(':'), kind: kind.value, what: what.value.trim(), planned_at: `${date.value}T00:00:00+09:00` };
      if (url.value.trim()) body.notice_url = url.value.trim();
      if (text.value.trim()) body.notice_text = text.value.trim();
      try {
        const result = await api.post('/api/v1/account-changes', body);
        status.textContent = result?.created ? '予定を登録し、手順を作りました' : '登録済みの予定を更新しました';
        for (const w of Array.isArray(result?.warnings) ? result.warnings : []) formError.appendChild(h('p', {}, w));
        formError.appendChild(h('p', {}, h('a', { href: `/incidents/${result.incident_id}`, 'data-nav': true }, '手順（インシデント）を開く')));
        what.value = '';
        await load();
      } catch (error) {
        formError.textContent = error instanceof ApiError ? error.message : '登録できませんでした';
      }
    });
    wrap.appendChild(form);
  }
  wrap.appendChild(listSection);

  async function load() {
    const data = await api.get('/api/v1/account-changes');
    const plans = Array.isArray(data?.account_changes) ? data.account_changes : [];
    clear(listSection).append(h('h2', { id: 'plans-title' }, '予定しているアカウントの変更・廃止'), status);
    if (plans.length === 0) {
      listSection.appendChild(h('p', { class: 'empty' }, 'まだ登録はありません。'));
      return;
    }
    listSection.appendChild(h('div', { class: 'table-wrap' }, h('table', { class: 'compact plans' },
      h('thead', {}, h('tr', {}, ['アカウント', '種類', '内容', '予定日', '次の期限', '周知の掲載', '手順'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, plans.map((p) => h('tr', {},
        h('td', {}, `${platformName(p.platform)} @${p.handle}`),
        h('td', {}, p.kind === 'closure' ? '廃止' : '変更'),
        h('td', {}, p.what ?? '', p.notice_url ? h('div', { class: 'small' }, externalLink(p.notice_url)) : null),
        h('td', {}, timeElement(p.planned_at)),
        h('td', {}, timeElement(p.next_due, '—'), p.next_due ? h('div', { class: 'muted small' }, relativeTime(p.next_due)) : null),
        h('td', { class: 'small' }, timeElement(p.keep_until), 'まで'),
        h('td', {}, h('a', { href: `/incidents/${p.incident_id}`, 'data-nav': true }, `残り ${p.pending_steps}件`),
          h('div', { class: 'muted small' }, label(STATUS_LABELS, p.incident_status)))))))));
  }

  load().catch((error) => {
    listSection.appendChild(h('p', { class: 'form-error' }, error instanceof ApiError ? error.message : '読み込めませんでした'));
  });
  return wrap;
}
