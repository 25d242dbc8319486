/**
 * The outline: metadata keys (nested), and under `rule` the rule's structure — containers, sequences
 * with their checkpoints, logic groups, conditions and filter references.
 */
import type { FilterFile } from '../files/filterFile';
import type { Expr, GapConstraint } from '../rule/ast';
import { unitName } from '../rule/parser';
import { formatCondition } from '../rule/printer';
import type { WorkspaceFile } from '../workspace';
import type { YNode } from '../yaml/yamlTree';

export type OutlineKind = 'key' | 'object' | 'array' | 'string' | 'number' | 'boolean' | 'null' | 'container' | 'sequence' | 'checkpoint' | 'group' | 'condition' | 'filter';

export interface OutlineSymbol {
  name: string;
  detail?: string;
  kind: OutlineKind;
  start: number;
  end: number;
  selectionStart: number;
  selectionEnd: number;
  children: OutlineSymbol[];
}

const DETAIL_WIDTH = 60;

function clip(text: string): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > DETAIL_WIDTH ? one.slice(0, DETAIL_WIDTH - 1) + '…' : one;
}

export function documentSymbols(file: WorkspaceFile): OutlineSymbol[] {
  return mapSymbols(file, file.yaml.root, true);
}

function mapSymbols(file: WorkspaceFile, node: YNode | null, top: boolean): OutlineSymbol[] {
  if (!node || node.kind !== 'map') return [];
  return node.pairs.map(pair => {
    const v = pair.value;
    const sym: OutlineSymbol = {
      name: String(pair.key.value),
      kind: !v ? 'null' : v.kind === 'map' ? 'object' : v.kind === 'seq' ? 'array' : typeof v.value === 'number' ? 'number' : typeof v.value === 'boolean' ? 'boolean' : v.value === null ? 'null' : 'string',
      start: pair.start,
      end: Math.max(pair.end, pair.key.end),
      selectionStart: pair.key.start,
      selectionEnd: pair.key.end,
      children: [],
    };
    if (v?.kind === 'scalar' && !(top && file.kind === 'filter' && sym.name === 'rule')) sym.detail = clip(String(v.value ?? ''));
    if (v?.kind === 'seq') sym.detail = clip(v.items.map(i => (i.kind === 'scalar' ? String(i.value) : '…')).join(', '));
    if (v?.kind === 'map') sym.children = mapSymbols(file, v, false);
    if (top && file.kind === 'filter' && sym.name === 'rule' && file.rule?.root) sym.children = ruleSymbols(file, file.rule.root);
    return sym;
  });
}

function ruleSymbols(file: FilterFile, root: Expr): OutlineSymbol[] {
  const source = file.ruleSource!;
  const text = source.text;
  const make = (name: string, kind: OutlineKind, span: { start: number; end: number }, selection: { start: number; end: number }, children: OutlineSymbol[] = [], detail?: string): OutlineSymbol => ({
    name,
    kind,
    detail,
    start: source.toFile(span.start),
    end: source.toFile(span.end),
    selectionStart: source.toFile(selection.start),
    selectionEnd: source.toFile(selection.end),
    children,
  });
  const gap = (c: GapConstraint) => `${c.limit} ${c.count} ${unitName(c.unit, c.count)}`;
  const visit = (e: Expr): OutlineSymbol[] => {
    switch (e.kind) {
      case 'container':
        return [make(`${e.scope} where`, 'container', e, e.scopeSpan, visit(e.body))];
      case 'and':
      case 'or':
        return e.items.flatMap(visit);
      case 'not': {
        const inner = visit(e.operand);
        if (inner.length === 1 && e.operand.kind !== 'condition' && e.operand.kind !== 'filterRef') return [{ ...inner[0], name: `${e.keyword} ${inner[0].name}`, start: source.toFile(e.start) }];
        return [make(e.keyword, 'group', e, { start: e.start, end: e.start + e.keyword.length }, inner)];
      }
      case 'sequence':
        return [
          make('sequence', 'sequence', e, { start: e.start, end: e.start }, e.steps.map((s, i) => {
            const head = i === 0 ? (s.exclude ? 'exclude' : 'first') : ['then', ...s.constraints.map(gap), ...(s.exclude ? ['exclude'] : [])].join(' ');
            const children = visit(s.checkpoint);
            return make(`${i + 1}. ${head}`, 'checkpoint', s, { start: s.start, end: s.start }, children.length === 1 && children[0].kind === 'condition' ? [] : children, clip(text.slice(s.checkpoint.start, s.checkpoint.end)));
          }), `${e.steps.length} checkpoints`),
        ];
      case 'logicGroup':
        return [make(`${e.mode} of`, 'group', e, { start: e.start, end: e.start + e.mode.length }, e.items.flatMap(visit))];
      case 'only':
        return [make(`only ${e.mode}`, 'group', e, { start: e.start, end: e.start + 4 }, visit(e.sequence))];
      case 'condition':
        return [make(clip(formatCondition(e)), 'condition', e, e.subject)];
      case 'filterRef':
        return [make(`filter ${e.id.name}`, 'filter', e, e.id)];
      case 'error':
        return [];
    }
  };
  return visit(root);
}
