/**
 * The events an evaluation sees: the dataset restricted to the evaluation window. Without a window
 * the frame shares the dataset's arrays (no copy); with one it gathers the in-window events once
 * and renumbers sessions so that only sessions with an in-window event exist. Person indices are
 * kept (a person without in-window events simply has an empty range), so identities map 1:1.
 */
import type { Column, Dataset } from '../data/dataset';
import type { Scope } from '../rule/ast';

export interface EvaluationWindow {
  /** Epoch ms, inclusive. */
  from: number;
  /** Epoch ms, exclusive. */
  to: number;
}

export class Frame {
  readonly n: number;
  readonly timestamps: Float64Array;
  readonly person: Int32Array;
  readonly session: Int32Array;
  readonly personCount: number;
  readonly personStart: Int32Array;
  readonly sessionCount: number;
  readonly sessionStart: Int32Array;
  /** Dataset event index of each frame event, or null when the frame is the whole dataset. */
  readonly origIndex: Int32Array | null;
  private readonly gathered = new Map<string, Column>();

  constructor(readonly dataset: Dataset, window?: EvaluationWindow) {
    if (!window) {
      this.n = dataset.eventCount;
      this.timestamps = dataset.timestamps;
      this.person = dataset.person;
      this.session = dataset.session;
      this.personCount = dataset.personCount;
      this.personStart = dataset.personStart;
      this.sessionCount = dataset.sessionCount;
      this.sessionStart = dataset.sessionStart;
      this.origIndex = null;
      return;
    }
    const ts = dataset.timestamps;
    let count = 0;
    for (let i = 0; i < dataset.eventCount; i++) if (ts[i] >= window.from && ts[i] < window.to) count++;
    const orig = new Int32Array(count);
    const timestamps = new Float64Array(count);
    const person = new Int32Array(count);
    const session = new Int32Array(count);
    const personStart = new Int32Array(dataset.personCount + 1);
    const sessionStarts: number[] = [];
    let k = 0;
    let lastOrigSession = -1;
    let lastPerson = -1;
    for (let i = 0; i < dataset.eventCount; i++) {
      if (!(ts[i] >= window.from && ts[i] < window.to)) continue;
      const p = dataset.person[i];
      while (lastPerson < p) personStart[++lastPerson] = k;
      if (dataset.session[i] !== lastOrigSession) {
        lastOrigSession = dataset.session[i];
        sessionStarts.push(k);
      }
      orig[k] = i;
      timestamps[k] = ts[i];
      person[k] = p;
      session[k] = sessionStarts.length - 1;
      k++;
    }
    while (lastPerson < dataset.personCount) personStart[++lastPerson] = k;
    sessionStarts.push(k);
    this.n = count;
    this.timestamps = timestamps;
    this.person = person;
    this.session = session;
    this.personCount = dataset.personCount;
    this.personStart = personStart;
    this.sessionCount = sessionStarts.length - 1;
    this.sessionStart = Int32Array.from(sessionStarts);
    this.origIndex = orig;
  }

  /** A column restricted to the frame's events (gathered once per name), or undefined. */
  column(name: string): Column | undefined {
    const source = this.dataset.columns.get(name);
    if (!source || !this.origIndex) return source;
    let col = this.gathered.get(name);
    if (!col) {
      const orig = this.origIndex;
      if (source.kind === 'string') {
        const codes = new Int32Array(orig.length);
        for (let i = 0; i < orig.length; i++) codes[i] = source.codes[orig[i]];
        col = { kind: 'string', codes, dictionary: source.dictionary };
      } else {
        const values = new Float64Array(orig.length);
        for (let i = 0; i < orig.length; i++) values[i] = source.values[orig[i]];
        col = { kind: 'number', values };
      }
      this.gathered.set(name, col);
    }
    return col;
  }

  unitCount(scope: Scope): number {
    return scope === 'person' ? this.personCount : scope === 'session' ? this.sessionCount : this.n;
  }

  /** First-event offsets of the units of a scope (length unitCount + 1), or null for events. */
  unitStarts(scope: Scope): Int32Array | null {
    return scope === 'person' ? this.personStart : scope === 'session' ? this.sessionStart : null;
  }

  /** Unit index of every event for a scope, or null for events (the event itself). */
  unitOf(scope: Scope): Int32Array | null {
    return scope === 'person' ? this.person : scope === 'session' ? this.session : null;
  }
}

/** A frame event range [start, end) per unit, for any scope. */
export function unitRange(frame: Frame, scope: Scope, unit: number): [number, number] {
  const starts = frame.unitStarts(scope);
  return starts ? [starts[unit], starts[unit + 1]] : [unit, unit + 1];
}
