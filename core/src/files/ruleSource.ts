import type { YScalar } from '../yaml/yamlTree';

/**
 * The rule text of a filter file and the map from offsets in it (the decoded YAML scalar) back to
 * offsets in the file. Literal block scalars (`rule: |`) map line by line; single-line scalars map
 * by shift (escapes in double-quoted scalars shift what follows them by their extra length).
 */
export class RuleSource {
  private constructor(
    readonly text: string,
    /** File offset of each decoded line's first character. */
    private readonly lineFileStarts: number[],
    /** Decoded offset of each decoded line's first character. */
    private readonly lineTextStarts: number[],
    readonly scalar: YScalar,
  ) {}

  static fromScalar(fileText: string, scalar: YScalar): RuleSource {
    const text = scalar.text;
    const textStarts: number[] = [0];
    for (let i = 0; i < text.length; i++) if (text[i] === '\n') textStarts.push(i + 1);
    const fileStarts: number[] = [];
    if (scalar.block && scalar.style === 'literal') {
      let lineStart = scalar.block.contentStart;
      for (let l = 0; l < textStarts.length; l++) {
        fileStarts.push(Math.min(lineStart + scalar.block.indent, fileText.length));
        const nl = fileText.indexOf('\n', lineStart);
        lineStart = nl < 0 ? fileText.length : nl + 1;
      }
    } else {
      const quoted = scalar.style === 'single' || scalar.style === 'double';
      const base = scalar.start + (quoted ? 1 : 0);
      // Folded and multi-line plain scalars: approximate by the line's first non-blank character.
      let lineStart = base;
      for (let l = 0; l < textStarts.length; l++) {
        fileStarts.push(lineStart);
        const nl = fileText.indexOf('\n', lineStart);
        if (nl < 0) break;
        let next = nl + 1;
        while (fileText[next] === ' ') next++;
        lineStart = next;
      }
      while (fileStarts.length < textStarts.length) fileStarts.push(fileStarts[fileStarts.length - 1]);
    }
    return new RuleSource(text, fileStarts, textStarts, scalar);
  }

  /** File offset of a rule-text offset. */
  toFile(offset: number): number {
    let lo = 0;
    let hi = this.lineTextStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineTextStarts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return this.lineFileStarts[lo] + (offset - this.lineTextStarts[lo]);
  }

  /** Rule-text offset of a file offset, or -1 when the file offset is outside the rule. */
  fromFile(offset: number): number {
    for (let l = this.lineFileStarts.length - 1; l >= 0; l--) {
      if (offset >= this.lineFileStarts[l]) {
        const lineLength = (l + 1 < this.lineTextStarts.length ? this.lineTextStarts[l + 1] - 1 : this.text.length) - this.lineTextStarts[l];
        const within = offset - this.lineFileStarts[l];
        return within <= lineLength ? this.lineTextStarts[l] + within : -1;
      }
    }
    return -1;
  }

  /** True when rule offsets map one to one onto file text (literal blocks and plain one-liners). */
  get exact(): boolean {
    return this.scalar.style === 'literal' || (this.scalar.style !== 'folded' && !this.text.includes('\n'));
  }
}
