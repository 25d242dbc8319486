import { unclosedOpener } from './unclosed';
import { CORE_SCHEMA, EVENT_ID, SCALAR_STYLE, getScalarValue, parseEvents } from 'js-yaml';
import type { Event, ScalarEvent } from 'js-yaml';

/**
 * A YAML document as a tree of nodes with source offsets, built from js-yaml's event stream.
 * Every later layer (schema errors, rule ranges, formatting, completion) locates things through it.
 */

export interface YScalar {
  kind: 'scalar';
  start: number;
  end: number;
  /** The resolved value (core schema): string, number, boolean or null. */
  value: string | number | boolean | null;
  /** The decoded text of the scalar, before type resolution. */
  text: string;
  style: 'plain' | 'single' | 'double' | 'literal' | 'folded';
  /** For block scalars: the content indentation and the offset of the first content line. */
  block?: { indent: number; contentStart: number };
}

export interface YPair {
  key: YScalar;
  value: YNode | null;
  /** Offset where the pair begins (the key), and where its value ends. */
  start: number;
  end: number;
}

export interface YMap {
  kind: 'map';
  start: number;
  end: number;
  flow: boolean;
  pairs: YPair[];
}

export interface YSeq {
  kind: 'seq';
  start: number;
  end: number;
  flow: boolean;
  items: YNode[];
}

export type YNode = YScalar | YMap | YSeq;

export interface YamlProblem {
  start: number;
  end: number;
  code: 'yaml-syntax' | 'yaml-duplicate-key' | 'yaml-unsupported' | 'yaml-binary';
  message: string;
  /** Other places that explain the problem (for an unclosed bracket: where the parser gave up). */
  related?: Array<{ start: number; end: number; message: string }>;
}

export interface YamlParse {
  root: YNode | null;
  problems: YamlProblem[];
}

const MAX_DEPTH = 64;

/** Parses one YAML document. Never throws: syntax errors become problems with exact offsets. */
export function parseYaml(text: string): YamlParse {
  const nul = text.indexOf('\u0000');
  if (nul >= 0) {
    return { root: null, problems: [{ start: 0, end: 0, code: 'yaml-binary', message: 'This is a binary file, not YAML text.' }] };
  }
  let events: Event[];
  try {
    events = parseEvents(text, { maxDepth: MAX_DEPTH });
  } catch (e) {
    const err = e as { reason?: string; message?: string; mark?: { position: number } };
    const at = Math.max(0, Math.min(err.mark?.position ?? 0, text.length));
    const end = tokenEnd(text, at);
    const reason = err.reason ?? err.message ?? 'unknown error';
    const opener = unclosedOpener(text, at);
    if (opener && lineOf(text, opener.at) < lineOf(text, at)) {
      const what = opener.char === '[' ? 'flow list `[` is never closed with `]`' : opener.char === '{' ? 'flow mapping `{` is never closed with `}`' : `quoted string \`${opener.char}\` is never closed`;
      return { root: null, problems: [{ start: opener.at, end: opener.at + 1, code: 'yaml-syntax', message: `YAML syntax error: this ${what}.`, related: [{ start: at, end, message: `YAML gave up here: ${reason}.` }] }] };
    }
    return { root: null, problems: [{ start: at, end, code: 'yaml-syntax', message: `YAML syntax error: ${reason}.` }] };
  }
  return new TreeBuilder(text, events).build();
}

function lineOf(text: string, offset: number): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/** End of the token starting at `at` on the same line (at least one character when there is one). */
function tokenEnd(text: string, at: number): number {
  let i = at;
  while (i < text.length && !/[\s,\]}]/.test(text[i])) i++;
  if (i === at && i < text.length && text[i] !== '\n' && text[i] !== '\r') i++;
  return i;
}

class TreeBuilder {
  private i = 0;
  private readonly problems: YamlProblem[] = [];
  /** The furthest offset a node so far has reached: where an empty node (no offsets of its own) is placed. */
  private at = 0;

  constructor(private readonly text: string, private readonly events: Event[]) {}

