// Takedown requests of one incident (a section of the incident page): what was asked of which
// platform, its status, the deadline for an answer (the legal response period where the platform
// is designated under 情報流通プラットフォーム対処法), reminders, and the history. Responders file a
// new request — mamori sends it itself where the platform has a report API (Mastodon, Bluesky);
// for X it opens the platform's form with the drafted text and asks for the receipt number.
import { api, ApiError } from './api.js';
import { clear, externalLink, h, relativeTime, timeElement } from './dom.js';
import { actorName, platformName, PLATFORM_ORDER } from './labels.js';

const STATUS = {
  filing: ['送信中', ''],
  failed: ['送信失敗', 'problem'],
  filed: ['依頼済み', ''],
  answered: ['回答あり', ''],
  removed: ['削除済み', 'ok'],
  refused: ['対応されず', 'problem'],
};
const REFRESH_MS = 30000;

let uid = 0;
function nextId(prefix) {
  uid += 1;
  return `${prefix}-${uid}`;
}

function statusBadge(status) {
  const [text, cls] = STATUS[status] ?? [status ?? '', ''];
  return h('span', { class: `badge ${cls}`.trim() }, text);
}

function targetLabel(t) {
  if (t.target_handle) return `@${t.target_handle}`;
  return t.target ?? '';
}

// The drafted takedown report of the incident (playbooks/templates/takedown_report.toml): its
// text, or why it could not be drafted (e.g. a form's required contact address is not set).
async function draftedText(incidentId) {
  try {
    const data = await api.get(`/api/v1/incidents/${encodeURIComponent(incidentId)}/documents`);
    const doc = (Array.isArray(data?.documents) ? data.documents : []).find((d) => d.id === 'takedown_report');
    return {
      text: typeof doc?.body === 'string' ? doc.body : '',
      error: typeof doc?.error === 'string' ? doc.error : '',
    };
  } catch {
    return { text: '', error: '' };
  }
}

