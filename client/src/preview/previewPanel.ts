import * as vscode from 'vscode';
import type { ExplainResult, LoadProgressParams, PreviewCounts, PreviewError, PreviewEvaluation, PreviewIdentity, PreviewResult } from '../../../server/src/protocol';
import type { MetricPins } from './metricPins';
import type { FilterServer } from './filterServer';
import { isFilterDocument } from './filterServer';
import { previewHtml } from './html';

/** What the webview last reported having rendered: numbers read back from its DOM. */
export interface RenderedReport {
  uri?: string;
  version?: number;
  matched: PreviewCounts | null;
  /** Metric rows shown: name, audience and total figures and share (%) as rendered, pinned or not. */
  metrics?: Array<{ name: string; audience: string; total: string; share: string; pinned: boolean }>;
  /** The size gauge as rendered: its text and state. */
  gauge?: { text: string; state: string } | null;
  /** Estimated return rows as rendered: days, share text, expected people text. */
  returns?: Array<{ days: number; share: string; expected: string }>;
  /** Waterfall step labels and figures as rendered. */
  steps?: Array<{ label: string; figures: string }>;
  /** The section the panel last scrolled to on request (`scrollTo`). */
  scrolledTo?: string;
  /** The errors listed (code, message, link text). */
  errors?: Array<{ code: string; message: string; link: string }>;
  stale: boolean;
  pending: boolean;
  theme: string;
}

/** The state the webview renders; it is sent whole, so a re-created webview shows the same thing. */
interface PanelState {
  uri: string;
  fileName: string;
  good?: PreviewEvaluation;
  stale?: { errors: number; message: string; diagnostics: PreviewError[] };
  unavailable?: string;
  pending: boolean;
  progress?: LoadProgressParams;
}

type ExplanationState =
  | { pending: true; person: PreviewIdentity }
  | { pending: false; person: PreviewIdentity; explanation?: ExplainResult & { status: 'ok' }; error?: string };

type WebviewMessage =
  | { type: 'ready' }
  | ({ type: 'rendered' } & RenderedReport)
  | { type: 'breakdown'; dimension: string }
  | { type: 'explain'; person: PreviewIdentity }
  | { type: 'reveal'; start: number; end: number }
  | { type: 'revealRange'; range: PreviewError['range'] }
  | { type: 'pin'; metric: string };

const SAMPLE_SIZE = 200;

/**
 * The preview beside the editor: one panel that shows the active filter file, re-evaluated as
 * you type (debounced by `audienceFilters.preview.debounceMs`; a newer edit cancels the request
 * of an older one). When the file has errors, the last good result stays, marked stale.
 */
export class PreviewPanel implements vscode.Disposable {
  private panel?: vscode.WebviewPanel;
  private document?: vscode.TextDocument;
  private good?: PreviewEvaluation;
  private stale?: PanelState['stale'];
  private unavailable?: string;
  private pending = false;
  private progress?: LoadProgressParams;
  private explanation?: ExplanationState;
  private breakdown?: string;
  private ready = false;
  private timer?: NodeJS.Timeout;
  private request?: vscode.CancellationTokenSource;
  private explainRequest?: vscode.CancellationTokenSource;
  private rendered?: RenderedReport;
  private readonly renderedEmitter = new vscode.EventEmitter<RenderedReport>();
  private readonly disposables: vscode.Disposable[] = [];

  /** Fires on every report from the webview (after each render and on theme changes). */
  readonly onDidRender = this.renderedEmitter.event;

  constructor(
    private readonly mediaRoot: vscode.Uri,
    private readonly server: FilterServer,
    private readonly onResult: (uri: vscode.Uri, result: PreviewResult) => void,
    private readonly pins?: MetricPins,
  ) {
    this.disposables.push(
      vscode.workspace.onDidChangeTextDocument(e => {
        if (!this.panel || !this.document || e.contentChanges.length === 0) return;
        // The shown filter, or a file it may depend on (its data view, a referenced filter).
        if (e.document === this.document || e.document.languageId.startsWith('audience-')) this.schedule();
      }),
      vscode.window.onDidChangeActiveTextEditor(editor => {
        if (this.panel && editor && isFilterDocument(editor.document) && editor.document !== this.document) this.follow(editor.document);
      }),
      vscode.workspace.onDidCloseTextDocument(doc => {
        if (doc === this.document) this.document = undefined;
      }),
      // Settings the server evaluates with: the sample's row limit and the default data view.
      vscode.workspace.onDidChangeConfiguration(e => {
        if (!this.panel || !this.document) return;
        if (['audienceFilters.preview.sampleRowLimit', 'audienceFilters.defaultDataView'].some(s => e.affectsConfiguration(s, this.document!.uri))) this.schedule();
      }),
    );
  }

