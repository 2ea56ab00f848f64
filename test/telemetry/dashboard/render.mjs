// Turns series.json (from simulate.mjs) into dashboard.html: a Grafana-like page of the panels docs/observability.md
// lists, drawn as inline SVG. render.sh screenshots it into docs/observability-dashboard.png.
import { readFileSync, writeFileSync } from 'node:fs';

const { series, totals } = JSON.parse(readFileSync(new URL('./series.json', import.meta.url), 'utf8'));
const STEPS = series.p95.length;
const COLORS = {
  processed: '#73bf69',
  duplicate: '#5794f2',
  out_of_order: '#b877d9',
  accepted: '#fade2a',
  handler_failed: '#f2495c',
  refused: '#ff9830',
};

const W = 440;
const H = 170;
const PAD = { l: 38, r: 8, t: 8, b: 20 };
const x = (i) => PAD.l + (i / (STEPS - 1)) * (W - PAD.l - PAD.r);

function axes(max, unit = '') {
  const ticks = [0, max / 2, max];
  const y = (v) => H - PAD.b - (v / max) * (H - PAD.t - PAD.b);
  const grid = ticks
    .map(
      (t) =>
        `<line x1="${PAD.l}" x2="${W - PAD.r}" y1="${y(t)}" y2="${y(t)}" stroke="#2c3235"/>` +
        `<text x="${PAD.l - 4}" y="${y(t) + 3}" text-anchor="end">${fmt(t)}${unit}</text>`,
    )
    .join('');
  const times = [0, 10, 20, 30, 39]
    .map((i) => {
      const anchor = i === STEPS - 1 ? 'end' : i === 0 ? 'start' : 'middle';
      return `<text x="${x(i)}" y="${H - 5}" text-anchor="${anchor}">09:${String(i + 1).padStart(2, '0')}</text>`;
    })
    .join('');
  return { y, svg: grid + times };
}

function fmt(v) {
  if (v >= 100) return Math.round(v);
  if (v >= 10) return Math.round(v);
  return Math.round(v * 10) / 10;
}

function lines(list, { max, unit = '', area = false } = {}) {
  const top = max ?? Math.max(1, ...list.flatMap((l) => l.values)) * 1.1;
  const { y, svg } = axes(top, unit);
  const paths = list
    .map(({ values, color }) => {
      const d = values.map((v, i) => `${i === 0 ? 'M' : 'L'}${x(i).toFixed(1)},${y(v).toFixed(1)}`).join('');
      const fill = area
        ? `<path d="${d}L${x(STEPS - 1)},${y(0)}L${x(0)},${y(0)}Z" fill="${color}" opacity="0.18"/>`
        : '';
      return `${fill}<path d="${d}" fill="none" stroke="${color}" stroke-width="1.8"/>`;
    })
    .join('');
  return `<svg viewBox="0 0 ${W} ${H}" width="100%">${svg}${paths}</svg>`;
}

function stacked(groups) {
  const totalsPerStep = Array.from({ length: STEPS }, (_, i) => groups.reduce((t, g) => t + g.values[i], 0));
  const top = Math.max(...totalsPerStep) * 1.1;
  const { y, svg } = axes(top);
  const bw = ((W - PAD.l - PAD.r) / STEPS) * 0.8;
  let bars = '';
  for (let i = 0; i < STEPS; i++) {
    let base = 0;
    for (const g of groups) {
      const v = g.values[i];
      if (v > 0)
        bars += `<rect x="${(x(i) - bw / 2).toFixed(1)}" y="${y(base + v).toFixed(1)}" width="${bw.toFixed(1)}" height="${(y(base) - y(base + v)).toFixed(1)}" fill="${g.color}"/>`;
      base += v;
    }
  }
  return `<svg viewBox="0 0 ${W} ${H}" width="100%">${svg}${bars}</svg>`;
}

const legend = (items) =>
  `<div class="legend">${items.map(([name, color]) => `<span><i style="background:${color}"></i>${name}</span>`).join('')}</div>`;

const panel = (title, query, body, items) =>
  `<div class="panel"><h3>${title}</h3><code>${query}</code>${body}${items ? legend(items) : ''}</div>`;

const stat = (title, value, note, color) =>
  `<div class="stat"><h3>${title}</h3><b style="color:${color}">${value}</b><small>${note}</small></div>`;

