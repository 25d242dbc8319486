import type { Explanation } from '../../core/src/engine/explain';
import type { SizeGauge } from '../../core/src/publish/plan';

/**
 * Custom LSP messages between the Audience Filters client and server. Imported by both sides;
 * plain method names and types only (no vscode or vscode-languageserver imports here).
 * Documented in docs/protocol.md.
 */

/** Request, client → server: how the server is doing (used by tests and the language status item). */
export const ServerStatusRequest = 'audienceFilters/serverStatus';
export interface ServerStatus {
  running: true;
  /** Number of files the server has checked (open or on disk). */
  checkedFiles: number;
  /** Number of errors over all checked files. */
  errors: number;
  warnings: number;
  /** ISO time of the last check. */
  lastCheck: string | null;
}

/** Notification, server → client: sent after each check, feeds the language status item. */
export const StatusNotification = 'audienceFilters/status';
export interface StatusParams extends ServerStatus {
  /** The data view of the file that was just checked, if any. */
  dataView?: string;
  uri?: string;
}

// ---- Preview and explain (SPEC §5) ----

/** Matched or total people, sessions and events. */
export interface PreviewCounts {
  people: number;
  sessions: number;
  events: number;
}

/** One identity of a person: the namespace (ECID, Email, CRM, ...) and the ID in it. */
export interface PreviewIdentity {
  namespace: string;
  id: string;
}

/**
 * Request, client → server: evaluate one filter on its data view's sample data, for the preview
 * panel and the CodeLens. The server evaluates the text the client last synchronised. A newer
 * request for the same `uri` (another document version) cancels an older one that is still
 * running; requests for the same text share one evaluation. `$/cancelRequest` cancels too.
 */
export const PreviewRequest = 'audienceFilters/preview';
export interface PreviewParams {
  uri: string;
  /** Dimension of the data view to break the matched people down by; default: its first dimension. `null`: no breakdown. */
  breakdown?: string | null;
  /** How many identities of the audience to return (default 200, at most 1000); 0 for counts only. */
  sampleSize?: number;
  /** Metrics the user pinned for this filter (names of the data view); they come first and are marked. Default: none pinned. */
  pinnedMetrics?: string[];
}

/** A metric of the data view: its total over the events the filter returns, and over the window. */
export interface PreviewMetric {
  name: string;
  audience: number;
  total: number;
  /** audience / total; null when the total is 0. */
  share: number | null;
  pinned: boolean;
}

/** The audience size against the identity limit: core's `SizeGauge`, the same the publish plan has. */
export type PreviewGauge = SizeGauge;

/** Estimated return within `days` (core `ReturnHorizon`; the method is in docs/language.md). */
export interface PreviewReturn {
  days: number;
  eligible: number;
  returned: number;
  share: number | null;
  expected: number | null;
}

/** An error of the filter file, for the preview to list and link. */
export interface PreviewError {
  code: string;
  message: string;
  /** 0-based, as LSP. */
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
}

/** Matched people per value of one dimension (people with at least one returned event carrying it). */
export interface PreviewBreakdown {
  dimension: string;
  /** At most 20 values, most people first. */
  values: Array<{ value: string; people: number }>;
  /** Number of distinct values among the matched people's returned events. */
  distinctValues: number;
  /** Matched people without any returned event that carries a value. */
  missingPeople: number;
}

/** One bar of the waterfall: people reaching clause / checkpoint 1..k; `start`/`end` are offsets in the file. */
export interface PreviewStep {
  label: string;
  /** `then` (sequence), `and` / `or` (cumulative clauses); none on the first step. */
  join?: 'then' | 'and' | 'or';
  /** The gap written before the checkpoint, e.g. `within 30 minutes`. */
  gap?: string;
  people: number;
  /** people / the step before's people (the first step: / all people of the window); null when that is 0. */
  conversion: number | null;
  start: number;
  end: number;
}

/** The evaluation of a filter, without the full audience. */
export interface PreviewEvaluation {
  status: 'ok';
  stale: false;
  uri: string;
  /** Version of the document that was evaluated (undefined for a file not open in the editor). */
  version?: number;
  filterId: string;
  title?: string;
  dataView: { id: string; title?: string };
  /** Dimensions of the data view, for the breakdown picker. */
  dimensions: string[];
  /** The filter's `period` (or its one-time audience `range`) as a UTC window, if it has one. */
  window?: { from: string; to: string };
  /** Where `window` comes from. */
  windowSource?: 'range' | 'period' | 'lookback';
  /** For a relative period: the day it ends on, the newest event's or today (the data view's `anchor`). */
  anchor?: { kind: 'newest-event' | 'today'; date: string };
  matched: PreviewCounts;
  total: PreviewCounts;
  /** Matched people per identity namespace. */
  namespaces: Record<string, number>;
  /** Every metric of the data view, pinned ones first (then data view order). */
  metrics: PreviewMetric[];
  /** Matched people against the 20M identity limit. */
  gauge: PreviewGauge;
  /** Estimated return within 7, 14 and 30 days. */
  returns: PreviewReturn[];
  steps: PreviewStep[];
  /** Matched people with a returned event on each UTC day, ascending. */
  perDay: Array<{ day: string; people: number }>;
  breakdown: PreviewBreakdown | null;
  /** The first `sampleSize` identities of the audience (sorted by namespace, then id). */
  sample: PreviewIdentity[];
  /** Referenced filter ids that form a cycle (evaluated as false). */
  referenceCycles: string[];
  /** Engine time in milliseconds (not counting the dataset load). */
  elapsedMs: number;
  /** True when the dataset was already loaded. */
  warm: boolean;
  /** Number of problems met while loading the sample data (bad rows etc.). */
  loadWarnings: number;
  /**
   * Set when the data view has more events than `audienceFilters.preview.sampleRowLimit`: the
   * counts are of its first `rowLimit` events (in file order).
   */
  truncated?: { rowLimit: number };
  /** ISO time the evaluation finished. */
  evaluatedAt: string;
}

