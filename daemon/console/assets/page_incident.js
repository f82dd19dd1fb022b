// Incident detail: what happened (evidence), what to do (the playbook checklist), ready drafts to
// copy, and who did what when. Responders get the change controls; viewers see none (and the
// API refuses their changes anyway). Printed, it is the incident report for the 所属長.
//
// The page refreshes itself every 10 s while the tab is visible (colleagues tick steps, the
// timeline grows, severity escalates at 3 a.m.) without disturbing whoever is working in it:
// only the sections whose data changed are rebuilt, typed text, chosen options, focus, caret
// and scroll position are carried over (live_refresh.js), and nothing is swapped during an IME
// conversion.
import { api, ApiError, evidencePath } from './api.js';
import { clear, formatClock, formatNumber, formatTime, h, relativeTime, timeElement } from './dom.js';
import { renderEvidence, renderFindingHistory } from './evidence.js';
import { renderTakedowns } from './takedowns.js';
import {
  AUTO_CHECK_LABELS, SEVERITY_LABELS, SEVERITY_ORDER, STATUS_LABELS, STATUS_ORDER,
  STEP_STATUS_LABELS, TIMELINE_KIND_LABELS, TYPE_LABELS, actorName, label, platformName,
  severityBadge, statusBadge,
} from './labels.js';
import {
  captureFocus, captureScroll, replaceKeeping, restoreFocus, startLiveRefresh, whenNotComposing,
} from './live_refresh.js';

const REFRESH_MS = 10000;

// The moves the incident life cycle allows (daemon/incidents/incident_store.cpp).
function allowedNext(from) {
  const fromIndex = STATUS_ORDER.indexOf(from);
  return STATUS_ORDER.filter((to) => {
    if (to === from) return false;
    if (to === 'open') return from === 'resolved' || from === 'closed';
    if (from === 'closed') return false;
    if (to === 'closed') return from === 'resolved';
    if (from === 'monitoring' && to === 'mitigating') return true;
    return STATUS_ORDER.indexOf(to) > fromIndex;
  });
}

let uid = 0;
function nextId(prefix) {
  uid += 1;
  return `${prefix}-${uid}`;
}

// The incident without the parts that have sections of their own: what the header shows.
function headerData(incident) {
  const { steps, timeline, evidence, findings, ...rest } = incident;
  return rest;
}

