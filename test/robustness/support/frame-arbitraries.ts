import * as fc from 'fast-check';

/**
 * fast-check arbitraries of what broken, hostile or just unusual clients send: garbage text,
 * wrong types, huge and unicode strings (lone surrogates included), `__proto__`/`constructor`/
 * `prototype` keys, deep nesting, structural and textual mutations of valid frames of every
 * command, binary frames, invalid UTF-8, and frames at the size limit.
 */
export interface FuzzCase {
  /** Which of the driver's sockets sends it. */
  slot: number;
  /** Text (encoded as UTF-8 by the client, lone surrogates becoming U+FFFD) or raw bytes. */
  payload: string | Uint8Array;
  binary: boolean;
  /** Which generator made it, for the figures. */
  kind: string;
}

export interface RoomNames {
  /** Every room name of this driver starts with it (no other driver's does). */
  prefix: string;
  /** The few rooms the driver's sockets meet in (full rooms, start/stop, relays). */
  shared: string[];
}

export interface FuzzLimits {
  maxFrameBytes: number;
  maxStreamIdLength: number;
  maxSdpLength: number;
  maxCandidateLength: number;
}

export const KNOWN_COMMANDS = ['ping', 'getIceServerConfig', 'join', 'leave', 'takeConfiguration', 'takeCandidate', 'peerMessageCommand'];
const UNKNOWN_COMMANDS = ['publish', 'play', 'getStreamInfo', 'stop', 'start', 'pong', 'error', 'notification', 'Join', 'JOIN', 'join ', ' ping', 'leave\u0000', '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', ''];
/** Valid stream names that are also Object.prototype members. */
export const PROTOTYPE_NAMES = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__'];
const POLLUTION_KEYS = ['__proto__', 'constructor', 'prototype'];
const LONE_SURROGATES = ['\ud800', '\udbff', '\udc00', '\udfff', 'a\ud83d', '\ude00b', '\ud83d\ude00\ud83d'];

const optional = <T>(arb: fc.Arbitrary<T>, weight = 1): fc.Arbitrary<T | undefined> =>
  fc.oneof({ weight, arbitrary: arb }, { weight: 1, arbitrary: fc.constant(undefined) });

const unicodeString = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.string({ unit: 'grapheme-ascii', maxLength: 30 }),
  fc.tuple(fc.string({ maxLength: 6 }), fc.constantFrom(...LONE_SURROGATES), fc.string({ maxLength: 6 })).map(([a, b, c]) => a + b + c),
  fc.constantFrom('\u0000', '\u2028\u2029', '\ufeff', 'é', 'e\u0301', '😀', '👨‍👩‍👧', '\\', '"', '\\u0000', '%00', '\r\n'),
);

/** Long strings: past the candidate limit, at the SDP limit, most of the frame limit. */
const hugeString = fc
  .tuple(fc.constantFrom(5000, 70_000, 131_072, 200_000), fc.constantFrom('x', 'é', '😀', '\ud800', ' ', '"'))
  .map(([length, unit]) => unit.repeat(Math.ceil(length / unit.length)));

const scalar = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -1, 1.5, 2 ** 53, 1e308, -0, Number.MAX_SAFE_INTEGER + 2),
  fc.boolean(),
  fc.constant(null),
  unicodeString,
);

const anyJson: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 10, arbitrary: scalar },
  { weight: 6, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 3, arbitrary: fc.dictionary(fc.constantFrom(...POLLUTION_KEYS, 'command', 'streamId', 'a'), scalar, { maxKeys: 3 }) },
  { weight: 1, arbitrary: hugeString },
);

const nested = (depth: number, open: '[' | '{'): string =>
  open === '[' ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth) + '0' + '}'.repeat(depth);

