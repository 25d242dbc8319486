import * as fs from 'fs';
import * as path from 'path';
import type { SourcePolicy } from '../../core/src/data/sourceAccess';
import { Workspace } from '../../core/src/workspace';
import { findWorkspaceFiles, readWorkspaceFile } from '../../core/src/workspaceFiles';
import type { ExpandedPaths } from './paths';

export interface LoadWorkspaceOptions {
  /** `--dataview`: the data view of filters that name none. */
  defaultDataView?: string;
  /** `--allow-outside`: folders outside the workspace whose sample files may be read. */
  allowOutside?: string[];
  cwd?: string;
}

/**
 * Loads the files under the context folders, and the target files themselves, into a workspace
 * whose sample files are confined to those folders (and `--allow-outside` ones).
 */
export function loadWorkspace(paths: Pick<ExpandedPaths, 'targets' | 'contextRoots'>, options: LoadWorkspaceOptions = {}): Workspace {
  const workspace = new Workspace(undefined, { defaultDataView: () => options.defaultDataView, sourcePolicy: sourcePolicyOf(paths.contextRoots, options) });
  const files = new Set<string>(paths.targets);
  for (const root of paths.contextRoots) for (const f of findWorkspaceFiles(root)) files.add(f);
  for (const f of files) {
    const text = readWorkspaceFile(f) ?? readLarge(f);
    if (text !== undefined) workspace.set(f, text);
  }
  return workspace;
}

/** The CLI's confinement: the workspace folders, plus each `--allow-outside` folder. */
export function sourcePolicyOf(contextRoots: string[], options: LoadWorkspaceOptions): SourcePolicy {
  const allowed = (options.allowOutside ?? []).map(d => path.resolve(options.cwd ?? process.cwd(), d));
  return { rootsFor: () => [...contextRoots, ...allowed], howToAllow: 'pass --allow-outside <its folder>' };
}

/** Oversized files are still checked when named explicitly; unreadable ones get an empty text. */
function readLarge(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}
