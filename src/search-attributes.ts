/**
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

/** Code of the last error (`invalid_grant`, `http_503`, ...); absent while the credential is healthy. */
export const lastErrorCodeSearchAttribute = defineSearchAttributeKey('HalflifeLastErrorCode', SearchAttributeType.KEYWORD);

/** When the next refresh (or retry) is due. */
export const nextRefreshAtSearchAttribute = defineSearchAttributeKey('HalflifeNextRefreshAt', SearchAttributeType.DATETIME);

/** The attributes a Temporal namespace must have registered, as `name → type` for `temporal server start-dev --search-attribute`. */
export const requiredSearchAttributes: Readonly<Record<string, 'Keyword' | 'Datetime'>> = {
  HalflifeStatus: 'Keyword',
  HalflifeProvider: 'Keyword',
  HalflifeExpiresAt: 'Datetime',
  HalflifeLastErrorCode: 'Keyword',
  HalflifeNextRefreshAt: 'Datetime',
};
