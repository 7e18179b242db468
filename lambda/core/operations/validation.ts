/**
 * ValidationException texts in the style AWS uses for constraint violations (spec §3.1):
 * `1 validation error detected: Value '<v>' at '<camelCasePath>' failed to satisfy constraint: Member must ...`.
 * The protocol adapter checks the model's constraints first; operations repeat the ones that are
 * tighter than the model (or that they rely on), so a direct call cannot bypass them.
 */
import { ValidationException } from '../errors';

function violation(value: string | undefined, path: string, rule: string): ValidationException {
  const shown = value === undefined ? 'Value' : `Value '${value}'`;
  return new ValidationException(`1 validation error detected: ${shown} at '${path}' failed to satisfy constraint: Member must ${rule}`);
}

/** Throws unless `value` is an integer in min..max (message names the bound that was crossed). */
export function checkRange(value: number, path: string, min: number, max: number): void {
  if (!Number.isInteger(value)) throw violation(String(value), path, `be an integer from ${min} to ${max}`);
  if (value < min) throw violation(String(value), path, `have value greater than or equal to ${min}`);
  if (value > max) throw violation(String(value), path, `have value less than or equal to ${max}`);
}

/**
 * Throws unless `length` is in min..max. `shownValue` is omitted for sensitive members (AWS writes
 * `Value at 'plaintext'` without the value).
 */
export function checkLength(length: number, path: string, min: number, max: number, shownValue?: string): void {
  if (length < min) throw violation(shownValue, path, `have length greater than or equal to ${min}`);
  if (length > max) throw violation(shownValue, path, `have length less than or equal to ${max}`);
}

/** Throws unless `value` is one of `allowed`. */
export function checkEnum(value: string, path: string, allowed: readonly string[]): void {
  if (!allowed.includes(value)) throw violation(value, path, `satisfy enum value set: [${allowed.join(', ')}]`);
}

/** Throws unless `value` matches `pattern` (shown as its source). */
export function checkPattern(value: string, path: string, pattern: RegExp): void {
  if (!pattern.test(value)) throw violation(value, path, `satisfy regular expression pattern: ${pattern.source}`);
}
