// Rumour registry: claims known to be false, with their correction, that the misinformation
// detector matches replies against. A new entry can be prefilled from a detected claim cluster
// (/rumours?incident=ID, or one click on a recent misinformation incident below).
import { api, ApiError } from './api.js';
import { clear, externalLink, h, safeHttpUrl, timeElement } from './dom.js';
import { misinformationCluster } from './evidence.js';
import { actorName } from './labels.js';

// Claim, wordings and correction proposed from an incident's claim cluster.
function proposalFrom(incident) {
  const cluster = misinformationCluster(incident);
  if (!cluster) return null;
  const ev = cluster.ev;
  const samples = Array.isArray(ev.samples) ? ev.samples : [];
  const claims = samples.filter((s) => s.kind === 'claim' && typeof s.text === 'string');
  const fact = ev.fact && typeof ev.fact === 'object' ? ev.fact : {};
  // Replies start with the @mentions of whom they answer; the claim is what follows.
  const wordings = [...new Set(claims.map((s) => s.text.replace(/^(\s*@[A-Za-z0-9_.-]+)+\s*/, '').trim()).filter(Boolean))].slice(0, 5);
  return {
    claim: wordings[0] || (typeof fact.contradiction === 'string' ? fact.contradiction : ''),
    wordings,
    correction: typeof fact.text === 'string' ? fact.text : '',
    correctionUrl: '',
    topic: typeof fact.topic === 'string' ? fact.topic : '',
    incidentId: incident.id,
  };
}

