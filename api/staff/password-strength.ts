/**
 * Refuses weak and common staff passwords (issue #7 part 4b; ASVS 5.0 V6.2: at least a check
 * against common passwords, and a strength estimate): zxcvbn-ts with its common-password and
 * English dictionaries, a score of at least 3 ("safely unguessable") and at least 12 characters.
 * Generated passwords (generatePassword()) always pass.
 */
import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import { adjacencyGraphs, dictionary } from '@zxcvbn-ts/language-common';

export const MIN_PASSWORD_LENGTH = 12;
export const MIN_PASSWORD_SCORE = 3;

let zxcvbn: ZxcvbnFactory | undefined;

/**
 * undefined when the password is strong enough, else the machine code of the refusal.
 * @example passwordWeakness('password123!') === 'password_weak'
 */
export function passwordWeakness(
  password: string,
  /** Words the password must not lean on: the username, the display name. */
  userInputs: readonly string[] = [],
): 'password_too_short' | 'password_weak' | undefined {
  if ([...password].length < MIN_PASSWORD_LENGTH) return 'password_too_short';
  zxcvbn ??= new ZxcvbnFactory({
    dictionary: { ...dictionary, userInputs: ['gopy', 'khanhhoa', 'khanh hoa'] },
    graphs: adjacencyGraphs,
  });
  const score = zxcvbn.check(password.slice(0, 256), [...userInputs]).score;
  return score < MIN_PASSWORD_SCORE ? 'password_weak' : undefined;
}