export async function renderIncident(main, [id], ctx) {
  const incidentPath = `/api/v1/incidents/${encodeURIComponent(id)}`;
  let incident = await api.get(incidentPath);
  if (!ctx.isCurrent()) return undefined;

  const status = h('p', { class: 'action-status', role: 'status', 'aria-live': 'polite' });
  const errorBox = h('div', { class: 'form-error', role: 'alert' });
  // Not a live region: announcing the clock every 10 s would drown everything else.
  const updated = h('p', { class: 'muted small no-print live-updated', id: 'incident-updated' });
  // Tells screen-reader users that what they are reading was updated under them.
  const announce = h('p', { class: 'visually-hidden', role: 'status', 'aria-live': 'polite' });
  const printedAt = h('p', { class: 'print-only muted' });
  const root = h('article', { class: 'incident', 'aria-labelledby': 'incident-title' });
  let draftsSection = h('section', { class: 'panel drafts', 'aria-labelledby': 'drafts-title' },
    h('h2', { id: 'drafts-title' }, '文書のひな形'), h('p', { class: 'muted' }, '読み込み中…'));
  // Kept across re-renders: the evidence only changes with a new finding.
  const evidenceSlot = h('div', { class: 'evidence-slot' }, h('section', { class: 'panel' }, h('p', { class: 'muted' }, '読み込み中…')));
  let evidenceFindings = -1;
  // Takedown requests: a section with its own data and refresh (takedowns.js).
  const takedownSlot = h('div', { class: 'takedown-slot' });
  const stopTakedowns = renderTakedowns(takedownSlot, id, ctx);
  main.appendChild(root);

  // What is on screen: each section with the data it was built from (a JSON string), the
  // checklist's steps and the timeline's entries one by one.
  const shown = new Map();  // 'header' | 'actions' | 'checklist' | 'timeline' | 'evidence-list'
  let stepNodes = new Map();  // step id -> { key, node }
  let checklistSummary = null;  // { key, node }
  let timelineList = null;  // the <ol>
  let timelineKeys = [];
  let lastJson = '';
  let lastDraftsJson = null;
  let lastClock = '';
  let lastChangeClock = '';
  let changing = false;  // a change of this user's is being sent
  let shownVersion = 0;  // bumped by every state shown: a refresh that started before stands down

  // The clock of the last successful refresh, and of the last one that found a change.
  function stamp(changed) {
    lastClock = formatClock(new Date());
    if (changed) lastChangeClock = lastClock;
    updated.textContent = `最終更新 ${lastClock}（10秒ごとに自動更新）${lastChangeClock ? `・${lastChangeClock} に変更を反映` : ''}`;
    updated.classList.remove('stale');
    stampPrint();
  }
  // The report's print line: now, and who prints it.
  function stampPrint() {
    printedAt.textContent = `印刷日時 ${formatTime(new Date().toISOString())} ／ 印刷者 ${ctx.user.display_name || ctx.user.name}`;
  }
  window.addEventListener('beforeprint', stampPrint);

  // A change: POST, then show the incident as the server returned it. Errors are shown in
  // Japanese from the API; focus returns to `focusAfter` (by selector) after re-rendering.
  async function change(path, body, doneMessage, focusAfter) {
    errorBox.textContent = '';
    status.textContent = '送信中…';
    changing = true;
    try {
      incident = await api.post(`${incidentPath}${path}`, body);
      if (!ctx.isCurrent()) return false;
      // The user's own action: everything is rebuilt, so the form just sent starts empty.
      show({ rebuild: true });
      stamp(false);
      status.textContent = doneMessage;
      const target = focusAfter ? root.querySelector(focusAfter) : null;
      (target ?? root.querySelector('h1')).focus();
      refreshDrafts();
      return true;
    } catch (error) {
      status.textContent = '';
      errorBox.textContent = error instanceof ApiError ? error.message : '送信できませんでした';
      errorBox.scrollIntoView({ block: 'nearest' });
      return false;
    } finally {
      changing = false;
    }
  }

  function header() {
    return h('header', { class: 'panel incident-head' },
      h('p', { class: 'print-only report-label' }, 'SNS インシデント報告書'),
      h('p', { class: 'crumbs no-print' }, h('a', { href: '/', 'data-nav': true, 'data-keep': 'crumb-list' }, 'インシデント一覧'), ' › ', `インシデント ${incident.id}`),
      h('h1', { id: 'incident-title', tabindex: '-1', 'data-keep': 'title' }, incident.title || `インシデント ${incident.id}`),
      h('div', { class: 'badges' },
        severityBadge(incident.severity),
        statusBadge(incident.status),
        h('span', { class: 'badge type' }, label(TYPE_LABELS, incident.type)),
        // The detector's own grading (注意 / 警戒 / 炎上 for a flame-up), when it says more than the type.
        incident.severity_label && incident.severity_label !== label(TYPE_LABELS, incident.type)
          ? h('span', { class: 'badge type' }, `判定: ${incident.severity_label}`) : null),
      h('dl', { class: 'facts facts-wide' },
        h('dt', {}, '番号'), h('dd', {}, String(incident.id)),
        h('dt', {}, 'プラットフォーム'), h('dd', {}, platformName(incident.platform) || '—'),
        h('dt', {}, '対象'), h('dd', { class: 'mono' }, incident.subject ?? '—'),
        h('dt', {}, '検知'), h('dd', {}, timeElement(incident.opened_at)),
        h('dt', {}, '確認'), h('dd', {}, timeElement(incident.acknowledged_at, '未確認')),
        h('dt', {}, '解決'), h('dd', {}, timeElement(incident.resolved_at, '未解決')),
        h('dt', {}, '担当者'), h('dd', {}, incident.assignee || '未割当'),
        h('dt', {}, '検知件数'), h('dd', {}, `${formatNumber(incident.finding_count)}件（スコア ${formatNumber(incident.score, 2)}）`),
        incident.closure_reason ? [h('dt', {}, '終了理由'), h('dd', {}, incident.closure_reason)] : null),
      incident.summary ? h('p', { class: 'summary' }, incident.summary) : null,
      printedAt,
      h('div', { class: 'head-buttons no-print' },
        h('button', { type: 'button', class: 'button-quiet', 'data-keep': 'print', onclick: () => window.print() }, '報告書を印刷'),
        h('a', { href: `${incidentPath}/evidence-bundle`, class: 'button button-quiet', 'data-keep': 'bundle', download: `mamori-incident-${incident.id}-evidence.json` }, '証拠一式をダウンロード'),
        h('button', { type: 'button', class: 'button-quiet', 'data-keep': 'reload', onclick: () => refresh({ manual: true }) }, '最新の状態に更新')));
  }

  function actionsData() {
    return { status: incident.status, severity: incident.severity, assignee: incident.assignee ?? '' };
  }

  function actions() {
    const next = allowedNext(incident.status);
    const statusId = nextId('status');
    const noteId = nextId('status-note');
    const reasonId = nextId('closure');
    const statusSelect = h('select', { id: statusId, 'data-keep': 'status' }, next.map((s) => h('option', { value: s }, STATUS_LABELS[s])));
    const statusNote = h('input', { id: noteId, type: 'text', autocomplete: 'off', 'data-keep': 'status-note' });
    const closure = h('input', { id: reasonId, type: 'text', autocomplete: 'off', 'data-keep': 'closure-reason' });
    const closureField = h('div', { class: 'field', hidden: statusSelect.value !== 'closed' }, h('label', { for: reasonId }, '終了理由（必須）'), closure);
    statusSelect.addEventListener('change', () => { closureField.hidden = statusSelect.value !== 'closed'; });

    const assigneeId = nextId('assignee');
    const assignee = h('input', { id: assigneeId, type: 'text', value: incident.assignee ?? '', autocomplete: 'off', 'data-keep': 'assignee' });
    const noteTextId = nextId('note');
    const noteText = h('textarea', { id: noteTextId, rows: '2', class: 'incident-note', 'data-keep': 'note' });
    const sevId = nextId('severity');
    const sevSelect = h('select', { id: sevId, 'data-keep': 'severity' }, SEVERITY_ORDER.map((s) => h('option', { value: s, selected: s === incident.severity }, SEVERITY_LABELS[s])));
    const sevReasonId = nextId('severity-reason');
    const sevReason = h('input', { id: sevReasonId, type: 'text', autocomplete: 'off', 'data-keep': 'severity-reason' });
    // An impersonation candidate staff judge not to be one (issue 18): the city's own related
    // account, or benign. mamori keeps the decision until the account's profile changes.
    const judgeable = incident.type === 'impersonation' && !['resolved', 'closed'].includes(incident.status);
    const dispId = nextId('disposition');
    const dispNoteId = nextId('disposition-note');
    const dispHelpId = nextId('disposition-help');
    const dispSelect = h('select', { id: dispId, 'data-keep': 'disposition', 'aria-describedby': dispHelpId },
      h('option', { value: 'related' }, '市の関連アカウント（部署・関係団体・区）'),
      h('option', { value: 'benign' }, '問題のないアカウント'));
    const dispNote = h('input', { id: dispNoteId, type: 'text', autocomplete: 'off', 'data-keep': 'disposition-note' });

    return h('section', { class: 'panel actions no-print', 'aria-labelledby': 'actions-title' },
      h('h2', { id: 'actions-title' }, '対応の操作'),
      incident.status === 'open' ? h('p', {},
        h('button', {
          type: 'button', class: 'button-primary', id: 'acknowledge', 'data-keep': 'acknowledge',
          onclick: () => change('/acknowledge', {}, 'インシデントを確認済みにしました'),
        }, '確認しました（受領）')) : null,
      h('div', { class: 'action-grid' },
        next.length ? h('form', {
          class: 'action-form',
          onsubmit: (e) => {
            e.preventDefault();
            const body = { status: statusSelect.value };
            if (statusNote.value.trim()) body.note = statusNote.value.trim();
            if (statusSelect.value === 'closed') body.closure_reason = closure.value.trim();
            change('/status', body, `状態を「${STATUS_LABELS[statusSelect.value]}」に変更しました`);
          },
        },
        h('div', { class: 'field' }, h('label', { for: statusId }, '状態の変更'), statusSelect),
        h('div', { class: 'field' }, h('label', { for: noteId }, 'メモ（任意）'), statusNote),
        closureField,
        h('button', { type: 'submit', 'data-keep': 'status-submit' }, '状態を変更')) : null,
        h('form', {
          class: 'action-form',
          onsubmit: (e) => {
            e.preventDefault();
            change('/assign', { assignee: assignee.value.trim() }, assignee.value.trim() ? `担当者を ${assignee.value.trim()} にしました` : '担当者の割り当てを外しました');
          },
        },
        h('div', { class: 'field' }, h('label', { for: assigneeId }, '担当者'), assignee),
        h('div', { class: 'button-row' },
          h('button', { type: 'submit', 'data-keep': 'assign-submit' }, '担当者を設定'),
          h('button', {
            type: 'button', class: 'button-quiet', 'data-keep': 'assign-self',
            onclick: () => change('/assign', { assignee: ctx.user.display_name || ctx.user.name }, '自分を担当者にしました'),
          }, '自分が担当する'))),
        h('form', {
          class: 'action-form',
          onsubmit: (e) => {
            e.preventDefault();
            if (!noteText.value.trim()) { errorBox.textContent = 'メモを入力してください'; noteText.focus(); return; }
            change('/notes', { text: noteText.value.trim() }, 'メモを経過に記録しました');
          },
        },
        h('div', { class: 'field' }, h('label', { for: noteTextId }, '経過へのメモ'), noteText),
        h('button', { type: 'submit', 'data-keep': 'note-submit' }, 'メモを追加')),
        h('form', {
          class: 'action-form',
          onsubmit: (e) => {
            e.preventDefault();
            const body = { severity: sevSelect.value };
            if (sevReason.value.trim()) body.reason = sevReason.value.trim();
            change('/severity', body, `重大度を「${SEVERITY_LABELS[sevSelect.value]}」に変更しました`);
          },
        },
        h('div', { class: 'field' }, h('label', { for: sevId }, '重大度'), sevSelect),
        h('div', { class: 'field' }, h('label', { for: sevReasonId }, '理由（任意）'), sevReason),
        h('button', { type: 'submit', 'data-keep': 'severity-submit' }, '重大度を変更')),
        judgeable ? h('form', {
          class: 'action-form',
          onsubmit: (e) => {
            e.preventDefault();
            const body = { disposition: dispSelect.value };
            if (dispNote.value.trim()) body.note = dispNote.value.trim();
            change('/disposition', body, '成りすましではないと記録し、インシデントを解決しました');
          },
        },
        h('div', { class: 'field' }, h('label', { for: dispId }, '成りすましではない場合の判断'), dispSelect),
        h('p', { class: 'help', id: dispHelpId }, '表示名・ハンドル・リンク・アイコンが変わるまで、このアカウントでは新しいインシデントを開きません。'),
        h('div', { class: 'field' }, h('label', { for: dispNoteId }, 'メモ（任意）'), dispNote),
        h('button', { type: 'submit', 'data-keep': 'disposition-submit' }, '判断を記録して解決')) : null));
  }

  function stepDomId(s) {
    return `step-${String(s.id).replace(/[^A-Za-z0-9_-]/g, '_')}`;
  }

  function pendingBlockers(s, byId) {
    return (Array.isArray(s.depends_on) ? s.depends_on : [])
      .map((d) => byId.get(d)).filter((d) => d && d.status === 'pending');
  }

  // Everything a step's rendering depends on, including the relative due time it shows.
  function stepKey(s, byId) {
    return JSON.stringify([s, pendingBlockers(s, byId).map((b) => b.title), incident.status,
      s.status === 'pending' && s.due_at ? relativeTime(s.due_at) : '']);
  }

  function step(s, byId) {
    const pending = s.status === 'pending';
    const domId = stepDomId(s);
    const blockers = pendingBlockers(s, byId);
    const due = s.due_at ? h('span', { class: s.overdue ? 'due overdue' : 'due' },
      s.overdue ? '期限超過 ' : '期限 ', timeElement(s.due_at), pending ? `（${relativeTime(s.due_at)}）` : '') : null;
    const check = s.auto_check && typeof s.auto_check === 'object' ? s.auto_check : null;

    let controls = null;
    if (ctx.canChange && pending && incident.status !== 'closed') {
      const noteId = `${domId}-note`;
      const note = h('input', { id: noteId, type: 'text', class: 'step-note', autocomplete: 'off', 'data-keep': noteId });
      const stepError = h('p', { class: 'form-error', role: 'alert' });
      controls = h('div', { class: 'step-controls no-print' },
        blockers.length ? h('p', { class: 'muted small' }, `先に「${blockers.map((b) => b.title).join('」「')}」を済ませてください。`) : null,
        h('div', { class: 'control-row' },
          h('label', { for: noteId }, 'メモ（省略時は理由）'),
          note,
          h('button', {
            type: 'button', class: 'button-primary', 'data-step-action': 'complete', 'data-keep': `${domId}-complete`, disabled: blockers.length > 0,
            onclick: () => change(`/steps/${encodeURIComponent(s.id)}/complete`, note.value.trim() ? { note: note.value.trim() } : {},
              `手順「${s.title}」を完了にしました`, `#${domId} h3`),
          }, '完了にする'),
          h('button', {
            type: 'button', 'data-step-action': 'skip', 'data-keep': `${domId}-skip`, disabled: blockers.length > 0,
            onclick: () => {
              if (!note.value.trim()) { stepError.textContent = '省略する理由をメモに書いてください'; note.focus(); return; }
              change(`/steps/${encodeURIComponent(s.id)}/skip`, { note: note.value.trim() }, `手順「${s.title}」を省略しました`, `#${domId} h3`);
            },
          }, '省略する')),
        stepError);
    }
    return h('li', { class: `step step-${s.status}${s.overdue ? ' step-overdue' : ''}`, id: domId },
      h('div', { class: 'step-head' },
        h('span', { class: `step-mark mark-${s.status}`, 'aria-hidden': 'true' }, s.status === 'done' ? '✓' : s.status === 'skipped' ? '−' : ''),
        h('h3', { tabindex: '-1', 'data-keep': `${domId}-title` }, s.title),
        h('span', { class: `badge step-state state-${s.status}` }, label(STEP_STATUS_LABELS, s.status)),
        h('span', { class: s.mandatory ? 'badge mandatory' : 'badge optional' }, s.mandatory ? '必須' : '任意'),
        check ? h('span', { class: 'badge auto' }, '自動確認') : null),
      h('div', { class: 'step-meta' },
        s.role ? h('span', {}, `担当: ${s.role}`) : null,
        due),
      s.instructions ? h('p', { class: 'instructions' }, s.instructions) : null,
      check ? h('p', { class: 'muted small' }, label(AUTO_CHECK_LABELS, check.kind),
        check.pattern ? `（「${check.pattern}」を含む投稿）` : '', check.text ? `（「${check.text}」の掲載）` : '') : null,
      Array.isArray(s.clauses) && s.clauses.length ? h('p', { class: 'clauses small' }, `根拠: ${s.clauses.join(' / ')}`) : null,
      !pending ? h('p', { class: 'step-done' },
        `${label(STEP_STATUS_LABELS, s.status)}: ${actorName(s.completed_by)}　`, timeElement(s.completed_at),
        s.note ? h('span', { class: 'step-note-text' }, `　メモ: ${s.note}`) : null) : null,
      controls);
  }

  function steps() {
    return Array.isArray(incident.steps) ? incident.steps : [];
  }

  function summaryKey() {
    const all = steps();
    return JSON.stringify([all.length, all.filter((s) => s.status !== 'pending').length, all.filter((s) => s.overdue).length]);
  }

  function summary() {
    const all = steps();
    const done = all.filter((s) => s.status !== 'pending').length;
    const overdue = all.filter((s) => s.overdue).length;
    return h('p', { class: 'muted' }, `${all.length}件中 ${done}件 済み`, overdue ? h('span', { class: 'badge overdue' }, `期限超過 ${overdue}`) : null);
  }

  // Which steps there are, in order: when this changes the whole checklist is rebuilt, otherwise
  // only the steps that changed.
  function checklistKey() {
    return JSON.stringify(steps().map((s) => s.id));
  }

  function checklist() {
    const all = steps();
    const byId = new Map(all.map((s) => [s.id, s]));
    checklistSummary = { key: summaryKey(), node: summary() };
    stepNodes = new Map();
    for (const s of all) stepNodes.set(s.id, { key: stepKey(s, byId), node: step(s, byId) });
    return h('section', { class: 'panel checklist', 'aria-labelledby': 'checklist-title' },
      h('h2', { id: 'checklist-title' }, '対応手順'),
      checklistSummary.node,
      all.length === 0 ? h('p', { class: 'empty' }, 'この種別の手順書はありません。')
        : h('ol', { class: 'steps' }, all.map((s) => stepNodes.get(s.id).node)));
  }

  function timelineEntries() {
    return Array.isArray(incident.timeline) ? incident.timeline : [];
  }

  function timelineEntry(t) {
    return h('li', { class: `tl tl-${t.kind}` },
      timeElement(t.at),
      h('span', { class: 'tl-actor' }, actorName(t.actor)),
      h('span', { class: 'badge tl-kind' }, label(TIMELINE_KIND_LABELS, t.kind)),
      h('span', { class: 'tl-message' }, t.message ?? ''));
  }

  function timeline() {
    const entries = timelineEntries();
    timelineKeys = entries.map((t) => JSON.stringify(t));
    timelineList = h('ol', { class: 'timeline' }, entries.map(timelineEntry));
    return h('section', { class: 'panel timeline-panel', 'aria-labelledby': 'timeline-title' },
      h('h2', { id: 'timeline-title' }, '経過（誰が・いつ）'),
      timelineList);
  }

  function evidenceList() {
    const items = Array.isArray(incident.evidence) ? incident.evidence : [];
    return h('section', { class: 'panel evidence-list', 'aria-labelledby': 'evidence-list-title' },
      h('h2', { id: 'evidence-list-title' }, '保全した証拠'),
      items.length === 0 ? h('p', { class: 'empty' }, '保全した証拠はありません。')
        : h('table', { class: 'compact' },
          h('thead', {}, h('tr', {}, ['種類', '内容', '取得日時', 'SHA-256', ''].map((t) => h('th', { scope: 'col' }, t)))),
          h('tbody', {}, items.map((e) => h('tr', {},
            h('td', {}, e.kind ?? ''),
            h('td', {}, e.description ?? '', e.bytes !== undefined ? h('span', { class: 'muted small' }, `（${formatNumber(e.bytes)} バイト）`) : null),
            h('td', {}, timeElement(e.captured_at)),
            h('td', { class: 'mono hash' }, e.sha256 ?? ''),
            h('td', { class: 'no-print' }, h('a', { href: evidencePath(incident.id, e.id), download: '', 'data-keep': `evidence-${e.id}` }, 'ダウンロード')))))));
  }

  async function evidenceSection() {
    const section = h('section', { class: 'panel evidence', 'aria-labelledby': 'evidence-title' },
      h('h2', { id: 'evidence-title' }, '検知の根拠'));
    try {
      section.appendChild(await renderEvidence(incident, ctx));
    } catch (error) {
      section.appendChild(h('p', { class: 'form-error' }, '根拠を表示できませんでした'));
      console.error(error);
    }
    const history = renderFindingHistory(incident);
    if (history) section.appendChild(history);
    return section;
  }

  // The sections rebuilt as a whole when their data changes, in page order.
  const parts = [
    { name: 'header', key: () => JSON.stringify(headerData(incident)), build: header },
    ctx.canChange ? { name: 'actions', key: () => JSON.stringify(actionsData()), build: actions } : null,
    { name: 'checklist', key: checklistKey, build: checklist },
    { name: 'timeline', key: () => JSON.stringify(timelineEntries()), build: timeline },
    { name: 'evidence-list', key: () => JSON.stringify(incident.evidence ?? []), build: evidenceList },
  ].filter(Boolean);

  function buildAll() {
    clear(root);
    for (const part of parts) shown.set(part.name, { key: part.key(), node: part.build() });
    const node = (name) => shown.get(name)?.node ?? null;
    root.append(node('header'), updated, announce, status, errorBox);
    if (node('actions')) root.appendChild(node('actions'));
    root.append(evidenceSlot, node('checklist'), draftsSection, takedownSlot, node('timeline'), node('evidence-list'));
  }

  // A colleague completed or skipped a step while this user was typing its note: the controls
  // go, but the typed text stays on screen with a way to keep it on the timeline.
  function unsentStepNote(s, text) {
    const domId = stepDomId(s);
    return h('div', { class: 'unsent-note no-print', 'data-keep': `${domId}-unsent` },
      h('p', {},
        `この手順はほかの職員が「${label(STEP_STATUS_LABELS, s.status)}」にしたため、入力中のメモは送信されていません: `,
        h('q', { class: 'unsent-text' }, text)),
      h('button', {
        type: 'button', 'data-keep': `${domId}-unsent-add`,
        onclick: () => change('/notes', { text: `手順「${s.title}」について: ${text}` }, 'メモを経過に記録しました'),
      }, '経過へのメモとして記録'));
  }

  // Runs `work(focus, keepFocus)`, which swaps parts of the page, and then puts the user back
  // where they were: focus (on the twin of the focused control that `keepFocus` was handed),
  // caret and scroll position. A focused control that vanished with no successor (e.g. its step
  // was done meanwhile) leaves keyboard users on the page's heading, not at the document's top.
  function holdingPlace(work) {
    const scroll = captureScroll();
    const focus = captureFocus(root);
    let target = null;
    work(focus, (t) => { target = target ?? t; });
    if (focus && !target && !root.contains(document.activeElement)) target = root.querySelector('h1');
    restoreFocus(focus, target, scroll);
  }

  // Brings the checklist up to date step by step; true when something was replaced.
  function updateSteps(focus, keepFocus) {
    const all = steps();
    const byId = new Map(all.map((s) => [s.id, s]));
    const key = summaryKey();
    if (checklistSummary && key !== checklistSummary.key) {
      const fresh = summary();
      checklistSummary.node.replaceWith(fresh);
      checklistSummary = { key, node: fresh };
    }
    for (const s of all) {
      const entry = stepNodes.get(s.id);
      const fresh = stepKey(s, byId);
      if (!entry || entry.key === fresh) continue;
      const node = step(s, byId);
      const typed = entry.node.querySelector('input.step-note')?.value.trim() ?? '';
      if (typed && s.status !== 'pending' && ctx.canChange) node.appendChild(unsentStepNote(s, typed));
      keepFocus(replaceKeeping(entry.node, node, focus));
      stepNodes.set(s.id, { key: fresh, node });
    }
  }

  // The timeline only grows at the end; new entries are appended, anything else rebuilds it.
  function updateTimeline() {
    const entries = timelineEntries();
    const keys = entries.map((t) => JSON.stringify(t));
    const grows = keys.length >= timelineKeys.length && timelineKeys.every((k, i) => k === keys[i]);
    if (!grows) return false;
    for (const t of entries.slice(timelineKeys.length)) timelineList.appendChild(timelineEntry(t));
    timelineKeys = keys;
    shown.set('timeline', { key: JSON.stringify(entries), node: shown.get('timeline').node });
    return true;
  }

  // Puts `incident` on screen. With `rebuild` everything is built anew (after the user's own
  // change); otherwise only what differs from what is shown, keeping the user's input, focus
  // and scroll position. Returns whether the incident differs from the one shown before.
  // `json`: the incident as JSON, when the caller has it already.
  function show({ rebuild = false, json = JSON.stringify(incident) } = {}) {
    shownVersion += 1;
    ctx.setTitle(incident.title || `インシデント ${incident.id}`);
    const changed = json !== lastJson;
    lastJson = json;
    if (rebuild || shown.size === 0) {
      buildAll();
    } else if (changed) {
      holdingPlace((focus, keepFocus) => {
        for (const part of parts) {
          const was = shown.get(part.name);
          const key = part.key();
          if (part.name === 'checklist' && was.key === key) {
            // Same steps in the same order: only the changed steps are replaced.
            updateSteps(focus, keepFocus);
            continue;
          }
          if (was.key === key) continue;
          if (part.name === 'timeline' && updateTimeline()) continue;
          const node = part.build();
          keepFocus(replaceKeeping(was.node, node, focus));
          shown.set(part.name, { key, node });
        }
      });
    } else {
      // Same data; only the relative due times ("30分後") may have moved on.
      holdingPlace((focus, keepFocus) => updateSteps(focus, keepFocus));
    }
    const findings = Array.isArray(incident.findings) ? incident.findings.length : 0;
    if (findings !== evidenceFindings) {
      evidenceFindings = findings;
      evidenceSection().then((node) => {
        if (!ctx.isCurrent()) return;
        const scroll = captureScroll();
        clear(evidenceSlot).appendChild(node);
        restoreFocus(null, null, scroll);
      });
    }
    return changed;
  }

  async function refreshDrafts({ background = false } = {}) {
    const result = await fetchDrafts(incidentPath, { background });
    if (!ctx.isCurrent()) return;
    const json = JSON.stringify(result);
    if (json === lastDraftsJson) return;
    lastDraftsJson = json;
    holdingPlace((focus, keepFocus) => {
      const fresh = draftsElement(result);
      keepFocus(replaceKeeping(draftsSection, fresh, focus));
      draftsSection = fresh;
    });
  }

  // Fetches the incident and shows what changed. A refresh that finds the page already moved
  // on (the user's own change answered meanwhile) throws its answer away.
  let inflight = null;
  function refresh({ manual = false } = {}) {
    inflight ??= (async () => {
      if (changing) return;
      const startedAt = shownVersion;
      let data;
      try {
        data = await api.get(incidentPath, { background: !manual });
      } catch (error) {
        if (!ctx.isCurrent()) return;
        const reason = error instanceof ApiError ? error.message : '接続できません';
        updated.textContent = `最終更新 ${lastClock}　更新できませんでした: ${reason}`;
        updated.classList.add('stale');
        if (manual) errorBox.textContent = reason;
        return;
      }
      // An input method converting text now would lose it if its control were replaced.
      await new Promise((resolve) => { whenNotComposing(resolve); });
      if (!ctx.isCurrent() || changing || shownVersion !== startedAt) return;
      incident = data;
      const json = JSON.stringify(data);
      const changed = json !== lastJson;
      // Texts first: show() then holds the user's place against everything that moved.
      stamp(changed);
      if (manual) {
        errorBox.textContent = '';
        status.textContent = changed ? '最新の状態に更新しました' : `${lastClock} 時点で変更はありません`;
      }
      if (changed) announce.textContent = `${lastClock} 最新の内容に更新しました`;
      show({ json });
      if (changed) refreshDrafts({ background: !manual });
    })().finally(() => { inflight = null; });
    return inflight;
  }

  show();
  stamp(false);
  refreshDrafts();
  const stopRefresh = startLiveRefresh(() => refresh(), REFRESH_MS);
  return () => {
    stopRefresh();
    stopTakedowns();
    window.removeEventListener('beforeprint', stampPrint);
  };
}