function streamIds(names: RoomNames, limits: FuzzLimits): fc.Arbitrary<unknown> {
  const { prefix } = names;
  return fc.oneof(
    { weight: 14, arbitrary: fc.constantFrom(...names.shared) },
    { weight: 3, arbitrary: fc.stringMatching(/^[A-Za-z0-9_.-]{1,10}$/).map((s) => prefix + s) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(-1, 0, 1).map((delta) => prefix + 'x'.repeat(limits.maxStreamIdLength - prefix.length + delta)),
    },
    {
      weight: 6,
      arbitrary: fc
        .tuple(fc.stringMatching(/^[A-Za-z0-9_.-]{0,6}$/), fc.oneof(fc.constantFrom(' ', '/', '*', '\u0000', 'é', '😀', '\n', '"', '\ud800'), unicodeString.filter((s) => /[^A-Za-z0-9_.-]/.test(s))))
        .map(([valid, bad]) => prefix + valid + bad),
    },
    { weight: 1, arbitrary: fc.constantFrom('', ' ', '\u0000') },
    { weight: 2, arbitrary: fc.oneof(fc.integer(), fc.constant(null), fc.boolean(), fc.constant([prefix]), fc.constant({ toString: prefix })) },
  );
}

/** A valid frame of every command (the state-changing backbone, and the seeds of mutations). */
function validFrames(names: RoomNames): fc.Arbitrary<Record<string, unknown>> {
  const room = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...names.shared) }, { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z0-9_.-]{1,8}$/).map((s) => names.prefix + s) });
  const candidate = fc.oneof(
    fc.constant(''),
    fc.tuple(fc.nat(9999), fc.nat(65535)).map(([f, port]) => `candidate:${f} 1 udp 2122260223 127.0.0.1 ${port} typ host generation 0`),
  );
  return fc.oneof(
    { weight: 1, arbitrary: fc.constant({ command: 'ping' }) },
    { weight: 1, arbitrary: fc.constant({ command: 'getIceServerConfig' }) },
    {
      weight: 5,
      arbitrary: fc.record(
        { command: fc.constant('join'), streamId: room, mode: fc.constantFrom('both', 'play'), multiPeer: fc.boolean(), token: fc.string({ maxLength: 20 }) },
        { requiredKeys: ['command', 'streamId'] },
      ),
    },
    { weight: 3, arbitrary: fc.record({ command: fc.constant('leave'), streamId: room }) },
    {
      weight: 3,
      arbitrary: fc.record({
        command: fc.constant('takeConfiguration'),
        streamId: room,
        type: fc.constantFrom('offer', 'answer'),
        sdp: fc.oneof(fc.constant('v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n'), unicodeString),
      }),
    },
    {
      weight: 4,
      arbitrary: fc.record(
        { command: fc.constant('takeCandidate'), streamId: room, label: fc.nat(3), id: fc.oneof(fc.constantFrom('0', 'audio', 'video'), fc.constant(null)), candidate },
        { requiredKeys: ['command', 'streamId', 'label', 'candidate'] },
      ),
    },
    {
      weight: 3,
      arbitrary: fc.record(
        { command: fc.constant('peerMessageCommand'), streamId: room, definition: fc.string({ maxLength: 12 }), data: fc.jsonValue({ maxDepth: 4 }) },
        { requiredKeys: ['command', 'streamId'] },
      ),
    },
  );
}

/** JSON text of the entries in order; keys may repeat and may be `__proto__` (an own key once parsed). */
function objectText(entries: Array<[string, unknown]>): string {
  return `{${entries.map(([key, value]) => `${JSON.stringify(key)}:${JSON.stringify(value) ?? 'null'}`).join(',')}}`;
}

type Mutation = (entries: Array<[string, unknown]>) => Array<[string, unknown]>;

