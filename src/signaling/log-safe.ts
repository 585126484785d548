/**
 * Characters that could forge or disguise a log line when client-supplied text is written into one:
 * C0 controls (newline, carriage return, escape…), DEL, C1 controls, the Unicode line and paragraph
 * separators, bidirectional-text controls, lone surrogates, and the backslash (so that an escape
 * sequence in the output always means an escaped character, never one the client typed).
 */
const UNSAFE =
  /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\\]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const UNSAFE_TEST = new RegExp(UNSAFE.source);

const SHORT_ESCAPES: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\\': '\\\\' };

function escape(char: string): string {
  return SHORT_ESCAPES[char] ?? `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/** Default cap, in characters of the client's text. */
export const LOG_SAFE_MAX = 200;

/**
 * Client-supplied text made safe for one log line: at most `max` characters of it (a longer text is
 * cut and marked `…(+N chars)`), with every character of UNSAFE written as an escape (`\n`, `\r`,
 * `\t`, `\\`, `\u001b`, `\u2028`…). The result holds no line break, no terminal escape and no
 * bidirectional control, whatever the input; at most about 6 × `max` characters long.
 * Non-strings are converted with String() first.
 */
export function logSafe(text: unknown, max: number = LOG_SAFE_MAX): string {
  let value = typeof text === 'string' ? text : String(text);
  let suffix = '';
  if (value.length > max) {
    // Do not cut a surrogate pair in two.
    const end = max > 0 && isHighSurrogate(value.charCodeAt(max - 1)) ? max - 1 : max;
    suffix = `…(+${value.length - end} chars)`;
    value = value.slice(0, end);
  }
  return (UNSAFE_TEST.test(value) ? value.replace(UNSAFE, escape) : value) + suffix;
}

/**
 * An error's stack for a log line's second argument (printed on the following lines), with the error's
 * message in it escaped like `logSafe`: a message derived from client input cannot add lines of its own.
 */
export function logSafeStack(error: unknown, max: number = LOG_SAFE_MAX): string | undefined {
  if (!(error instanceof Error) || typeof error.stack !== 'string') return undefined;
  const { message, stack } = error;
  const at = message ? stack.indexOf(message) : -1;
  if (at >= 0) return stack.slice(0, at) + logSafe(message, max) + stack.slice(at + message.length);
  // The message changed after the stack was captured: rebuild the first line, keep the frames.
  const frames = stack.split('\n').filter((line) => /^\s+at /.test(line));
  return [`${logSafe(error.name, 64)}: ${logSafe(message, max)}`, ...frames].join('\n');
}

/** `error.message` (or the thrown value as text) escaped like `logSafe`. */
export function logSafeMessage(error: unknown, max: number = LOG_SAFE_MAX): string {
  return logSafe(error instanceof Error ? error.message : String(error), max);
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
