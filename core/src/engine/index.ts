/** The evaluation engine: filters over columnar datasets, with CJA semantics (SPEC §3.3). */
export { evaluateFilter, type Counts, type EvaluationContext, type EvaluationResult, type EvaluationStep, type Identity, type MetricTotal, type ReturnHorizon, RETURN_HORIZONS, stepConversion } from './evaluate';
export { explainPerson, type Explanation, type PersonRef, type StepExplanation, type TimelineEvent } from './explain';
export { EvaluationAborted, DEFAULT_ROOT_SCOPE } from './evaluator';
export type { EvaluationWindow } from './frame';
export { addCalendarMonths } from './gaps';
export { compileGlob } from './stringMatch';
export { describeExpr } from './describe';
