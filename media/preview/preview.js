// @ts-check
// The preview panel's script: renders the state the extension posts (counts, namespaces, waterfall,
// people per day, breakdown, sample identities, explanation) with plain DOM and inline SVG, and
// reports what it rendered — the numbers read back from the DOM — so tests can check them end to end.
(function () {
  'use strict';
  // eslint-disable-next-line no-undef
  const vscode = acquireVsCodeApi();
  const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));
  const SVG = 'http://www.w3.org/2000/svg';
  const fmt = new Intl.NumberFormat('en-US');
  const pct = (a, b) => (b ? `${((100 * a) / b).toFixed(1)}%` : '–');
  /** A share as people read it (same as the CLI): 45%, 4.5%, 0.0045%. */
  const percent = (share) => {
    if (share === null || share === undefined) return '–';
    const p = 100 * share;
    if (p === 0) return '0%';
    if (p >= 10) return `${p.toFixed(0)}%`;
    return `${Number(p.toPrecision(2))}%`;
  };
  /** A metric total: whole numbers as they are, others with up to two decimals. */
  const figure = (x) => x.toLocaleString('en-US', { maximumFractionDigits: Number.isInteger(x) ? 0 : 2 });
  const people = (n) => `${fmt.format(n)} ${n === 1 ? 'person' : 'people'}`;

  /** @type {any} */
  let state = null;
  /** @type {any} */
  let explanation = null;

  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(props || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'class') node.className = v;
      else if (k === 'text') node.textContent = v;
      else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v === true ? '' : String(v));
    }
    for (const c of children) if (c !== null && c !== undefined) node.append(c);
    return node;
  }

  function svg(tag, attrs) {
    const node = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
    return node;
  }

  /** A horizontal bar whose width is set through the CSSOM (inline style attributes are blocked by the CSP). */
  function bar(share, label) {
    const fill = el('span', { class: 'bar-fill' });
    fill.style.width = `${Math.max(0, Math.min(100, share * 100)).toFixed(2)}%`;
    return el('span', { class: 'bar', role: 'presentation', title: label }, fill);
  }

  function theme() {
    const c = document.body.classList;
    return c.contains('vscode-high-contrast-light') ? 'high-contrast-light' : c.contains('vscode-high-contrast') ? 'high-contrast' : c.contains('vscode-light') ? 'light' : 'dark';
  }

  // ---- rendering ----

  function render() {
    const s = state;
    if (!s) return;
    const r = s.good;
    $('file').textContent = r
      ? `${s.fileName} · data view ${r.dataView.id} · ${r.elapsedMs < 10 ? r.elapsedMs.toFixed(1) : Math.round(r.elapsedMs)} ms`
      : '';
    $('title').textContent = r ? r.title || r.filterId : s.fileName || 'Audience preview';
    const busy = $('busy');
    busy.hidden = !s.pending;
    busy.textContent = s.progress ? progressText(s.progress) : 'evaluating…';
    document.body.setAttribute('aria-busy', s.pending ? 'true' : 'false');

    // With a last good result the page is stale; without one (first open) there is nothing stale: only the errors.
    const banner = $('stale');
    banner.hidden = !(s.stale && s.good);
    if (s.stale && s.good) banner.textContent = `Stale — the filter has ${s.stale.errors} error${s.stale.errors === 1 ? '' : 's'}. Showing the last good result; fix ${s.stale.errors === 1 ? 'it' : 'them'} to update the preview.`;
    renderErrors(s);
    const notice = $('notice');
    notice.hidden = !s.unavailable;
    if (s.unavailable) notice.textContent = s.unavailable;
    document.body.classList.toggle('is-stale', !!s.stale);
    const truncated = $('truncated');
    truncated.hidden = !(r && r.truncated);
    if (r && r.truncated) truncated.textContent = `Only the first ${fmt.format(r.truncated.rowLimit)} events of data view ${r.dataView.id} were loaded (setting audienceFilters.preview.sampleRowLimit): all counts are of those events.`;

    $('result').hidden = !r;
    if (r) {
      renderCounts(r);
      renderGauge(r);
      renderMetrics(r);
      renderReturns(r);
      renderNamespaces(r);
      renderSteps(r);
      renderPerDay(r);
      renderBreakdown(r);
      renderSample(r);
      $('footer').textContent = `Data view ${r.dataView.title ? `${r.dataView.title} (${r.dataView.id})` : r.dataView.id}` +
        `${r.truncated ? `, first ${fmt.format(r.truncated.rowLimit)} events` : ''}` +
        `${r.window ? ` · ${r.windowSource === 'range' ? 'one-time range' : 'window'} ${windowText(r.window)}${r.anchor ? ` (to ${r.anchor.kind === 'today' ? 'today' : 'the newest event'}, ${r.anchor.date})` : ''}` : ''}` +
        ` · evaluated in ${r.elapsedMs < 10 ? r.elapsedMs.toFixed(1) : Math.round(r.elapsedMs)} ms${r.warm ? '' : ' (dataset loaded)'}` +
        `${r.loadWarnings ? ` · ${fmt.format(r.loadWarnings)} data warning${r.loadWarnings === 1 ? '' : 's'}` : ''}` +
        ` · ${new Date(r.evaluatedAt).toLocaleTimeString()}`;
    }
    renderExplanation();
    report();
  }

  function windowText(w) {
    const whole = (t) => t.endsWith('T00:00:00.000Z');
    const show = (t) => (whole(w.from) && whole(w.to) ? t.slice(0, 10) : t.replace('.000Z', 'Z'));
    return `${show(w.from)} … ${show(w.to)}`;
  }

  /** The file's errors, each a link to its place; shown whenever the filter cannot be evaluated. */
  function renderErrors(s) {
    const section = $('errors-section');
    const list = $('errors');
    const diagnostics = (s.stale && s.stale.diagnostics) || [];
    section.hidden = !s.stale;
    list.replaceChildren();
    if (!s.stale) return;
    const n = s.stale.errors;
    $('h-errors').textContent = s.good
      ? `${n} error${n === 1 ? '' : 's'}`
      : `${n} error${n === 1 ? '' : 's'} — nothing to preview until ${n === 1 ? 'it is' : 'they are'} fixed`;
    for (const d of diagnostics) {
      const where = `line ${d.range.start.line + 1}, column ${d.range.start.character + 1}`;
      list.append(el('li', {},
        el('button', { type: 'button', class: 'link error-link', title: 'Show in the editor', 'aria-label': `${d.code} at ${where}: ${d.message}. Show in the editor.`, onclick: () => vscode.postMessage({ type: 'revealRange', range: d.range }) }, where),
        el('code', { class: 'error-code', text: d.code }),
        el('span', { class: 'error-message', text: d.message })));
    }
    if (n > diagnostics.length) list.append(el('li', { class: 'muted', text: `… and ${fmt.format(n - diagnostics.length)} more (Problems view)` }));
  }

  function renderGauge(r) {
    const g = r.gauge;
    const box = $('gauge');
    box.replaceChildren();
    const track = el('span', { class: `gauge-track state-${g.state}`, role: 'meter', 'aria-valuemin': 0, 'aria-valuemax': g.limit, 'aria-valuenow': g.size, 'aria-label': `Audience size: ${people(g.size)} of the ${fmt.format(g.limit)} limit` });
    const fill = el('span', { class: 'gauge-fill' });
    // At least a sliver, so a sample-sized audience still shows where it stands.
    fill.style.width = `${Math.min(100, Math.max(g.size > 0 ? 0.5 : 0, g.share * 100)).toFixed(2)}%`;
    const mark = el('span', { class: 'gauge-mark', title: `warning from ${fmt.format(g.warningAt)} people` });
    mark.style.left = `${((100 * g.warningAt) / g.limit).toFixed(2)}%`;
    track.append(fill, mark);
    const state = g.state === 'over' ? 'over the limit' : g.state === 'warning' ? 'near the limit' : 'within the limit';
    box.append(el('div', { class: 'gauge-text' },
      el('span', { class: 'gauge-figure', text: `${people(g.size)} of the ${fmt.format(g.limit)} ${g.limitSource === 'endpoint' ? 'endpoint' : 'profile store'} limit (${percent(g.share)})` }),
      el('span', { class: `gauge-state state-${g.state}`, text: state })), track);
    $('gauge-note').textContent = `The gauge warns from ${people(g.warningAt)} (80% of the limit).`;
  }

  function metricRow(r, m) {
    return el('tr', { class: m.pinned ? 'pinned' : '' },
      el('th', { scope: 'row', title: m.name, text: m.name }),
      el('td', { class: 'num metric-audience', text: figure(m.audience) }),
      el('td', { class: 'num metric-total', text: figure(m.total) }),
      el('td', { class: 'num metric-share', text: percent(m.share) }),
      el('td', { class: 'pin' }, el('button', { type: 'button', class: 'link pin-button', 'aria-pressed': m.pinned ? 'true' : 'false', title: m.pinned ? 'Unpin this metric' : 'Pin this metric (shown first, for this filter)', 'aria-label': `${m.pinned ? 'Unpin' : 'Pin'} ${m.name}`, onclick: () => vscode.postMessage({ type: 'pin', metric: m.name }) }, m.pinned ? 'unpin' : 'pin')));
  }

  function renderMetrics(r) {
    const section = $('metrics-section');
    section.hidden = !r.metrics.length;
    const pinned = r.metrics.filter((m) => m.pinned);
    const shown = pinned.length ? pinned : r.metrics;
    const rest = pinned.length ? r.metrics.filter((m) => !m.pinned) : [];
    $('metrics').replaceChildren(...shown.map((m) => metricRow(r, m)));
    $('metrics-more').replaceChildren(...rest.map((m) => metricRow(r, m)));
    $('more-metrics').hidden = !rest.length;
    $('more-metrics-summary').textContent = `${rest.length} more metric${rest.length === 1 ? '' : 's'} of the data view`;
  }

  function renderReturns(r) {
    const body = $('returns');
    body.replaceChildren();
    $('returns-section').hidden = !r.returns.length;
    for (const h of r.returns) {
      body.append(el('tr', {},
        el('th', { scope: 'row', text: `${h.days} days` }),
        el('td', { class: 'num return-share', text: percent(h.share) }),
        el('td', { class: 'num return-expected', text: h.expected === null ? '–' : `≈ ${people(h.expected)}` }),
        el('td', { class: 'num muted', title: h.eligible ? `${h.returned} of the ${h.eligible} people watched ${h.days} days came back` : `no matched person qualified ${h.days} days before the newest event`, text: h.eligible ? `${h.returned} of ${fmt.format(h.eligible)}` : 'too recent' })));
    }
  }

  function progressText(p) {
    const share = p.totalBytes ? ` ${Math.round((100 * p.bytesRead) / p.totalBytes)}%` : '';
    return `loading sample data of ${p.dataView}…${share} (${fmt.format(p.rows)} rows)`;
  }

  function renderCounts(r) {
    for (const unit of ['people', 'sessions', 'events']) {
      const card = $(`count-${unit}`);
      const a = r.matched[unit];
      const b = r.total[unit];
      card.querySelector('.value').textContent = fmt.format(a);
      card.querySelector('.share').textContent = pct(a, b);
      card.querySelector('.of').textContent = `of ${fmt.format(b)}`;
      const old = card.querySelector('.bar');
      old.replaceWith(bar(b ? a / b : 0, `${pct(a, b)} of ${unit}`));
    }
  }

  function renderNamespaces(r) {
    const body = $('namespaces');
    body.replaceChildren();
    const entries = Object.entries(r.namespaces).sort((a, b) => b[1] - a[1]);
    if (!entries.length) body.append(el('tr', {}, el('td', { colspan: 3, class: 'muted', text: 'No matched people.' })));
    for (const [ns, n] of entries) {
      body.append(el('tr', {}, el('th', { scope: 'row', text: ns }), el('td', { class: 'num', text: fmt.format(n) }), el('td', { class: 'barcell' }, el('div', { class: 'barwrap' }, el('span', { class: 'pct', text: pct(n, r.matched.people) }), bar(r.matched.people ? n / r.matched.people : 0, pct(n, r.matched.people))))));
    }
  }

  function renderSteps(r) {
    const list = $('steps');
    list.replaceChildren();
    $('steps-section').hidden = !r.steps.length;
    const top = r.total.people || 1;
    r.steps.forEach((s, i) => {
      const prev = i === 0 ? r.total.people : r.steps[i - 1].people;
      const drop = prev - s.people;
      // The step as written: its join and gap stay with it (`then within 30 minutes …`).
      const label = `${s.join ? `${s.join} ` : ''}${s.gap ? `${s.gap} ` : ''}${s.label}`;
      const conversion = `${percent(s.conversion)} ${i === 0 ? 'of all people' : `of step ${i}`}`;
      list.append(el('li', {},
        el('button', { class: 'step link', type: 'button', title: 'Show this clause in the editor', 'aria-label': `Step ${i + 1}: ${label}, ${people(s.people)}, ${conversion}. Show in editor.`, onclick: () => vscode.postMessage({ type: 'reveal', start: s.start, end: s.end }) },
          el('span', { class: 'step-label' }, el('span', { class: 'step-no', text: `${i + 1}` }), el('code', { text: label }))),
        el('span', { class: 'step-figures' }, el('span', { class: 'num', text: people(s.people) }), el('span', { class: 'muted', text: ` · ${conversion}` }), drop > 0 && i > 0 ? el('span', { class: 'drop', text: ` −${fmt.format(drop)}` }) : null),
        bar(s.people / top, `${pct(s.people, r.total.people)} of all people`)));
    });
  }

  function renderPerDay(r) {
    const box = $('perday');
    box.replaceChildren();
    const days = r.perDay;
    if (!days.length) {
      box.append(el('p', { class: 'muted', text: 'No matched people on any day.' }));
      return;
    }
    // Fill the gaps so the x axis is time, not just the days that have people.
    const DAY = 86400000;
    const first = Date.parse(days[0].day);
    const last = Date.parse(days[days.length - 1].day);
    const byDay = new Map(days.map((d) => [d.day, d.people]));
    const series = [];
    for (let t = first; t <= last; t += DAY) {
      const day = new Date(t).toISOString().slice(0, 10);
      series.push({ day, people: byDay.get(day) || 0 });
    }
    const max = Math.max(...series.map((d) => d.people), 1);
    // Drawn at the box's pixel width, so text stays at the theme's size (redrawn on resize).
    const W = Math.max(240, box.clientWidth || 600), H = 150, L = 40, B = 18, T = 8;
    const bw = (W - L) / series.length;
    const chart = svg('svg', { viewBox: `0 0 ${W} ${H}`, width: W, height: H, class: 'chart', role: 'img', 'aria-label': `Matched people per day, ${series[0].day} to ${series[series.length - 1].day}, at most ${max} on one day` });
    const y = (v) => T + (H - B - T) * (1 - v / max);
    for (const v of [0, max]) {
      chart.append(svg('line', { x1: L, x2: W, y1: y(v), y2: y(v), class: 'grid' }));
      const label = svg('text', { x: L - 4, y: y(v) + 4, 'text-anchor': 'end', class: 'axis' });
      label.textContent = fmt.format(v);
      chart.append(label);
    }
    series.forEach((d, i) => {
      const rect = svg('rect', { x: L + i * bw + bw * 0.1, y: y(d.people), width: Math.max(bw * 0.8, 0.5), height: Math.max(H - B - y(d.people), 0), class: 'col' });
      const tip = svg('title', {});
      tip.textContent = `${d.day}: ${fmt.format(d.people)} people`;
      rect.append(tip);
      chart.append(rect);
    });
    for (const [i, anchor] of [[0, 'start'], [series.length - 1, 'end']]) {
      const label = svg('text', { x: anchor === 'start' ? L : W, y: H - 4, 'text-anchor': anchor, class: 'axis' });
      label.textContent = series[i].day;
      chart.append(label);
    }
    box.append(chart);
  }

  function renderBreakdown(r) {
    const select = /** @type {HTMLSelectElement} */ ($('dimension'));
    const want = r.breakdown ? r.breakdown.dimension : '';
    const options = r.dimensions.join('\n');
    if (select.dataset.options !== options) {
      select.replaceChildren(...r.dimensions.map((d) => el('option', { value: d, text: d })));
      select.dataset.options = options;
    }
    if (want && select.value !== want && document.activeElement !== select) select.value = want;
    const body = $('breakdown');
    body.replaceChildren();
    if (!r.breakdown) return;
    const b = r.breakdown;
    for (const v of b.values) {
      body.append(el('tr', {}, el('th', { scope: 'row', title: v.value, text: v.value }), el('td', { class: 'num', text: fmt.format(v.people) }), el('td', { class: 'barcell' }, el('div', { class: 'barwrap' }, el('span', { class: 'pct', text: pct(v.people, r.matched.people) }), bar(r.matched.people ? v.people / r.matched.people : 0, pct(v.people, r.matched.people))))));
    }
    const more = [];
    if (b.distinctValues > b.values.length) more.push(`${fmt.format(b.distinctValues - b.values.length)} more values`);
    if (b.missingPeople) more.push(`${fmt.format(b.missingPeople)} people without a value`);
    if (!b.values.length) more.push('No values among the matched events.');
    $('breakdown-note').textContent = more.join(' · ');
  }

  function renderSample(r) {
    const query = /** @type {HTMLInputElement} */ ($('search')).value.trim().toLowerCase();
    const list = $('sample');
    list.replaceChildren();
    const shown = r.sample.filter((i) => !query || `${i.namespace}:${i.id}`.toLowerCase().includes(query));
    for (const i of shown) {
      list.append(el('li', {}, el('button', { type: 'button', class: 'identity', title: 'Explain this person', 'aria-label': `Explain ${i.namespace} ${i.id}`, onclick: () => vscode.postMessage({ type: 'explain', person: i }) }, el('span', { class: 'ns', text: i.namespace }), el('span', { class: 'id', text: i.id }))));
    }
    $('sample-note').textContent = `${fmt.format(shown.length)} shown of the first ${fmt.format(r.sample.length)} of ${fmt.format(r.matched.people)} matched people`;
  }

  function renderExplanation() {
    const section = $('explain-section');
    const box = $('explain');
    const e = explanation;
    section.hidden = !e;
    if (!e) return;
    box.replaceChildren();
    if (e.pending) {
      box.append(el('p', { class: 'muted', text: `Explaining ${e.person.namespace}:${e.person.id}…` }));
      return;
    }
    if (e.error) {
      box.append(el('p', { class: 'warning', text: e.error }));
      return;
    }
    const x = e.explanation;
    const badge = !x.found ? ['unknown', 'unknown person'] : x.verdict === 'member' ? ['ok', 'member'] : ['no', 'not a member'];
    box.append(el('p', { class: 'verdict' }, el('span', { class: `badge ${badge[0]}`, text: badge[1] }), el('span', { text: ` ${x.summary}` })));
    if (x.steps.length) {
      const steps = el('ol', { class: 'explain-steps' });
      for (const s of x.steps) {
        const icon = s.status === 'matched' ? '✓' : s.status === 'failed' ? '✗' : '○';
        steps.append(el('li', { class: `st-${s.status.replace(' ', '-')}` }, el('span', { class: 'icon', 'aria-hidden': 'true', text: icon }), el('code', { text: s.label }), el('span', { class: 'muted', text: ` ${s.exclude ? (s.status === 'matched' ? 'holds' : s.status === 'failed' ? 'does not hold' : s.status) : s.status}${s.time ? ` at ${s.time.replace('T', ' ').slice(0, 19)}` : ''}` }), s.reason ? el('div', { class: 'reason', text: s.reason }) : null));
      }
      box.append(steps);
    }
    if (x.timeline.length) {
      const fields = [...new Set(x.timeline.flatMap((t) => Object.keys(t.values)))];
      const head = el('tr', {}, el('th', { scope: 'col', text: 'time (UTC)' }), el('th', { scope: 'col', text: 'session' }), ...fields.map((f) => el('th', { scope: 'col', text: f })), el('th', { scope: 'col', text: 'returned' }));
      const rows = x.timeline.slice(0, 500).map((t) => {
        const matchedBy = x.steps.filter((s) => s.events.includes(t.index)).map((s) => s.label);
        return el('tr', { class: t.returned ? 'returned' : '', title: matchedBy.length ? `matched: ${matchedBy.join('; ')}` : undefined },
          el('td', { text: t.time.replace('T', ' ').slice(0, 19) }), el('td', { class: 'num', text: String(t.session) }),
          ...fields.map((f) => el('td', { text: t.values[f] === null || t.values[f] === undefined ? '—' : String(t.values[f]) })),
          el('td', { class: 'returned-mark', text: t.returned ? '✓' : '', 'aria-label': t.returned ? 'returned' : 'not returned' }));
      });
      box.append(el('div', { class: 'scroll' }, el('table', { class: 'timeline' }, el('thead', {}, head), el('tbody', {}, ...rows))));
      if (x.timeline.length > 500) box.append(el('p', { class: 'muted', text: `First 500 of ${fmt.format(x.timeline.length)} events.` }));
    }
  }

  let scrolledTo;

  /** Tells the extension what is on screen, read back from the DOM. */
  function report() {
    const read = (unit) => Number(($(`count-${unit}`).querySelector('.value').textContent || '').replace(/[^0-9]/g, ''));
    const r = state && state.good;
    vscode.postMessage({
      type: 'rendered',
      uri: state ? state.uri : undefined,
      version: r ? r.version : undefined,
      matched: r && !$('result').hidden ? { people: read('people'), sessions: read('sessions'), events: read('events') } : null,
      metrics: r && !$('result').hidden ? [...document.querySelectorAll('#metrics tr, #metrics-more tr')].map((tr) => ({
        name: tr.querySelector('th').textContent,
        audience: tr.querySelector('.metric-audience').textContent,
        total: tr.querySelector('.metric-total').textContent,
        share: tr.querySelector('.metric-share').textContent,
        pinned: tr.classList.contains('pinned'),
      })) : [],
      gauge: r && !$('result').hidden ? { text: $('gauge').querySelector('.gauge-figure').textContent, state: $('gauge').querySelector('.gauge-track').className.replace('gauge-track state-', '') } : null,
      returns: r && !$('result').hidden ? [...document.querySelectorAll('#returns tr')].map((tr) => ({ days: parseInt(tr.querySelector('th').textContent, 10), share: tr.querySelector('.return-share').textContent, expected: tr.querySelector('.return-expected').textContent })) : [],
      steps: r && !$('result').hidden ? [...document.querySelectorAll('#steps li')].map((li) => ({ label: li.querySelector('code').textContent, figures: li.querySelector('.step-figures').textContent })) : [],
      errors: $('errors-section').hidden ? [] : [...document.querySelectorAll('#errors li')].filter((li) => li.querySelector('.error-code')).map((li) => ({ code: li.querySelector('.error-code').textContent, message: li.querySelector('.error-message').textContent, link: li.querySelector('.error-link').textContent })),
      scrolledTo,
      stale: !$('stale').hidden,
      pending: !$('busy').hidden,
      theme: theme(),
    });
  }

  // ---- events ----

  window.addEventListener('message', (event) => {
    const m = event.data;
    if (m.type === 'state') {
      state = m.state;
      render();
    } else if (m.type === 'pending') {
      if (state) {
        state.pending = true;
        const busy = $('busy');
        busy.hidden = false;
        busy.textContent = 'evaluating…';
        document.body.setAttribute('aria-busy', 'true');
        report();
      }
    } else if (m.type === 'progress') {
      if (state) {
        state.progress = m.progress;
        $('busy').textContent = progressText(m.progress);
      }
    } else if (m.type === 'scrollTo') {
      const target = document.getElementById(m.section);
      if (target) target.scrollIntoView({ block: 'start' });
      scrolledTo = target ? m.section : undefined;
      report();
    } else if (m.type === 'explanation') {
      explanation = m.explanation;
      renderExplanation();
      if (explanation && !explanation.pending) $('explain-section').scrollIntoView({ block: 'start' });
    }
  });

  let chartWidth = 0;
  new ResizeObserver(() => {
    const width = $('perday').clientWidth;
    if (width === chartWidth) return;
    chartWidth = width;
    if (state && state.good) renderPerDay(state.good);
  }).observe($('perday'));
  $('search').addEventListener('input', () => state && state.good && renderSample(state.good));
  $('dimension').addEventListener('change', (e) => vscode.postMessage({ type: 'breakdown', dimension: /** @type {HTMLSelectElement} */ (e.target).value }));
  $('close-explain').addEventListener('click', () => {
    explanation = null;
    renderExplanation();
  });
  // The theme changes by a class on <body>: report again, so a test can wait for the new theme to be painted.
  let painted = theme();
  new MutationObserver(() => {
    if (theme() === painted) return;
    painted = theme();
    report();
  }).observe(document.body, { attributes: true, attributeFilter: ['class'] });

  vscode.postMessage({ type: 'ready' });
})();