  build(): YamlParse {
    let root: YNode | null = null;
    let documents = 0;
    while (this.i < this.events.length) {
      const ev = this.events[this.i++];
      if (ev.type !== EVENT_ID.DOCUMENT) continue;
      documents++;
      if (documents === 1) {
        root = this.events[this.i]?.type === EVENT_ID.POP ? null : this.node();
      } else {
        const node = this.events[this.i]?.type === EVENT_ID.POP ? null : this.node();
        if (node) {
          this.problems.push({ start: node.start, end: node.start, code: 'yaml-unsupported', message: 'Only one YAML document per file is read; this second document is ignored.' });
        }
      }
      this.skipPop();
    }
    return { root, problems: this.problems };
  }

  private skipPop(): void {
    if (this.events[this.i]?.type === EVENT_ID.POP) this.i++;
  }

  private node(): YNode {
    const ev = this.events[this.i++];
    switch (ev.type) {
      case EVENT_ID.SCALAR:
        return this.scalar(ev);
      case EVENT_ID.MAPPING: {
        this.at = Math.max(this.at, ev.start);
        const pairs: YPair[] = [];
        const seen = new Map<string, YScalar>();
        let end = ev.start + 1;
        while (this.i < this.events.length && this.events[this.i].type !== EVENT_ID.POP) {
          const keyNode = this.node();
          const valueNode = this.events[this.i]?.type === EVENT_ID.POP ? null : this.node();
          const key = keyNode.kind === 'scalar' ? keyNode : this.complexKey(keyNode);
          const value = isEmptyPlain(valueNode) ? null : valueNode;
          const pairEnd = value ? value.end : key.end;
          end = Math.max(end, pairEnd);
          const name = String(key.value);
          const prior = seen.get(name);
          if (prior) {
            this.problems.push({ start: key.start, end: key.end, code: 'yaml-duplicate-key', message: `Duplicate key \`${name}\`: it is already set on line ${this.lineOf(prior.start) + 1}.` });
          } else {
            seen.set(name, key);
          }
          pairs.push({ key, value, start: key.start, end: pairEnd });
        }
        this.skipPop();
        const flow = ev.style === 2;
        if (flow) end = this.closingBracket(end, '}');
        return { kind: 'map', start: ev.start, end, flow, pairs };
      }
      case EVENT_ID.SEQUENCE: {
        this.at = Math.max(this.at, ev.start);
        const items: YNode[] = [];
        let end = ev.start + 1;
        while (this.i < this.events.length && this.events[this.i].type !== EVENT_ID.POP) {
          const item = this.node();
          items.push(item);
          end = Math.max(end, item.end);
        }
        this.skipPop();
        const flow = ev.style === 2;
        if (flow) end = this.closingBracket(end, ']');
        return { kind: 'seq', start: ev.start, end, flow, items };
      }
      case EVENT_ID.ALIAS: {
        this.problems.push({ start: ev.anchorStart - 1, end: ev.anchorEnd, code: 'yaml-unsupported', message: 'YAML aliases are not supported in filter files: write the value out.' });
        return { kind: 'scalar', start: ev.anchorStart - 1, end: ev.anchorEnd, value: null, text: '', style: 'plain' };
      }
      default:
        return { kind: 'scalar', start: 0, end: 0, value: null, text: '', style: 'plain' };
    }
  }

