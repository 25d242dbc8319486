/**
 * YAML comments of a document and the entries (mapping pairs, sequence items) they belong to, so
 * the formatter can move entries around and keep every comment with its entry.
 *
 * Attachment rules:
 * - a comment after content on its line belongs to the deepest entry whose head ends on that line
 *   (`key: value  # c`, `key: |  # c`, `key:  # c` before a nested block);
 * - a comment on its own line belongs to the next entry, unless it is indented deeper than that
 *   entry: then it closes the innermost collection that ended before it (`endOf`);
 * - comments before the first entry and separated from it by a blank line are the file's header;
 * - comments after the last entry at column 0 end the document.
 */
import type { YMap, YNode, YPair, YScalar, YSeq } from '../yaml/yamlTree';

export interface YamlComment {
  start: number;
  end: number;
  text: string;
  line: number;
  column: number;
  ownLine: boolean;
}

/** A mapping pair or a sequence item of a block collection. */
export interface Entry {
  owner: YPair | YNode;
  parent: YMap | YSeq;
  /** Offset of the key, or of the item's `-`. */
  start: number;
  column: number;
  /** Line where the entry's head ends (where an end-of-line comment of the entry sits). */
  headLine: number;
  keyLine: number;
}

export interface CommentPlan {
  header: YamlComment[];
  leading: Map<YPair | YNode, YamlComment[]>;
  trailing: Map<YPair | YNode, YamlComment[]>;
  endOf: Map<YMap | YSeq, YamlComment[]>;
  footer: YamlComment[];
  /** Comments inside flow collections: those collections are kept as written. */
  inFlow: Set<YNode>;
  all: YamlComment[];
}

export class LineMap {
  readonly starts: number[] = [0];
  constructor(readonly text: string) {
    for (let i = 0; i < text.length; i++) if (text[i] === '\n') this.starts.push(i + 1);
  }
  lineOf(offset: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
  columnOf(offset: number): number {
    return offset - this.starts[this.lineOf(offset)];
  }
  lineText(line: number): string {
    const start = this.starts[line];
    const next = line + 1 < this.starts.length ? this.starts[line + 1] - 1 : this.text.length;
    return this.text.slice(start, next).replace(/\r$/, '');
  }
}

/** Spans where a `#` is content, not a comment: every scalar, and block scalar bodies. */
function contentSpans(root: YNode | null): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  const visit = (node: YNode | null): void => {
    if (!node) return;
    if (node.kind === 'scalar') {
      spans.push([node.block ? node.block.contentStart : node.start, node.end]);
      return;
    }
    if (node.kind === 'map') {
      for (const p of node.pairs) {
        visit(p.key);
        visit(p.value);
      }
    } else node.items.forEach(visit);
  };
  visit(root);
  return spans.sort((a, b) => a[0] - b[0]);
}

export function findComments(text: string, root: YNode | null, lines: LineMap): YamlComment[] {
  const spans = contentSpans(root);
  const out: YamlComment[] = [];
  let s = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c !== '#') continue;
    while (s < spans.length && spans[s][1] <= i) s++;
    if (s < spans.length && spans[s][0] <= i && i < spans[s][1]) {
      i = spans[s][1] - 1;
      continue;
    }
    const before = i === 0 ? '\n' : text[i - 1];
    if (before !== ' ' && before !== '\t' && before !== '\n' && before !== '\r') continue;
    let end = text.indexOf('\n', i);
    if (end < 0) end = text.length;
    const commentText = text.slice(i, end).replace(/\s+$/, '');
    const line = lines.lineOf(i);
    const column = i - lines.starts[line];
    const ownLine = lines.lineText(line).slice(0, column).trim() === '';
    out.push({ start: i, end: i + commentText.length, text: commentText, line, column, ownLine });
    i = end - 1;
  }
  return out;
}

/** The offset of the `-` that introduces a sequence item. */
export function dashOf(text: string, item: YNode, after: number): number {
  for (let i = item.start - 1; i >= after; i--) {
    if (text[i] !== '-') continue;
    const next = text[i + 1];
    if (next !== undefined && next !== ' ' && next !== '\t' && next !== '\n' && next !== '\r') continue;
    return i;
  }
  return item.start;
}