  get lastRendered(): RenderedReport | undefined {
    return this.rendered;
  }

  get shownDocument(): vscode.TextDocument | undefined {
    return this.document;
  }

  /** Scrolls the panel to one of its sections (by element id), e.g. for a screenshot of it. */
  scrollTo(section: string): void {
    void this.post({ type: 'scrollTo', section });
  }

  /** Pins or unpins a metric of the shown filter (as the panel's pin buttons do) and re-evaluates. */
  async togglePin(metric: string): Promise<void> {
    if (!this.document || !this.pins) return;
    await this.pins.toggle(this.document.uri, metric);
    await this.evaluate();
  }

  /** The last good result of the document shown, if any. */
  get result(): PreviewEvaluation | undefined {
    return this.good;
  }

  /** Opens the panel beside the editor (or reveals it) on `document`, and evaluates it now. */
  show(document: vscode.TextDocument): void {
    if (!this.panel) this.createPanel();
    else this.panel.reveal(vscode.ViewColumn.Beside, true);
    this.follow(document);
  }

  /** Shows the explanation of one person in the panel's explain section. */
  async explain(document: vscode.TextDocument, person: PreviewIdentity): Promise<ExplainResult | undefined> {
    if (!this.panel || this.document !== document) this.show(document);
    this.explainRequest?.cancel();
    const cts = (this.explainRequest = new vscode.CancellationTokenSource());
    this.setExplanation({ pending: true, person });
    try {
      const result = await this.server.explain({ uri: document.uri.toString(), person }, cts.token);
      if (cts !== this.explainRequest) return result;
      if (result.status === 'ok') this.setExplanation({ pending: false, person, explanation: result });
      else this.setExplanation({ pending: false, person, error: result.message });
      return result;
    } catch (e) {
      if (cts === this.explainRequest) this.setExplanation({ pending: false, person, error: errorMessage(e) });
      return undefined;
    }
  }

  /** Progress of a dataset load the server reports; shown while the shown filter is pending. */
  loadProgress(p: LoadProgressParams): void {
    if (!this.document || p.uri !== this.document.uri.toString()) return;
    this.progress = p.done ? undefined : p;
    if (this.pending && this.progress) void this.post({ type: 'progress', progress: this.progress });
  }

  private createPanel(): void {
    const panel = vscode.window.createWebviewPanel('audienceFilters.preview', 'Audience Preview', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, {
      enableScripts: true,
      localResourceRoots: [this.mediaRoot],
    });
    this.panel = panel;
    this.ready = false;
    panel.webview.html = previewHtml(panel.webview, this.mediaRoot);
    panel.webview.onDidReceiveMessage((m: WebviewMessage) => this.receive(m), undefined, this.disposables);
    panel.onDidDispose(() => {
      if (this.panel !== panel) return;
      this.panel = undefined;
      this.ready = false;
      this.explanation = undefined;
      this.rendered = undefined;
      clearTimeout(this.timer);
      this.request?.cancel();
      this.explainRequest?.cancel();
    }, undefined, this.disposables);
  }

  private follow(document: vscode.TextDocument): void {
    if (document !== this.document) {
      this.document = document;
      this.good = undefined;
      this.stale = undefined;
      this.unavailable = undefined;
      this.explanation = undefined;
      this.pending = true;
      this.postState();
      void this.post({ type: 'explanation', explanation: null });
    }
    if (this.panel) this.panel.title = `Preview ${basename(document.uri)}`;
    void this.evaluate();
  }

  private schedule(): void {
    clearTimeout(this.timer);
    if (!this.document) return;
    const delay = vscode.workspace.getConfiguration('audienceFilters.preview', this.document.uri).get<number>('debounceMs', 150);
    // Show "evaluating…" at once; the request goes out when typing pauses.
    this.request?.cancel();
    this.setPending();
    this.timer = setTimeout(() => void this.evaluate(), Math.max(0, delay));
  }

