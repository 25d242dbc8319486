/**
 * The document formatter of filter files. Canonical layout: keys in the schema's order (filter,
 * title, description, dataview, tags, period, rule, audience; unknown keys after them, as written),
 * block style with one indentation unit per level, sequences indented under their key, flow
 * collections on one line, the rule printed by `printRule` in a literal block scalar, no blank
 * lines, no trailing whitespace, one final line break.
 *
 * Guarantees: every comment is kept (YAML comments move with their entry; rule comments are kept
 * by the printer); formatting twice changes nothing; the YAML data and the rule's tree are
 * unchanged. The last one is checked on every run: an output that would differ is discarded and
 * the text is returned as it was. Files with YAML errors are not formatted (`undefined`).
 */
import { isDeepStrictEqual } from 'util';
import { parseFilterFile } from '../files/filterFile';
import type { FilterFile } from '../files/filterFile';
import { loadSchema } from '../files/schemaCheck';
import { parseRule } from '../rule/parser';
import { printRule } from '../rule/printer';
import { stripSpans, walkExpr } from '../rule/walk';
import { parseYaml, toJS } from '../yaml/yamlTree';
import type { YMap, YNode, YPair, YScalar, YSeq } from '../yaml/yamlTree';
import { LineMap, dashOf, findComments, planComments } from './yamlComments';
import type { CommentPlan } from './yamlComments';

export interface FormatOptions {
  /** Width of one indentation level (YAML indents with spaces, so tabs are never inserted). */
  tabSize: number;
  insertSpaces: boolean;
}

/** Formats a filter file; undefined when its YAML has errors. */
export function formatFilterFile(text: string, options: FormatOptions): string | undefined {
  return formatParsedFilter(parseFilterFile('format.filter.yaml', text), options);
}

/** Formats an already parsed filter file (the language server's cached parse). */
export function formatParsedFilter(file: FilterFile, options: FormatOptions): string | undefined {
  const out = layoutFilterFile(file, options);
  if (out === undefined) return undefined;
  return out === file.text || sameMeaning(file, out) ? out : file.text;
}

/** The canonical layout, without the meaning check (exported for property tests). */
export function layoutFilterFile(file: FilterFile, options: FormatOptions): string | undefined {
  if (file.yaml.problems.length) return undefined;
  const root = file.yaml.root;
  if (!root || root.kind !== 'map') return file.text;
  const lines = new LineMap(file.text);
  const plan = planComments(file.text, root, lines);
  if (plan.inFlow.has(root)) return file.text;
  return new Layout(file, root, lines, plan, options).print();
}

/** Whether a rule can be printed from its tree: it parsed without errors. */
export function ruleIsPrintable(file: FilterFile): boolean {
  if (!file.rule?.root || !file.ruleSource) return false;
  if (file.problems.some(p => p.severity === 'error' && p.code.startsWith('rule-'))) return false;
  let broken = false;
  walkExpr(file.rule.root, n => void (n.kind === 'error' && (broken = true)));
  return !broken;
}

function sameMeaning(file: FilterFile, out: string): boolean {
  const parsed = parseYaml(out);
  if (parsed.problems.length) return false;
  const before = toJS(file.yaml.root) as Record<string, unknown>;
  const after = toJS(parsed.root) as Record<string, unknown>;
  if (!after || typeof after !== 'object') return false;
  if (ruleIsPrintable(file) && typeof after.rule === 'string') {
    const reparsed = parseRule(after.rule);
    if (!isDeepStrictEqual(stripSpans(reparsed.rule), stripSpans(file.rule!))) return false;
    const { rule: _a, ...restBefore } = before;
    const { rule: _b, ...restAfter } = after;
    if (!isDeepStrictEqual(restBefore, restAfter)) return false;
  } else if (!isDeepStrictEqual(before, after)) return false;
  const comments = (text: string, root: YNode | null) => findComments(text, root, new LineMap(text)).map(c => c.text).sort();
  return isDeepStrictEqual(comments(file.text, file.yaml.root), comments(out, parsed.root));
}