function structuralMutations(names: RoomNames, limits: FuzzLimits): fc.Arbitrary<Mutation> {
  const field = fc.constantFrom('command', 'streamId', 'type', 'sdp', 'label', 'id', 'candidate', 'definition', 'data', 'mode', 'token', ...POLLUTION_KEYS);
  const value = fc.oneof(
    { weight: 4, arbitrary: anyJson },
    { weight: 2, arbitrary: streamIds(names, limits) },
    { weight: 2, arbitrary: fc.constantFrom(...KNOWN_COMMANDS, ...UNKNOWN_COMMANDS) },
    { weight: 1, arbitrary: fc.constantFrom(limits.maxSdpLength - 1, limits.maxSdpLength, limits.maxSdpLength + 1).map((n) => 's'.repeat(n)) },
    { weight: 1, arbitrary: fc.constantFrom(limits.maxCandidateLength, limits.maxCandidateLength + 1).map((n) => 'c'.repeat(n)) },
    { weight: 1, arbitrary: fc.constantFrom(99, 100, 101, 102).map((depth) => JSON.parse(nested(depth, '['))) },
  );
  return fc.oneof(
    fc.tuple(field, value).map(([key, v]): Mutation => (entries) => [...entries.filter(([k]) => k !== key), [key, v]]),
    fc.tuple(field, value).map(([key, v]): Mutation => (entries) => [...entries, [key, v]]),
    field.map((key): Mutation => (entries) => entries.filter(([k]) => k !== key)),
    fc.tuple(fc.constantFrom(...POLLUTION_KEYS), fc.record({ command: fc.constantFrom(...KNOWN_COMMANDS), streamId: fc.constantFrom(...names.shared) }))
      .map(([key, v]): Mutation => (entries) => [[key, v], ...entries.filter(([k]) => k !== 'command')]),
    fc.constant<Mutation>((entries) => [...entries].reverse()),
  );
}

type TextMutation = (text: string) => string;

const textMutations: fc.Arbitrary<TextMutation> = fc.oneof(
  fc.double({ min: 0, max: 1, noNaN: true }).map((at): TextMutation => (t) => t.slice(0, Math.floor(at * t.length))),
  fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.nat(8)).map(([at, n]): TextMutation => (t) => {
    const i = Math.floor(at * t.length);
    return t.slice(0, i) + t.slice(i + n + 1);
  }),
  fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.oneof(unicodeString, fc.constantFrom('"', ',', ':', '{', '}', '[', ']', '\\', '-0', '1e999', 'null', '"__proto__":{}'))).map(
    ([at, s]): TextMutation => (t) => {
      const i = Math.floor(at * t.length);
      return t.slice(0, i) + s + t.slice(i);
    },
  ),
  fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })).map(([at, c]): TextMutation => (t) => {
    const i = Math.floor(at * t.length);
    return t.slice(0, i) + c + t.slice(i + 1);
  }),
  fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 1, max: 40 })).map(([at, n]): TextMutation => (t) => {
    const i = Math.floor(at * t.length);
    return t.slice(0, i) + t.slice(i, i + n) + t.slice(i);
  }),
  fc.constant<TextMutation>((t) => t.toUpperCase()),
  fc.constant<TextMutation>((t) => t.replace(/"([a-zA-Z]+)":/, '"$1 ":')),
);

/** A frame exactly `bytes` long in UTF-8. */
function frameOfSize(bytes: number, shape: string, room: string): string {
  const [head, tail] =
    shape === 'peerMessage'
      ? [`{"command":"peerMessageCommand","streamId":"${room}","data":"`, '"}']
      : shape === 'takeConfiguration'
        ? [`{"command":"takeConfiguration","streamId":"${room}","type":"offer","sdp":"`, '"}']
        : shape === 'unknown'
          ? ['{"command":"publish","streamId":"x","pad":"', '"}']
          : ['', ''];
  const fill = bytes - Buffer.byteLength(head + tail);
  // a 3-byte character now and then, so the size counts bytes, not characters
  const body = fill >= 3 ? '€' + 'y'.repeat(fill - 3) : 'y'.repeat(Math.max(0, fill));
  return head + body + tail;
}

