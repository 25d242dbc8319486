import { Workspace } from '../../core/src/workspace';
import { findWorkspaceFiles, readWorkspaceFile } from '../../core/src/workspaceFiles';
import * as fs from 'fs';

/**
 * Loads the files under the context folders, and the target files themselves, into a workspace.
 * `defaultDataView` (`--dataview`) is the data view of filters that name none.
 */
export function loadWorkspace(targets: string[], contextRoots: string[], defaultDataView?: string): Workspace {
  const workspace = new Workspace(undefined, { defaultDataView: () => defaultDataView });
  const files = new Set<string>(targets);
  for (const root of contextRoots) for (const f of findWorkspaceFiles(root)) files.add(f);
  for (const f of files) {
    const text = readWorkspaceFile(f) ?? readLarge(f);
    if (text !== undefined) workspace.set(f, text);
  }
  return workspace;
}

/** Oversized files are still checked when named explicitly; unreadable ones get an empty text. */
function readLarge(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}
