/**
 * The trace viewer: one static page, no build step. It lists recent traces from /api/traces and draws
 * the selected one (/api/traces/<id>, already in tree order) as a waterfall; a click on a span shows
 * its attributes and events. The URL hash is the selected trace, so a trace id can be linked; `?hops`
 * hides database spans.
 */
export const VIEWER_PAGE = /* html */ `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Storefront traces</title>
<style>
  :root { --bg:#fafafa; --fg:#1d1d1f; --muted:#6e6e73; --line:#e3e3e8; --sel:#e8f0fe; --err:#c62828; }
  * { box-sizing: border-box; }
  body { margin:0; font:13px/1.4 ui-sans-serif,system-ui,-apple-system,"Segoe UI",sans-serif; color:var(--fg); background:var(--bg); }
  header { display:flex; align-items:center; gap:16px; padding:10px 16px; border-bottom:1px solid var(--line); background:#fff; }
  header h1 { font-size:15px; margin:0; }
  header .hint { color:var(--muted); }
  header label { color:var(--muted); }
  header label:first-of-type { margin-left:auto; }
  main { display:grid; grid-template-columns:360px 1fr; height:calc(100vh - 43px); }
  #list { overflow:auto; border-right:1px solid var(--line); background:#fff; }
  .trace { padding:8px 12px; border-bottom:1px solid var(--line); cursor:pointer; }
  .trace:hover { background:#f3f3f6; }
  .trace.selected { background:var(--sel); }
  .trace .name { font-weight:600; white-space:nowrap; overflow:hidden; text-overflow:ellipsis; }
  .trace .meta { color:var(--muted); font-size:12px; display:flex; gap:8px; flex-wrap:wrap; }
  .trace .err { color:var(--err); font-weight:600; }
  #detail { overflow:auto; padding:12px 16px; }
  #detail h2 { font-size:14px; margin:0 0 2px; font-family:ui-monospace,monospace; }
  #detail .sub { color:var(--muted); margin-bottom:10px; }
  table { border-collapse:collapse; width:100%; table-layout:fixed; }
  td { padding:2px 6px; border-bottom:1px solid #f0f0f3; vertical-align:middle; }
  tr.span { cursor:pointer; }
  tr.span:hover td { background:#f3f3f6; }
  td.svc { width:90px; font-weight:600; white-space:nowrap; }
  td.label { width:50%; white-space:nowrap; overflow:hidden; text-overflow:ellipsis; font-family:ui-monospace,monospace; font-size:12px; }
  td.label .detail { color:var(--muted); }
  td.dur { width:72px; text-align:right; font-variant-numeric:tabular-nums; color:var(--muted); }
  td.bar { position:relative; height:22px; }
  .b { position:absolute; top:5px; height:12px; min-width:2px; border-radius:2px; opacity:.85; }
  tr.error td.label { color:var(--err); }
  tr.error .b { outline:2px solid var(--err); }
  tr.attrs td { background:#fff; padding:6px 12px 10px; }
  tr.attrs pre { margin:0; font-size:12px; white-space:pre-wrap; word-break:break-all; }
  .kind { font-size:10px; color:var(--muted); text-transform:uppercase; margin-left:4px; }
  .empty { color:var(--muted); padding:24px; }
  .legend { display:flex; gap:10px; flex-wrap:wrap; margin-bottom:8px; }
  .legend span { display:inline-flex; align-items:center; gap:4px; }
  .legend i { width:10px; height:10px; border-radius:2px; display:inline-block; }
</style>
</head>
<body>
<header>
  <h1>Storefront traces</h1>
  <span class="hint">recent traces, newest first · the gateway answers each request with <code>x-trace-id</code></span>
  <label><input type="checkbox" id="gatewayOnly" checked> started at the gateway</label>
  <label><input type="checkbox" id="database" checked> database spans</label>
  <label><input type="checkbox" id="live" checked> live</label>
</header>
<main>
  <div id="list"><div class="empty">No traces yet. Send a request through the gateway.</div></div>
  <div id="detail"><div class="empty">Pick a trace on the left.</div></div>
</main>
<script>
const palette = ['#5b8def','#f29d38','#4caf50','#ab47bc','#ef5350','#26a69a','#8d6e63','#78909c'];
const colors = {};
const colorOf = (service) => colors[service] ??= palette[Object.keys(colors).length % palette.length];
const esc = (value) => String(value).replace(/[&<>"]/g, (c) => ({ '&':'&amp;', '<':'&lt;', '>':'&gt;', '"':'&quot;' })[c]);
const ms = (value) => value >= 1000 ? (value / 1000).toFixed(2) + ' s' : value >= 100 ? value.toFixed(0) + ' ms' : value.toFixed(1) + ' ms';
let selected = location.hash.slice(1) || null;
// ?hops opens with database spans hidden.
if (new URLSearchParams(location.search).has('hops')) document.getElementById('database').checked = false;
let shownSpanCount = -1;

async function loadList() {
  const root = document.getElementById('gatewayOnly').checked ? '&root=gateway' : '';
  const response = await fetch('api/traces?limit=100' + root);
  const { traces } = await response.json();
  const list = document.getElementById('list');
  if (traces.length === 0) { list.innerHTML = '<div class="empty">No traces yet. Send a request through the gateway.</div>'; return; }
  list.innerHTML = traces.map((t) => '<div class="trace' + (t.traceId === selected ? ' selected' : '') + '" data-id="' + t.traceId + '">' +
    '<div class="name">' + esc(t.root.service) + ' · ' + esc(t.root.name) + '</div>' +
    '<div class="meta"><span>' + new Date(t.startTimeMs).toLocaleTimeString() + '</span><span>' + ms(t.durationMs) + '</span><span>' +
    t.spanCount + ' spans</span><span>' + t.services.map(esc).join(', ') + '</span>' +
    (t.errorCount ? '<span class="err">' + t.errorCount + ' failed</span>' : '') + '</div></div>').join('');
  if (!selected) select(traces[0].traceId);
}

async function loadTrace(force) {
  if (!selected) return;
  const response = await fetch('api/traces/' + selected + (document.getElementById('database').checked ? '' : '?hops=1'));
  const detail = document.getElementById('detail');
  if (response.status === 404) { detail.innerHTML = '<div class="empty">Trace ' + esc(selected) + ' is not (or no longer) here.</div>'; return; }
  const { summary, rows } = await response.json();
  if (!force && rows.length === shownSpanCount) return;
  shownSpanCount = rows.length;
  const total = summary.durationMs || 1;
  const services = [...new Set(rows.map((r) => r.span.service))];
  detail.innerHTML = '<h2>' + esc(summary.root.service + ' · ' + summary.root.name) + '</h2>' +
    '<div class="sub">trace ' + summary.traceId + ' · ' + summary.spanCount + ' spans · ' + ms(summary.durationMs) + ' · ' +
    new Date(summary.startTimeMs).toISOString() + '</div>' +
    '<div class="legend">' + services.map((s) => '<span><i style="background:' + colorOf(s) + '"></i>' + esc(s) + '</span>').join('') + '</div>' +
    '<table><tbody>' + rows.map((r, i) => {
      const left = (r.offsetMs / total) * 100, width = Math.max((r.span.durationMs / total) * 100, 0.2);
      const title = r.span.name + ' · ' + ms(r.span.durationMs) + ' at +' + ms(r.offsetMs);
      return '<tr class="span' + (r.span.status === 'error' ? ' error' : '') + '" data-row="' + i + '" title="' + esc(title) + '">' +
        '<td class="svc" style="color:' + colorOf(r.span.service) + '">' + esc(r.span.service) + '</td>' +
        '<td class="label" style="padding-left:' + (6 + r.depth * 12) + 'px">' + esc(r.span.name) +
        '<span class="kind">' + r.span.kind + '</span> <span class="detail">' + esc(r.detail) + '</span></td>' +
        '<td class="dur">' + ms(r.span.durationMs) + '</td>' +
        '<td class="bar"><div class="b" style="left:' + left + '%;width:' + width + '%;background:' + colorOf(r.span.service) + '"></div></td></tr>';
    }).join('') + '</tbody></table>';
  detail.querySelectorAll('tr.span').forEach((tr) => tr.addEventListener('click', () => {
    const next = tr.nextElementSibling;
    if (next && next.classList.contains('attrs')) { next.remove(); return; }
    const span = rows[Number(tr.dataset.row)].span;
    const info = { spanId: span.spanId, parentSpanId: span.parentSpanId, kind: span.kind, status: span.status,
      statusMessage: span.statusMessage, attributes: span.attributes, events: span.events, links: span.links };
    const row = document.createElement('tr');
    row.className = 'attrs';
    row.innerHTML = '<td colspan="4"><pre>' + esc(JSON.stringify(info, null, 2)) + '</pre></td>';
    tr.after(row);
  }));
}

function select(traceId) {
  selected = traceId;
  shownSpanCount = -1;
  history.replaceState(null, '', '#' + traceId);
  document.querySelectorAll('.trace').forEach((el) => el.classList.toggle('selected', el.dataset.id === traceId));
  void loadTrace(true);
}

document.getElementById('list').addEventListener('click', (event) => {
  const item = event.target.closest('.trace');
  if (item) select(item.dataset.id);
});
document.getElementById('gatewayOnly').addEventListener('change', () => void loadList());
document.getElementById('database').addEventListener('change', () => void loadTrace(true));
window.addEventListener('hashchange', () => { if (location.hash.slice(1) !== selected) select(location.hash.slice(1)); });
void loadList().then(() => loadTrace(true));
setInterval(() => { if (document.getElementById('live').checked) { void loadList(); void loadTrace(false); } }, 2000);
</script>
</body>
</html>
`;
