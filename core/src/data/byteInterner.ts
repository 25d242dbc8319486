/**
 * A hash table from byte strings (spans of a sample file's bytes) to integer codes, so that the
 * NDJSON row scanner can find a value's dictionary code, person or session without decoding the
 * bytes into a JavaScript string first. It is a cache in front of the builder's string-keyed
 * maps: on a miss the caller decodes the bytes once, asks the builder for the code, and stores it
 * here, so both ways of reading a row always agree on the code.
 *
 * Keys carry a small integer `tag` besides their bytes (the identity namespace of a person ID), so
 * the same bytes under two tags are two keys.
 */

const EMPTY = -1;

const HASH_SEED = 0x811c9dc5 | 0;

/** FNV-1a over `bytes[start, end)`, a byte at a time (for short keys). */
export function hashBytes(bytes: Uint8Array, start: number, end: number): number {
  let h = HASH_SEED;
  for (let i = start; i < end; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
  return h;
}

/**
 * A hash of the bytes `[start, end)` of `view`, four at a time (values are read once more to be
 * hashed, so fewer steps matter), finished with MurmurHash3's mix so the low bits that pick a slot
 * depend on every byte.
 */
export function hashSpan(view: DataView, start: number, end: number): number {
  let h = HASH_SEED ^ (end - start);
  let i = start;
  for (; i + 4 <= end; i += 4) h = Math.imul(h ^ view.getInt32(i, true), 0x01000193);
  for (; i < end; i++) h = Math.imul(h ^ view.getUint8(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** The key hash for bytes hashed as `hash` under `tag`. */
export function withTag(hash: number, tag: number): number {
  return Math.imul(hash ^ tag, 0x01000193);
}

export class ByteInterner {
  /** Concatenated key bytes, and a view to compare them four at a time. */
  private arena = new Uint8Array(1 << 12);
  private arenaView = new DataView(this.arena.buffer);
  private arenaUsed = 0;
  /** Per entry: start in `arena`, length, tag, hash and the stored code. */
  private starts = new Int32Array(256);
  private lengths = new Int32Array(256);
  private tags = new Int32Array(256);
  private hashes = new Int32Array(256);
  private codes = new Int32Array(256);
  private count = 0;
  /** Open addressing: entry index per slot, EMPTY when free. Size is a power of two. */
  private slots = new Int32Array(512).fill(EMPTY);
  private mask = 511;

  get size(): number {
    return this.count;
  }

  /**
   * The code stored for `bytes[start, end)` and `tag`, or -1. `view` is a DataView over `bytes`
   * (same offsets); `hash` is the caller's hash of the bytes and tag, the same function for every
   * call, e.g. `withTag(hashSpan(view, start, end), tag)`.
   */
  get(bytes: Uint8Array, view: DataView, start: number, end: number, tag: number, hash: number): number {
    const length = end - start;
    const arena = this.arenaView;
    for (let slot = hash & this.mask; ; slot = (slot + 1) & this.mask) {
      const e = this.slots[slot];
      if (e === EMPTY) return -1;
      if (this.hashes[e] !== hash || this.lengths[e] !== length || this.tags[e] !== tag) continue;
      const at = this.starts[e] - start;
      let k = start;
      while (k + 4 <= end && arena.getInt32(at + k) === view.getInt32(k)) k += 4;
      while (k < end && arena.getUint8(at + k) === bytes[k]) k++;
      if (k === end) return this.codes[e];
    }
  }

  /** Stores `code` for bytes and tag that `get` did not find. */
  add(bytes: Uint8Array, start: number, end: number, tag: number, hash: number, code: number): void {
    const length = end - start;
    if (this.arenaUsed + length > this.arena.length) {
      const grown = new Uint8Array(Math.max(this.arena.length * 2, this.arenaUsed + length));
      grown.set(this.arena.subarray(0, this.arenaUsed));
      this.arena = grown;
      this.arenaView = new DataView(grown.buffer);
    }
    this.arena.set(bytes.subarray(start, end), this.arenaUsed);
    if (this.count === this.codes.length) this.growEntries();
    const e = this.count++;
    this.starts[e] = this.arenaUsed;
    this.lengths[e] = length;
    this.tags[e] = tag;
    this.hashes[e] = hash;
    this.codes[e] = code;
    this.arenaUsed += length;
    if (this.count * 2 > this.slots.length) this.rehash();
    else this.place(e);
  }

  private place(e: number): void {
    let slot = this.hashes[e] & this.mask;
    while (this.slots[slot] !== EMPTY) slot = (slot + 1) & this.mask;
    this.slots[slot] = e;
  }

  private growEntries(): void {
    const cap = this.codes.length * 2;
    const grow = (a: Int32Array): Int32Array<ArrayBuffer> => {
      const b = new Int32Array(cap);
      b.set(a);
      return b;
    };
    this.starts = grow(this.starts);
    this.lengths = grow(this.lengths);
    this.tags = grow(this.tags);
    this.hashes = grow(this.hashes);
    this.codes = grow(this.codes);
  }

  private rehash(): void {
    const size = this.slots.length * 2;
    this.slots = new Int32Array(size).fill(EMPTY);
    this.mask = size - 1;
    for (let e = 0; e < this.count; e++) this.place(e);
  }
}