  private async evaluate(): Promise<void> {
    clearTimeout(this.timer);
    const document = this.document;
    if (!document || !this.panel) return;
    this.request?.cancel();
    const cts = (this.request = new vscode.CancellationTokenSource());
    this.progress = undefined;
    this.setPending();
    let result: PreviewResult;
    try {
      result = await this.server.preview({ uri: document.uri.toString(), breakdown: this.breakdown, sampleSize: SAMPLE_SIZE, pinnedMetrics: this.pins?.get(document.uri) ?? [] }, cts.token);
    } catch (e) {
      if (cts !== this.request || cts.token.isCancellationRequested) return;
      this.pending = false;
      this.unavailable = errorMessage(e);
      this.postState();
      return;
    }
    // A newer edit, another document or a closed panel made this answer moot.
    if (cts !== this.request || document !== this.document || result.status === 'cancelled') return;
    this.pending = false;
    this.progress = undefined;
    if (result.status === 'ok') {
      this.good = result;
      this.stale = undefined;
      this.unavailable = undefined;
    } else if (result.status === 'stale') {
      this.stale = { errors: result.errors, message: result.message, diagnostics: result.diagnostics ?? [] };
      this.unavailable = undefined;
    } else {
      this.unavailable = result.message;
      this.stale = undefined;
      this.good = undefined;
    }
    this.onResult(document.uri, result);
    this.postState();
  }

  private receive(m: WebviewMessage): void {
    switch (m.type) {
      case 'ready':
        this.ready = true;
        this.postState();
        if (this.explanation) void this.post({ type: 'explanation', explanation: this.explanation });
        break;
      case 'rendered': {
        const { type: _type, ...report } = m;
        this.rendered = report;
        this.renderedEmitter.fire(report);
        break;
      }
      case 'breakdown':
        this.breakdown = m.dimension;
        void this.evaluate();
        break;
      case 'explain':
        if (this.document) void this.explain(this.document, m.person);
        break;
      case 'reveal':
        if (this.document) void this.reveal(this.document, m.start, m.end);
        break;
      case 'revealRange':
        if (this.document) void this.revealRange(this.document, new vscode.Range(m.range.start.line, m.range.start.character, m.range.end.line, m.range.end.character));
        break;
      case 'pin':
        if (this.document && this.pins) void this.pins.toggle(this.document.uri, m.metric).then(() => this.evaluate());
        break;
    }
  }

  private async reveal(document: vscode.TextDocument, start: number, end: number): Promise<void> {
    await this.revealRange(document, new vscode.Range(document.positionAt(start), document.positionAt(end)));
  }

  private async revealRange(document: vscode.TextDocument, range: vscode.Range): Promise<void> {
    const visible = vscode.window.visibleTextEditors.find(e => e.document === document);
    const editor = await vscode.window.showTextDocument(document, { viewColumn: visible?.viewColumn ?? vscode.ViewColumn.One, selection: range });
    editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }

  /** "evaluating…" without re-rendering the last result (a full render costs more than the evaluation). */
  private setPending(): void {
    if (this.pending) return;
    this.pending = true;
    void this.post({ type: 'pending' });
  }

  private setExplanation(state: ExplanationState): void {
    this.explanation = state;
    void this.post({ type: 'explanation', explanation: state });
  }

  private postState(): void {
    if (!this.document) return;
    const state: PanelState = {
      uri: this.document.uri.toString(),
      fileName: vscode.workspace.asRelativePath(this.document.uri),
      good: this.good,
      stale: this.stale,
      unavailable: this.unavailable,
      pending: this.pending,
      progress: this.progress,
    };
    void this.post({ type: 'state', state });
  }

  private post(message: unknown): Thenable<boolean> | undefined {
    if (!this.panel || !this.ready) return undefined;
    return this.panel.webview.postMessage(message);
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.request?.cancel();
    this.explainRequest?.cancel();
    this.panel?.dispose();
    this.renderedEmitter.dispose();
    for (const d of this.disposables) d.dispose();
  }
}

function basename(uri: vscode.Uri): string {
  return uri.path.slice(uri.path.lastIndexOf('/') + 1);
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
