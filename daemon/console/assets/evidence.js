// The evidence section of an incident, by type: what the detectors saw (the finding `evidence`
// objects written in detectors/*/ and recorded by daemon/detection/detection_hub.cpp).
import { api, evidencePath, evidenceText } from './api.js';
import { externalLink, formatNumber, formatTime, h, parseTime, percent, svg, timeElement } from './dom.js';
import { platformName } from './labels.js';

function obj(v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? v : {};
}

function latestFinding(incident, predicate = () => true) {
  const findings = Array.isArray(incident.findings) ? incident.findings : [];
  for (let i = findings.length - 1; i >= 0; i--) {
    if (predicate(obj(findings[i].evidence))) return findings[i];
  }
  return null;
}

function reasonsList(reasons) {
  const items = Array.isArray(reasons) ? reasons.filter((r) => typeof r === 'string') : [];
  if (items.length === 0) return h('p', { class: 'muted' }, '理由の記録はありません。');
  return h('ul', { class: 'reasons' }, items.map((r) => h('li', {}, r)));
}

function facts(pairs) {
  return h('dl', { class: 'facts' },
    pairs.filter(([, v]) => v !== null && v !== undefined && v !== '')
      .map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

// A post's page on its platform, when the id is enough to build one; shown as text too.
function postLink(platform, postId, handle) {
  const id = String(postId ?? '');
  if (platform === 'x' && /^[0-9]{1,25}$/.test(id)) return externalLink(`https://x.com/i/web/status/${id}`);
  if (platform === 'youtube' && /^[A-Za-z0-9_-]{11}$/.test(id)) return externalLink(`https://www.youtube.com/watch?v=${id}`);
  if (platform === 'facebook' && /^[0-9]{1,25}_[0-9]{1,25}$/.test(id)) return externalLink(`https://www.facebook.com/${id}`);
  if (platform === 'bluesky') {
    const m = id.match(/^at:\/\/(did:[a-z0-9:._-]+)\/app\.bsky\.feed\.post\/([a-z0-9]+)$/i);
    if (m) return externalLink(`https://bsky.app/profile/${m[1]}/post/${m[2]}`);
  }
  return h('span', { class: 'mono' }, id || '—', handle ? ` (@${handle})` : '');
}

// ---- impersonation ----

function isOfficialAvatar(item) {
  return /official/i.test(item.kind ?? '') || /公式/.test(item.description ?? '');
}

function avatarImage(incidentId, item, alt) {
  if (!item) return h('div', { class: 'avatar avatar-missing', role: 'img', 'aria-label': `${alt}（画像なし）` }, '画像なし');
  return h('img', {
    class: 'avatar', src: evidencePath(incidentId, item.id), alt, width: '96', height: '96',
    loading: 'lazy', decoding: 'async', referrerpolicy: 'no-referrer',
  });
}

const COMPONENT_LABELS = [
  ['handle_similarity', 'ハンドルの類似度', (v) => percent(v)],
  ['handle_distance', 'ハンドルの違い（文字数）', (v) => formatNumber(v)],
  ['name_similarity', '表示名の類似度', (v) => percent(v)],
  ['avatar_phash_distance', 'アイコンの差（pHash 距離、小さいほど似ている）', (v) => formatNumber(v)],
  ['avatar_radial_correlation', 'アイコンの相関', (v) => formatNumber(v, 2)],
  ['description_similarity', 'プロフィール文の類似度', (v) => percent(v)],
  ['url_evidence', 'URL の一致度', (v) => formatNumber(v, 2)],
];

async function renderImpersonation(incident, ctx) {
  const finding = latestFinding(incident, (e) => typeof e.handle === 'string');
  const ev = obj(finding?.evidence);
  const items = Array.isArray(incident.evidence) ? incident.evidence : [];
  const avatars = items.filter((e) => /avatar|icon/i.test(e.kind ?? ''));
  const officialAvatar = avatars.find(isOfficialAvatar) ?? (avatars.length > 1 ? avatars[1] : null);
  const candidateAvatar = avatars.find((a) => !isOfficialAvatar(a) && a !== officialAvatar) ?? null;

  const candidate = h('div', { class: 'profile-card suspect' },
    h('h3', {}, '検知したアカウント'),
    avatarImage(incident.id, candidateAvatar, '検知したアカウントのアイコン'),
    facts([
      ['表示名', ev.display_name],
      ['ハンドル', ev.handle ? `@${ev.handle}` : null],
      ['プラットフォーム', platformName(incident.platform)],
      ['アカウント ID', ev.account_id],
    ]));
  const official = h('div', { class: 'profile-card official' },
    h('h3', {}, '公式アカウント'),
    avatarImage(incident.id, officialAvatar, '公式アカウントのアイコン'),
    facts([
      ['ハンドル', ev.matched_official ? `@${ev.matched_official}` : null],
      ['プラットフォーム', platformName(incident.platform)],
    ]));

  // More of the suspect's profile from the stored observation (bio, URL, age, followers).
  const observation = items.find((e) => e.kind === 'observation');
  if (observation) {
    evidenceText(incident.id, observation.id).then((text) => {
      let p;
      try { p = obj(JSON.parse(text)); } catch { return; }
      const profile = obj(p.profile ?? p);
      candidate.appendChild(facts([
        ['プロフィール文', typeof profile.description === 'string' ? profile.description : null],
        ['URL', typeof profile.url === 'string' && profile.url ? externalLink(profile.url) : null],
        ['作成日時', profile.created_at ? formatTime(profile.created_at) : null],
        ['フォロワー数', typeof profile.followers_count === 'number' ? formatNumber(profile.followers_count) : null],
      ]));
    }).catch(() => { /* the summary above stands without it */ });
  }
  // The official's display name from the accounts page's data, when it is available.
  if (ev.matched_official) {
    api.get('/api/v1/accounts').then((data) => {
      const match = (data?.accounts ?? []).find((a) => a.platform === incident.platform &&
        String(a.handle).toLowerCase() === String(ev.matched_official).toLowerCase());
      if (match?.display_name) official.appendChild(facts([['表示名', match.display_name]]));
    }).catch(() => {});
  }

  const comp = obj(ev.components);
  const rows = COMPONENT_LABELS.filter(([k]) => typeof comp[k] === 'number')
    .map(([k, text, fmt]) => h('tr', {}, h('th', { scope: 'row' }, text), h('td', {}, fmt(comp[k]))));

  return h('div', { class: 'evidence-impersonation' },
    h('div', { class: 'side-by-side' }, candidate, official),
    h('h3', {}, '似ている点'),
    reasonsList(finding?.reasons),
    rows.length ? h('table', { class: 'compact' },
      h('caption', {}, `判定の内訳（総合スコア ${formatNumber(ev.score, 2)}）`), h('tbody', {}, rows)) : null);
}

// ---- flame-up ----

const CHART = { width: 720, height: 240, left: 44, right: 12, top: 14, bottom: 34 };

// The series the chart draws: the one of the finding that opened (or last raised) the episode
// and, once it has ended, the end finding's (the hour up to the end) on one time axis. Buckets
// neither covers are gaps (no bar, no baseline).
const MAX_CHART_BUCKETS = 1440;
function episodeSeries(first, last) {
  const a = obj(first);
  const b = obj(last);
  const startA = parseTime(a.start);
  const startB = parseTime(b.start);
  const bucket = Number(a.bucket_seconds) || 60;
  if (startB === null || !Array.isArray(b.counts) || (Number(b.bucket_seconds) || 60) !== bucket) return a;
  if (startA === null || !Array.isArray(a.counts)) return b;
  const step = bucket * 1000;
  const from = Math.min(startA.getTime(), startB.getTime());
  const to = Math.max(startA.getTime() + a.counts.length * step, startB.getTime() + b.counts.length * step);
  const n = Math.round((to - from) / step);
  if (n > MAX_CHART_BUCKETS) return b;
  const counts = new Array(n).fill(NaN);
  const expected = new Array(n).fill(NaN);
  for (const [s, src] of [[startA, a], [startB, b]]) {
    const offset = Math.round((s.getTime() - from) / step);
    src.counts.forEach((c, i) => { counts[offset + i] = Number(c); });
    (Array.isArray(src.expected) ? src.expected : []).forEach((e, i) => { expected[offset + i] = Number(e); });
  }
  return { start: new Date(from).toISOString(), bucket_seconds: bucket, counts, expected };
}

// Reply counts per bucket as bars, the learned baseline as a dashed line, and the episode
// (onset to its end, or to now) shaded: an inline SVG built element by element. `end`: where the
// episode ended, { at, exact }: exact = the detector's `ended_at` (the start of the first bucket
// outside the episode), else a finding's time (the band then covers that bucket).
function replyRateChart(ev, end) {
  const series = obj(ev.series);
  const counts = Array.isArray(series.counts) ? series.counts.map(Number) : [];
  const expected = Array.isArray(series.expected) ? series.expected.map(Number) : [];
  const start = parseTime(series.start);
  const bucket = Number(series.bucket_seconds) || 60;
  if (counts.length === 0 || start === null) return h('p', { class: 'muted' }, 'グラフに使う時系列データがありません。');

  const n = counts.length;
  // Headroom above the tallest bar keeps the episode label clear of it.
  const max = Math.max(1, ...counts.filter(Number.isFinite), ...expected.filter(Number.isFinite)) * 1.12;
  const plotW = CHART.width - CHART.left - CHART.right;
  const plotH = CHART.height - CHART.top - CHART.bottom;
  const x = (i) => CHART.left + (i / n) * plotW;
  const y = (v) => CHART.top + plotH - (Math.max(0, v) / max) * plotH;
  const timeAt = (i) => new Date(start.getTime() + i * bucket * 1000);
  const indexOf = (t) => (t.getTime() - start.getTime()) / (bucket * 1000);

  const parts = [];
  const onset = parseTime(ev.onset) ?? parseTime(ev.episode_opened_at);
  if (onset) {
    const from = Math.max(0, indexOf(onset));
    const to = end ? Math.min(n, indexOf(end.at) + (end.exact ? 0 : 1)) : n;
    if (to > from) {
      parts.push(svg('rect', { class: 'chart-episode', x: x(from), y: CHART.top, width: Math.max(2, x(to) - x(from)), height: plotH }));
      parts.push(svg('text', { class: 'chart-label', x: x(from) + 4, y: CHART.top + 12 }, '急増期間'));
    }
  }
  // Horizontal grid and y labels.
  for (const frac of [0, 0.5, 1]) {
    const v = max * frac;
    parts.push(svg('line', { class: 'chart-grid', x1: CHART.left, x2: CHART.width - CHART.right, y1: y(v), y2: y(v) }));
    parts.push(svg('text', { class: 'chart-axis', x: CHART.left - 6, y: y(v) + 4, 'text-anchor': 'end' }, formatNumber(v, v < 10 ? 1 : 0)));
  }
  const barW = Math.max(1, plotW / n - 1);
  counts.forEach((c, i) => {
    if (!Number.isFinite(c) || c <= 0) return;
    parts.push(svg('rect', { class: 'chart-bar', x: x(i), y: y(c), width: barW, height: CHART.top + plotH - y(c) }));
  });
  const points = expected.map((e, i) => (Number.isFinite(e) ? `${x(i + 0.5).toFixed(1)},${y(e).toFixed(1)}` : null)).filter(Boolean);
  if (points.length > 1) parts.push(svg('polyline', { class: 'chart-baseline', points: points.join(' ') }));
  // Time labels at five positions.
  for (let k = 0; k <= 4; k++) {
    const i = Math.min(n - 1, Math.round((k / 4) * (n - 1)));
    const label = new Intl.DateTimeFormat('ja-JP', { timeZone: 'Asia/Tokyo', hour: '2-digit', minute: '2-digit' }).format(timeAt(i));
    parts.push(svg('text', { class: 'chart-axis', x: x(i + 0.5), y: CHART.height - 12, 'text-anchor': 'middle' }, label));
  }
  parts.push(svg('line', { class: 'chart-axis-line', x1: CHART.left, x2: CHART.width - CHART.right, y1: CHART.top + plotH, y2: CHART.top + plotH }));

  const total = counts.reduce((a, b) => a + (Number.isFinite(b) ? b : 0), 0);
  const description = `${formatTime(start)}から${n}区間（${Math.round(bucket / 60)}分ごと）の返信数。最大${formatNumber(Math.max(0, ...counts.filter(Number.isFinite)))}件、合計${formatNumber(total)}件。破線は平常時の想定件数、網掛けは急増期間。`;
  const chart = svg('svg', {
    viewBox: `0 0 ${CHART.width} ${CHART.height}`, role: 'img', class: 'chart', 'aria-label': description,
    preserveAspectRatio: 'xMidYMid meet',
  }, parts);
  return h('figure', { class: 'chart-figure' }, chart,
    h('figcaption', {},
      h('span', { class: 'legend legend-bar' }, '返信・メンション数'),
      h('span', { class: 'legend legend-baseline' }, '平常時の想定'),
      h('span', { class: 'legend legend-episode' }, '急増期間')));
}

function renderFlameup(incident) {
  const withSeries = latestFinding(incident, (e) => e.series && e.phase !== 'end') ?? latestFinding(incident, (e) => e.series);
  const ev = obj(withSeries?.evidence);
  const ended = latestFinding(incident, (e) => e.phase === 'end');
  const endedAt = ended && parseTime(ended.detected_at) > parseTime(withSeries?.detected_at) ? parseTime(ended.detected_at) : null;
  const endEv = obj(ended?.evidence);
  const end = endedAt === null ? null
    : parseTime(endEv.ended_at) !== null ? { at: parseTime(endEv.ended_at), exact: true } : { at: endedAt, exact: false };
  const top = Array.isArray(ev.top_posts) ? ev.top_posts : [];
  return h('div', { class: 'evidence-flameup' },
    replyRateChart(end ? { ...ev, series: episodeSeries(ev.series, endEv.series) } : ev, end),
    facts([
      [`直近${formatNumber(ev.window_minutes)}分の返信数`, `${formatNumber(ev.window_count)}件（平常時の想定 ${formatNumber(ev.window_expected, 1)}件、約${formatNumber(ev.ratio, 1)}倍）`],
      ['最大の倍率', ev.peak_ratio !== undefined ? `約${formatNumber(ev.peak_ratio, 1)}倍` : null],
      ['急増の開始', ev.onset ? timeElement(ev.onset) : null],
      ['批判・攻撃的な返信の割合', ev.hostile_share !== undefined ? percent(ev.hostile_share) : null],
      ['感謝・質問の割合', ev.supportive_share !== undefined ? percent(ev.supportive_share) : null],
      ['新規・匿名とみられるアカウントの割合', ev.new_anonymous_share !== undefined ? percent(ev.new_anonymous_share) : null],
      ['急増期間中の引用リポスト', ev.quote_share !== undefined ? `${formatNumber(ev.quotes)}件（${percent(ev.quote_share)}）` : null],
      ['状況', ended && endedAt ? h('span', {}, '平常に戻りました（', timeElement(ended.detected_at), '）') : null],
    ]),
    h('h3', {}, '判断の理由'),
    reasonsList(withSeries?.reasons),
    h('h3', {}, '返信が集中している投稿'),
    top.length === 0 ? h('p', { class: 'muted' }, '特定の投稿への集中はありません。')
      : h('table', { class: 'compact' },
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, '投稿'), h('th', { scope: 'col' }, '急増期間の返信数'))),
        h('tbody', {}, top.map((p) => h('tr', {},
          h('td', {},
            postLink(incident.platform, p.post_id),
            typeof p.text === 'string' && p.text !== ''
              ? h('p', { class: 'post-text' }, p.text.length > 200 ? `${p.text.slice(0, 200)}…` : p.text) : null,
            typeof p.created_at === 'string' ? h('p', { class: 'muted' }, '投稿 ', timeElement(p.created_at)) : null),
          h('td', {}, `${formatNumber(p.replies)}件`))))));
}

