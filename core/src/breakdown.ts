/**
 * `breakdownByDimension`: matched people per value of one dimension — a person counts once for
 * every value carried by at least one of their events the filter returns. Feeds the preview's
 * breakdown; plain data in, plain data out.
 */
import type { Dataset } from './data/dataset';

export interface Breakdown {
  dimension: string;
  /** The `limit` values with the most people, most people first (ties by value). */
  values: Array<{ value: string; people: number }>;
  /** Distinct values among the returned events. */
  distinctValues: number;
  /** Matched people none of whose returned events carries a value. */
  missingPeople: number;
}

/** Undefined when the dataset has no column of that name. `eventMask` is in dataset event order. */
export function breakdownByDimension(dataset: Dataset, eventMask: Uint8Array, dimension: string, limit = 20): Breakdown | undefined {
  const column = dataset.columns.get(dimension);
  if (!column) return undefined;
  const person = dataset.person;
  const n = dataset.eventCount;
  // Events are sorted by person, so "already counted for this person" is one int per value.
  const people = new Map<string | number, number>();
  const lastPerson = new Map<string | number, number>();
  let codesPeople: Int32Array | undefined;
  let codesLast: Int32Array | undefined;
  if (column.kind === 'string') {
    codesPeople = new Int32Array(column.dictionary.length);
    codesLast = new Int32Array(column.dictionary.length).fill(-1);
  }
  let missingPeople = 0;
  let current = -1;
  let currentHasValue = true;
  for (let i = 0; i < n; i++) {
    if (!eventMask[i]) continue;
    const p = person[i];
    if (p !== current) {
      if (!currentHasValue) missingPeople++;
      current = p;
      currentHasValue = false;
    }
    if (column.kind === 'string') {
      const c = column.codes[i];
      if (c < 0) continue;
      currentHasValue = true;
      if (codesLast![c] !== p) {
        codesLast![c] = p;
        codesPeople![c]++;
      }
    } else {
      const v = column.values[i];
      if (Number.isNaN(v)) continue;
      currentHasValue = true;
      if (lastPerson.get(v) !== p) {
        lastPerson.set(v, p);
        people.set(v, (people.get(v) ?? 0) + 1);
      }
    }
  }
  if (!currentHasValue) missingPeople++;
  const all: Array<{ value: string; people: number }> = [];
  if (column.kind === 'string') {
    for (let c = 0; c < codesPeople!.length; c++) if (codesPeople![c] > 0) all.push({ value: column.dictionary[c], people: codesPeople![c] });
  } else {
    for (const [v, count] of people) all.push({ value: String(v), people: count });
  }
  all.sort((a, b) => b.people - a.people || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
  return { dimension, values: all.slice(0, limit), distinctValues: all.length, missingPeople };
}
