/**
 * Secret handling in one place: the secret field names (`./names`) and the scrubber for known
 * secret values (`./scrub`). Providers import `./scrub` directly (the names depend on the
 * provider registry).
 */
export { baseSecretFieldNames, isSecretField, isSecretName, normalizeName, secretFieldNames, secretWhenStringFieldNames } from './names';
export { minScrubLength, redactedText, scrubKnownSecrets } from './scrub';