  private scalar(ev: ScalarEvent): YScalar {
    const text = getScalarValue(this.text, ev);
    const style = styleName(ev.style);
    // An empty node (`: x`, `- `) has no offsets: it sits where the text so far ends (found by the fuzz suite).
    let start = ev.valueStart < 0 ? this.at : ev.valueStart;
    let end = ev.valueStart < 0 ? this.at : ev.valueEnd;
    this.at = Math.max(this.at, end);
    if (style === 'single' || style === 'double') {
      start = Math.max(0, start - 1);
      end = Math.min(this.text.length, end + 1);
    }
    let value: YScalar['value'] = text;
    if (style === 'plain' && ev.tagStart < 0) {
      const resolved = CORE_SCHEMA.resolveImplicitScalarTag(text).value;
      value = resolved === null || typeof resolved === 'number' || typeof resolved === 'boolean' || typeof resolved === 'string' ? resolved : text;
    }
    const node: YScalar = { kind: 'scalar', start, end, value, text, style };
    if (style === 'literal' || style === 'folded') {
      node.block = { indent: ev.indent, contentStart: ev.valueStart };
      // Block scalars: the span starts at the indicator (`|` or `>`) on the header line.
      const headerEnd = Math.max(0, ev.valueStart - 1);
      const headerStart = this.text.lastIndexOf('\n', headerEnd - 1) + 1;
      const header = this.text.slice(headerStart, headerEnd + 1);
      const indicator = Math.max(header.lastIndexOf('|'), header.lastIndexOf('>'));
      node.start = indicator >= 0 ? headerStart + indicator : ev.valueStart;
      node.end = trimTrailingBreaks(this.text, ev.valueEnd);
    }
    return node;
  }

  private complexKey(node: YNode): YScalar {
    this.problems.push({ start: node.start, end: node.end, code: 'yaml-unsupported', message: 'Only plain text keys are supported.' });
    return { kind: 'scalar', start: node.start, end: node.end, value: '', text: '', style: 'plain' };
  }

  private closingBracket(from: number, bracket: string): number {
    const at = this.text.indexOf(bracket, from - 1);
    return at >= 0 ? at + 1 : from;
  }

  private lineOf(offset: number): number {
    let line = 0;
    for (let i = 0; i < offset && i < this.text.length; i++) if (this.text.charCodeAt(i) === 10) line++;
    return line;
  }
}

function isEmptyPlain(node: YNode | null): boolean {
  return node !== null && node.kind === 'scalar' && node.style === 'plain' && node.text === '' && node.start === node.end;
}

function styleName(style: number): YScalar['style'] {
  switch (style) {
    case SCALAR_STYLE.SINGLE_QUOTED: return 'single';
    case SCALAR_STYLE.DOUBLE_QUOTED: return 'double';
    case SCALAR_STYLE.LITERAL_BLOCK: return 'literal';
    case SCALAR_STYLE.FOLDED_BLOCK: return 'folded';
    default: return 'plain';
  }
}

function trimTrailingBreaks(text: string, end: number): number {
  let e = end;
  while (e > 0 && (text[e - 1] === '\n' || text[e - 1] === '\r' || text[e - 1] === ' ')) e--;
  return e;
}

/** Looks a key up in a mapping node. */
export function getPair(map: YNode | null | undefined, key: string): YPair | undefined {
  if (!map || map.kind !== 'map') return undefined;
  return map.pairs.find(p => p.key.value === key || p.key.text === key);
}

/** Converts a node to the plain JavaScript value that JSON Schema validation sees. */
export function toJS(node: YNode | null): unknown {
  if (!node) return null;
  switch (node.kind) {
    case 'scalar': return node.value;
    case 'seq': return node.items.map(toJS);
    case 'map': {
      const out: Record<string, unknown> = {};
      for (const p of node.pairs) {
        const k = String(p.key.value);
        if (!Object.prototype.hasOwnProperty.call(out, k)) Object.defineProperty(out, k, { value: toJS(p.value), enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
  }
}

/**
 * Finds the node at a JSON pointer (`/audience/refresh`) as ajv reports it. Returns the deepest
 * node reached, and the pair whose key names the last segment (so errors can underline the key).
 */
export function nodeAtPointer(root: YNode | null, pointer: string): { node: YNode | null; pair?: YPair } {
  const segments = pointer === '' ? [] : pointer.slice(1).split('/').map(s => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  let node: YNode | null = root;
  let pair: YPair | undefined;
  for (const seg of segments) {
    if (!node) break;
    if (node.kind === 'map') {
      pair = getPair(node, seg);
      if (!pair) break;
      node = pair.value;
    } else if (node.kind === 'seq') {
      const item: YNode | undefined = node.items[Number(seg)];
      if (!item) break;
      node = item;
    } else {
      break;
    }
  }
  return { node, pair };
}
