/** Every operator of the AST, case-insensitivity, globs (escapes, adversarial input), attribution. */
import * as assert from 'node:assert/strict';
import { compileGlob } from '../../../core/src/engine';
import { compareCodePoints } from '../../../core/src/text';
import { ev, who } from './fixtures';

describe('engine operators', () => {
  const records = [
    ev('p1', '10:00', { page: 'Home Page', price: 5 }),
    ev('p2', '10:00', { page: 'cart', price: 12.5 }),
    ev('p3', '10:00', { page: 'a*b' }),
    ev('p4', '10:00', { category: 'x' }),
  ];
  const cases: Array<[string, string[]]> = [
    ['page = "cart"', ['p2']],
    ['page != "cart"', ['p1', 'p3', 'p4']],
    ['page in ("cart", "a*b")', ['p2', 'p3']],
    ['page not in ("cart", "a*b")', ['p1', 'p4']],
    ['page contains "Page"', ['p1']],
    ['page contains "page"', []],
    ['page contains "page" ignoring case', ['p1']],
    ['page not contains "a"', ['p4']],
    ['page contains any of ("art", "Home")', ['p1', 'p2']],
    ['page contains all of ("Home", "Page")', ['p1']],
    ['page not contains any of ("art", "Home")', ['p3', 'p4']],
    ['page not contains all of ("Home", "Page")', ['p2', 'p3', 'p4']],
    ['page starts with "Ho"', ['p1']],
    ['page starts with "ho" ignoring case', ['p1']],
    ['page not starts with "Ho"', ['p2', 'p3', 'p4']],
    ['page ends with "rt"', ['p2']],
    ['page not ends with "rt"', ['p1', 'p3', 'p4']],
    ['page matches "H*P*e"', ['p1']],
    ['page matches "h*"', []],
    ['page matches "h*" ignoring case', ['p1']],
    ['page matches "a\\\\*b"', ['p3']],
    ['page matches "a\\\\**"', ['p3']],
    ['page matches "*\\\\*"', []],
    ['page not matches "*a*"', ['p4']],
    ['page not matches "*e"', ['p2', 'p3', 'p4']],
    ['page exists', ['p1', 'p2', 'p3']],
    ['page not exists', ['p4']],
    ['page < "b"', ['p1', 'p3']],
    ['page >= "cart"', ['p2']],
    ['page between "a" and "c"', ['p3']],
    ['price = 5', ['p1']],
    ['price != 5', ['p2', 'p3', 'p4']],
    ['price in (5, 7)', ['p1']],
    ['price not in (5, 7)', ['p2', 'p3', 'p4']],
    ['price > 5', ['p2']],
    ['price >= 5', ['p1', 'p2']],
    ['price < 12.5', ['p1']],
    ['price <= 12.5', ['p1', 'p2']],
    ['price between 5 and 12.5', ['p1', 'p2']],
    ['price exists', ['p1', 'p2']],
    ['price not exists', ['p3', 'p4']],
  ];
  for (const [cond, expected] of cases) {
    it(cond, () => assert.deepEqual(who(`event where ${cond}`, records), expected));
  }

  it('globs: * wildcard, \\* literal, whole-value match', () => {
    const g = compileGlob('a\\*b*c');
    assert.equal(g('a*bc'), true);
    assert.equal(g('a*bxxc'), true);
    assert.equal(g('axbc'), false);
    assert.equal(compileGlob('*')(''), true);
    assert.equal(compileGlob('ab*ab')('ab'), false);
    assert.equal(compileGlob('ab*ab')('abab'), true);
    assert.equal(compileGlob('*aa*aa*')('aaa'), false);
    assert.equal(compileGlob('*aa*aa*')('aaaa'), true);
  });

  // A backtracking matcher needs about C(100000, 50) steps here, so it would never finish: the
  // suite's timeout catches it. No time is asserted (KMP segment search takes milliseconds).
  it('globs run in linear time on adversarial input (50 `*a` segments, 100 KB value)', () => {
    const pattern = '*a'.repeat(50) + '*b';
    const value = 'a'.repeat(100_000);
    assert.equal(compileGlob(pattern)(value), false);
    assert.equal(compileGlob(pattern)(value + 'b'), true);
    assert.equal(compileGlob('*' + 'a'.repeat(5000) + 'b*')(value), false);
  });

  describe('attribution', () => {
    // p1: A A B A in one session; p2: A in two sessions
    const recs = [
      ev('p1', '10:00', { page: 'A' }), ev('p1', '10:01', { page: 'A' }), ev('p1', '10:02', { page: 'B' }), ev('p1', '10:03', { page: 'A' }),
      ev('p2', '10:00', { page: 'A' }), ev('p2', '12:00', { page: 'A' }),
    ];
    it('repeating (default) counts every event with the value', () => {
      assert.deepEqual(who('person where page = "A" then within 1 event page = "A"', recs), ['p1', 'p2']);
      assert.deepEqual(who('person where page = "A" then within 0 sessions page = "A"', recs), ['p1']);
    });
    it('instance counts where the value was set or changed (repeats once)', () => {
      assert.deepEqual(who('person where page = "A" [instance] then within 1 event page = "A" [instance]', recs), []);
      assert.deepEqual(who('person where page = "A" [instance] then page = "A" [instance]', recs), ['p1']);
      assert.deepEqual(who('person where page = "A" [instance] then within 1 session page = "A" [instance]', recs), ['p1']);
      assert.deepEqual(who('person where page = "A" [instance] then page = "B" [instance] then page = "A" [instance]', recs), ['p1']);
    });
    it('non-repeating instance counts the first occurrence per session or per person', () => {
      assert.deepEqual(who('person where page = "A" [non-repeating instance] then page = "A" [non-repeating instance]', recs), ['p2']);
      assert.deepEqual(who('person where page = "A" [non-repeating instance per person] then page = "A" [non-repeating instance per person]', recs), []);
    });
  });
  it('text order is by code points, not UTF-16 code units (non-BMP text)', () => {
    // U+FF5A 'ｚ' is one code unit 0xFF5A; U+1F600 '😀' is the pair 0xD83D 0xDE00: by code units
    // the emoji sorts first, by code points (UTF-8 bytes, SQL's binary order) last.
    assert.ok('😀' < 'ｚ', 'JavaScript compares code units');
    assert.ok(compareCodePoints('ｚ', '😀') < 0);
    assert.ok(compareCodePoints('😀', 'ｚ') > 0);
    assert.ok(compareCodePoints('a', '😀') < 0);
    assert.ok(compareCodePoints('\uD7FF', '😀') < 0);
    assert.ok(compareCodePoints('😀', '😁') < 0);
    assert.equal(compareCodePoints('😀x', '😀x'), 0);
    assert.ok(compareCodePoints('ab', 'abc') < 0);
    assert.deepEqual(['😀', 'ｚ', 'a', '\uFFFF', '\u{10FFFF}', '\uE000'].sort(compareCodePoints), ['a', '\uE000', 'ｚ', '\uFFFF', '😀', '\u{10FFFF}']);
    // Against UTF-8 byte order on every pair of a mixed pool.
    const pool = ['', 'a', 'z', 'é', '\uD7FF', '\uE000', 'ｚ', '\uFFFF', '😀', '😁', '\u{10000}', '\u{10FFFF}', 'a😀', 'aｚ'];
    for (const x of pool) for (const y of pool) assert.equal(Math.sign(compareCodePoints(x, y)), Math.sign(Buffer.compare(Buffer.from(x), Buffer.from(y))), `${JSON.stringify(x)} vs ${JSON.stringify(y)}`);
    const records = [ev('p1', '10:00', { page: 'ｚ' }), ev('p2', '10:00', { page: '😀' }), ev('p3', '10:00', { page: 'a' })];
    assert.deepEqual(who('event where page > "ｚ"', records), ['p2']);
    assert.deepEqual(who('event where page < "😀"', records), ['p1', 'p3']);
    assert.deepEqual(who('event where page between "b" and "😀"', records), ['p1', 'p2']);
    // Audience order: namespace, then ID, by code points.
    assert.deepEqual(who('event where page exists', [ev('😀', '10:00', { page: 'x' }), ev('ｚ', '10:00', { page: 'x' })]), ['ｚ', '😀']);
  });
});
