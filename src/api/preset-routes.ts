/**
 * `GET /v1/presets`: every provider preset and what registering with it takes (docs/presets.md).
 * Needs the `read` scope; the list is the same for every key (it names no credential).
 */
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { presets } from '../providers/presets';
import { requireKey } from './auth';
import type { ApiKeys } from './keys';
import { presetResponse } from './preset-responses';

/** Options of `presetRoutes`. */
export interface PresetRoutesOptions {
  keys: ApiKeys;
}

/** Registers the preset route (mount at the root). */
export const presetRoutes: FastifyPluginAsync<PresetRoutesOptions> = async (app: FastifyInstance, options) => {
  const answer = { presets: presets.map(presetResponse) };
  app.get('/v1/presets', { onRequest: requireKey(options.keys, 'read', 'scope-only') }, async () => answer);
};