/** Keys of the schema at a key path, in the schema's order. */
function schemaKeys(path: string[]): string[] {
  let node: Record<string, unknown> | undefined = loadSchema('filter');
  for (const key of path) {
    const props = node?.properties as Record<string, Record<string, unknown>> | undefined;
    node = props?.[key];
    if (node && !node.properties && Array.isArray(node.oneOf)) node = (node.oneOf as Array<Record<string, unknown>>).find(b => b.properties);
  }
  return Object.keys((node?.properties as Record<string, unknown> | undefined) ?? {});
}

const PRELUDE = /^(%|---(\s|$))/;

class Layout {
  private readonly unit: number;
  private readonly eol: string;

  constructor(
    private readonly file: FilterFile,
    private readonly root: YMap,
    private readonly lines: LineMap,
    private readonly plan: CommentPlan,
    options: FormatOptions,
  ) {
    this.unit = Math.max(1, Math.min(8, Math.floor(options.tabSize) || 2));
    this.eol = file.text.includes('\r\n') ? '\r\n' : '\n';
  }

  print(): string {
    const out: string[] = [];
    const firstLine = this.root.pairs.length ? this.lines.lineOf(this.root.pairs[0].key.start) : this.lines.starts.length;
    const prelude: Array<{ line: number; text: string }> = this.plan.header.map(c => ({ line: c.line, text: c.text }));
    for (let l = 0; l < firstLine; l++) {
      const t = this.lines.lineText(l);
      if (PRELUDE.test(t)) prelude.push({ line: l, text: t.replace(/\s+#.*$/, '').trimEnd() });
    }
    prelude.sort((a, b) => a.line - b.line);
    out.push(...prelude.map(p => p.text));
    if (this.plan.header.length) out.push('');
    out.push(...this.mapLines(this.root, 0, []));
    out.push(...this.plan.footer.map(c => c.text));
    return out.join(this.eol) + this.eol;
  }

  private pad(n: number): string {
    return ' '.repeat(n);
  }

  private commentLines(comments: Array<{ text: string }> | undefined, indent: number): string[] {
    return (comments ?? []).map(c => this.pad(indent) + c.text);
  }

  /** The end-of-line comment of an entry (extra ones go on their own lines before it). */
  private comments(owner: YPair | YNode, indent: number): { before: string[]; eol: string } {
    const before = this.commentLines(this.plan.leading.get(owner), indent);
    const trailing = this.plan.trailing.get(owner) ?? [];
    before.push(...this.commentLines(trailing.slice(1), indent));
    return { before, eol: trailing.length ? ' ' + trailing[0].text : '' };
  }

  private ordered(node: YMap, path: string[]): YPair[] {
    const keys = schemaKeys(path);
    if (!keys.length) return node.pairs;
    const rank = (p: YPair) => {
      const i = keys.indexOf(String(p.key.value));
      return i < 0 ? keys.length : i;
    };
    return node.pairs.map((p, i) => ({ p, i })).sort((a, b) => rank(a.p) - rank(b.p) || a.i - b.i).map(x => x.p);
  }

  private mapLines(node: YMap, indent: number, path: string[] | null): string[] {
    const out: string[] = [];
    for (const pair of path ? this.ordered(node, path) : node.pairs) out.push(...this.pairLines(pair, indent, path));
    out.push(...this.commentLines(this.plan.endOf.get(node), indent));
    return out;
  }

  private seqLines(node: YSeq, indent: number): string[] {
    const out: string[] = [];
    for (const item of node.items) out.push(...this.itemLines(item, indent));
    out.push(...this.commentLines(this.plan.endOf.get(node), indent));
    return out;
  }

  /** Tags written before a value (`!!str 123`): kept as they are. */
  private prefix(from: number, value: YNode): string {
    const region = this.file.text.slice(from, value.start).replace(/(^|\s)#[^\n]*/g, ' ');
    const tokens = region.split(/\s+/).filter(Boolean);
    return tokens.length ? tokens.join(' ') + ' ' : '';
  }

  private pairLines(pair: YPair, indent: number, path: string[] | null): string[] {
    const { before, eol } = this.comments(pair, indent);
    const key = this.file.text.slice(pair.key.start, pair.key.end);
    const head = this.pad(indent) + key + ':';
    const value = pair.value;
    const childPath = path ? [...path, String(pair.key.value)] : null;
    if (!value) return [...before, head + eol];
    const colon = this.file.text.indexOf(':', pair.key.end);
    const prefix = this.prefix(colon + 1, value);
    if (path && path.length === 0 && pair.key.value === 'rule' && value.kind === 'scalar' && ruleIsPrintable(this.file)) {
      const printed = printRule(this.file.rule!, { indentUnit: this.pad(this.unit) });
      const body = printed.replace(/\n+$/, '').split('\n').map(l => (l ? this.pad(indent + this.unit) + l : ''));
      return [...before, `${head} ${prefix}|${eol}`, ...body];
    }
    return [...before, ...this.valueLines(value, head + ' ' + prefix, head + (prefix ? ' ' + prefix.trimEnd() : ''), eol, indent, indent + this.unit, childPath)];
  }

  /**
   * The lines of a value placed after `inlineHead` (scalars, flow collections, block scalar
   * headers) or below `blockHead` (block collections), its children indented to `childIndent`.
   */
  private valueLines(value: YNode, inlineHead: string, blockHead: string, eol: string, parentColumn: number, childIndent: number, path: string[] | null): string[] {
    if (value.kind === 'scalar') {
      if (value.block) return this.blockScalarLines(value, inlineHead, eol, parentColumn, childIndent);
      return this.withEol(this.continued(inlineHead, this.file.text.slice(value.start, value.end), childIndent), eol);
    }
    if (value.flow) return this.withEol(this.continued(inlineHead, this.flowText(value), childIndent), eol);
    if (value.kind === 'map') return [blockHead + eol, ...this.mapLines(value, childIndent, path)];
    return [blockHead + eol, ...this.seqLines(value, childIndent)];
  }

  private itemLines(item: YNode, indent: number): string[] {
    const { before, eol } = this.comments(item, indent);
    const dash = this.pad(indent) + '-';
    const prefix = this.prefix(dashOf(this.file.text, item, 0) + 1, item);
    if (item.kind === 'scalar' && !item.block && item.start === item.end && item.text === '') return [...before, dash + eol];
    if (item.kind !== 'scalar' && !item.flow && !prefix) {
      // `- key: value` / `- - x`: the first line of the nested block shares the dash's line.
      const inner = item.kind === 'map' ? this.mapLines(item, indent + 2, null) : this.seqLines(item, indent + 2);
      const firstBody = inner.findIndex(l => !l.trimStart().startsWith('#'));
      if (firstBody < 0) return [...before, dash + eol, ...inner];
      const hoisted = inner.slice(0, firstBody).map(l => this.pad(indent) + l.trimStart());
      return [...before, ...hoisted, dash + ' ' + inner[firstBody].slice(indent + 2) + eol, ...inner.slice(firstBody + 1)];
    }
    return [...before, ...this.valueLines(item, dash + ' ' + prefix, dash + (prefix ? ' ' + prefix.trimEnd() : ''), eol, indent, indent + this.unit, null)];
  }

  private withEol(lines: string[], eol: string): string[] {
    if (eol) lines[lines.length - 1] += eol;
    return lines;
  }

  /** A flow scalar or collection that may span lines: continuation lines re-indented. */
  private continued(head: string, source: string, childIndent: number): string[] {
    const parts = source.split('\n').map(p => p.replace(/\r$/, ''));
    const out = [head + parts[0]];
    for (const p of parts.slice(1)) {
      const t = p.trimStart();
      out.push(t ? this.pad(childIndent) + t : '');
    }
    return out;
  }

  private blockScalarLines(value: YScalar, head: string, eol: string, parentColumn: number, childIndent: number): string[] {
    const block = value.block!;
    const headerLine = this.lines.lineOf(value.start);
    const header = this.lines.lineText(headerLine).slice(this.lines.columnOf(value.start)).replace(/\s+#.*$/, '').trim();
    if (value.style === 'literal') {
      const text = value.text;
      const trailing = /\n*$/.exec(text)![0].length;
      const body = text.slice(0, text.length - trailing);
      if (!body && !trailing) return [head + '|-' + eol];
      const chomp = trailing === 0 ? '-' : trailing === 1 ? '' : '+';
      const bodyLines = body.split('\n');
      const firstContent = bodyLines.find(l => l.trim() !== '') ?? '';
      const needsIndicator = /^\s/.test(firstContent) || bodyLines.some((l, i) => i < bodyLines.indexOf(firstContent) && l !== '');
      const indicator = needsIndicator ? String(childIndent - parentColumn) : '';
      const lines = bodyLines.map(l => (l === '' ? '' : this.pad(childIndent) + l));
      for (let i = 1; i < trailing; i++) lines.push('');
      return [head + '|' + indicator + chomp + eol, ...lines];
    }
    // Folded: the source lines, shifted to the new indentation.
    const m = /^>([1-9])?([+-])?([1-9])?/.exec(header);
    const chomp = m?.[2] ?? '';
    const hadIndicator = !!(m?.[1] ?? m?.[3]);
    const indicator = hadIndicator ? String(childIndent - parentColumn) : '';
    const out = [head + '>' + indicator + chomp + eol];
    if (value.end > block.contentStart) {
      const last = this.lines.lineOf(value.end - 1);
      for (let l = this.lines.lineOf(block.contentStart); l <= last; l++) {
        const raw = this.lines.lineText(l);
        out.push(raw.trim() === '' && raw.length <= block.indent ? '' : this.pad(childIndent) + raw.slice(block.indent));
      }
    }
    if (chomp === '+') {
      const trailing = /\n*$/.exec(value.text)![0].length;
      for (let i = 1; i < trailing; i++) out.push('');
    }
    return out;
  }

  /** A flow collection on one line, or as written when it holds comments, tags or multi-line scalars. */
  private flowText(node: YMap | YSeq): string {
    const source = this.file.text.slice(node.start, node.end);
    return this.plan.inFlow.has(node) || !this.simpleFlow(node, source) ? source : this.canonicalFlow(node);
  }

  private simpleFlow(node: YMap | YSeq, source: string): boolean {
    let rest = source;
    const scalars: YScalar[] = [];
    const visit = (n: YNode | null): void => {
      if (!n) return;
      if (n.kind === 'scalar') scalars.push(n);
      else if (n.kind === 'map') n.pairs.forEach(p => { visit(p.key); visit(p.value); });
      else n.items.forEach(visit);
    };
    visit(node);
    for (const s of scalars.sort((a, b) => b.start - a.start)) {
      const text = this.file.text.slice(s.start, s.end);
      if (text.includes('\n')) return false;
      rest = rest.slice(0, s.start - node.start) + ' '.repeat(s.end - s.start) + rest.slice(s.end - node.start);
    }
    return /^[\s[\]{},:]*$/.test(rest);
  }

  private canonicalFlow(node: YNode): string {
    if (node.kind === 'scalar') return this.file.text.slice(node.start, node.end);
    if (node.kind === 'seq') return '[' + node.items.map(i => this.canonicalFlow(i)).join(', ') + ']';
    return '{' + node.pairs.map(p => this.file.text.slice(p.key.start, p.key.end) + (p.value ? ': ' + this.canonicalFlow(p.value) : '')).join(', ') + '}';
  }
}
