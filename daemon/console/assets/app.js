// The console's shell: who is signed in, the navigation, and client-side routing between pages.
// Each page is a function (main element, route params, context) that renders into <main> and may
// return a cleanup function (e.g. to stop polling) that runs when the page is left.
import { ApiError, canChange, currentUser, loadSession, setUnauthorizedHandler, signOut } from './api.js';
import { clear, h } from './dom.js';
import { ROLE_LABELS, label } from './labels.js';
import { renderLogin } from './page_login.js';
import { renderIncidentList } from './page_list.js';
import { renderIncident } from './page_incident.js';
import { renderAccounts } from './page_accounts.js';
import { renderRumours } from './page_rumours.js';
import { renderCompliance } from './page_compliance.js';
import { renderChanges } from './page_changes.js';

const routes = [
  { pattern: /^\/$/, section: 'incidents', title: 'インシデント一覧', render: renderIncidentList },
  { pattern: /^\/incidents\/([1-9][0-9]{0,17})$/, section: 'incidents', title: 'インシデント', render: renderIncident },
  { pattern: /^\/accounts$/, section: 'accounts', title: '公式アカウント', render: renderAccounts },
  { pattern: /^\/rumours$/, section: 'rumours', title: 'デマ登録簿', render: renderRumours },
  { pattern: /^\/compliance$/, section: 'compliance', title: '運用点検', render: renderCompliance },
  { pattern: /^\/changes$/, section: 'accounts', title: 'プロフィールの変更', render: renderChanges },
];

const main = document.getElementById('main');
let cleanup = null;
let generation = 0;

export function flash(message, kind = 'info') {
  const box = document.getElementById('flash');
  clear(box);
  if (!message) return;
  box.className = `flash flash-${kind}`;
  box.appendChild(h('p', {}, message));
}

export function navigate(path, { replace = false } = {}) {
  if (replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  return route();
}

function showUser(user) {
  const nav = document.getElementById('site-nav');
  const box = document.getElementById('user-box');
  nav.hidden = !user;
  box.hidden = !user;
  document.getElementById('user-name').textContent = user ? (user.display_name || user.name) : '';
  document.getElementById('user-role').textContent = user ? label(ROLE_LABELS, user.role) : '';
  document.body.classList.toggle('read-only', Boolean(user) && !canChange());
}

function markSection(section) {
  for (const a of document.querySelectorAll('#site-nav a[data-section]')) {
    if (a.dataset.section === section) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

async function route() {
  const mine = ++generation;
  if (cleanup) {
    try { cleanup(); } catch { /* a page's cleanup must not stop navigation */ }
    cleanup = null;
  }
  const path = window.location.pathname;
  let user = currentUser();
  if (path === '/login') {
    showUser(null);
    markSection('');
    document.title = 'サインイン — mamori';
    clear(main);
    renderLogin(main, {
      onSignedIn: (signedIn) => {
        showUser(signedIn);
        const next = new URLSearchParams(window.location.search).get('next');
        navigate(next && next.startsWith('/') && !next.startsWith('//') ? next : '/', { replace: true });
      },
    });
    return;
  }
  if (!user) {
    try {
      user = await loadSession();
    } catch (error) {
      if (mine !== generation) return;
      clear(main).appendChild(h('section', { class: 'panel error-panel' },
        h('h1', {}, 'サーバーに接続できません'),
        h('p', {}, error instanceof ApiError ? error.message : String(error)),
        h('button', { type: 'button', onclick: () => route() }, '再読み込み')));
      return;
    }
    if (mine !== generation) return;
    if (!user) {
      navigate(`/login?next=${encodeURIComponent(path + window.location.search)}`, { replace: true });
      return;
    }
  }
  showUser(user);
  const match = routes.map((r) => ({ r, m: path.match(r.pattern) })).find((x) => x.m);
  clear(main);
  if (!match) {
    markSection('');
    document.title = 'ページがありません — mamori';
    main.appendChild(h('section', { class: 'panel' }, h('h1', {}, 'ページがありません'),
      h('p', {}, h('a', { href: '/', 'data-nav': true }, 'インシデント一覧に戻る'))));
    return;
  }
  markSection(match.r.section);
  document.title = `${match.r.title} — mamori`;
  const context = {
    canChange: canChange(),
    user,
    flash,
    navigate,
    setTitle: (title) => { document.title = `${title} — mamori`; },
    isCurrent: () => mine === generation,
  };
  try {
    const result = await match.r.render(main, match.m.slice(1), context);
    if (mine === generation && typeof result === 'function') cleanup = result;
    else if (typeof result === 'function') result();
  } catch (error) {
    if (mine !== generation) return;
    if (error instanceof ApiError && error.status === 401) return;
    main.appendChild(h('section', { class: 'panel error-panel', role: 'alert' },
      h('h2', {}, '表示できませんでした'),
      h('p', {}, error instanceof ApiError ? error.message : '画面の表示中にエラーが発生しました')));
    if (!(error instanceof ApiError)) console.error(error);
  }
  // Move focus to the new content, as a page load would, for keyboard and screen-reader users.
  if (mine === generation && !main.contains(document.activeElement)) main.focus({ preventScroll: true });
}

setUnauthorizedHandler(() => {
  showUser(null);
  if (window.location.pathname !== '/login') {
    flash('サインインの有効期限が切れました。もう一度サインインしてください', 'warning');
    navigate(`/login?next=${encodeURIComponent(window.location.pathname + window.location.search)}`, { replace: true });
  }
});

// Same-origin links marked data-nav are routed here without a page load; others (downloads,
// outbound links) behave normally. Modified clicks (new tab) are left to the browser.
document.addEventListener('click', (event) => {
  const a = event.target instanceof Element ? event.target.closest('a[data-nav]') : null;
  if (!a || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const url = new URL(a.href, window.location.origin);
  if (url.origin !== window.location.origin) return;
  event.preventDefault();
  flash('');
  navigate(url.pathname + url.search);
});

window.addEventListener('popstate', () => route());

document.getElementById('sign-out').addEventListener('click', async () => {
  try {
    await signOut();
  } catch (error) {
    // The session is forgotten here either way; the server side times out.
    console.warn(error);
  }
  showUser(null);
  flash('サインアウトしました');
  navigate('/login', { replace: true });
});

route();
