/** Traversal helpers over rule trees, shared by the checker, formatter, engine and SQL compiler. */
import type { Expr, Sequence, SequenceStep } from './ast';

/** The direct sub-expressions of `e`, in source order (a sequence's checkpoints, a container's body...). */
export function childrenOf(e: Expr): Expr[] {
  switch (e.kind) {
    case 'container':
      return [e.body];
    case 'and':
    case 'or':
    case 'logicGroup':
      return e.items;
    case 'not':
      return [e.operand];
    case 'sequence':
      return e.steps.map(s => s.checkpoint);
    case 'only':
      return [e.sequence];
    case 'condition':
    case 'filterRef':
    case 'error':
      return [];
  }
}

/**
 * Visits `root` and its sub-expressions depth-first in source order, with each node's parent.
 * Returning `false` from the visitor skips that node's children. Iterative: any depth is safe.
 */
export function walkExpr(root: Expr, visit: (node: Expr, parent: Expr | undefined) => boolean | void): void {
  const stack: Array<[Expr, Expr | undefined]> = [[root, undefined]];
  while (stack.length) {
    const [node, parent] = stack.pop()!;
    if (visit(node, parent) === false) continue;
    const children = childrenOf(node);
    for (let i = children.length - 1; i >= 0; i--) stack.push([children[i], node]);
  }
}

type SpanKey = 'start' | 'end' | 'scopeSpan' | 'opSpan';

/** `T` without the source positions (`start`, `end`, `scopeSpan`, `opSpan`) at any depth. */
export type WithoutSpans<T> = T extends readonly (infer U)[]
  ? WithoutSpans<U>[]
  : T extends object
    ? { [K in keyof T as K extends SpanKey ? never : K]: WithoutSpans<T[K]> }
    : T;

const SPAN_KEYS: ReadonlySet<string> = new Set<SpanKey>(['start', 'end', 'scopeSpan', 'opSpan']);

/** A copy of a tree without source positions, for structural comparison (`a = 1` here and there). */
export function stripSpans<T>(node: T): WithoutSpans<T> {
  if (Array.isArray(node)) return node.map(stripSpans) as WithoutSpans<T>;
  if (node === null || typeof node !== 'object') return node as WithoutSpans<T>;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (!SPAN_KEYS.has(key)) out[key] = stripSpans(value);
  }
  return out as WithoutSpans<T>;
}

/** Flattens nested `then` chains used as checkpoints: `A then (B then C)` is `A then B then C`. */
export function flattenSteps(seq: Sequence): SequenceStep[] {
  const out: SequenceStep[] = [];
  for (const step of seq.steps) {
    if (!step.exclude && step.checkpoint.kind === 'sequence' && step.checkpoint.steps.length > 0) {
      const inner = flattenSteps(step.checkpoint);
      out.push({ ...inner[0], constraints: [...step.constraints, ...inner[0].constraints] });
      out.push(...inner.slice(1));
    } else {
      out.push(step);
    }
  }
  return out;
}
