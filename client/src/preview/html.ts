import { randomBytes } from 'crypto';
import * as vscode from 'vscode';

/**
 * The preview page: static markup that `media/preview/preview.js` fills in. Nothing remote; the
 * CSP allows only our stylesheet and our script (by nonce).
 */
export function previewHtml(webview: vscode.Webview, mediaRoot: vscode.Uri): string {
  const nonce = randomBytes(16).toString('base64');
  const css = webview.asWebviewUri(vscode.Uri.joinPath(mediaRoot, 'preview.css'));
  const js = webview.asWebviewUri(vscode.Uri.joinPath(mediaRoot, 'preview.js'));
  const csp = [`default-src 'none'`, `style-src ${webview.cspSource}`, `img-src ${webview.cspSource} data:`, `script-src 'nonce-${nonce}'`].join('; ');
  const count = (unit: string) => `
      <div class="card" id="count-${unit}" role="group" aria-label="Matched ${unit}">
        <div class="card-label">${unit}</div>
        <div class="value" aria-live="polite">–</div>
        <div><span class="share">–</span> <span class="of muted"></span></div>
        <span class="bar"></span>
      </div>`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${csp}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  <link rel="stylesheet" href="${css}">
  <title>Audience preview</title>
</head>
<body>
  <header>
    <div>
      <h1 id="title">Audience preview</h1>
      <div id="file" class="muted"></div>
    </div>
    <div id="busy" class="busy" role="status" hidden>evaluating…</div>
  </header>
  <div id="stale" class="banner" role="alert" hidden></div>
  <section id="errors-section" class="errors" aria-labelledby="h-errors" hidden>
    <h2 id="h-errors">Errors</h2>
    <ul id="errors"></ul>
  </section>
  <div id="notice" class="notice" role="status" hidden></div>
  <div id="truncated" class="notice" role="status" hidden></div>
  <main id="result" hidden>
    <section aria-labelledby="h-matched">
      <h2 id="h-matched" class="visually-hidden">Matched</h2>
      <div class="cards">${count('people')}${count('sessions')}${count('events')}
      </div>
    </section>
    <section id="gauge-section" aria-labelledby="h-gauge">
      <h2 id="h-gauge">Audience size</h2>
      <div id="gauge" class="gauge"></div>
      <p id="gauge-note" class="muted"></p>
    </section>
    <div class="columns">
      <section id="metrics-section" aria-labelledby="h-metrics">
        <h2 id="h-metrics">Metrics</h2>
        <table class="bars metrics">
          <thead><tr><th scope="col">metric</th><th scope="col" class="num">audience</th><th scope="col" class="num">data view</th><th scope="col" class="num">share</th><th scope="col"><span class="visually-hidden">pin</span></th></tr></thead>
          <tbody id="metrics"></tbody>
        </table>
        <details id="more-metrics" hidden><summary id="more-metrics-summary"></summary><table class="bars metrics"><tbody id="metrics-more"></tbody></table></details>
      </section>
      <section id="returns-section" aria-labelledby="h-returns">
        <h2 id="h-returns">Estimated return</h2>
        <table class="bars returns">
          <thead><tr><th scope="col">back within</th><th scope="col" class="num">share</th><th scope="col" class="num">members</th><th scope="col" class="num">basis</th></tr></thead>
          <tbody id="returns"></tbody>
        </table>
        <p class="muted">An estimate from the sample's history, not a forecast: of the matched people whose qualification (their first event the filter returns) lies at least that many days before the newest event, the share with a later session within those days.</p>
      </section>
    </div>
    <div class="columns">
      <section aria-labelledby="h-ns">
        <h2 id="h-ns">People per namespace</h2>
        <table class="bars"><thead><tr><th scope="col">namespace</th><th scope="col" class="num">people</th><th scope="col">share of matched people</th></tr></thead><tbody id="namespaces"></tbody></table>
      </section>
      <section id="steps-section" aria-labelledby="h-steps">
        <h2 id="h-steps">Waterfall</h2>
        <ol id="steps" class="steps"></ol>
      </section>
    </div>
    <section aria-labelledby="h-day">
      <h2 id="h-day">Matched people per day</h2>
      <div id="perday"></div>
    </section>
    <div class="columns">
      <section aria-labelledby="h-breakdown">
        <h2 id="h-breakdown">Breakdown by <label class="visually-hidden" for="dimension">dimension</label><select id="dimension"></select></h2>
        <table class="bars"><thead><tr><th scope="col">value</th><th scope="col" class="num">people</th><th scope="col">share of matched people</th></tr></thead><tbody id="breakdown"></tbody></table>
        <p id="breakdown-note" class="muted"></p>
      </section>
      <section aria-labelledby="h-sample">
        <h2 id="h-sample">Sample identities</h2>
        <input id="search" type="search" placeholder="Search identities" aria-label="Search sample identities">
        <p id="sample-note" class="muted"></p>
        <ul id="sample" class="sample"></ul>
      </section>
    </div>
    <footer id="footer" class="muted"></footer>
  </main>
  <section id="explain-section" aria-labelledby="h-explain" hidden>
    <h2 id="h-explain">Explain <button id="close-explain" type="button" class="link" aria-label="Close the explanation">close</button></h2>
    <div id="explain"></div>
  </section>
  <script nonce="${nonce}" src="${js}"></script>
</body>
</html>`;
}