export function renderTakedowns(slot, incidentId, ctx) {
  const base = `/api/v1/incidents/${encodeURIComponent(incidentId)}/takedowns`;
  const status = h('p', { class: 'action-status', role: 'status', 'aria-live': 'polite' });
  const errorBox = h('div', { class: 'form-error', role: 'alert' });
  const list = h('div', { class: 'takedown-list' }, h('p', { class: 'muted' }, '読み込み中…'));
  const formSlot = h('div', { class: 'no-print' });
  const section = h('section', { class: 'panel takedowns', 'aria-labelledby': 'takedowns-title', id: 'takedowns' },
    h('h2', { id: 'takedowns-title' }, '削除依頼（運営会社への報告）'),
    h('p', { class: 'muted small' }, '運営会社への削除依頼と、その回答・期限・経過の記録です。回答の期限を過ぎると mamori が再依頼を促します。'),
    status, errorBox, list, formSlot);
  slot.appendChild(section);
  let draft = null;
  let lastJson = '';
  let busy = false;

  function requestItem(t) {
    const titleId = nextId('takedown');
    const item = h('li', { class: `takedown${t.overdue ? ' row-problem' : ''}`, 'aria-labelledby': titleId, 'data-takedown': String(t.id) },
      h('div', { class: 'takedown-head' },
        h('strong', { id: titleId }, `${platformName(t.platform)} ${targetLabel(t)}`),
        statusBadge(t.status),
        t.overdue ? h('span', { class: 'badge problem' }, '期限超過') : null,
        h('span', { class: 'badge' }, t.method === 'api' ? 'mamori が API で送信' : 'フォームで依頼')),
      h('dl', { class: 'facts small' },
        h('dt', {}, '受付番号'), h('dd', {}, t.receipt ? t.receipt : h('span', { class: 'muted' }, '未記録')),
        h('dt', {}, '依頼日時'), h('dd', {}, timeElement(t.filed_at, '—')),
        h('dt', {}, '回答の期限'), h('dd', {}, timeElement(t.deadline, '—'),
          t.deadline && (t.status === 'filed' || t.status === 'answered') ? ` （${relativeTime(t.deadline)}）` : null),
        h('dt', {}, '対応期間'), h('dd', {},
          t.response_period_legal ? h('strong', {}, `法定 ${t.response_period_days}日`) : `${t.response_period_days ?? '—'}日（mamori の目安）`,
          t.response_period_note ? h('div', { class: 'muted' }, t.response_period_note) : null),
        t.error ? h('dt', {}, '送信できなかった理由') : null, t.error ? h('dd', {}, t.error) : null),
      h('details', {},
        h('summary', {}, `経過（${Array.isArray(t.events) ? t.events.length : 0}件）と依頼の文面`),
        h('ol', { class: 'takedown-events small' }, (Array.isArray(t.events) ? t.events : []).map((e) => h('li', {},
          timeElement(e.at), ' ', h('span', { class: 'muted' }, actorName(e.actor)), ' ', e.message ?? ''))),
        h('pre', { class: 'draft-body' }, t.text ?? '')));
    if (ctx.canChange && ['filed', 'answered', 'removed', 'refused'].includes(t.status)) {
      item.appendChild(updateForm(t));
    }
    if (ctx.canChange && (t.overdue || t.status === 'failed' || t.status === 'refused')) {
      item.appendChild(h('p', { class: 'no-print' }, h('button', {
        type: 'button', class: 'button-quiet',
        onclick: () => showForm({ platform: t.platform, account_id: t.target, handle: t.target_handle, text: t.text, previous_id: t.id }),
      }, '再依頼する')));
    }
    return item;
  }

  function updateForm(t) {
    const selectId = nextId('takedown-status');
    const receiptId = nextId('takedown-receipt');
    const noteId = nextId('takedown-note');
    const select = h('select', { id: selectId },
      h('option', { value: '' }, '（変えない）'),
      ['answered', 'removed', 'refused', 'filed'].filter((s) => s !== t.status)
        .map((s) => h('option', { value: s }, STATUS[s][0])));
    const receipt = h('input', { id: receiptId, type: 'text', autocomplete: 'off', value: t.receipt ?? '', maxlength: '200' });
    const note = h('input', { id: noteId, type: 'text', autocomplete: 'off' });
    const form = h('form', { class: 'inline-form no-print', novalidate: true },
      h('div', { class: 'field' }, h('label', { for: selectId }, '状態'), select),
      h('div', { class: 'field' }, h('label', { for: receiptId }, '受付番号'), receipt),
      h('div', { class: 'field' }, h('label', { for: noteId }, 'メモ（回答の内容など）'), note),
      h('button', { type: 'submit' }, '記録する'));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      errorBox.textContent = '';
      const body = {};
      if (select.value) body.status = select.value;
      if (receipt.value.trim() !== (t.receipt ?? '')) body.receipt = receipt.value.trim();
      if (note.value.trim()) body.note = note.value.trim();
      if (Object.keys(body).length === 0) {
        errorBox.textContent = '変更する内容を入力してください';
        select.focus();
        return;
      }
      try {
        await api.post(`/api/v1/takedowns/${encodeURIComponent(t.id)}`, body);
        status.textContent = '削除依頼の記録を更新しました';
        await load(true);
      } catch (error) {
        errorBox.textContent = error instanceof ApiError ? error.message : '記録できませんでした';
      }
    });
    return form;
  }

  function showForm(prefill) {
    clear(formSlot);
    const data = JSON.parse(lastJson || '{}');
    const unavailable = data.filing_unavailable ?? {};
    const target = prefill ?? data.default_target ?? {};
    const platform = h('select', { id: 'takedown-platform' },
      PLATFORM_ORDER.map((p) => h('option', { value: p, selected: p === target.platform }, platformName(p))));
    const account = h('input', { id: 'takedown-account', type: 'text', autocomplete: 'off', value: target.account_id ?? '', 'aria-describedby': 'takedown-account-help' });
    const handle = h('input', { id: 'takedown-handle', type: 'text', autocomplete: 'off', value: target.handle ?? '' });
    const text = h('textarea', { id: 'takedown-text', rows: '8', required: true });
    text.value = prefill?.text ?? draft?.text ?? '';
    const draftProblem = !prefill && draft?.error
      ? h('p', { class: 'form-error', role: 'alert', id: 'takedown-draft-problem' }, `文面の下書きを作れませんでした：${draft.error}`)
      : null;
    const receipt = h('input', { id: 'takedown-receipt', type: 'text', autocomplete: 'off', maxlength: '200', 'aria-describedby': 'takedown-receipt-help' });
    const how = h('div', { class: 'takedown-how' });
    const submit = h('button', { type: 'submit', class: 'button-primary' });
    const formError = h('p', { class: 'form-error', role: 'alert' });
    const form = h('form', { class: 'takedown-form', 'aria-labelledby': 'takedown-form-title', novalidate: true },
      h('h3', { id: 'takedown-form-title' }, prefill?.previous_id ? '削除を再依頼する' : '削除を依頼する'),
      h('div', { class: 'field' }, h('label', { for: 'takedown-platform' }, '運営会社'), platform),
      h('div', { class: 'field' }, h('label', { for: 'takedown-handle' }, '対象のアカウント（ハンドル）'), handle),
      h('div', { class: 'field' }, h('label', { for: 'takedown-account' }, '対象のアカウント ID'), account,
        h('p', { class: 'help', id: 'takedown-account-help' }, 'Mastodon はアカウントの ID、Bluesky は DID（did: で始まる）、YouTube はチャンネル ID（UC で始まる）です。検知したアカウントなら入力済みです。')),
      h('div', { class: 'field' }, h('label', { for: 'takedown-text' }, '依頼の文面'), text, draftProblem),
      how, formError, submit);
    const update = () => {
      const p = platform.value;
      clear(how);
      const why = unavailable[p] ?? '';
      if (p === 'x') {
        how.append(
          h('p', {}, 'X には通報の API がありません。次のフォームを開き、上の文面を貼り付けて送信してから、届いた受付番号を記録してください。'),
          h('p', {}, externalLink(data.form_urls?.x ?? '', 'X の報告フォームを開く（別のタブ）')),
          h('div', { class: 'field' }, h('label', { for: 'takedown-receipt' }, '受付番号（届いていれば）'), receipt,
            h('p', { class: 'help', id: 'takedown-receipt-help' }, '後からでも記録できます。')));
        submit.textContent = 'フォームで依頼したことを記録する';
        submit.disabled = false;
      } else {
        how.append(h('p', {}, `mamori が ${platformName(p)} の通報機能で送信し、運営会社の受付を記録します。`));
        if (why) how.append(h('p', { class: 'form-error' }, why));
        submit.textContent = `mamori から ${platformName(p)} に送信する`;
        submit.disabled = Boolean(why);
      }
    };
    platform.addEventListener('change', update);
    update();
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      formError.textContent = '';
      if (!text.value.trim()) {
        formError.textContent = '依頼の文面を入力してください';
        text.focus();
        return;
      }
      const body = { platform: platform.value, account_id: account.value.trim(), handle: handle.value.trim(), text: text.value.trim() };
      if (platform.value === 'x' && receipt.value.trim()) body.receipt = receipt.value.trim();
      if (prefill?.previous_id) body.previous_id = prefill.previous_id;
      submit.disabled = true;
      status.textContent = platform.value === 'x' ? '記録しています…' : `${platformName(platform.value)} に送信しています…`;
      busy = true;
      try {
        const created = await api.post(base, body);
        status.textContent = created?.method === 'api'
          ? `${platformName(created.platform)} が受け付けました（通報ID ${created.receipt}）`
          : '削除依頼を記録しました';
        clear(formSlot);
        await load(true);
      } catch (error) {
        const shown = error instanceof ApiError && error.body?.status === 'failed'
          ? `送信できませんでした: ${error.body.error ?? ''}` : error instanceof ApiError ? error.message : '依頼できませんでした';
        formError.textContent = shown;
        status.textContent = '';
        submit.disabled = false;
        await load(true);
      } finally {
        busy = false;
      }
    });
    formSlot.appendChild(form);
    (text.value ? platform : text).focus();
  }

  async function load(force = false) {
    let data;
    try {
      data = await api.get(base);
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) return;
      clear(list).appendChild(h('p', { class: 'form-error' }, error instanceof ApiError ? error.message : '削除依頼を読み込めませんでした'));
      return;
    }
    const json = JSON.stringify(data);
    if (!force && json === lastJson) return;
    lastJson = json;
    const takedowns = Array.isArray(data?.takedowns) ? data.takedowns : [];
    clear(list);
    if (takedowns.length === 0) list.appendChild(h('p', { class: 'empty' }, 'まだ削除依頼はありません。'));
    else list.appendChild(h('ol', { class: 'takedown-requests plain' }, takedowns.map(requestItem)));
    if (ctx.canChange && formSlot.childElementCount === 0) {
      formSlot.appendChild(h('button', { type: 'button', id: 'takedown-new', onclick: () => showForm(null) }, '削除を依頼する'));
    }
  }

  draftedText(incidentId).then((d) => { draft = d; });
  load(true);
  const timer = setInterval(() => {
    // Not while someone types in this section or a request is being sent.
    if (busy || document.hidden || section.contains(document.activeElement)) return;
    load(false);
  }, REFRESH_MS);
  return () => clearInterval(timer);
}
