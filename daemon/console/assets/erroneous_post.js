// Flagging an own post as erroneous (shiroi-city.txt 4(4)): staff paste the post's URL (or its
// id); mamori opens the erroneous_post incident with the post as it stored it and tracks its spread.
import { api, ApiError } from './api.js';
import { h } from './dom.js';
import { platformName, PLATFORM_ORDER } from './labels.js';

// The post id in a platform URL (x.com/…/status/ID, bsky.app/profile/…/post/RKEY,
// https://instance/@user/ID), or the text itself when it is already an id.
export function postIdFrom(text) {
  const s = text.trim();
  const patterns = [/\/status(?:es)?\/(\d+)/, /\/post\/([a-z0-9]+)\/?$/i, /\/@[^/]+\/(\d+)\/?$/];
  for (const p of patterns) {
    const m = s.match(p);
    if (m) return m[1];
  }
  return /^[A-Za-z0-9]+$/.test(s) ? s : '';
}

export function erroneousPostForm(ctx) {
  const platform = h('select', { id: 'erroneous-platform' }, PLATFORM_ORDER.map((p) => h('option', { value: p }, platformName(p))));
  const post = h('input', { id: 'erroneous-post', type: 'text', inputmode: 'url', autocomplete: 'off', required: true, 'aria-describedby': 'erroneous-post-help' });
  const note = h('textarea', { id: 'erroneous-note', rows: '2' });
  const formError = h('p', { class: 'form-error', role: 'alert' });
  const form = h('form', { class: 'panel no-print', 'aria-labelledby': 'erroneous-title', novalidate: true },
    h('h2', { id: 'erroneous-title' }, '誤った投稿を登録する'),
    h('p', { class: 'muted small' }, '公式アカウントから誤った情報や不適切な投稿を発信してしまったときに登録します。「誤った情報を発信してしまった場合の対応」の手順（削除、拡散の確認、削除依頼、お詫び）が始まり、mamori が拡散状況を記録します（白井市ガイドライン 4(4)）。'),
    h('div', { class: 'field' }, h('label', { for: 'erroneous-platform' }, 'プラットフォーム'), platform),
    h('div', { class: 'field' }, h('label', { for: 'erroneous-post' }, '投稿の URL または ID'), post,
      h('p', { class: 'help', id: 'erroneous-post-help' }, '例：https://x.com/soma_city/status/1234567890')),
    h('div', { class: 'field' }, h('label', { for: 'erroneous-note' }, '何が誤りか（メモ）'), note),
    formError,
    h('button', { type: 'submit', class: 'button-primary' }, '誤った投稿として登録する'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    formError.textContent = '';
    const id = postIdFrom(post.value);
    if (!id) {
      formError.textContent = '投稿の URL または ID を入力してください';
      post.focus();
      return;
    }
    try {
      const result = await api.post('/api/v1/posts/erroneous', { platform: platform.value, post_id: id, note: note.value.trim() });
      ctx.flash(result?.created ? '誤った投稿として登録し、対応を始めました' : 'この投稿は登録済みです。対応中のインシデントを表示します');
      ctx.navigate(`/incidents/${encodeURIComponent(result.incident_id)}`);
    } catch (error) {
      formError.textContent = error instanceof ApiError ? error.message : '登録できませんでした';
    }
  });
  return form;
}
