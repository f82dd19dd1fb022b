// Japanese labels for the API's identifiers.
import { h } from './dom.js';

export const TYPE_LABELS = {
  impersonation: '成りすまし',
  flameup: '炎上',
  misinformation: 'デマ・誤情報',
  account_compromise: 'アカウント乗っ取り',
  erroneous_post: '誤投稿',
  threat: '脅迫・犯行予告',
  account_change: 'アカウントの変更・廃止',
};

export const STATUS_LABELS = {
  open: '未対応',
  acknowledged: '確認済み',
  mitigating: '対応中',
  monitoring: '経過観察',
  resolved: '解決',
  closed: '終了',
};

export const STATUS_ORDER = ['open', 'acknowledged', 'mitigating', 'monitoring', 'resolved', 'closed'];

export const SEVERITY_LABELS = { low: '低', medium: '中', high: '高', critical: '緊急' };
export const SEVERITY_ORDER = ['low', 'medium', 'high', 'critical'];

// As model::display_name (model/platform.h) names them.
export const PLATFORM_LABELS = {
  x: 'X', bluesky: 'Bluesky', mastodon: 'Mastodon', facebook: 'Facebook', instagram: 'Instagram', youtube: 'YouTube',
};
export const PLATFORM_ORDER = ['x', 'bluesky', 'mastodon', 'facebook', 'instagram', 'youtube'];

export const ROLE_LABELS = { viewer: '閲覧者', responder: '対応者', admin: '管理者' };

export const STEP_STATUS_LABELS = { pending: '未完了', done: '完了', skipped: '省略' };

export const TIMELINE_KIND_LABELS = {
  status: '状態', severity: '重大度', finding: '検知', step: '手順', check: '自動確認',
  assign: '担当', note: 'メモ', evidence: '証拠', alert: '通知', escalation: 'エスカレーション',
  takedown: '削除依頼', reminder: '期限の通知',
};

export const AUTO_CHECK_LABELS = {
  subject_gone: '対象アカウントの凍結・削除を自動で確認',
  rate_back_to_baseline: '返信数が平常に戻ったことを自動で確認',
  official_post_since_open: '公式アカウントからの投稿を自動で確認',
  homepage_contains: 'ホームページへの掲載を自動で確認',
  elapsed: '所定の時間の経過を自動で確認',
};

export function label(table, key) {
  return table[key] ?? key ?? '';
}

export function severityBadge(severity, text) {
  return h('span', { class: `badge severity severity-${SEVERITY_ORDER.includes(severity) ? severity : 'unknown'}` },
    `重大度: ${text || label(SEVERITY_LABELS, severity)}`);
}

export function statusBadge(status) {
  return h('span', { class: `badge status status-${STATUS_ORDER.includes(status) ? status : 'unknown'}` },
    label(STATUS_LABELS, status));
}

export function platformName(platform) {
  return label(PLATFORM_LABELS, platform);
}

// Actors like "system:detector" are mamori itself; people are shown by their name.
export function actorName(actor) {
  if (typeof actor !== 'string' || actor === '') return '—';
  if (actor === 'system:detector') return 'mamori（自動検知）';
  if (actor === 'system:check') return 'mamori（自動確認）';
  if (actor.startsWith('system:')) return `mamori（${actor.slice(7)}）`;
  return actor;
}
