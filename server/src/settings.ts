/**
 * The `audienceFilters` settings the server reads. They are `resource`-scoped (package.json), so
 * they are pulled from the client with `workspace/configuration` for a scope URI and cached until
 * `workspace/didChangeConfiguration`. A client that cannot answer gets the defaults.
 *
 * Two ways of reading: `forResource(uri)` (async, per file: the preview's row limit) and
 * `defaultDataViewFor(key)` (sync, per workspace folder: the workspace's data view resolution runs
 * inside synchronous checks, so folder values are fetched ahead with `refreshFolders`).
 */
import type { Connection } from 'vscode-languageserver/node';
import { keyToUri } from './documents';

export interface ResourceSettings {
  /** `audienceFilters.preview.sampleRowLimit`: most events loaded per data view for previews. */
  sampleRowLimit: number;
  /** `audienceFilters.defaultDataView`: data view id for filters without `dataview:` ('' for none). */
  defaultDataView: string;
  /**
   * `audienceFilters.data.allowedFolders`: folders outside the workspace sample files may come
   * from. Application-scoped (package.json), so a workspace's own settings cannot widen it.
   */
  allowedFolders: string[];
}

export const SETTINGS_SECTION = 'audienceFilters';
export const DEFAULT_SETTINGS: ResourceSettings = { sampleRowLimit: 1_000_000, defaultDataView: '', allowedFolders: [] };

/** Reads the section as the client sends it (nested objects; anything may be missing or null). */
export function parseSettings(raw: unknown): ResourceSettings {
  const section = isObject(raw) ? raw : {};
  const preview = isObject(section.preview) ? section.preview : {};
  const limit = preview.sampleRowLimit;
  const dataView = section.defaultDataView;
  const data = isObject(section.data) ? section.data : {};
  const allowed = Array.isArray(data.allowedFolders) ? data.allowedFolders.filter((f): f is string => typeof f === 'string' && f.trim() !== '') : [];
  return {
    allowedFolders: allowed.map(f => f.trim()),
    sampleRowLimit: typeof limit === 'number' && Number.isFinite(limit) && limit >= 1 ? Math.floor(limit) : DEFAULT_SETTINGS.sampleRowLimit,
    defaultDataView: typeof dataView === 'string' ? dataView.trim() : DEFAULT_SETTINGS.defaultDataView,
  };
}

export class SettingsStore {
  private readonly byScope = new Map<string, Promise<ResourceSettings>>();
  /** Folder key → its default data view; '' is the scope of files outside every folder. */
  private folderDefaults = new Map<string, string>();
  /** `audienceFilters.data.allowedFolders`, read with the folders' settings (see `refreshFolders`). */
  private allowed: string[] = [];

  /** `pull`: the client announced the `workspace.configuration` capability. */
  constructor(
    private readonly connection: Connection,
    private readonly pull: boolean,
  ) {}

  /** The settings for one file (a workspace key or URI), fetched once until the next change. */
  forResource(keyOrUri: string): Promise<ResourceSettings> {
    const scopeUri = keyOrUri ? keyToUri(keyOrUri) : '';
    let settings = this.byScope.get(scopeUri);
    if (!settings) {
      settings = this.fetch([scopeUri]).then(s => s[0]);
      this.byScope.set(scopeUri, settings);
    }
    return settings;
  }

  /**
   * Fetches the default data view of every folder (and of files outside them) in one request.
   * Resolves true when any value differs from before, i.e. filters must be checked again.
   */
  async refreshFolders(folderKeys: string[]): Promise<boolean> {
    const scopes = ['', ...folderKeys];
    const settings = await this.fetch(scopes.map(k => (k ? keyToUri(k) : '')));
    const next = new Map(scopes.map((k, i) => [k, settings[i].defaultDataView]));
    const allowed = settings[0].allowedFolders;
    const changed = next.size !== this.folderDefaults.size || [...next].some(([k, v]) => this.folderDefaults.get(k) !== v) || allowed.join('\0') !== this.allowed.join('\0');
    this.folderDefaults = next;
    this.allowed = allowed;
    return changed;
  }

  /** The folders outside the workspace that sample files may come from (sync; see `refreshFolders`). */
  allowedFolders(): string[] {
    return this.allowed;
  }

  /** The default data view of the innermost folder holding the file (sync; see `refreshFolders`). */
  defaultDataViewFor(key: string): string | undefined {
    let best = '';
    for (const folder of this.folderDefaults.keys()) {
      if (folder.length > best.length && isInside(key, folder)) best = folder;
    }
    return this.folderDefaults.get(best) || undefined;
  }

  /** Forgets the per-file settings (on `workspace/didChangeConfiguration`). */
  clear(): void {
    this.byScope.clear();
  }

  private async fetch(scopeUris: string[]): Promise<ResourceSettings[]> {
    if (!this.pull) return scopeUris.map(() => DEFAULT_SETTINGS);
    try {
      const items = scopeUris.map(scopeUri => (scopeUri ? { scopeUri, section: SETTINGS_SECTION } : { section: SETTINGS_SECTION }));
      const values: unknown[] = await this.connection.workspace.getConfiguration(items);
      return scopeUris.map((_, i) => parseSettings(values[i]));
    } catch (e) {
      this.connection.console.warn(`Could not read the ${SETTINGS_SECTION} settings (${(e as Error).message}); using the defaults.`);
      return scopeUris.map(() => DEFAULT_SETTINGS);
    }
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isInside(key: string, folder: string): boolean {
  if (!key.startsWith(folder)) return false;
  const next = key.charAt(folder.length);
  return next === '' || next === '/' || next === '\\' || folder.endsWith('/') || folder.endsWith('\\');
}