// ---- misinformation ----

const SAMPLE_KIND_LABELS = { claim: '主張', question: '真偽の質問', correction: '訂正', other: 'その他' };

export function misinformationCluster(incident) {
  const finding = latestFinding(incident, (e) => Array.isArray(e.samples) || e.claim_key);
  return finding ? { finding, ev: obj(finding.evidence) } : null;
}

function renderMisinformation(incident, ctx) {
  const cluster = misinformationCluster(incident);
  const ev = cluster?.ev ?? {};
  const fact = obj(ev.fact);
  const rumour = obj(ev.rumour);
  const samples = Array.isArray(ev.samples) ? ev.samples : [];
  return h('div', { class: 'evidence-misinformation' },
    facts([
      // claim_key is the detector's internal grouping key ("fact:…"), not for staff.
      ['主張の要旨', typeof ev.claim_key === 'string' && !/^[a-z]+:/.test(ev.claim_key) ? ev.claim_key : null],
      ['同じ主張の返信', ev.claims !== undefined ? `${formatNumber(ev.claims)}件（直近${formatNumber(ev.window_minutes)}分）` : null],
      ['真偽を尋ねる質問', ev.questions !== undefined ? `${formatNumber(ev.questions)}件` : null],
      ['訂正する返信', ev.corrections !== undefined ? `${formatNumber(ev.corrections)}件` : null],
      ['リポスト・引用', ev.spread !== undefined ? `${formatNumber(ev.spread)}件` : null],
      ['最初に確認', ev.first_seen ? timeElement(ev.first_seen) : null],
      ['最後に確認', ev.last_seen ? timeElement(ev.last_seen) : null],
    ]),
    h('h3', {}, '判断の理由'),
    reasonsList(cluster?.finding?.reasons),
    fact.text ? h('div', { class: 'official-fact' },
      h('h3', {}, '矛盾する公式の発信'),
      h('blockquote', { class: 'quote' }, fact.text),
      facts([['発信日時', fact.published_at ? timeElement(fact.published_at) : null], ['食い違い', fact.contradiction], ['話題', fact.topic]])) : null,
    rumour.claim ? h('div', { class: 'registered-rumour' },
      h('h3', {}, '登録済みのデマ'),
      facts([
        ['誤った主張', rumour.claim],
        ['正しい情報', rumour.correction],
        ['訂正の掲載先', rumour.correction_url ? externalLink(rumour.correction_url) : null],
      ])) : null,
    h('h3', {}, '返信の例'),
    samples.length === 0 ? h('p', { class: 'muted' }, '返信の例はありません。')
      : h('ol', { class: 'samples' }, samples.map((s) => h('li', { class: `sample sample-${SAMPLE_KIND_LABELS[s.kind] ? s.kind : 'other'}` },
        h('div', { class: 'sample-meta' },
          h('span', { class: 'badge' }, SAMPLE_KIND_LABELS[s.kind] ?? String(s.kind ?? '')),
          s.author ? h('span', {}, `@${s.author}`) : null,
          s.created_at ? timeElement(s.created_at) : null),
        h('blockquote', { class: 'quote' }, typeof s.text === 'string' ? s.text : ''),
        Array.isArray(s.reasons) && s.reasons.length ? h('p', { class: 'muted small' }, s.reasons.filter((r) => typeof r === 'string').join(' / ')) : null))),
    ctx.canChange && !rumour.claim ? h('p', {},
      h('a', { href: `/rumours?incident=${encodeURIComponent(incident.id)}`, 'data-nav': true, class: 'button' }, 'この主張をデマ登録簿に登録する')) : null);
}