export async function renderRumours(main, _params, ctx) {
  const status = h('p', { class: 'action-status', role: 'status', 'aria-live': 'polite' });
  const errorBox = h('div', { class: 'form-error', role: 'alert' });
  const listSection = h('section', { class: 'panel', 'aria-labelledby': 'rumour-list-title' });
  main.append(h('section', { class: 'panel' },
    h('h1', {}, 'デマ登録簿'),
    h('p', { class: 'muted' }, '登録した誤った主張に似た返信が増えると、mamori が「デマ・誤情報」として知らせます。正しい情報と訂正の掲載先も記録してください。'),
    status, errorBox));

  let form = null;
  if (ctx.canChange) {
    const claim = h('textarea', { id: 'rumour-claim', rows: '2', required: true });
    const wordings = h('textarea', { id: 'rumour-wordings', rows: '3', 'aria-describedby': 'rumour-wordings-help' });
    const correction = h('textarea', { id: 'rumour-correction', rows: '3', required: true });
    const url = h('input', { id: 'rumour-url', type: 'url', inputmode: 'url', autocomplete: 'off', placeholder: 'https://' });
    const topic = h('input', { id: 'rumour-topic', type: 'text', autocomplete: 'off' });
    const source = h('p', { class: 'muted small', hidden: true });
    form = h('form', { class: 'panel rumour-form no-print', 'aria-labelledby': 'rumour-form-title', novalidate: true },
      h('h2', { id: 'rumour-form-title' }, 'デマを登録する'),
      source,
      h('div', { class: 'field' }, h('label', { for: 'rumour-claim' }, '誤った主張（必須）'), claim),
      h('div', { class: 'field' }, h('label', { for: 'rumour-wordings' }, '言い回しの例（1行に1つ）'), wordings,
        h('p', { class: 'help', id: 'rumour-wordings-help' }, '実際の返信に現れた言い方を書くと、似た返信を見つけやすくなります。')),
      h('div', { class: 'field' }, h('label', { for: 'rumour-correction' }, '正しい情報（必須）'), correction),
      h('div', { class: 'field' }, h('label', { for: 'rumour-url' }, '訂正の掲載先 URL'), url),
      h('div', { class: 'field' }, h('label', { for: 'rumour-topic' }, '話題'), topic),
      h('button', { type: 'submit', class: 'button-primary' }, '登録する'));
    form.fill = (p) => {
      claim.value = p.claim;
      wordings.value = p.wordings.join('\n');
      correction.value = p.correction;
      url.value = p.correctionUrl;
      topic.value = p.topic;
      source.hidden = false;
      source.textContent = `インシデント ${p.incidentId} の検知内容から入力しました。内容を確認してから登録してください。`;
      claim.focus();
    };
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      errorBox.textContent = '';
      if (!claim.value.trim() || !correction.value.trim()) {
        errorBox.textContent = '誤った主張と正しい情報は必須です';
        (claim.value.trim() ? correction : claim).focus();
        return;
      }
      if (url.value.trim() && safeHttpUrl(url.value.trim()) === null) {
        errorBox.textContent = '訂正の掲載先は http:// か https:// で始まる URL にしてください';
        url.focus();
        return;
      }
      try {
        await api.post('/api/v1/rumours', {
          claim: claim.value.trim(),
          correction: correction.value.trim(),
          correction_url: url.value.trim(),
          topic: topic.value.trim(),
          wordings: wordings.value.split('\n').map((w) => w.trim()).filter(Boolean),
        });
        status.textContent = 'デマ登録簿に登録しました';
        form.reset();
        source.hidden = true;
        await loadList();
      } catch (error) {
        errorBox.textContent = error instanceof ApiError ? error.message : '登録できませんでした';
      }
    });
    main.appendChild(form);
  }
  main.appendChild(listSection);

  async function loadList() {
    const data = await api.get('/api/v1/rumours');
    if (!ctx.isCurrent()) return;
    const rumours = (Array.isArray(data?.rumours) ? data.rumours : []).slice().reverse();
    clear(listSection).appendChild(h('h2', { id: 'rumour-list-title' }, `登録済み（${rumours.filter((r) => r.active).length}件が有効）`));
    if (rumours.length === 0) {
      listSection.appendChild(h('p', { class: 'empty' }, 'まだ登録はありません。'));
      return;
    }
    listSection.appendChild(h('ul', { class: 'rumours' }, rumours.map((r) => h('li', { class: r.active ? 'rumour' : 'rumour retired' },
      h('div', { class: 'rumour-head' },
        h('strong', {}, r.claim ?? ''),
        r.active ? null : h('span', { class: 'badge' }, '取り下げ済み'),
        r.topic ? h('span', { class: 'badge' }, r.topic) : null),
      h('p', {}, h('span', { class: 'muted' }, '正しい情報: '), r.correction ?? ''),
      r.correction_url ? h('p', { class: 'small' }, h('span', { class: 'muted' }, '掲載先: '), externalLink(r.correction_url)) : null,
      Array.isArray(r.wordings) && r.wordings.length ? h('p', { class: 'small muted' }, `言い回し: ${r.wordings.join(' ／ ')}`) : null,
      h('p', { class: 'small muted' }, `登録: ${actorName(r.created_by)}　`, timeElement(r.created_at)),
      ctx.canChange && r.active ? h('button', {
        type: 'button', class: 'button-quiet no-print',
        onclick: async () => {
          errorBox.textContent = '';
          try {
            await api.del(`/api/v1/rumours/${encodeURIComponent(r.id)}`);
            status.textContent = `「${r.claim}」を取り下げました`;
            await loadList();
          } catch (error) {
            errorBox.textContent = error instanceof ApiError ? error.message : '取り下げできませんでした';
          }
        },
      }, '取り下げる') : null))));
  }

  await loadList();

  if (form) {
    // Recent misinformation incidents, each one click from a prefilled form.
    const fromId = new URLSearchParams(window.location.search).get('incident');
    if (fromId && /^[1-9][0-9]{0,17}$/.test(fromId)) {
      try {
        const incident = await api.get(`/api/v1/incidents/${fromId}`);
        const p = proposalFrom(incident);
        if (p && ctx.isCurrent()) form.fill(p);
      } catch (error) {
        errorBox.textContent = error instanceof ApiError ? error.message : '';
      }
    }
    try {
      const data = await api.get('/api/v1/incidents?type=misinformation&limit=10');
      const incidents = Array.isArray(data?.incidents) ? data.incidents : [];
      if (incidents.length && ctx.isCurrent()) {
        form.after(h('section', { class: 'panel no-print', 'aria-labelledby': 'from-cluster-title' },
          h('h2', { id: 'from-cluster-title' }, '検知した主張から入力'),
          h('ul', { class: 'plain' }, incidents.map((i) => h('li', {},
            h('button', {
              type: 'button', class: 'button-quiet',
              onclick: async () => {
                try {
                  const p = proposalFrom(await api.get(`/api/v1/incidents/${encodeURIComponent(i.id)}`));
                  if (p) form.fill(p);
                  else errorBox.textContent = 'このインシデントには主張のまとまりがありません';
                } catch (error) {
                  errorBox.textContent = error instanceof ApiError ? error.message : '読み込めませんでした';
                }
              },
            }, 'この内容で入力'),
            ' ', timeElement(i.opened_at), ' ', i.title ?? '')))));
      }
    } catch {
      // The list above is optional help; the form works without it.
    }
  }
}
