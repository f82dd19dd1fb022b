// 「インシデントを登録」: any incident opened by hand (a resident's phone call, a platform's login
// warning, a threat seen elsewhere). The API records it as a finding, so the playbook, the page to
// the on-call and the escalation run as for a detected incident.
import { api, ApiError } from './api.js';
import { h } from './dom.js';
import { PLATFORM_LABELS, SEVERITY_LABELS, SEVERITY_ORDER, TYPE_LABELS } from './labels.js';

const MAX_EVIDENCE_BYTES = 700 * 1024; // the API's limit (daemon/detection/manual_report.h)

// The file's bytes as base64 (without the data: URL's prefix).
function readBase64(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => {
      const url = String(reader.result);
      resolve(url.slice(url.indexOf(',') + 1));
    };
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

function field(id, labelText, control, help) {
  return h('div', { class: 'field' }, h('label', { for: id }, labelText), control,
    help ? h('p', { class: 'help', id: `${id}-help` }, help) : null);
}

export function manualIncidentForm(ctx) {
  // Account changes have their own plan form (/changes), with dates the checklist needs.
  const types = Object.entries(TYPE_LABELS).filter(([t]) => t !== 'account_change');
  const type = h('select', { id: 'manual-type' }, types.map(([v, text]) => h('option', { value: v, selected: v === 'threat' }, text)));
  const severity = h('select', { id: 'manual-severity' },
    SEVERITY_ORDER.map((s) => h('option', { value: s, selected: s === 'medium' }, SEVERITY_LABELS[s])));
  const platform = h('select', { id: 'manual-platform' },
    h('option', { value: '' }, '指定しない（URL から判断）'),
    Object.entries(PLATFORM_LABELS).map(([v, text]) => h('option', { value: v }, text)));
  const subject = h('input', { id: 'manual-subject', type: 'text', autocomplete: 'off', required: true, maxlength: '1000', 'aria-describedby': 'manual-subject-help' });
  const summary = h('textarea', { id: 'manual-summary', rows: '4', required: true, maxlength: '1300', 'aria-describedby': 'manual-summary-help' });
  const evidence = h('input', { id: 'manual-evidence', type: 'file', 'aria-describedby': 'manual-evidence-help' });
  const formError = h('p', { class: 'form-error', role: 'alert' });
  const submit = h('button', { type: 'submit', class: 'button-primary' }, '登録して対応を始める');
  const form = h('form', { novalidate: true, 'aria-labelledby': 'manual-title' },
    field('manual-type', '種別', type),
    field('manual-severity', '重大度', severity),
    field('manual-subject', '対象', subject, '投稿やアカウントの URL、アカウント名、電話の相手など。URL（または プラットフォームと @アカウント名）で登録すると、アカウントの削除・凍結や投稿の削除を mamori が自動で確認します'),
    field('manual-platform', 'プラットフォーム', platform),
    field('manual-summary', '概要（何が起きたか）', summary, 'いつ、誰から、どのように知ったかを書きます。'),
    field('manual-evidence', '証拠のファイル（任意）', evidence, `画面の写し、メールなど。${MAX_EVIDENCE_BYTES / 1024} KB まで。ハッシュ値とともに保存します。`),
    formError, submit);
  const panel = h('details', { class: 'panel no-print', id: 'manual-incident' },
    h('summary', {}, h('h2', { id: 'manual-title', class: 'inline-heading' }, 'インシデントを登録')),
    h('p', { class: 'muted small' }, '市民からの電話、運営会社からのログイン通知、ほかの場所で見つけた脅迫など、mamori が検知していない事案を手動で登録します。種別ごとの対応手順が始まり、当番への通知とエスカレーションも検知した事案と同じように行われます。'),
    form);

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    formError.textContent = '';
    if (!subject.value.trim()) {
      formError.textContent = '対象を入力してください';
      subject.focus();
      return;
    }
    if (!summary.value.trim()) {
      formError.textContent = '概要を入力してください';
      summary.focus();
      return;
    }
    const body = { type: type.value, severity: severity.value, subject: subject.value.trim(), summary: summary.value.trim() };
    if (platform.value) body.platform = platform.value;
    const file = evidence.files && evidence.files[0];
    if (file) {
      if (file.size > MAX_EVIDENCE_BYTES) {
        formError.textContent = `証拠のファイルは ${MAX_EVIDENCE_BYTES / 1024} KB 以内にしてください`;
        evidence.focus();
        return;
      }
      try {
        body.evidence = { filename: file.name, content_type: file.type || 'application/octet-stream', content_base64: await readBase64(file) };
      } catch {
        formError.textContent = '証拠のファイルを読み込めませんでした';
        return;
      }
    }
    submit.disabled = true;
    try {
      const result = await api.post('/api/v1/incidents', body);
      // What mamori checks itself and what staff tick (also on the incident's timeline).
      const manualChecks = (result?.automatic_checks || []).filter((c) => !c.automatic).map((c) => c.title);
      const autoChecks = (result?.automatic_checks || []).filter((c) => c.automatic).map((c) => c.title);
      let checksNote = '';
      if (autoChecks.length) checksNote += `（自動で確認: ${autoChecks.join('、')}）`;
      if (manualChecks.length) checksNote += `（確認して手動で完了: ${manualChecks.join('、')}）`;
      ctx.flash((result?.created ? 'インシデントを登録し、対応を始めました' : '同じ対象の対応中のインシデントに追加しました') + checksNote);
      ctx.navigate(`/incidents/${encodeURIComponent(result.incident_id)}`);
    } catch (error) {
      formError.textContent = error instanceof ApiError ? error.message : '登録できませんでした';
    } finally {
      submit.disabled = false;
    }
  });
  return panel;
}
