// Incident list: newest first, filters kept in the URL, overdue badges, refreshed every 10 s.
import { api, ApiError } from './api.js';
import { clear, formatClock, h, timeElement } from './dom.js';
import {
  SEVERITY_LABELS, SEVERITY_ORDER, STATUS_LABELS, STATUS_ORDER, TYPE_LABELS, label, platformName,
  severityBadge, statusBadge,
} from './labels.js';
import { manualIncidentForm } from './manual_incident.js';

const REFRESH_MS = 10000;

function select(id, labelText, options, value) {
  return h('div', { class: 'field inline' },
    h('label', { for: id }, labelText),
    h('select', { id, name: id },
      options.map(([v, text]) => h('option', { value: v, selected: v === value }, text))));
}

function row(incident) {
  const overdue = Number(incident.overdue_steps) || 0;
  const pending = Number(incident.pending_steps) || 0;
  const path = `/incidents/${encodeURIComponent(incident.id)}`;
  return h('tr', { class: overdue > 0 ? 'row-overdue' : null },
    h('td', {}, severityBadge(incident.severity, label(SEVERITY_LABELS, incident.severity))),
    h('td', {}, label(TYPE_LABELS, incident.type)),
    h('td', { class: 'title-cell' },
      h('a', { href: path, 'data-nav': true }, incident.title || `インシデント ${incident.id}`),
      incident.platform ? h('span', { class: 'muted small' }, ` ${platformName(incident.platform)}`) : null),
    h('td', {}, statusBadge(incident.status)),
    h('td', {}, incident.assignee || h('span', { class: 'muted' }, '未割当')),
    h('td', { class: 'steps-cell' },
      pending > 0 ? `残り ${pending} 件` : h('span', { class: 'muted' }, 'なし'),
      overdue > 0 ? h('span', { class: 'badge overdue' }, `期限超過 ${overdue}`) : null),
    h('td', {}, timeElement(incident.opened_at)));
}

export async function renderIncidentList(main, _params, ctx) {
  const query = new URLSearchParams(window.location.search);
  const filters = {
    type: query.get('type') ?? '',
    status: query.get('status') ?? '',
    severity: query.get('severity') ?? '',
    live: query.get('live') ?? '1',
  };

  const liveBox = h('input', { type: 'checkbox', id: 'filter-live', checked: filters.live !== '0' });
  const form = h('form', { class: 'filters', 'aria-label': '絞り込み' },
    select('filter-type', '種別', [['', 'すべて'], ...Object.entries(TYPE_LABELS)], filters.type),
    select('filter-status', '状態', [['', 'すべて'], ...STATUS_ORDER.map((s) => [s, STATUS_LABELS[s]])], filters.status),
    select('filter-severity', '重大度', [['', 'すべて'], ...SEVERITY_ORDER.map((s) => [s, `${SEVERITY_LABELS[s]}以上`])], filters.severity),
    h('div', { class: 'field inline checkbox' }, liveBox, h('label', { for: 'filter-live' }, '解決・終了を除く')));

  const updated = h('p', { class: 'muted small', role: 'status', 'aria-live': 'polite', id: 'list-updated' });
  const tableBody = h('tbody');
  const table = h('table', { class: 'incident-table' },
    h('caption', { class: 'visually-hidden' }, 'インシデント一覧（新しい順）'),
    h('thead', {}, h('tr', {},
      ['重大度', '種別', '件名', '状態', '担当', '手順', '検知日時'].map((t) => h('th', { scope: 'col' }, t)))),
    tableBody);
  const empty = h('p', { class: 'empty', hidden: true }, '該当するインシデントはありません。');
  const problem = h('p', { class: 'form-error', role: 'alert' });

  main.appendChild(h('section', { class: 'panel' },
    h('div', { class: 'panel-head' }, h('h1', {}, 'インシデント一覧'), updated),
    form, problem, h('div', { class: 'table-wrap' }, table), empty));
  if (ctx.canChange) main.appendChild(manualIncidentForm(ctx));

  async function load({ background = false } = {}) {
    const q = new URLSearchParams();
    if (filters.type) q.set('type', filters.type);
    if (filters.status) q.set('status', filters.status);
    if (filters.severity) q.set('severity', filters.severity);
    if (filters.live !== '0') q.set('live', '1');
    q.set('limit', '200');
    try {
      const data = await api.get(`/api/v1/incidents?${q}`, { background });
      if (!ctx.isCurrent()) return;
      const incidents = Array.isArray(data?.incidents) ? data.incidents : [];
      clear(tableBody);
      for (const incident of incidents) tableBody.appendChild(row(incident));
      table.hidden = incidents.length === 0;
      empty.hidden = incidents.length !== 0;
      problem.textContent = '';
      updated.textContent = `最終更新 ${formatClock(new Date())}（10秒ごとに自動更新）`;
    } catch (error) {
      if (!ctx.isCurrent()) return;
      problem.textContent = `一覧を更新できませんでした: ${error instanceof ApiError ? error.message : error}`;
    }
  }

  form.addEventListener('change', () => {
    filters.type = form.querySelector('#filter-type').value;
    filters.status = form.querySelector('#filter-status').value;
    filters.severity = form.querySelector('#filter-severity').value;
    filters.live = liveBox.checked ? '1' : '0';
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(filters)) if (v && !(k === 'live' && v === '1')) q.set(k, v);
    history.replaceState(null, '', q.toString() ? `/?${q}` : '/');
    load();
  });
  form.addEventListener('submit', (event) => event.preventDefault());

  await load();
  // Live refresh; a hidden tab waits until it is shown again.
  const timer = setInterval(() => { if (!document.hidden) load({ background: true }); }, REFRESH_MS);
  const onVisible = () => { if (!document.hidden) load({ background: true }); };
  document.addEventListener('visibilitychange', onVisible);
  return () => {
    clearInterval(timer);
    document.removeEventListener('visibilitychange', onVisible);
  };
}