// ---- other types ----

function renderGeneric(incident) {
  const finding = latestFinding(incident);
  const ev = obj(finding?.evidence);
  const entries = Object.entries(ev).filter(([, v]) => v !== null && typeof v !== 'object');
  return h('div', {},
    h('h3', {}, '判断の理由'),
    reasonsList(finding?.reasons),
    entries.length ? h('table', { class: 'compact' }, h('tbody', {}, entries.map(([k, v]) =>
      h('tr', {}, h('th', { scope: 'row', class: 'mono' }, k), h('td', {}, String(v)))))) : null);
}

export async function renderEvidence(incident, ctx) {
  switch (incident.type) {
    case 'impersonation': return renderImpersonation(incident, ctx);
    case 'flameup': return renderFlameup(incident, ctx);
    case 'misinformation': return renderMisinformation(incident, ctx);
    default: return renderGeneric(incident, ctx);
  }
}

// Every finding, oldest first: when mamori detected what.
export function renderFindingHistory(incident) {
  const findings = Array.isArray(incident.findings) ? incident.findings : [];
  if (findings.length <= 1) return null;
  return h('details', { class: 'finding-history' },
    h('summary', {}, `検知の履歴（${findings.length}件）`),
    h('ol', {}, findings.map((f) => h('li', {},
      timeElement(f.detected_at), ` ${f.severity_label ?? ''}（スコア ${formatNumber(f.score, 2)}）: `,
      Array.isArray(f.reasons) ? f.reasons.filter((r) => typeof r === 'string').join(' / ') : ''))));
}