/** The file has errors: nothing was evaluated; the client keeps its last good result, marked stale. */
export interface PreviewStale {
  status: 'stale';
  stale: true;
  uri: string;
  version?: number;
  errors: number;
  message: string;
  /** The file's errors, in file order (at most 50). */
  diagnostics: PreviewError[];
}

/** Nothing to evaluate: not a filter file, no data view, or the request was cancelled / superseded. */
export interface PreviewUnavailable {
  status: 'unavailable' | 'cancelled';
  stale: false;
  uri: string;
  version?: number;
  /** `no-warehouse` / `warehouse`: an evaluation on the data view's warehouse could not run (the message says why). */
  code: 'not-a-filter' | 'no-dataview' | 'data-incomplete' | 'too-many-bad-rows' | 'cancelled' | 'no-warehouse' | 'warehouse';
  message: string;
}

export type PreviewResult = PreviewEvaluation | PreviewStale | PreviewUnavailable;

/**
 * Request, client → server: why one person is or is not in the filter's result — their timeline
 * and, per checkpoint or clause, whether it matched and why not (the engine's `explainPerson`).
 */
export const ExplainRequest = 'audienceFilters/explain';
export interface ExplainParams {
  uri: string;
  person: PreviewIdentity;
}

/** The engine's explanation (core `Explanation`), with the status of the request. */
export interface ExplainEvaluation extends Explanation {
  status: 'ok';
  uri: string;
}

export type ExplainResult = ExplainEvaluation | PreviewStale | PreviewUnavailable;

/**
 * Request, client → server: every person of the filter's sample data (within the preview's row
 * limit), each with the identity explain takes and whether the filter returns them, so Explain can
 * offer members and non-members alike. Sorted members first, then by namespace and id (code points).
 */
export const PeopleRequest = 'audienceFilters/people';
export interface PeopleParams {
  uri: string;
}

export interface PeopleEvaluation {
  status: 'ok';
  uri: string;
  version?: number;
  dataView: { id: string };
  /** At most 10 000 people: all members first, then non-members. */
  people: Array<PreviewIdentity & { member: boolean }>;
  /** People in the audience. */
  members: number;
  /** People in the sample data (more than `people.length` when the list was cut). */
  total: number;
}

export type PeopleResult = PeopleEvaluation | PreviewStale | PreviewUnavailable;

/**
 * Notification, server → client: progress of loading a data view's sample data for a preview or
 * explain request (sent at most every 100 ms, and once with `done: true`).
 */
export const LoadProgressNotification = 'audienceFilters/loadProgress';
export interface LoadProgressParams {
  /** The filter whose request started or joined the load. */
  uri: string;
  dataView: string;
  bytesRead: number;
  totalBytes: number;
  rows: number;
  done: boolean;
}

// ---- Publish (SPEC §5 Publish, §3.3 rule 8) ----

// The metadata the profile endpoint stores for an audience (name, filterId, refresh, lookbackDays, expires, namespaces, ...).
import type { AudienceMetadata } from '../../core/src/publish/protocol';

/**
 * Request, client → server: the audience of one filter, for publishing. The server evaluates the
 * text the client last synchronised over the audience's **lookback** window (not the filter's
 * `period`), ending at the newest event of the sample data, and answers every identity of the
 * audience (one per person, sorted by namespace, then id) with the metadata of the filter's
 * `audience:` block. `$/cancelRequest` cancels the evaluation.
 */
export const AudienceRequest = 'audienceFilters/audience';
export interface AudienceParams {
  uri: string;
}

export interface AudienceEvaluation {
  status: 'ok';
  uri: string;
  /** Version of the document that was evaluated (undefined for a file not open in the editor). */
  version?: number;
  filterId: string;
  dataView: { id: string; title?: string };
  /** The lookback window (or the one-time audience's `range`) as UTC times. */
  window?: { from: string; to: string };
  /** `range` for a one-time audience with a date range, else `lookback`. */
  windowSource?: 'range' | 'period' | 'lookback';
  /**
   * What to publish as the audience's metadata. `namespaces` are the ones the `audience:` block
   * declares or, when it declares none, those of the identities (as the CLI does).
   */
  metadata: AudienceMetadata;
  /** Every identity of the audience, unscreened: the client's plan leaves out disallowed namespaces and says so. */
  identities: PreviewIdentity[];
  /** Number of problems met while loading the sample data. */
  loadWarnings: number;
  /** ISO time the evaluation finished. */
  evaluatedAt: string;
}

/** Nothing to publish, and why: not a filter, errors in the file, no data view, no `audience:` block, or cancelled. */
export interface AudienceUnavailable {
  status: 'error';
  uri: string;
  version?: number;
  code: 'not-a-filter' | 'filter-has-errors' | 'no-dataview' | 'no-audience' | 'data-incomplete' | 'too-many-bad-rows' | 'cancelled' | 'no-warehouse' | 'warehouse';
  message: string;
}

export type AudienceResult = AudienceEvaluation | AudienceUnavailable;
