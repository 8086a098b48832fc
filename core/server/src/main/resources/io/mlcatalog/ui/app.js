// The incident page: what served a target at an instant and how it was made, lineage to walk, the blast radius of a bad
// input, a model's history. One page; every view is a deep link (#/view?params) to paste into an incident channel.
// It reads the catalog through /graphql with the token given in the header (kept for this browser tab only).

const view = document.getElementById('view');
const statusBox = document.getElementById('status');

// ---------------------------------------------------------------- the API

function token() {
  return sessionStorage.getItem('mlcatalog.token') || '';
}

async function gql(query, variables = {}) {
  const headers = { 'Content-Type': 'application/json', Accept: 'application/json' };
  if (token()) headers.Authorization = `Bearer ${token()}`;
  const response = await fetch('/graphql', { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
  const body = await response.json();
  if (response.status === 401) {
    throw new Error(`${body.errors?.[0]?.message ?? 'this catalog needs a token'}: give one above`);
  }
  if (body.errors?.length) throw new Error(body.errors.map((e) => e.message).join('; '));
  return body.data;
}

const NODE = `fragment node on LineageNode {
  __typename
  ... on Run { id namespace name runStatus: status startedAt }
  ... on Artifact { id namespace uri digest kind }
  ... on CodeVersion { id repository commit }
  ... on ModelVersion { id version model { namespace name } }
  ... on Deployment { id environment target deploymentStatus: status since: startedAt }
}`;

// ---------------------------------------------------------------- small helpers

const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
const when = (t) => (t ? new Date(t).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '—');
const short = (d) => (d && d.length > 24 ? `${d.slice(0, 22)}…` : d ?? '');

function params() {
  const hash = location.hash.slice(1) || '/explain';
  const [path, query] = hash.split('?');
  return { name: path.replace(/^\//, '') || 'explain', p: new URLSearchParams(query || '') };
}

function go(name, p) {
  const q = new URLSearchParams(Object.entries(p).filter(([, v]) => v !== undefined && v !== null && v !== '')).toString();
  const hash = `#/${name}${q ? `?${q}` : ''}`;
  // the view is stale from here on (hashchange comes later); the same address asked again is answered again
  view.dataset.ready = 'no';
  if (location.hash === hash) route();
  else location.hash = hash;
}

function say(text) {
  statusBox.textContent = text;
  statusBox.classList.add('show');
  setTimeout(() => statusBox.classList.remove('show'), 2500);
}

function fail(error) {
  view.insertAdjacentHTML('beforeend', `<p class="error" id="error">${esc(error.message)}</p>`);
}

function label(n) {
  switch (n.__typename) {
    case 'Run': return `run ${n.name}`;
    case 'Artifact': return n.uri.split('/').filter(Boolean).pop() || n.uri;
    case 'CodeVersion': return `commit ${n.commit.slice(0, 8)}`;
    case 'ModelVersion': return `${n.model.name} v${n.version}`;
    case 'Deployment': return `${n.environment}/${n.target}`;
    default: return n.id;
  }
}

function details(n) {
  switch (n.__typename) {
    case 'Run': return `<b>Run</b> ${esc(n.namespace)}/${esc(n.name)}<br><span class="status-${n.runStatus}">${n.runStatus}</span>, started ${when(n.startedAt)}`;
    case 'Artifact': return `<b>${esc(n.kind)}</b> <span class="mono">${esc(n.uri)}</span><br><span class="mono">${esc(n.digest ?? 'no digest')}</span>`;
    case 'CodeVersion': return `<b>Commit</b> <span class="mono">${esc(n.commit)}</span><br>${esc(n.repository)}`;
    case 'ModelVersion': return `<b>Model version</b> ${esc(n.model.namespace)}/${esc(n.model.name)} v${esc(n.version)}`;
    case 'Deployment': return `<b>Deployment</b> ${esc(n.environment)}/${esc(n.target)}<br>${esc(n.deploymentStatus)} since ${when(n.since)}`;
    default: return esc(n.id);
  }
}

const COLORS = { Run: '#2456d6', Artifact: '#1b7f3b', CodeVersion: '#7a4bc4', ModelVersion: '#d0711b', Deployment: '#b3261e' };

// Draws a lineage graph (nodes and edges as the API gives them); a click shows a node, a double click walks on from it.
function draw(container, graph, rootId, onSelect) {
  const nodes = new Map();
  for (const n of [graph.root, ...graph.nodes]) nodes.set(n.id, n);
  const elements = [...nodes.values()].map((n) => ({
    data: { id: n.id, label: label(n), type: n.__typename, root: n.id === rootId ? 'yes' : 'no' },
  }));
  graph.edges.forEach((e, i) => {
    if (nodes.has(e.from) && nodes.has(e.to)) elements.push({ data: { id: `e${i}`, source: e.from, target: e.to, label: e.kind.toLowerCase().replace(/_/g, ' ') } });
  });
  container.dataset.nodes = String(nodes.size);
  container.dataset.edges = String(elements.length - nodes.size);
  const cy = cytoscape({
    container,
    elements,
    maxZoom: 1.3, // a small graph at its natural size, not blown up to fill the box
    style: [
      { selector: 'node', style: { label: 'data(label)', 'font-size': 10, 'text-valign': 'bottom', 'text-margin-y': 4, width: 22, height: 22,
        'background-color': (n) => COLORS[n.data('type')] || '#888' } },
      { selector: 'node[root = "yes"]', style: { 'border-width': 4, 'border-color': '#18202f' } },
      { selector: 'edge', style: { width: 1.5, 'line-color': '#9aa3b5', 'target-arrow-color': '#9aa3b5', 'target-arrow-shape': 'triangle',
        'curve-style': 'bezier', label: 'data(label)', 'font-size': 8, color: '#5b6475', 'text-rotation': 'autorotate',
        'text-background-color': '#fff', 'text-background-opacity': 1, 'text-background-padding': 1 } },
      { selector: ':selected', style: { 'background-color': '#18202f' } },
    ],
  });
  // data flows down the page: what has no input in this graph at the top
  cy.layout({ name: 'breadthfirst', directed: true, roots: cy.nodes().filter((n) => n.indegree() === 0), spacingFactor: 1.05,
    padding: 20, avoidOverlap: true }).run();
  cy.on('tap', 'node', (evt) => onSelect(nodes.get(evt.target.id()), false));
  cy.on('dbltap', 'node', (evt) => onSelect(nodes.get(evt.target.id()), true));
  container.cy = cy;
  return cy;
}

function legend() {
  return `<div class="legend">${Object.entries(COLORS).map(([t, c]) => `<span><i style="background:${c}"></i>${t}</span>`).join('')}
    <span class="muted">click a node to see it, double-click to walk on from it</span></div>`;
}

// ---------------------------------------------------------------- What served (explain)

async function explainView(p) {
  const env = p.get('env') || '';
  const target = p.get('target') || '';
  const at = p.get('at') || '';
  view.innerHTML = `<form class="query" id="explain-form">
      <label>Environment<input name="env" id="env" list="envs" value="${esc(env)}" required></label>
      <label>Target<input name="target" id="target" list="targets" value="${esc(target)}" required></label>
      <label>Instant (UTC; empty: now)<input name="at" id="at" value="${esc(at)}" placeholder="2026-10-22T09:00:00Z" size="24"></label>
      <button type="submit">Explain</button>
      <datalist id="envs"></datalist><datalist id="targets"></datalist>
    </form><div id="result"></div>`;
  document.getElementById('explain-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const f = new FormData(e.target);
    go('explain', { env: f.get('env'), target: f.get('target'), at: f.get('at') });
  });
  gql('{ deployments(first: 100) { edges { node { environment target } } } }').then((d) => {
    const pairs = d.deployments.edges.map((e) => e.node);
    document.getElementById('envs').innerHTML = [...new Set(pairs.map((x) => x.environment))].map((x) => `<option value="${esc(x)}">`).join('');
    document.getElementById('targets').innerHTML = [...new Set(pairs.map((x) => x.target))].map((x) => `<option value="${esc(x)}">`).join('');
  }).catch(() => {});
  if (!env || !target) return;
  const result = document.getElementById('result');
  let d;
  try {
    d = await gql(`query($env: String!, $target: String!, $at: DateTime) {
      explain(environment: $env, target: $target, at: $at, depth: 4) {
        at
        deployment { namespace status startedAt endedAt trafficPercent deployedBy }
        modelVersion { id version model { namespace name } }
        aliasesAtTime
        run { id namespace name pipeline status startedAt endedAt user params metrics }
        codeVersion { id repository commit branches message author }
        inputs { id uri digest kind }
        upstream { root { ...node } nodes { ...node } edges { from to kind } truncated hidden }
      } }
      ${NODE}`, { env, target, at: at || null });
  } catch (e) { fail(e); return; }
  const x = d.explain;
  if (!x || !x.deployment) {
    result.innerHTML = `<p id="nothing">Nothing served ${esc(env)}/${esc(target)} ${at ? `at ${esc(at)}` : 'now'}.</p>`;
    return;
  }
  const run = x.run;
  const kv = (o) => (o && Object.keys(o).length ? `<table>${Object.entries(o).map(([k, v]) => `<tr><td>${esc(k)}</td><td class="mono">${esc(typeof v === 'object' ? JSON.stringify(v) : v)}</td></tr>`).join('')}</table>` : '<span class="muted">none</span>');
  result.innerHTML = `<div class="grid">
    <div class="card"><h2>Served ${esc(env)}/${esc(target)} at ${when(x.at)}</h2>
      <div class="big" id="served-version">${esc(x.modelVersion.model.name)} v${esc(x.modelVersion.version)}</div>
      <div id="served-aliases">${x.aliasesAtTime.map((a) => `<span class="tag">${esc(a)}</span>`).join('') || '<span class="muted">no alias then</span>'}</div>
      <div class="muted">deployment <span class="status-${x.deployment.status}">${x.deployment.status}</span>, ${when(x.deployment.startedAt)} – ${x.deployment.endedAt ? when(x.deployment.endedAt) : 'now'}${x.deployment.trafficPercent != null ? `, ${x.deployment.trafficPercent}% of traffic` : ''}${x.deployment.deployedBy ? `, by ${esc(x.deployment.deployedBy)}` : ''}</div>
      <p><a class="walk" href="#/model?ns=${encodeURIComponent(x.modelVersion.model.namespace)}&name=${encodeURIComponent(x.modelVersion.model.name)}">the model's history →</a></p></div>
    <div class="card"><h2>Made by run</h2>${run ? `<div class="big" id="run-name">${esc(run.namespace)}/${esc(run.name)}</div>
      <div><span class="status-${run.status}">${run.status}</span>, ${when(run.startedAt)} – ${when(run.endedAt)}${run.user ? `, by ${esc(run.user)}` : ''}</div>
      <h2 style="margin-top:10px">Params</h2><div id="params">${kv(run.params)}</div>
      <h2 style="margin-top:10px">Metrics</h2><div id="metrics">${kv(run.metrics)}</div>` : '<span class="muted">no run is recorded</span>'}</div>
    <div class="card"><h2>Code</h2>${x.codeVersion ? `<div class="mono" id="commit">${esc(x.codeVersion.commit)}</div>
      <div>${esc(x.codeVersion.repository)} ${x.codeVersion.branches.map((b) => `<span class="tag">${esc(b)}</span>`).join('')}</div>
      <div class="muted">${esc(x.codeVersion.message ?? '')}</div>
      <p><a class="walk" href="#/blast?from=${encodeURIComponent(x.codeVersion.commit)}">what else this commit made →</a></p>` : '<span class="muted">no commit recorded</span>'}</div>
    </div>
    <div class="card" style="margin-top:12px"><h2>Inputs of the run</h2>
      <table id="inputs"><tr><th>URI</th><th>digest</th><th>kind</th><th></th></tr>
      ${x.inputs.map((i) => `<tr><td class="mono">${esc(i.uri)}</td><td class="mono">${esc(i.digest ?? '—')}</td><td>${esc(i.kind)}</td>
        <td><a class="walk" href="#/lineage?node=${encodeURIComponent(i.id)}">upstream</a> · <a class="walk" href="#/blast?from=${encodeURIComponent(i.id)}">blast radius</a></td></tr>`).join('')}</table></div>
    <div class="card" style="margin-top:12px"><h2>Upstream of the run</h2>${legend()}
      ${x.upstream.truncated ? '<div class="muted">cut short at depth 4: double-click a node to walk on</div>' : ''}
      ${x.upstream.hidden ? `<div class="muted">${x.upstream.hidden} node(s) of namespaces this token may not read are left out</div>` : ''}
      <div class="split"><div id="graph"></div><div class="card" id="selected">Click a node.</div></div></div>`;
  draw(document.getElementById('graph'), x.upstream, x.upstream.root.id, (n, walk) => {
    if (walk) go('lineage', { node: n.id, at });
    else document.getElementById('selected').innerHTML = `${details(n)}<p><a class="walk" href="#/lineage?node=${encodeURIComponent(n.id)}${at ? `&at=${encodeURIComponent(at)}` : ''}">walk from here →</a></p>`;
  });
}

// ---------------------------------------------------------------- Lineage

async function lineageView(p) {
  const node = p.get('node') || '';
  const dir = p.get('dir') === 'down' ? 'down' : 'up';
  // a number from 1 to 20 whatever the link says: it goes into links this view draws
  const depth = String(Math.min(20, Math.max(1, Number.parseInt(p.get('depth'), 10) || 3)));
  const at = p.get('at') || '';
  view.innerHTML = `<form class="query" id="lineage-form">
      <label>From (an id, an artifact's URI, a commit)<input name="node" id="node" value="${esc(node)}" size="60" required></label>
      <label>Direction<select name="dir" id="dir"><option value="up"${dir === 'up' ? ' selected' : ''}>upstream</option>
        <option value="down"${dir === 'down' ? ' selected' : ''}>downstream</option></select></label>
      <label>Depth<input name="depth" id="depth" type="number" min="1" max="20" value="${esc(depth)}"></label>
      <label>As of (UTC; empty: now)<input name="at" value="${esc(at)}" size="22"></label>
      <button type="submit">Walk</button></form><div id="result"></div>`;
  document.getElementById('lineage-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const f = new FormData(e.target);
    go('lineage', { node: f.get('node'), dir: f.get('dir'), depth: f.get('depth'), at: f.get('at') });
  });
  if (!node) return;
  let g;
  try {
    const id = await resolve(node);
    g = (await gql(`query($from: ID!, $direction: LineageDirection, $depth: Int, $at: DateTime) {
      lineage(from: $from, direction: $direction, depth: $depth, asOf: $at) { root { ...node } nodes { ...node } edges { from to kind } truncated hidden } }
      ${NODE}`, { from: id, direction: dir === 'down' ? 'DOWNSTREAM' : 'UPSTREAM', depth: Number(depth), at: at || null })).lineage;
  } catch (e) { fail(e); return; }
  document.getElementById('result').innerHTML = `<div class="card"><h2>${dir === 'down' ? 'Downstream' : 'Upstream'} of</h2>
      <div id="root">${details(g.root)}</div>${legend()}
      ${g.truncated ? '<div class="muted">cut short: more depth, or double-click a node to walk on</div>' : ''}
      ${g.hidden ? `<div class="muted">${g.hidden} node(s) of namespaces this token may not read are left out</div>` : ''}
      <div class="split"><div id="graph"></div><div class="card" id="selected">Click a node.</div></div></div>`;
  draw(document.getElementById('graph'), g, g.root.id, (n, walk) => {
    if (walk) go('lineage', { node: n.id, dir, depth, at });
    else document.getElementById('selected').innerHTML = `${details(n)}<p><a class="walk" href="#/lineage?node=${encodeURIComponent(n.id)}&dir=${dir}&depth=${depth}${at ? `&at=${encodeURIComponent(at)}` : ''}">walk from here →</a>
      · <a class="walk" href="#/blast?from=${encodeURIComponent(n.id)}">blast radius</a></p>`;
  });
}

// A node as a user names it: a global id, an artifact's URI, or a commit sha.
async function resolve(text) {
  const t = text.trim();
  // a global id looks like a URI (Artifact:<uuid>), so it is told apart first
  if (/^(CodeVersion|Run|Artifact|Model|ModelVersion|Deployment):[0-9a-f-]{36}$/.test(t)) return t;
  if (/^[0-9a-f]{7,64}$/i.test(t)) {
    const c = (await gql('query($sha: String!) { codeVersion(commit: $sha) { id } }', { sha: t })).codeVersion;
    if (!c) throw new Error(`no commit ${t} is recorded`);
    return c.id;
  }
  if (/^[a-z][a-z0-9+.-]*:.+/i.test(t)) {
    const a = (await gql('query($uri: String!) { artifact(uri: $uri) { id } }', { uri: t })).artifact;
    if (!a) throw new Error(`no artifact at ${t} (or none this token may read)`);
    return a.id;
  }
  return t;
}

// ---------------------------------------------------------------- Blast radius

async function blastView(p) {
  const from = p.get('from') || '';
  const at = p.get('at') || '';
  view.innerHTML = `<form class="query" id="blast-form">
      <label>From (a bad dataset's URI, a commit, an id)<input name="from" id="from" value="${esc(from)}" size="70" required></label>
      <label>Live at (UTC; empty: now)<input name="at" value="${esc(at)}" size="22"></label>
      <button type="submit">What does it touch?</button></form><div id="result"></div>`;
  document.getElementById('blast-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const f = new FormData(e.target);
    go('blast', { from: f.get('from'), at: f.get('at') });
  });
  if (!from) return;
  let b;
  try {
    const id = await resolve(from);
    b = (await gql(`query($from: ID!, $at: DateTime) { blastRadius(from: $from, activeAt: $at) {
        root { ...node }
        modelVersions { id version createdAt model { namespace name } run { namespace name } aliases }
        deployments { environment target startedAt trafficPercent modelVersion { version model { name } } }
        truncated hidden } }
      ${NODE}`, { from: id, at: at || null })).blastRadius;
  } catch (e) { fail(e); return; }
  document.getElementById('result').innerHTML = `<div class="card"><h2>Blast radius of</h2><div id="root">${details(b.root)}</div>
      ${b.truncated ? '<div class="muted">cut short: there may be more</div>' : ''}
      ${b.hidden ? `<div class="muted">${b.hidden} version(s) or deployment(s) of namespaces this token may not read are left out</div>` : ''}</div>
    <div class="grid" style="margin-top:12px">
      <div class="card"><h2>Model versions downstream (${b.modelVersions.length})</h2><table id="versions"><tr><th>model</th><th>version</th><th>aliases</th><th>run</th></tr>
        ${b.modelVersions.map((v) => `<tr><td><a class="walk" href="#/model?ns=${encodeURIComponent(v.model.namespace)}&name=${encodeURIComponent(v.model.name)}">${esc(v.model.namespace)}/${esc(v.model.name)}</a></td>
          <td>v${esc(v.version)}</td><td>${v.aliases.map((a) => `<span class="tag">${esc(a)}</span>`).join('')}</td><td>${esc(v.run ? v.run.name : '—')}</td></tr>`).join('')}</table></div>
      <div class="card"><h2>Live deployments${at ? ` at ${esc(at)}` : ' now'} (${b.deployments.length})</h2><table id="deployments"><tr><th>where</th><th>serving</th><th>since</th></tr>
        ${b.deployments.map((d) => `<tr><td><a class="walk" href="#/explain?env=${encodeURIComponent(d.environment)}&target=${encodeURIComponent(d.target)}">${esc(d.environment)}/${esc(d.target)}</a></td>
          <td>${esc(d.modelVersion.model.name)} v${esc(d.modelVersion.version)}${d.trafficPercent != null ? ` (${d.trafficPercent}%)` : ''}</td><td>${when(d.startedAt)}</td></tr>`).join('')}</table>
        ${b.deployments.length ? '' : `<p class="muted" id="no-deployments">none of these versions served anywhere ${at ? 'then' : 'now'}</p>`}</div></div>`;
}

// ---------------------------------------------------------------- Model

async function modelView(p) {
  const ns = p.get('ns') || '';
  const name = p.get('name') || '';
  view.innerHTML = `<form class="query" id="model-form">
      <label>Namespace<input name="ns" id="ns" value="${esc(ns)}"></label>
      <label>Model<input name="name" id="name" value="${esc(name)}" required></label>
      <button type="submit">Show</button></form><div id="result"></div>`;
  document.getElementById('model-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const f = new FormData(e.target);
    go('model', { ns: f.get('ns'), name: f.get('name') });
  });
  if (!name) return;
  let m;
  try {
    m = (await gql(`query($ns: String, $name: String!) { model(namespace: $ns, name: $name) { namespace name description
        versions(first: 50) { edges { node { id version createdAt run { namespace name } aliases
          deployments(first: 20) { edges { node { environment target startedAt endedAt trafficPercent } } } } } }
        aliasHistory { name since until modelVersion { version } } } }`, { ns: ns || null, name })).model;
  } catch (e) { fail(e); return; }
  if (!m) { document.getElementById('result').innerHTML = `<p id="nothing">No model ${esc(name)}.</p>`; return; }
  const versions = m.versions.edges.map((e) => e.node);
  const deployments = versions.flatMap((v) => v.deployments.edges.map((e) => ({ ...e.node, version: v.version })));
  const now = Date.now();
  const times = [...m.aliasHistory.flatMap((a) => [a.since, a.until]), ...deployments.flatMap((d) => [d.startedAt, d.endedAt]),
    ...versions.map((v) => v.createdAt)].filter(Boolean).map((t) => Date.parse(t));
  const start = Math.min(...times, now - 86400000);
  const end = now;
  const pct = (t) => `${(((t - start) / (end - start)) * 100).toFixed(2)}%`;
  const hue = (v) => `hsl(${(Number(v) * 67) % 360} 55% 45%)`;
  const bar = (from, to, text, cls) => {
    const a = Date.parse(from);
    const b = to ? Date.parse(to) : end;
    return `<div class="interval ${cls}" style="left:${pct(a)};width:calc(${pct(b)} - ${pct(a)});background:${hue(text)}"
      title="v${esc(text)}: ${when(from)} – ${to ? when(to) : 'now'}">v${esc(text)}</div>`;
  };
  const aliasNames = [...new Set(m.aliasHistory.map((a) => a.name))];
  const targets = [...new Set(deployments.map((d) => `${d.environment}/${d.target}`))];
  document.getElementById('result').innerHTML = `<div class="card"><h2>Model</h2>
      <div class="big" id="model-name">${esc(m.namespace)}/${esc(m.name)}</div><div class="muted">${esc(m.description ?? '')}</div></div>
    <div class="card" style="margin-top:12px"><h2>Aliases over time</h2><div class="timeline" id="alias-timeline">
      ${aliasNames.map((a) => `<div class="row" data-alias="${esc(a)}"><div>${esc(a)}</div><div class="track">
        ${m.aliasHistory.filter((x) => x.name === a).map((x) => bar(x.since, x.until, x.modelVersion.version, 'alias')).join('')}</div></div>`).join('')
        || '<span class="muted">no alias yet</span>'}
      <div class="axis"><div></div><div><span>${when(new Date(start).toISOString())}</span><span>now</span></div></div></div></div>
    <div class="card" style="margin-top:12px"><h2>Deployments over time</h2><div class="timeline" id="deployment-timeline">
      ${targets.map((t) => `<div class="row" data-target="${esc(t)}"><div><a class="walk" href="#/explain?env=${encodeURIComponent(t.split('/')[0])}&target=${encodeURIComponent(t.split('/').slice(1).join('/'))}">${esc(t)}</a></div><div class="track">
        ${deployments.filter((d) => `${d.environment}/${d.target}` === t).map((d) => bar(d.startedAt, d.endedAt, d.version, 'deployment')).join('')}</div></div>`).join('')
        || '<span class="muted">never deployed</span>'}</div></div>
    <div class="card" style="margin-top:12px"><h2>Versions (${versions.length})</h2><table id="model-versions"><tr><th>version</th><th>registered</th><th>aliases now</th><th>run</th><th></th></tr>
      ${versions.map((v) => `<tr><td>v${esc(v.version)}</td><td>${when(v.createdAt)}</td><td>${v.aliases.map((a) => `<span class="tag">${esc(a)}</span>`).join('')}</td>
        <td>${esc(v.run ? `${v.run.namespace}/${v.run.name}` : '—')}</td><td><a class="walk" href="#/lineage?node=${encodeURIComponent(v.id)}">upstream</a></td></tr>`).join('')}</table></div>`;
}

// ---------------------------------------------------------------- the page

const VIEWS = { explain: explainView, lineage: lineageView, blast: blastView, model: modelView };

async function route() {
  const { name, p } = params();
  document.querySelectorAll('header nav a').forEach((a) => a.classList.toggle('active', a.dataset.view === name));
  const render = VIEWS[name] || explainView;
  view.dataset.ready = 'no';
  try {
    await render(p);
  } catch (e) {
    fail(e);
  }
  view.dataset.ready = 'yes';
}

document.getElementById('token').value = token();
document.getElementById('token-form').addEventListener('submit', (e) => {
  e.preventDefault();
  sessionStorage.setItem('mlcatalog.token', document.getElementById('token').value.trim());
  say('token set for this tab');
  route();
});
document.getElementById('copy-link').addEventListener('click', async () => {
  try {
    await navigator.clipboard.writeText(location.href);
    say('link copied');
  } catch {
    say(location.href);
  }
});
window.addEventListener('hashchange', route);
route();
