// Sign-in: name and password, then the one-time code when the account has TOTP enabled.
import { ApiError, signIn } from './api.js';
import { h } from './dom.js';

export function renderLogin(main, { onSignedIn }) {
  const error = h('div', { class: 'form-error', role: 'alert', id: 'login-error' });
  const name = h('input', { id: 'login-name', name: 'username', type: 'text', autocomplete: 'username', required: true, spellcheck: 'false' });
  const password = h('input', { id: 'login-password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const totp = h('input', {
    id: 'login-totp', name: 'totp', type: 'text', inputmode: 'numeric', autocomplete: 'one-time-code',
    pattern: '[0-9]{6}', maxlength: '6', 'aria-describedby': 'login-totp-help',
  });
  const totpRow = h('div', { class: 'field', hidden: true },
    h('label', { for: 'login-totp' }, '確認コード（6桁）'),
    totp,
    h('p', { class: 'help', id: 'login-totp-help' }, '認証アプリに表示されている6桁の数字を入力してください。'));
  const submit = h('button', { type: 'submit', class: 'button-primary' }, 'サインイン');

  const form = h('form', { class: 'login-form', novalidate: true, 'aria-labelledby': 'login-title' },
    h('h1', { id: 'login-title' }, 'サインイン'),
    h('p', { class: 'muted' }, '職員用のユーザー名とパスワードを入力してください。'),
    error,
    h('div', { class: 'field' }, h('label', { for: 'login-name' }, 'ユーザー名'), name),
    h('div', { class: 'field' }, h('label', { for: 'login-password' }, 'パスワード'), password),
    totpRow,
    h('div', { class: 'actions' }, submit));

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.textContent = '';
    if (!name.value.trim() || !password.value) {
      error.textContent = 'ユーザー名とパスワードを入力してください';
      (name.value.trim() ? password : name).focus();
      return;
    }
    const code = totp.value.replace(/\s+/g, '');
    if (!totpRow.hidden && !/^[0-9]{6}$/.test(code)) {
      error.textContent = '確認コードは6桁の数字で入力してください';
      totp.focus();
      return;
    }
    submit.disabled = true;
    submit.textContent = '確認中…';
    try {
      const user = await signIn(name.value.trim(), password.value, totpRow.hidden ? undefined : code);
      onSignedIn(user);
    } catch (e) {
      if (e instanceof ApiError && e.body?.totp_required) {
        totpRow.hidden = false;
        totp.required = true;
        error.textContent = totp.value ? e.message : '確認コードを入力してください';
        totp.value = '';
        totp.focus();
      } else {
        error.textContent = e instanceof ApiError ? e.message : 'サインインできませんでした';
        if (e instanceof ApiError && e.status === 429) {
          const wait = Number(e.body?.retry_after_s);
          if (Number.isFinite(wait) && wait > 0) error.textContent += `（約${Math.ceil(wait)}秒後に再度お試しください）`;
        }
        password.value = '';
        totp.value = '';
        password.focus();
      }
    } finally {
      submit.disabled = false;
      submit.textContent = 'サインイン';
    }
  });

  main.appendChild(h('section', { class: 'panel login-panel' }, form));
  name.focus();
}