export function collectEntries(text: string, root: YNode | null, lines: LineMap): Entry[] {
  const out: Entry[] = [];
  const headEnd = (value: YNode | null, fallback: number): number => {
    if (!value) return fallback;
    if (value.kind === 'scalar') return value.block ? value.start : Math.max(value.start, value.end - 1);
    return value.flow ? value.end - 1 : fallback;
  };
  const visit = (node: YNode | null): void => {
    if (!node || node.kind === 'scalar' || node.flow) return;
    if (node.kind === 'map') {
      for (const p of node.pairs) {
        const keyLine = lines.lineOf(p.key.start);
        out.push({ owner: p, parent: node, start: p.key.start, column: lines.columnOf(p.key.start), headLine: lines.lineOf(headEnd(p.value, p.key.start)), keyLine });
        visit(p.value);
      }
    } else {
      let prevEnd = node.start;
      for (const item of node.items) {
        const dash = dashOf(text, item, prevEnd);
        const isBlockCollection = item.kind !== 'scalar' && !item.flow;
        out.push({ owner: item, parent: node, start: dash, column: lines.columnOf(dash), headLine: lines.lineOf(isBlockCollection ? dash : headEnd(item, dash)), keyLine: lines.lineOf(dash) });
        visit(item);
        prevEnd = item.end;
      }
    }
  };
  visit(root);
  return out.sort((a, b) => a.start - b.start);
}

function flowCollections(root: YNode | null): Array<YMap | YSeq> {
  const out: Array<YMap | YSeq> = [];
  const visit = (node: YNode | null): void => {
    if (!node || node.kind === 'scalar') return;
    if (node.flow) {
      out.push(node);
      return;
    }
    if (node.kind === 'map') node.pairs.forEach(p => visit(p.value));
    else node.items.forEach(visit);
  };
  visit(root);
  return out;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Assigns every comment of the document to a place in the formatted output. */
export function planComments(text: string, root: YNode | null, lines: LineMap): CommentPlan {
  const all = findComments(text, root, lines);
  const entries = collectEntries(text, root, lines);
  const flows = flowCollections(root);
  const plan: CommentPlan = { header: [], leading: new Map(), trailing: new Map(), endOf: new Map(), footer: [], inFlow: new Set(), all };
  const isBlank = (line: number): boolean => lines.lineText(line).trim() === '';

  for (const c of all) {
    const flow = flows.find(f => c.start > f.start && c.start < f.end);
    if (flow) {
      plan.inFlow.add(flow);
      continue;
    }
    if (!c.ownLine) {
      const owner = [...entries].reverse().find(e => e.start <= c.start && e.headLine === c.line) ?? [...entries].reverse().find(e => e.start <= c.start && e.keyLine === c.line);
      if (owner) {
        push(plan.trailing, owner.owner, c);
        continue;
      }
      if (entries.length === 0 || c.start < entries[0].start) {
        plan.header.push(c);
        continue;
      }
    }
    const next = entries.find(e => e.start > c.start);
    const prev = [...entries].reverse().find(e => e.start < c.start);
    if (!prev && next) {
      // Before the first entry: the file's header when a blank line separates it from the entry.
      let blankAfter = false;
      for (let l = c.line + 1; l < lines.lineOf(next.start); l++) if (isBlank(l)) blankAfter = true;
      if (blankAfter) plan.header.push(c);
      else push(plan.leading, next.owner, c);
      continue;
    }
    if (next && c.column <= next.column) {
      push(plan.leading, next.owner, c);
      continue;
    }
    if (!prev) {
      plan.footer.push(c);
      continue;
    }
    // Indented deeper than what follows: it closes the innermost collection holding `prev` whose
    // entries sit at or left of the comment.
    const holder = [...entries].reverse().find(e => e.start <= prev.start && e.column <= c.column && contains(e, prev));
    const collection = holder?.parent;
    if (!collection || (next && next.parent === collection)) {
      if (next) push(plan.leading, next.owner, c);
      else plan.footer.push(c);
    } else if (collection === root && !next) plan.footer.push(c);
    else push(plan.endOf, collection, c);
  }
  return plan;
}

/** True when entry `a` is `b` or holds it in its value. */
function contains(a: Entry, b: Entry): boolean {
  if (a === b) return true;
  const value = isPair(a.owner) ? a.owner.value : a.owner;
  return !!value && b.start >= value.start && b.start <= value.end;
}

export function isPair(owner: YPair | YNode): owner is YPair {
  return (owner as YScalar).kind === undefined;
}
