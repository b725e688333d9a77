/**
 * FROZEN (release v0.1.0, see ./credential-workflow.ts): do not change.
 *
 * Custom search attributes that let operators filter credentials in the Temporal Web UI
 * and let `TokenClient.list` query by status and provider. They are never encrypted, so
 * they hold no secrets.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Current status of the credential (`active`, `degraded`, ...). */
export const statusSearchAttribute = defineSearchAttributeKey('HalflifeStatus', SearchAttributeType.KEYWORD);

/** Provider name (`oauth2`, `wechat`, ...). */
export const providerSearchAttribute = defineSearchAttributeKey('HalflifeProvider', SearchAttributeType.KEYWORD);

/** Expiry of the current access token. */
export const expiresAtSearchAttribute = defineSearchAttributeKey('HalflifeExpiresAt', SearchAttributeType.DATETIME);

/** The attributes a Temporal namespace must have registered, as `name → type` for `temporal server start-dev --search-attribute`. */
export const requiredSearchAttributes: Readonly<Record<string, 'Keyword' | 'Datetime'>> = {
  HalflifeStatus: 'Keyword',
  HalflifeProvider: 'Keyword',
  HalflifeExpiresAt: 'Datetime',
};