const lossPct = ((totals.recovered / totals.ended) * 100).toFixed(1);
const html = `<!doctype html><html><head><meta charset="utf-8"><style>
body{margin:0;background:#111217;color:#ccccdc;font:12px "DejaVu Sans",sans-serif;width:1400px}
header{display:flex;align-items:center;gap:12px;padding:10px 16px;border-bottom:1px solid #2c3235;background:#181b1f}
header h1{font-size:16px;margin:0;color:#fff;font-weight:600}header span{color:#8e8e9e}
.grid{display:grid;grid-template-columns:repeat(3,minmax(0,1fr));gap:8px;padding:8px 12px}
.stats{display:grid;grid-template-columns:repeat(6,1fr);gap:8px;padding:8px 12px 0}
.panel,.stat{background:#181b1f;border:1px solid #2c3235;border-radius:3px;padding:8px 10px}
h3{margin:0 0 2px;font-size:13px;color:#fff;font-weight:500}code{display:block;color:#8e8e9e;font:10px/14px "DejaVu Sans Mono",monospace;margin-bottom:4px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
svg text{fill:#8e8e9e;font-size:9px}.legend{display:flex;flex-wrap:wrap;gap:10px;margin-top:2px}.legend i{display:inline-block;width:10px;height:3px;margin-right:4px;vertical-align:middle}
.stat b{display:block;font-size:30px;font-weight:500;margin:6px 0 2px}.stat small{color:#8e8e9e}
</style></head><body>
<header><h1>Kling webhooks</h1><span>receiver + reconciler · Prometheus · last 40 minutes</span></header>
<div class="stats">
${stat('Callbacks answered', totals.callbacks.toLocaleString('en'), 'kling_webhook_callbacks_total', '#73bf69')}
${stat('Callback-loss ratio', `${lossPct} %`, 'tasks ended by poll ÷ all ended', '#fade2a')}
${stat('Recovered by polling', totals.recovered, 'kling_tasks_ended_total{ended_by="poll"}', '#ff9830')}
${stat('Answered 202', totals.accepted, 'ack budget spent, handlers went on', '#fade2a')}
${stat('Handler failures', totals.failures, 'kling_handler_failures_total', '#f2495c')}
${stat('Oldest pending task', `${Math.round(series.oldest.at(-1))} min`, 'kling_tasks_pending_oldest_age', '#b877d9')}
</div>
<div class="grid">
${panel(
  'Callbacks by outcome (per minute)',
  'sum by (kling_webhook_outcome) (rate(kling_webhook_callbacks_total[1m]))',
  stacked(Object.entries(COLORS).map(([name, color]) => ({ values: series.outcomes[name], color }))),
  Object.entries(COLORS),
)}
${panel(
  'Handler duration',
  'histogram_quantile(0.95, sum by (le) (rate(kling_handler_duration_bucket[1m])))',
  lines(
    [
      { values: series.p95, color: '#ff9830' },
      { values: series.p50, color: '#5794f2' },
    ],
    { unit: ' ms' },
  ),
  [
    ['p95', '#ff9830'],
    ['p50', '#5794f2'],
  ],
)}
${panel(
  'Callback-loss ratio',
  'sum(increase(kling_tasks_ended_total{kling_task_ended_by="poll"}[1m])) / sum(increase(kling_tasks_ended_total[1m]))',
  lines([{ values: series.loss.map((v) => v * 100), color: '#fade2a' }], { max: 100, unit: '%', area: true }),
  [['share of tasks whose end came from the poller', '#fade2a']],
)}
${panel(
  'Tasks ended: by callback vs recovered by polling',
  'sum by (kling_task_ended_by) (increase(kling_tasks_ended_total[1m]))',
  stacked([
    { values: series.byCallback, color: '#73bf69' },
    { values: series.recovered, color: '#ff9830' },
  ]),
  [
    ['callback', '#73bf69'],
    ['poll', '#ff9830'],
  ],
)}
${panel(
  'Pending tasks (created, no terminal state yet)',
  'kling_tasks_pending',
  lines([{ values: series.pending, color: '#5794f2' }], { area: true }),
  [['pending tasks', '#5794f2']],
)}
${panel(
  'Secret rotation: which secret verified',
  'sum by (kling_webhook_secret_index) (increase(kling_webhook_verifications_total[1m]))',
  lines(
    [
      { values: series.secret0, color: '#73bf69' },
      { values: series.secret1, color: '#f2495c' },
    ],
    { area: true },
  ),
  [
    ['secret #1 (current)', '#73bf69'],
    ['secret #2 (old: remove once it stays at 0)', '#f2495c'],
  ],
)}
</div></body></html>`;
writeFileSync(new URL('./dashboard.html', import.meta.url), html);
