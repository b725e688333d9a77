/**
 * PikPak: no public OAuth documentation, so every fact comes from the open-source AList driver
 * that calls it, and from the incident reports ("refreshed by other process").
 */
import type { Preset } from './preset';

const alist = 'https://github.com/alist-org/alist/blob/2830575490e72a7afc8fd8e6b790a163b92a13b5/drivers/pikpak';

/** The PikPak preset. */
export const pikpak: Preset = {
  name: 'pikpak',
  title: 'PikPak',
  provider: 'oauth2',
  tokenEndpoint: 'https://user.mypikpak.com/v1/auth/token',
  clientAuth: 'client_secret_post',
  refreshTokens: { issued: 'always', rotates: 'always' },
  errors: [
    {
      match: 'error=invalid_grant',
      kind: 'reauth',
      note: '“invalid refresh token for it may be has been refreshed by other process”: another refresher used it first',
    },
    { match: 'error_code=4126', kind: 'reauth', note: 'the refresh token is invalid; the driver asks for a new one or logs in again' },
    { match: 'error_code=10', kind: 'transient', note: 'operations too frequent (the driver reports it and does not retry at once)' },
  ],
  quirks: [
    'client_id and client_secret are those of PikPak’s own Android, web or PC app, picked by platform; a refresh token is tied to the platform that minted it',
    'the driver sends the credentials both in the body and as a client_id query parameter',
  ],
  facts: [
    {
      fact: 'The driver refreshes with POST https://user.mypikpak.com/v1/auth/token, a body of client_id, client_secret, grant_type=refresh_token and refresh_token, and client_id again as a query parameter.',
      source: `${alist}/util.go`,
    },
    {
      fact: 'Its golang.org/x/oauth2 path configures TokenURL https://user.mypikpak.com/v1/auth/token with AuthStyleInParams (client credentials in the request body).',
      source: `${alist}/driver.go`,
    },
    {
      fact: 'After every refresh the driver stores the refresh_token from the answer in place of the old one.',
      source: `${alist}/util.go`,
    },
    {
      fact: 'error_code 4126 on refresh means the refresh token is invalid: the driver asks the user to re-provide it, or logs in again with username and password.',
      source: `${alist}/util.go`,
    },
    {
      fact: 'On API calls the driver treats error_code 4122, 4121 and 16 as an expired access token, 9 as an expired captcha token, and 10 as operations too frequent.',
      source: `${alist}/util.go`,
    },
    {
      fact: 'The client id and secret are constants of PikPak’s own Android, web and PC apps, chosen by the driver’s platform setting.',
      source: `${alist}/util.go`,
    },
    {
      fact: 'Refresh fails with oauth2: "invalid_grant" "invalid refresh token for it may be has been refreshed by other process, more info redis: nil" when another process refreshed the same token.',
      source: 'https://github.com/AlistGo/with_aria2/issues/14',
    },
    {
      fact: 'PikPak issues refresh tokens per login platform, so a token minted by the web app can be refused by a client that authenticates as the Android app; two concurrent refreshers get invalid_grant "refreshed by other process".',
      source: 'https://github.com/youming-ai/pikpak-downloader/issues/2',
    },
  ],
};
