// Incident detail: what happened (evidence), what to do (the playbook checklist), ready drafts to
// copy, and who did what when. Responders get the change controls; viewers see none (and the
// API refuses their changes anyway). Printed, it is the incident report for the 所属長.
import { api, ApiError, evidencePath } from './api.js';
import { clear, formatNumber, formatTime, h, relativeTime, timeElement } from './dom.js';
import { renderEvidence, renderFindingHistory } from './evidence.js';
import {
  AUTO_CHECK_LABELS, SEVERITY_LABELS, SEVERITY_ORDER, STATUS_LABELS, STATUS_ORDER,
  STEP_STATUS_LABELS, TIMELINE_KIND_LABELS, TYPE_LABELS, actorName, label, platformName,
  severityBadge, statusBadge,
} from './labels.js';

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

export async function renderIncident(main, [id], ctx) {
  const incidentPath = `/api/v1/incidents/${encodeURIComponent(id)}`;
  let incident = await api.get(incidentPath);
  if (!ctx.isCurrent()) return undefined;

  const status = h('p', { class: 'action-status', role: 'status', 'aria-live': 'polite' });
  const errorBox = h('div', { class: 'form-error', role: 'alert' });
  const root = h('article', { class: 'incident', 'aria-labelledby': 'incident-title' });
  const draftsSection = h('section', { class: 'panel drafts', 'aria-labelledby': 'drafts-title' },
    h('h2', { id: 'drafts-title' }, '文書のひな形'), h('p', { class: 'muted' }, '読み込み中…'));
  // Kept across re-renders: the evidence only changes with a new finding.
  const evidenceSlot = h('div', { class: 'evidence-slot' }, h('section', { class: 'panel' }, h('p', { class: 'muted' }, '読み込み中…')));
  let evidenceFindings = -1;
  main.appendChild(root);

  // A change: POST, then show the incident as the server returned it. Errors are shown in
  // Japanese from the API; focus returns to `focusAfter` (by selector) after re-rendering.
  async function change(path, body, doneMessage, focusAfter) {
    errorBox.textContent = '';
    status.textContent = '送信中…';
    try {
      incident = await api.post(`${incidentPath}${path}`, body);
      if (!ctx.isCurrent()) return false;
      render();
      status.textContent = doneMessage;
      const target = focusAfter ? root.querySelector(focusAfter) : null;
      (target ?? root.querySelector('h1')).focus();
      return true;
    } catch (error) {
      status.textContent = '';
      errorBox.textContent = error instanceof ApiError ? error.message : '送信できませんでした';
      errorBox.scrollIntoView({ block: 'nearest' });
      return false;
    }
  }

  function header() {
    return h('header', { class: 'panel incident-head' },
      h('p', { class: 'print-only report-label' }, 'SNS インシデント報告書'),
      h('p', { class: 'crumbs no-print' }, h('a', { href: '/', 'data-nav': true }, 'インシデント一覧'), ' › ', `インシデント ${incident.id}`),
      h('h1', { id: 'incident-title', tabindex: '-1' }, incident.title || `インシデント ${incident.id}`),
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
      h('p', { class: 'print-only muted' }, `印刷日時 ${formatTime(new Date().toISOString())} ／ 印刷者 ${ctx.user.display_name || ctx.user.name}`),
      h('div', { class: 'head-buttons no-print' },
        h('button', { type: 'button', class: 'button-quiet', onclick: () => window.print() }, '報告書を印刷'),
        h('a', { href: `${incidentPath}/evidence-bundle`, class: 'button button-quiet', download: `mamori-incident-${incident.id}-evidence.json` }, '証拠一式をダウンロード'),
        h('button', { type: 'button', class: 'button-quiet', onclick: () => reload() }, '最新の状態に更新')));
  }

  function actions() {
    if (!ctx.canChange) return null;
    const next = allowedNext(incident.status);
    const statusId = nextId('status');
    const noteId = nextId('status-note');
    const reasonId = nextId('closure');
    const statusSelect = h('select', { id: statusId }, next.map((s) => h('option', { value: s }, STATUS_LABELS[s])));
    const statusNote = h('input', { id: noteId, type: 'text', autocomplete: 'off' });
    const closure = h('input', { id: reasonId, type: 'text', autocomplete: 'off' });
    const closureField = h('div', { class: 'field', hidden: statusSelect.value !== 'closed' }, h('label', { for: reasonId }, '終了理由（必須）'), closure);
    statusSelect.addEventListener('change', () => { closureField.hidden = statusSelect.value !== 'closed'; });

    const assigneeId = nextId('assignee');
    const assignee = h('input', { id: assigneeId, type: 'text', value: incident.assignee ?? '', autocomplete: 'off' });
    const noteTextId = nextId('note');
    const noteText = h('textarea', { id: noteTextId, rows: '2' });
    const sevId = nextId('severity');
    const sevSelect = h('select', { id: sevId }, SEVERITY_ORDER.map((s) => h('option', { value: s, selected: s === incident.severity }, SEVERITY_LABELS[s])));
    const sevReasonId = nextId('severity-reason');
    const sevReason = h('input', { id: sevReasonId, type: 'text', autocomplete: 'off' });

    return h('section', { class: 'panel actions no-print', 'aria-labelledby': 'actions-title' },
      h('h2', { id: 'actions-title' }, '対応の操作'),
      incident.status === 'open' ? h('p', {},
        h('button', {
          type: 'button', class: 'button-primary', id: 'acknowledge',
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
        h('button', { type: 'submit' }, '状態を変更')) : null,
        h('form', {
          class: 'action-form',
          onsubmit: (e) => {
            e.preventDefault();
            change('/assign', { assignee: assignee.value.trim() }, assignee.value.trim() ? `担当者を ${assignee.value.trim()} にしました` : '担当者の割り当てを外しました');
          },
        },
        h('div', { class: 'field' }, h('label', { for: assigneeId }, '担当者'), assignee),
        h('div', { class: 'button-row' },
          h('button', { type: 'submit' }, '担当者を設定'),
          h('button', {
            type: 'button', class: 'button-quiet',
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
        h('button', { type: 'submit' }, 'メモを追加')),
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
        h('button', { type: 'submit' }, '重大度を変更'))));
  }

  function step(s, byId) {
    const pending = s.status === 'pending';
    const domId = `step-${String(s.id).replace(/[^A-Za-z0-9_-]/g, '_')}`;
    const blockers = (Array.isArray(s.depends_on) ? s.depends_on : [])
      .map((d) => byId.get(d)).filter((d) => d && d.status === 'pending');
    const due = s.due_at ? h('span', { class: s.overdue ? 'due overdue' : 'due' },
      s.overdue ? '期限超過 ' : '期限 ', timeElement(s.due_at), pending ? `（${relativeTime(s.due_at)}）` : '') : null;
    const check = s.auto_check && typeof s.auto_check === 'object' ? s.auto_check : null;

    let controls = null;
    if (ctx.canChange && pending && incident.status !== 'closed') {
      const noteId = `${domId}-note`;
      const note = h('input', { id: noteId, type: 'text', class: 'step-note', autocomplete: 'off' });
      const stepError = h('p', { class: 'form-error', role: 'alert' });
      controls = h('div', { class: 'step-controls no-print' },
        blockers.length ? h('p', { class: 'muted small' }, `先に「${blockers.map((b) => b.title).join('」「')}」を済ませてください。`) : null,
        h('div', { class: 'control-row' },
          h('label', { for: noteId }, 'メモ（省略時は理由）'),
          note,
          h('button', {
            type: 'button', class: 'button-primary', 'data-step-action': 'complete', disabled: blockers.length > 0,
            onclick: () => change(`/steps/${encodeURIComponent(s.id)}/complete`, note.value.trim() ? { note: note.value.trim() } : {},
              `手順「${s.title}」を完了にしました`, `#${domId} h3`),
          }, '完了にする'),
          h('button', {
            type: 'button', 'data-step-action': 'skip', disabled: blockers.length > 0,
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
        h('h3', { tabindex: '-1' }, s.title),
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

  function checklist() {
    const steps = Array.isArray(incident.steps) ? incident.steps : [];
    const byId = new Map(steps.map((s) => [s.id, s]));
    const done = steps.filter((s) => s.status !== 'pending').length;
    const overdue = steps.filter((s) => s.overdue).length;
    return h('section', { class: 'panel checklist', 'aria-labelledby': 'checklist-title' },
      h('h2', { id: 'checklist-title' }, '対応手順'),
      h('p', { class: 'muted' }, `${steps.length}件中 ${done}件 済み`, overdue ? h('span', { class: 'badge overdue' }, `期限超過 ${overdue}`) : null),
      steps.length === 0 ? h('p', { class: 'empty' }, 'この種別の手順書はありません。')
        : h('ol', { class: 'steps' }, steps.map((s) => step(s, byId))));
  }

  function timeline() {
    const entries = Array.isArray(incident.timeline) ? incident.timeline : [];
    return h('section', { class: 'panel timeline-panel', 'aria-labelledby': 'timeline-title' },
      h('h2', { id: 'timeline-title' }, '経過（誰が・いつ）'),
      h('ol', { class: 'timeline' }, entries.map((t) => h('li', { class: `tl tl-${t.kind}` },
        timeElement(t.at),
        h('span', { class: 'tl-actor' }, actorName(t.actor)),
        h('span', { class: 'badge tl-kind' }, label(TIMELINE_KIND_LABELS, t.kind)),
        h('span', { class: 'tl-message' }, t.message ?? '')))));
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
            h('td', { class: 'no-print' }, h('a', { href: evidencePath(incident.id, e.id), download: '' }, 'ダウンロード')))))));
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

  function render() {
    ctx.setTitle(incident.title || `インシデント ${incident.id}`);
    clear(root);
    root.append(header(), status, errorBox);
    const a = actions();
    if (a) root.appendChild(a);
    root.append(evidenceSlot, checklist(), draftsSection, timeline(), evidenceList());
    const findings = Array.isArray(incident.findings) ? incident.findings.length : 0;
    if (findings !== evidenceFindings) {
      evidenceFindings = findings;
      evidenceSection().then((node) => {
        if (ctx.isCurrent()) clear(evidenceSlot).appendChild(node);
      });
    }
  }

  async function reload() {
    try {
      incident = await api.get(incidentPath);
      if (!ctx.isCurrent()) return;
      render();
      status.textContent = '最新の状態に更新しました';
    } catch (error) {
      errorBox.textContent = error instanceof ApiError ? error.message : '更新できませんでした';
    }
  }

  render();
  loadDrafts(incidentPath, draftsSection, ctx);
  return undefined;
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

async function loadDrafts(incidentPath, section, ctx) {
  let documents = [];
  let problem = '';
  try {
    const data = await api.get(`${incidentPath}/documents`);
    documents = Array.isArray(data?.documents) ? data.documents : [];
  } catch (error) {
    problem = error instanceof ApiError && error.status !== 404 ? error.message : '';
  }
  if (!ctx.isCurrent()) return;
  clear(section).appendChild(h('h2', { id: 'drafts-title' }, '文書のひな形'));
  if (problem) section.appendChild(h('p', { class: 'form-error' }, `文書を読み込めませんでした: ${problem}`));
  if (documents.length === 0) {
    if (!problem) section.appendChild(h('p', { class: 'empty' }, 'この種別の文書のひな形はありません。'));
    return;
  }
  section.appendChild(h('p', { class: 'muted no-print' }, '内容を確認し、必要に応じて直してから使ってください。'));
  for (const doc of documents) {
    const bodyId = nextId('draft');
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
          type: 'button', class: 'copy-button no-print', 'aria-describedby': bodyId,
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
      body ? h('pre', { class: 'draft-body', id: bodyId, tabindex: '0', 'aria-label': `${doc.title ?? '文書'}の本文` }, body)
        : h('p', { class: 'form-error' }, `この文書は作成できませんでした: ${typeof doc.error === 'string' ? doc.error : '理由不明'}`)));
  }
}
