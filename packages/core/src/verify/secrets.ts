import { KlingConfigError } from '../errors.js';

/**
 * The secrets a verifier was given, as a non-empty list of non-empty strings. Several secrets exist for rotation: the
 * old and the new one are both accepted while senders switch over.
 */
export function secretList(factory: string, secrets: string | readonly string[] | undefined): readonly string[] {
  const list = typeof secrets === 'string' ? [secrets] : secrets;
  if (!Array.isArray(list) || list.length === 0) {
    throw new KlingConfigError(`${factory}: give at least one secret (secrets: ['...'])`);
  }
  list.forEach((secret: unknown, index) => {
    // Only the position is named: the value must never reach a message.
    if (typeof secret !== 'string' || secret.length === 0) {
      throw new KlingConfigError(`${factory}: secret #${index + 1} is empty or not a string`);
    }
  });
  return list;
}