async function copyText(text) {
  if (navigator.clipboard?.writeText) {
    await navigator.clipboard.writeText(text);
    return;
  }
  // Older browsers: a temporary textarea and the copy command.
  const area = h('textarea', { readonly: true, class: 'visually-hidden' });
  area.value = text;
  document.body.appendChild(area);
  area.select();
  const ok = document.execCommand('copy');
  area.remove();
  if (!ok) throw new Error('copy failed');
}

// The incident's document drafts, or why they could not be loaded (a 404 means none).
async function fetchDrafts(incidentPath, { background = false } = {}) {
  try {
    const data = await api.get(`${incidentPath}/documents`, { background });
    return { documents: Array.isArray(data?.documents) ? data.documents : [], problem: '' };
  } catch (error) {
    return { documents: [], problem: error instanceof ApiError && error.status !== 404 ? error.message : '' };
  }
}

function draftsElement({ documents, problem }) {
  const section = h('section', { class: 'panel drafts', 'aria-labelledby': 'drafts-title' },
    h('h2', { id: 'drafts-title' }, '文書のひな形'));
  if (problem) section.appendChild(h('p', { class: 'form-error' }, `文書を読み込めませんでした: ${problem}`));
  if (documents.length === 0) {
    if (!problem) section.appendChild(h('p', { class: 'empty' }, 'この種別の文書のひな形はありません。'));
    return section;
  }
  section.appendChild(h('p', { class: 'muted no-print' }, '内容を確認し、必要に応じて直してから使ってください。'));
  documents.forEach((doc, index) => {
    const bodyId = nextId('draft');
    const keep = `draft-${typeof doc.id === 'string' ? doc.id : index}`;
    const copied = h('span', { class: 'copy-status', role: 'status', 'aria-live': 'polite' });
    const body = typeof doc.body === 'string' ? doc.body : '';
    const length = doc.length && typeof doc.length === 'object' ? doc.length : null;
    section.appendChild(h('div', { class: 'draft', 'data-document': doc.id ?? '' },
      h('div', { class: 'draft-head' },
        h('h3', {}, doc.title ?? '文書'),
        doc.audience ? h('span', { class: 'badge' }, `宛先: ${doc.audience}`) : null,
        length ? h('span', { class: length.fits === false ? 'badge problem' : 'badge' },
          `${formatNumber(length.count)} / ${formatNumber(length.max)} 文字${length.fits === false ? '（超過）' : ''}`) : null,
        body ? h('button', {
          type: 'button', class: 'copy-button no-print', 'aria-describedby': bodyId, 'data-keep': `${keep}-copy`,
          onclick: async () => {
            try {
              await copyText(body);
              copied.textContent = 'コピーしました';
            } catch {
              copied.textContent = 'コピーできませんでした。本文を選択してコピーしてください';
            }
          },
        }, 'コピー') : null,
        copied),
      body ? h('pre', { class: 'draft-body', id: bodyId, tabindex: '0', 'data-keep': `${keep}-body`, 'aria-label': `${doc.title ?? '文書'}の本文` }, body)
        : h('p', { class: 'form-error' }, `この文書は作成できませんでした: ${typeof doc.error === 'string' ? doc.error : '理由不明'}`)));
  });
  return section;
}
