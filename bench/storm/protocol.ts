/**
 * The storm harness's contract between the coordinating process and its caller processes: what a
 * child is told (where Halflife is, which job to run) and what it reports back (one line per
 * caller). Plain JSON, sent over the IPC channel of `child_process.spawn`.
 */

/** Where the Halflife deployment under test is. */
export interface StormEnvironment {
  temporalAddress: string;
  namespace: string;
  taskQueue: string;
  redisUrl: string;
  /** The key ring (`HALFLIFE_ENCRYPTION_KEYS` format) the worker encrypts with. */
  encryptionKeys: string;
  /** The HTTP API's base URL and a key with `admin` scope, for the HTTP callers. */
  apiUrl?: string;
  apiKey?: string;
}

/** How a child's callers ask for a new token. */
export type CallerKind = 'halflife-client' | 'halflife-http' | 'none' | 'mutex' | 'redis-lock';

/** The three hand-written baselines. */
export type BaselineKind = Extract<CallerKind, 'none' | 'mutex' | 'redis-lock'>;

/** A token endpoint client and the token set a baseline process starts with (read from its config or database). */
export interface BaselineCredential {
  tokenEndpoint: string;
  clientId: string;
  clientSecret: string;
  accessToken: string;
  refreshToken: string;
  /** The Redis key holding the shared token (redis-lock). */
  redisKey?: string;
}

/** One burst: `callers` callers start at the same instant and each asks once. */
export interface StormJob {
  type: 'storm';
  kind: CallerKind;
  callers: number;
  /** Halflife: the credential and the version every caller reports as refused. */
  credentialId?: string;
  staleVersion?: number;
  /** Baselines: the credential and the access token every caller saw refused. */
  baseline?: BaselineCredential;
  /** Each caller gives up after this long (HTTP: the request is aborted). @default none */
  deadlineMs?: number;
  /** Epoch ms at which every caller starts (the barrier). */
  startAt: number;
}

/** Callers that keep asking for a while: each asks, waits for the answer or its deadline, then asks again at most once per `paceMs`. */
export interface LoopJob {
  type: 'loop';
  kind: Extract<CallerKind, 'halflife-client' | 'halflife-http'>;
  callers: number;
  credentialIds: string[];
  /** The version callers report at first (then the newest they were given). */
  staleVersions: number[];
  durationMs: number;
  deadlineMs: number;
  paceMs: number;
  startAt: number;
}

/** A job for a child. */
export type ChildJob = StormJob | LoopJob;

/** What the coordinator sends. */
export type ToChild = { type: 'setup'; env: StormEnvironment; refreshTimeoutMs?: number } | { type: 'job'; job: ChildJob } | { type: 'exit' };

/** One caller's answer. Times are epoch ms (with sub-millisecond precision). */
export interface CallerResult {
  /** HTTP status, or for TokenClient callers the status the API would answer (`errorOutcomeOf`); 0 = deadline or network error. */
  status: number;
  /** `error.code` of an error answer (`deadline`, `network` for status 0). */
  code?: string;
  version?: number;
  refreshed?: boolean;
  reason?: string;
  /** Index into the job's `accessTokens` of the token handed out. */
  token?: number;
  startedAt: number;
  endedAt: number;
}

/** What a storm job reports. */
export interface StormReport {
  type: 'storm';
  results: CallerResult[];
  /** Distinct access tokens handed out (indexed by `CallerResult.token`). */
  accessTokens: string[];
  /** Refresh tokens the baseline process holds at the end (none/mutex: its memory). */
  heldRefreshTokens: string[];
}

/** What a loop job reports: answers by status and the slowest answer, per credential. */
export interface LoopReport {
  type: 'loop';
  perCredential: Array<{ credentialId: string; requests: number; byStatus: Record<string, number>; byCode: Record<string, number>; maxLatencyMs: number; lastVersion: number }>;
}

/** What a child sends. */
export type FromChild = { type: 'ready' } | StormReport | LoopReport | { type: 'error'; message: string };
