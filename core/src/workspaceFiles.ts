import * as fs from 'fs';
import * as path from 'path';

const FILE_PATTERN = /\.(filter|dataview|filter\.test)\.ya?ml$/i;
const SKIP_DIRS = new Set(['node_modules', '.git', 'out', 'dist', '.vscode-test']);
const MAX_FILE_BYTES = 5 * 1024 * 1024;

/** Finds every filter, data view and filter test file under a folder (bounded, never follows links). */
export function findWorkspaceFiles(root: string, limit = 20_000): string[] {
  const found: string[] = [];
  const stack = [root];
  while (stack.length && found.length < limit) {
    const dir = stack.pop() as string;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      const full = path.join(dir, e.name);
      if (e.isDirectory() && !SKIP_DIRS.has(e.name) && !e.name.startsWith('.')) stack.push(full);
      else if (e.isFile() && FILE_PATTERN.test(e.name)) found.push(full);
    }
  }
  return found.sort();
}

/** Reads a workspace file as text; oversized or unreadable files read as undefined. */
export function readWorkspaceFile(file: string): string | undefined {
  try {
    const st = fs.statSync(file);
    if (st.size > MAX_FILE_BYTES) return undefined;
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}