/** Every kind of fuzz frame, weighted; `slots` sockets per driver. */
export function fuzzCases(names: RoomNames, limits: FuzzLimits, slots: number): fc.Arbitrary<FuzzCase> {
  const valid = validFrames(names);
  const text = (kind: string, arb: fc.Arbitrary<string>) => arb.map((payload) => ({ payload, kind }));
  const payloads: fc.Arbitrary<{ payload: string | Uint8Array; kind: string; binary?: boolean }> = fc.oneof(
    { weight: 90, arbitrary: text('valid', valid.map((f) => JSON.stringify(f))) },
    {
      weight: 78,
      arbitrary: text(
        'structural mutation',
        fc.tuple(valid, fc.array(structuralMutations(names, limits), { minLength: 1, maxLength: 3 })).map(([frame, mutations]) =>
          objectText(mutations.reduce((entries, mutate) => mutate(entries), Object.entries(frame))),
        ),
      ),
    },
    {
      weight: 48,
      arbitrary: text(
        'text mutation',
        fc.tuple(valid, fc.array(textMutations, { minLength: 1, maxLength: 3 })).map(([frame, mutations]) =>
          mutations.reduce((t, mutate) => mutate(t), JSON.stringify(frame)),
        ),
      ),
    },
    {
      weight: 24,
      arbitrary: text(
        'random fields',
        fc
          .array(fc.tuple(fc.constantFrom('command', 'streamId', 'type', 'sdp', 'label', 'id', 'candidate', 'definition', 'data', ...POLLUTION_KEYS), fc.oneof(anyJson, fc.constantFrom(...KNOWN_COMMANDS, ...UNKNOWN_COMMANDS), streamIds(names, limits))), { maxLength: 6 })
          .map(objectText),
      ),
    },
    {
      weight: 24,
      arbitrary: text(
        'garbage',
        fc.oneof(
          unicodeString,
          fc.string({ unit: 'binary', maxLength: 300 }),
          anyJson.map((v) => JSON.stringify(v) ?? 'undefined'),
          fc.constantFrom('', ' ', 'null', 'true', '[]', '{}', '"join"', '1e400', '{"command":', '{"command":"ping"}}', '{"command":"ping",}', "{'command':'ping'}", '\ufeff{"command":"ping"}', '{"command":"ping"}\u0000'),
        ),
      ),
    },
    {
      weight: 12,
      arbitrary: fc
        .record({
          depth: fc.oneof(fc.integer({ min: 1, max: 130 }), fc.constantFrom(99, 100, 101, 1000, 5000, 50_000, 120_000)),
          open: fc.constantFrom('[' as const, '{' as const),
          where: fc.constantFrom('frame', 'data', 'streamId', 'sdp', '__proto__', 'unknown'),
          room: fc.constantFrom(...names.shared),
        })
        .map(({ depth, open, where, room }) => {
          const value = nested(open === '{' ? Math.min(depth, 40_000) : depth, open);
          const payload =
            where === 'frame'
              ? value
              : where === 'unknown'
                ? `{"command":"publish","streamId":"${room}","data":${value}}`
                : where === 'data' || where === '__proto__'
                  ? `{"command":"peerMessageCommand","streamId":"${room}","${where}":${value}}`
                  : where === 'sdp'
                    ? `{"command":"takeConfiguration","streamId":"${room}","type":"offer","sdp":${value}}`
                    : `{"command":"join","streamId":${value}}`;
          return { payload, kind: 'deep nesting' };
        }),
    },
    {
      weight: 15,
      arbitrary: fc.oneof(
        fc.uint8Array({ maxLength: 300 }).map((payload) => ({ payload, kind: 'binary bytes', binary: true })),
        valid.map((f) => ({ payload: new TextEncoder().encode(JSON.stringify(f)), kind: 'binary JSON', binary: true })),
      ),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(valid, fc.uint8Array({ maxLength: 8 }), fc.constantFrom(0xff, 0xc0, 0xed, 0xf8, 0x80))
        .map(([frame, noise, bad]) => {
          const json = new TextEncoder().encode(JSON.stringify(frame));
          const payload = new Uint8Array([...json.slice(0, json.length >> 1), bad, ...noise, ...json.slice(json.length >> 1)]);
          return { payload, kind: 'invalid UTF-8 text', binary: false };
        }),
    },
    {
      weight: 1,
      arbitrary: fc
        .record({
          delta: fc.integer({ min: -16, max: 16 }),
          shape: fc.constantFrom('peerMessage', 'takeConfiguration', 'unknown', 'garbage'),
          room: fc.constantFrom(...names.shared),
        })
        .map(({ delta, shape, room }) => ({ payload: frameOfSize(limits.maxFrameBytes + delta, shape, room), kind: 'size limit' })),
    },
  );
  return fc
    .record({ slot: fc.nat(slots - 1), payload: payloads, binary: fc.integer({ min: 0, max: 99 }) })
    .map(({ slot, payload, binary }) => ({ slot, payload: payload.payload, binary: payload.binary ?? (binary < 12), kind: payload.kind }));
}
