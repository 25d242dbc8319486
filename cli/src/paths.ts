import * as fs from 'fs';
import * as path from 'path';
import { closestMatches } from '../../core/src/names';
import { findWorkspaceFiles } from '../../core/src/workspaceFiles';
import { UsageError } from './args';

/** What the paths of a command name: the files, the workspace folders around them, and where the search for those looked. */
export interface ExpandedPaths {
  targets: string[];
  /** The workspace folders: `--root`, else per input the nearest folder upward that holds data views. */
  contextRoots: string[];
  /** The folders searched upward for data views, nearest first (for the message when none was found). */
  searched: string[];
}

const GLOB_CHARS = /[*?[\]{}]/;

/**
 * Expands files, folders and globs into the workspace files they name, plus the folders whose files
 * give them context (data views and referenced filters are resolved across those).
 */
export function expandPaths(inputs: string[], cwd: string, root?: string): ExpandedPaths {
  const targets = new Set<string>();
  const roots = new Set<string>();
  const searched = new Set<string>();
  const rootDir = root === undefined ? undefined : path.resolve(cwd, root);
  if (rootDir !== undefined && !isDirectory(rootDir)) throw new UsageError(`--root ${root}: no such folder`);
  const addRoot = (start: string, fallback: string): void => {
    if (rootDir !== undefined) return void roots.add(rootDir);
    const found = findRoot(start);
    for (const s of found.searched) searched.add(s);
    roots.add(found.root ?? fallback);
  };
  for (const input of inputs) {
    const abs = path.resolve(cwd, input);
    if (fs.existsSync(abs)) {
      const st = fs.statSync(abs);
      if (st.isDirectory()) {
        addRoot(abs, abs);
        for (const f of findWorkspaceFiles(abs)) targets.add(f);
      } else {
        targets.add(abs);
        addRoot(path.dirname(abs), contextRoot(abs, cwd));
      }
      continue;
    }
    if (!GLOB_CHARS.test(input)) throw new UsageError(`no such file or folder: ${input}${pathSuggestion(abs, cwd)}`);
    const base = path.resolve(cwd, staticPrefix(input));
    const matcher = globToRegExp(path.resolve(cwd, input));
    const matched = fs.existsSync(base) ? findWorkspaceFiles(base).filter(f => matcher.test(f)) : [];
    if (!matched.length) throw new UsageError(`no filter or data view files match ${input}`);
    addRoot(base, contextRoot(base, cwd));
    for (const f of matched) targets.add(f);
  }
  return { targets: [...targets].sort(), contextRoots: [...roots], searched: [...searched] };
}

const DATAVIEW_FILE = /\.dataview\.ya?ml$/i;
const SKIP_DIRS = new Set(['node_modules', 'out', 'dist']);

/**
 * The workspace folder around `start`, found as eslint and tsc find their config: `start` when it
 * or one of its direct subfolders holds a `*.dataview.yaml`, else the nearest folder above that
 * holds one itself (not in a subfolder: that would be a sibling project, as in a temp folder).
 */
export function findRoot(start: string): { root?: string; searched: string[] } {
  const searched: string[] = [];
  for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
    searched.push(dir);
    if (holdsDataView(dir, searched.length === 1 ? 1 : 0)) return { root: dir, searched };
    if (path.dirname(dir) === dir) return { searched };
  }
}

function holdsDataView(dir: string, depth: number): boolean {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return false;
  }
  if (entries.some(e => e.isFile() && DATAVIEW_FILE.test(e.name))) return true;
  return depth > 0 && entries.some(e => e.isDirectory() && !e.name.startsWith('.') && !SKIP_DIRS.has(e.name) && holdsDataView(path.join(dir, e.name), depth - 1));
}

/** ` (did you mean …?)` for a path whose last part is misspelt, naming the closest entry of its folder. */
function pathSuggestion(abs: string, cwd: string): string {
  let names: string[];
  try {
    names = fs.readdirSync(path.dirname(abs));
  } catch {
    return '';
  }
  const near = closestMatches(path.basename(abs), names, 1);
  if (!near.length) return '';
  const suggestion = path.relative(cwd, path.join(path.dirname(abs), near[0])) || near[0];
  return ` (did you mean ${suggestion}?)`;
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function staticPrefix(glob: string): string {
  const parts = glob.split(/[\\/]/);
  const fixed: string[] = [];
  for (const p of parts) {
    if (GLOB_CHARS.test(p)) break;
    fixed.push(p);
  }
  return fixed.join('/') || '.';
}

/** `**` any folders, `*` any characters but `/`, `?` one character, `{a,b}` alternatives. */
function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      re += '.*';
      i++;
      if (glob[i + 1] === '/') i++;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '{') re += '(?:';
    else if (c === '}') re += ')';
    else if (c === ',') re += '|';
    else re += c.replace(/[.+^$()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** Files inside the working folder are checked in the context of the whole folder; others in their own. */
function contextRoot(file: string, cwd: string): string {
  const rel = path.relative(cwd, file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? cwd : path.dirname(file);
}
