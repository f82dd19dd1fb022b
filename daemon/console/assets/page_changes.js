// Profile changes of the official accounts (/changes): changes mamori observed that nobody
// announced (accept as the new baseline, or reject as not the city's), and changes announced in
// advance (soma-city.txt 4(2)) so that they only move the baseline when they appear.
import { api, ApiError } from './api.js';
import { clear, h, timeElement } from './dom.js';
import { actorName, platformName } from './labels.js';
import { accountPlans } from './account_plans.js';

const FIELDS = [
  ['display_name', '表示名'],
  ['handle', 'ハンドル'],
  ['description', 'プロフィール文'],
  ['url', 'リンク（URL）'],
  ['avatar', 'アイコン'],
  ['verified', '認証バッジ'],
];
const CHANGE_STATUS = {
  open: ['確認待ち', 'problem'],
  accepted: ['承認済み', 'ok'],
  registered: ['予告どおり', 'ok'],
  superseded: ['置き換え済み', ''],
  rejected: ['不正な変更と確認', 'problem'],
};

function fieldLabel(field) {
  return (FIELDS.find(([f]) => f === field) ?? [field, field])[1];
}

// "2025-04-01T09:00" (the browser's local time) for a <input type=datetime-local>.
function localInputValue(date) {
  const pad = (n) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

export async function renderChanges(main, _params, ctx) {
  const status = h('p', { class: 'action-status', role: 'status', 'aria-live': 'polite' });
  const errorBox = h('div', { class: 'form-error', role: 'alert' });
  const changesSection = h('section', { class: 'panel', 'aria-labelledby': 'changes-list-title' });
  const registrationsSection = h('section', { class: 'panel', 'aria-labelledby': 'registrations-title' });
  main.append(h('section', { class: 'panel' },
    h('h1', {}, 'プロフィールの変更とアカウントの変更・廃止'),
    h('p', { class: 'muted' }, '公式アカウントのプロフィール（表示名、プロフィール文、リンク、アイコンなど）の変更を確認します。予告していない変更は乗っ取りの兆候として知らせます。正規の変更は事前に登録するか、ここで承認してください。'),
    status, errorBox));

  let accounts = [];
  try {
    const data = await api.get('/api/v1/accounts');
    accounts = Array.isArray(data?.accounts) ? data.accounts : [];
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) throw error;
  }
  if (!ctx.isCurrent()) return;

  if (ctx.canChange) main.appendChild(registrationForm());
  main.append(changesSection, registrationsSection);
  main.appendChild(accountPlans(accounts, ctx));

  function registrationForm() {
    const account = h('select', { id: 'reg-account', required: true },
      accounts.map((a) => h('option', { value: `${a.platform}:${a.handle}` }, `${platformName(a.platform)} @${a.handle}`)));
    const field = h('select', { id: 'reg-field' }, FIELDS.map(([f, l]) => h('option', { value: f }, l)));
    const value = h('textarea', { id: 'reg-value', rows: '2', 'aria-describedby': 'reg-value-help' });
    const now = new Date();
    const from = h('input', { id: 'reg-from', type: 'datetime-local', value: localInputValue(now) });
    const until = h('input', { id: 'reg-until', type: 'datetime-local', value: localInputValue(new Date(now.getTime() + 60 * 86400000)) });
    const note = h('input', { id: 'reg-note', type: 'text', autocomplete: 'off', 'aria-describedby': 'reg-note-help' });
    const formError = h('p', { class: 'form-error', role: 'alert' });
    const form = h('form', { class: 'panel no-print', 'aria-labelledby': 'reg-title', novalidate: true },
      h('h2', { id: 'reg-title' }, '予定している変更を登録する'),
      h('p', { class: 'muted small' }, '登録した変更が期間内に現れると、mamori は乗っ取りとして知らせず、基準だけを更新します（相馬市ガイドライン 第4の4(2)：変更は一月以上前に周知）。'),
      accounts.length === 0 ? h('p', { class: 'form-error' }, '公式アカウントの状態を読み込めないため登録できません。') : null,
      h('div', { class: 'field' }, h('label', { for: 'reg-account' }, '公式アカウント'), account),
      h('div', { class: 'field' }, h('label', { for: 'reg-field' }, '変える項目'), field),
      h('div', { class: 'field' }, h('label', { for: 'reg-value' }, '変更後の内容'), value,
        h('p', { class: 'help', id: 'reg-value-help' }, 'アイコンの場合は空欄のままにします（画像の変化だけを見ます）。')),
      h('div', { class: 'field' }, h('label', { for: 'reg-from' }, '変更する期間の始め'), from),
      h('div', { class: 'field' }, h('label', { for: 'reg-until' }, '変更する期間の終わり'), until),
      h('div', { class: 'field' }, h('label', { for: 'reg-note' }, 'メモ'), note,
        h('p', { class: 'help', id: 'reg-note-help' }, '例：広報誌4月号とホームページで1か月前に周知済み')),
      formError,
      h('button', { type: 'submit', class: 'button-primary' }, '登録する'));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      formError.textContent = '';
      const [platform, ...rest] = account.value.split(':');
      const start = new Date(from.value);
      const end = new Date(until.value);
      if (!account.value) {
        formError.textContent = '公式アカウントを選んでください';
        account.focus();
        return;
      }
      if (Number.isNaN(start.getTime()) || Number.isNaN(end.getTime()) || end <= start) {
        formError.textContent = '期間の終わりは始めより後の日時にしてください';
        until.focus();
        return;
      }
      if (field.value !== 'avatar' && field.value !== 'verified' && !value.value.trim()) {
        formError.textContent = '変更後の内容を入力してください';
        value.focus();
        return;
      }
      try {
        await api.post('/api/v1/integrity/registrations', {
          platform, handle: rest.join(':'), field: field.value, value: value.value.trim(),
          valid_from: start.toISOString(), valid_until: end.toISOString(), note: note.value.trim(),
        });
        status.textContent = `${fieldLabel(field.value)}の変更を登録しました`;
        value.value = '';
        note.value = '';
        await loadRegistrations();
      } catch (error) {
        formError.textContent = error instanceof ApiError ? error.message : '登録できませんでした';
      }
    });
    return form;
  }

  async function decide(change, verb, note) {
    errorBox.textContent = '';
    try {
      await api.post(`/api/v1/integrity/changes/${encodeURIComponent(change.id)}/${verb}`, note ? { note } : {});
      status.textContent = verb === 'accept'
        ? `@${change.handle} の${change.field_label ?? fieldLabel(change.field)}の変更を承認し、基準を更新しました`
        : `@${change.handle} の${change.field_label ?? fieldLabel(change.field)}の変更を不正な変更として記録しました`;
      await loadChanges();
    } catch (error) {
      errorBox.textContent = error instanceof ApiError ? error.message : '記録できませんでした';
    }
  }

  function changeItem(c) {
    const [label, cls] = CHANGE_STATUS[c.status] ?? [c.status ?? '', ''];
    const noteId = `change-note-${c.id}`;
    const note = h('input', { id: noteId, type: 'text', autocomplete: 'off' });
    return h('li', { class: `change${c.status === 'open' ? ' row-problem' : ''}`, 'data-change': String(c.id) },
      h('div', { class: 'takedown-head' },
        h('strong', {}, `${platformName(c.platform)} @${c.handle} — ${c.field_label ?? fieldLabel(c.field)}`),
        h('span', { class: `badge ${cls}`.trim() }, label)),
      h('dl', { class: 'facts small' },
        h('dt', {}, '変更前'), h('dd', {}, c.before || h('span', { class: 'muted' }, '（なし）')),
        h('dt', {}, '変更後'), h('dd', {}, c.after || h('span', { class: 'muted' }, '（なし）')),
        h('dt', {}, '確認日時'), h('dd', {}, timeElement(c.observed_at)),
        c.resolved_by ? h('dt', {}, '処理') : null,
        c.resolved_by ? h('dd', {}, actorName(c.resolved_by), ' ', timeElement(c.resolved_at, '')) : null,
        c.incident_id ? h('dt', {}, 'インシデント') : null,
        c.incident_id ? h('dd', {}, h('a', { href: `/incidents/${c.incident_id}`, 'data-nav': true }, `インシデント ${c.incident_id}`)) : null),
      ctx.canChange && c.status === 'open' ? h('div', { class: 'inline-form no-print' },
        h('div', { class: 'field' }, h('label', { for: noteId }, 'メモ（確認した相手・方法など）'), note),
        h('button', { type: 'button', class: 'button-primary', onclick: () => decide(c, 'accept', note.value.trim()) }, '正規の変更として承認'),
        h('button', { type: 'button', onclick: () => decide(c, 'reject', note.value.trim()) }, '不正な変更として却下')) : null);
  }

  async function loadChanges() {
    const data = await api.get('/api/v1/integrity/changes?limit=100');
    if (!ctx.isCurrent()) return;
    const changes = Array.isArray(data?.changes) ? data.changes : [];
    const open = changes.filter((c) => c.status === 'open');
    clear(changesSection).appendChild(h('h2', { id: 'changes-list-title' }, `確認された変更（確認待ち ${open.length}件）`));
    if (changes.length === 0) {
      changesSection.appendChild(h('p', { class: 'empty' }, 'プロフィールの変更はまだ確認されていません。'));
      return;
    }
    changesSection.appendChild(h('ol', { class: 'plain changes' }, [...open, ...changes.filter((c) => c.status !== 'open')].map(changeItem)));
  }

  async function loadRegistrations() {
    const data = await api.get('/api/v1/integrity/registrations');
    if (!ctx.isCurrent()) return;
    const regs = Array.isArray(data?.registrations) ? data.registrations : [];
    clear(registrationsSection).appendChild(h('h2', { id: 'registrations-title' }, '登録した予定の変更'));
    if (regs.length === 0) {
      registrationsSection.appendChild(h('p', { class: 'empty' }, 'まだ登録はありません。'));
      return;
    }
    registrationsSection.appendChild(h('div', { class: 'table-wrap' }, h('table', { class: 'compact registrations' },
      h('thead', {}, h('tr', {}, ['アカウント', '項目', '変更後', '期間', '反映', '登録'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, regs.map((r) => h('tr', {},
        h('td', {}, `${platformName(r.platform)} @${r.handle}`),
        h('td', {}, fieldLabel(r.field)),
        h('td', {}, r.value || h('span', { class: 'muted' }, '—'), r.note ? h('div', { class: 'muted small' }, r.note) : null),
        h('td', { class: 'small' }, timeElement(r.valid_from), ' 〜 ', timeElement(r.valid_until)),
        h('td', {}, r.applied_at ? h('span', { class: 'badge ok' }, '反映済み') : h('span', { class: 'badge' }, '未反映')),
        h('td', { class: 'small' }, actorName(r.registered_by))))))));
  }

  await Promise.all([loadChanges(), loadRegistrations()]);
}
