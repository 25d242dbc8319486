// Event-driven waits for the integration suite: no sleeps. A wait checks its condition at once, again on every
// event that can change it, and fails with what it last saw when the timeout passes.
import * as vscode from 'vscode';

/**
 * Resolves with the first truthy value `check` returns, re-checking on each of `events` (and, for state that
 * changes without an event, every `recheckMs` if given); rejects after `timeoutMs` with `describe()`.
 */
export function waitFor<T>(
  check: () => T | undefined | Promise<T | undefined>,
  options: { events: vscode.Event<unknown>[]; timeoutMs: number; describe: () => string; recheckMs?: number },
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    let checking = false;
    let again = false;
    const subscriptions: vscode.Disposable[] = [];
    const finish = (f: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (interval) clearInterval(interval);
      for (const s of subscriptions) s.dispose();
      f();
    };
    // Checks may be async (commands): run one at a time, and once more if an event came in meanwhile.
    const evaluate = async (): Promise<void> => {
      if (settled) return;
      if (checking) { again = true; return; }
      checking = true;
      try {
        do {
          again = false;
          const value = await check();
          if (value) { finish(() => resolve(value)); return; }
        } while (again && !settled);
      } catch (e) {
        finish(() => reject(e));
      } finally {
        checking = false;
      }
    };
    const timer = setTimeout(
      () => finish(() => reject(new Error(`timed out after ${options.timeoutMs} ms: ${options.describe()}`))),
      options.timeoutMs,
    );
    const interval = options.recheckMs ? setInterval(() => void evaluate(), options.recheckMs) : undefined;
    for (const event of options.events) subscriptions.push(event(() => void evaluate()));
    void evaluate();
  });
}

const show = (ds: readonly vscode.Diagnostic[]) =>
  JSON.stringify(ds.map(d => ({ code: d.code, source: d.source, message: d.message, range: d.range })));

/** Resolves with the diagnostics of `uri` once `predicate` accepts them. */
export function waitForDiagnostics(
  uri: vscode.Uri,
  predicate: (diagnostics: vscode.Diagnostic[]) => boolean,
  timeoutMs: number,
): Promise<vscode.Diagnostic[]> {
  return waitFor(
    () => {
      const ds = vscode.languages.getDiagnostics(uri);
      return predicate(ds) ? ds : undefined;
    },
    {
      events: [vscode.languages.onDidChangeDiagnostics],
      timeoutMs,
      describe: () => `diagnostics of ${uri.toString()} still ${show(vscode.languages.getDiagnostics(uri))}`,
    },
  );
}

/**
 * Resolves once some diagnostics collection has published for `uri`, even an empty list: VS Code lists a
 * URI whose collection entry was set to `[]`, but not one that was never published, in `getDiagnostics()`.
 */
export function waitForPublished(uri: vscode.Uri, timeoutMs: number): Promise<vscode.Diagnostic[]> {
  const key = uri.toString();
  return waitFor(
    () => vscode.languages.getDiagnostics().find(([u]) => u.toString() === key)?.[1],
    {
      events: [vscode.languages.onDidChangeDiagnostics],
      timeoutMs,
      describe: () => `nothing published for ${key}`,
    },
  );
}
