// Talking to mamorid's /api/v1: the session cookie rides along (same origin), and every change
// carries the session's CSRF token (X-CSRF-Token), as the sign-in contract requires.

export class ApiError extends Error {
  constructor(status, message, body) {
    super(message);
    this.status = status;
    this.body = body;
  }
}

const session = {
  user: null,
  csrfToken: '',
};

let onUnauthorized = () => {};

export function setUnauthorizedHandler(handler) {
  onUnauthorized = handler;
}

export function currentUser() {
  return session.user;
}

export function canChange() {
  const role = session.user?.role;
  return role === 'responder' || role === 'admin';
}

function remember(body) {
  session.user = body?.user ?? null;
  session.csrfToken = typeof body?.csrf_token === 'string' ? body.csrf_token : '';
}

function fallbackMessage(status) {
  if (status === 401) return 'サインインが必要です';
  if (status === 403) return 'この操作を行う権限がありません';
  if (status === 404) return '見つかりません';
  if (status === 409) return '現在の状態ではこの操作はできません';
  if (status === 429) return '操作が多すぎます。しばらく待ってからやり直してください';
  if (status === 503) return 'サーバーが一時的に利用できません（データベースに接続できません）';
  return `サーバーでエラーが発生しました（${status}）`;
}

// `background`: an automatic refresh, not the user's doing. The server then does not count it
// as activity, so a tab left open still reaches the idle timeout.
async function send(method, path, body, { quiet401 = false, background = false } = {}) {
  const headers = { Accept: 'application/json' };
  if (background) headers['X-Mamori-Background'] = '1';
  const init = { method, headers, credentials: 'same-origin', cache: 'no-store' };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  if (method !== 'GET' && method !== 'HEAD' && session.csrfToken) {
    headers['X-CSRF-Token'] = session.csrfToken;
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch {
    throw new ApiError(0, 'サーバーに接続できません。ネットワークを確認してください', null);
  }
  const type = response.headers.get('Content-Type') ?? '';
  let data = null;
  if (response.status !== 204 && type.startsWith('application/json')) {
    try {
      data = await response.json();
    } catch {
      data = null;
    }
  }
  if (!response.ok) {
    const message = typeof data?.error === 'string' && data.error ? data.error : fallbackMessage(response.status);
    const error = new ApiError(response.status, message, data);
    if (response.status === 401 && !quiet401) onUnauthorized(error);
    throw error;
  }
  return data;
}

export const api = {
  get: (path, options) => send('GET', path, undefined, options),
  post: (path, body = {}) => send('POST', path, body),
  put: (path, body = {}) => send('PUT', path, body),
  del: (path) => send('DELETE', path),
};

// The signed-in user, or null (401). Other errors propagate.
export async function loadSession() {
  try {
    const body = await send('GET', '/api/v1/session', undefined, { quiet401: true });
    remember(body);
    return session.user;
  } catch (error) {
    if (error.status === 401) {
      remember(null);
      return null;
    }
    throw error;
  }
}

export async function signIn(name, password, totp) {
  const body = { name, password };
  if (totp) body.totp = totp;
  const result = await send('POST', '/api/v1/session', body, { quiet401: true });
  remember(result);
  return session.user;
}

export async function signOut() {
  try {
    await send('DELETE', '/api/v1/session', undefined, { quiet401: true });
  } finally {
    remember(null);
  }
}

// Raw bytes of one evidence item as text (e.g. a stored profile observation, JSON).
export async function evidenceText(incidentId, evidenceId) {
  const response = await fetch(evidencePath(incidentId, evidenceId), {
    credentials: 'same-origin', cache: 'no-store',
  });
  if (!response.ok) throw new ApiError(response.status, fallbackMessage(response.status), null);
  return response.text();
}

export function evidencePath(incidentId, evidenceId) {
  return `/api/v1/incidents/${encodeURIComponent(incidentId)}/evidence/${encodeURIComponent(evidenceId)}`;
}
