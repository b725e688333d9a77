/**
 * The flags of `npm run chaos`: which scenarios run and how big each one is. Every size has a
 * default that fits the whole run (1–8) in about 15 minutes on a 2-core machine; `--quick` is the
 * short version's sizes.
 */
import { parseArgs } from 'node:util';

/** Parsed flags. */
export interface ChaosOptions {
  /** Scenario numbers to run (1–9); 9 only with `--soak`. */
  only: number[];
  /** Soak duration in ms (0: no soak). */
  soakMs: number;
  write: boolean;
  /** Measure the crash window with bench/durability.ts after a full run (`--no-durability`: skip). */
  durability: boolean;
  kills: { credentials: number; kills: number; inFlightKills: number; lifetimeS: number; minGapMs: number; maxGapMs: number; readIntervalMs: number; stormCallers: number; stormProcesses: number; corpusRounds: number; recoveryTimeoutMs: number };
  deploy: { credentials: number; sigterms: number; lifetimeS: number; answerDelayMs: number; readIntervalMs: number };
  temporal: { credentials: number; downMs: number; lifetimeS: number; readIntervalMs: number };
  redis: { credentials: number; downMs: number; lifetimeS: number; revoked: number; readIntervalMs: number };
  outage: { credentials: number; lifetimeS: number; outageMs: number; readIntervalMs: number };
  revoke: { credentials: number; lifetimeS: number; readIntervalMs: number };
  soak: { credentials: number; lifetimeS: number; faultEveryMs: number; readIntervalMs: number };
}

const spec = {
  only: { type: 'string' },
  soak: { type: 'string' },
  quick: { type: 'boolean', default: false },
  'no-write': { type: 'boolean', default: false },
  'no-durability': { type: 'boolean', default: false },
  credentials: { type: 'string' },
  kills: { type: 'string' },
  'in-flight-kills': { type: 'string' },
  lifetime: { type: 'string' },
  'read-interval-ms': { type: 'string' },
  'storm-callers': { type: 'string' },
  'storm-processes': { type: 'string' },
  'corpus-rounds': { type: 'string' },
  sigterms: { type: 'string' },
  'temporal-down-s': { type: 'string' },
  'redis-down-s': { type: 'string' },
  'outage-s': { type: 'string' },
  'outage-lifetime': { type: 'string' },
  'revoke-lifetime': { type: 'string' },
  'soak-credentials': { type: 'string' },
  'soak-lifetime': { type: 'string' },
  'soak-fault-every-s': { type: 'string' },
} as const;

/** `30m`, `90s`, `1h`, or plain seconds, in ms. */
export function parseDuration(flag: string, text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!match) throw new Error(`--${flag}: ${JSON.stringify(text)} is not a duration (e.g. 30m, 90s)`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[match[2] ?? 's'] ?? 1000;
  return Number(match[1]) * unit;
}

/** Parses `argv` (without node and the script). */
export function parseChaosOptions(argv: string[]): ChaosOptions {
  const { values } = parseArgs({ args: argv, options: spec, strict: true });
  const quick = values.quick === true;
  const int = (flag: keyof typeof values, fallback: number, min = 0): number => {
    const raw = values[flag];
    if (raw === undefined || typeof raw === 'boolean') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${flag}: must be an integer >= ${min}, got ${JSON.stringify(raw)}`);
    return n;
  };
  const soakMs = values.soak === undefined ? 0 : parseDuration('soak', values.soak);
  const only = values.only === undefined ? (soakMs > 0 ? [9] : [1, 2, 3, 4, 5, 6, 7, 8]) : values.only.split(',').map((s) => Number(s.trim()));
  for (const n of only) if (!Number.isInteger(n) || n < 1 || n > 9) throw new Error(`--only: scenarios are numbered 1 to 9, got ${JSON.stringify(values.only)}`);
  if (only.includes(9) && soakMs === 0) throw new Error('--only 9: the soak needs --soak <duration>, e.g. --soak 30m');
  const outageLifetimeS = int('outage-lifetime', 20, 4);
  const kills = {
    credentials: int('credentials', quick ? 8 : 50, 1),
    kills: int('kills', quick ? 6 : 30, 0),
    inFlightKills: int('in-flight-kills', 1),
    lifetimeS: int('lifetime', quick ? 60 : 30, 4),
    minGapMs: 1_000,
    maxGapMs: 5_000,
    readIntervalMs: int('read-interval-ms', 1_000, 50),
    // Scenarios 7 and 8 run inside scenario 1; --only without 7 / 8 leaves them out.
    stormCallers: only.includes(7) ? int('storm-callers', quick ? 60 : 200, 1) : 0,
    stormProcesses: int('storm-processes', 2, 1),
    corpusRounds: only.includes(8) ? int('corpus-rounds', 1, 1) : 0,
    recoveryTimeoutMs: 120_000,
  };
  return {
    only,
    soakMs,
    write: values['no-write'] !== true,
    durability: values['no-durability'] !== true,
    kills,
    deploy: { credentials: 20, sigterms: int('sigterms', quick ? 3 : 10, 1), lifetimeS: 60, answerDelayMs: 1_500, readIntervalMs: kills.readIntervalMs },
    temporal: { credentials: 20, downMs: int('temporal-down-s', 30, 1) * 1000, lifetimeS: 90, readIntervalMs: kills.readIntervalMs },
    redis: { credentials: 20, downMs: int('redis-down-s', quick ? 20 : 60, 1) * 1000, lifetimeS: 30, revoked: 3, readIntervalMs: kills.readIntervalMs },
    outage: { credentials: quick ? 4 : 10, lifetimeS: outageLifetimeS, outageMs: int('outage-s', Math.round(outageLifetimeS * 1.5), 1) * 1000, readIntervalMs: kills.readIntervalMs },
    revoke: { credentials: quick ? 2 : 5, lifetimeS: int('revoke-lifetime', 30, 4), readIntervalMs: 250 },
    soak: { credentials: int('soak-credentials', 100, 1), lifetimeS: int('soak-lifetime', 10, 4), faultEveryMs: int('soak-fault-every-s', 60, 5) * 1000, readIntervalMs: 2_000 },
  };
}
