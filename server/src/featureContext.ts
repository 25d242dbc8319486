/**
 * What the editor-feature handlers share: the workspace (the parse cache), the latest parse of a
 * document (its pending debounced check is run first, so a request sees the text the client sent
 * before it) and sample values for completion and hover.
 */
import type { TextDocuments } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { DatasetCache } from '../../core/src/data/cache';
import type { DataView } from '../../core/src/dataview/model';
import { DatasetSampleValues } from '../../core/src/language/sampleValues';
import { TOKEN_MODIFIERS, TOKEN_TYPES } from '../../core/src/language/semanticTokens';
import type { Workspace, WorkspaceFile } from '../../core/src/workspace';
import { uriToKey } from './documents';

/** How long completion and hover wait for a data view's sample to load before answering without it. */
const SAMPLE_WAIT_MS = 500;

export interface FeatureContext {
  workspace: Workspace;
  documents: TextDocuments<TextDocument>;
  /** The current parse of an open document or a workspace file. */
  fileOf(uri: string): WorkspaceFile | undefined;
  samples: DatasetSampleValues;
  /**
   * Starts loading a data view's sample, with the row limit that applies to `uri` (the file asking),
   * and waits for it, briefly.
   */
  awaitSamples(dataView: DataView | undefined, uri: string): Promise<void>;
}

/**
 * `cache` is the server's one dataset cache, shared with the preview; `sampleRowLimit(uri)` is the
 * preview's row limit for a file, used here too so both load the same dataset.
 */
export function createFeatureContext(documents: TextDocuments<TextDocument>, workspace: Workspace, flushCheck: (uri: string) => void, cache: DatasetCache, sampleRowLimit: (uri: string) => Promise<number>): FeatureContext {
  /** Data view uri → the row limit of the last request for its samples. */
  const limits = new Map<string, number>();
  const samples = new DatasetSampleValues(
    dv => cache.get(dv, { maxRows: limits.get(dv.uri) }),
    dv => limits.get(dv.uri),
  );
  return {
    workspace,
    documents,
    samples,
    fileOf(uri: string) {
      flushCheck(uri);
      const key = uriToKey(uri);
      const doc = documents.get(uri);
      const file = workspace.get(key);
      // A document the debounced check has not seen yet (opened this instant): parse it now, once.
      if (doc && (!file || file.text !== doc.getText())) return workspace.set(key, doc.getText());
      return file;
    },
    async awaitSamples(dataView, uri) {
      if (!dataView) return;
      limits.set(dataView.uri, await sampleRowLimit(uri));
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([samples.ready(dataView), new Promise<void>(resolve => (timer = setTimeout(resolve, SAMPLE_WAIT_MS)))]);
      clearTimeout(timer);
    },
  };
}

/** The capabilities of the editor features, spread into the server's `InitializeResult`. */
export const FEATURE_CAPABILITIES = {
  completionProvider: { triggerCharacters: [' ', '"', '(', '['] },
  hoverProvider: true,
  definitionProvider: true,
  referencesProvider: true,
  renameProvider: { prepareProvider: true },
  documentFormattingProvider: true,
  documentRangeFormattingProvider: true,
  codeActionProvider: { codeActionKinds: ['quickfix'] },
  documentSymbolProvider: true,
  foldingRangeProvider: true,
  semanticTokensProvider: { legend: { tokenTypes: [...TOKEN_TYPES], tokenModifiers: [...TOKEN_MODIFIERS] }, full: true },
};
