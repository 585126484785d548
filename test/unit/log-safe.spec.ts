import { logSafe, logSafeMessage, logSafeStack } from '../../src/signaling/log-safe';

describe('logSafe: client-supplied text in a log line', () => {
  it('leaves ordinary text alone', () => {
    expect(logSafe('room-1_a.b')).toBe('room-1_a.b');
    expect(logSafe('Mozilla/5.0 (X11; Linux x86_64) — é ü 日本 😀')).toBe('Mozilla/5.0 (X11; Linux x86_64) — é ü 日本 😀');
    expect(logSafe('')).toBe('');
  });

  it('escapes line breaks, terminal escapes, C1 controls, line separators and bidi controls', () => {
    expect(logSafe('a\nb\rc\td')).toBe('a\\nb\\rc\\td');
    expect(logSafe('\u001b[31mred\u001b[0m')).toBe('\\u001b[31mred\\u001b[0m');
    expect(logSafe('\u0000\u0007\u007f\u0085\u009b')).toBe('\\u0000\\u0007\\u007f\\u0085\\u009b');
    expect(logSafe('x\u2028y\u2029z')).toBe('x\\u2028y\\u2029z');
    expect(logSafe('\u202eevil\u2066\u200f')).toBe('\\u202eevil\\u2066\\u200f');
    // a backslash is escaped too: `\n` in the output always stands for a newline the client sent
    expect(logSafe('a\\nb')).toBe('a\\\\nb');
  });

  it('escapes lone surrogates and keeps pairs', () => {
    expect(logSafe('a\ud800b')).toBe('a\\ud800b');
    expect(logSafe('a\udc00b')).toBe('a\\udc00b');
    expect(logSafe('a\ud83d\ude00b')).toBe('a😀b');
  });

  it('caps the length, without cutting a surrogate pair', () => {
    expect(logSafe('x'.repeat(300))).toBe(`${'x'.repeat(200)}…(+100 chars)`);
    expect(logSafe('abcdef', 4)).toBe('abcd…(+2 chars)');
    expect(logSafe('abc😀', 4)).toBe('abc…(+2 chars)');
    expect(logSafe('\n'.repeat(10), 3)).toBe('\\n\\n\\n…(+7 chars)');
  });

  it('never yields a line break or an escape character, whatever the input', () => {
    let all = '';
    for (let code = 0; code < 0x10000; code++) all += String.fromCharCode(code);
    const safe = logSafe(all, all.length);
    expect(safe).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/);
    expect(safe.split('\n')).toHaveLength(1);
  });

  it('converts non-strings', () => {
    expect(logSafe(undefined)).toBe('undefined');
    expect(logSafe(42)).toBe('42');
  });

  it('escapes an error message, in the message and in the stack', () => {
    const error = new Error('bad "x\nFAKE LINE"');
    expect(logSafeMessage(error)).toBe('bad "x\\nFAKE LINE"');
    const stack = logSafeStack(error) as string;
    expect(stack.split('\n')[0]).toBe('Error: bad "x\\nFAKE LINE"');
    expect(stack.split('\n')[1]).toMatch(/^\s+at /);
    expect(stack).not.toContain('\nFAKE LINE');
    expect(logSafeMessage('thrown\rstring')).toBe('thrown\\rstring');
    expect(logSafeStack('not an error')).toBeUndefined();
    const changed = new Error('first');
    changed.message = 'second\nFAKE';
    expect((logSafeStack(changed) as string).split('\n')[0]).toBe('Error: second\\nFAKE');
  });
});
