/**
 * Alias names (spec §2.12): `alias/` followed by 1+ of [a-zA-Z0-9:/_-], 1..256 characters in all;
 * `alias/aws/...` is reserved for AWS managed keys, which this service does not have. The model's
 * pattern admits `:`, but AWS documents alias names as letters, digits, `/`, `_` and `-` and refuses
 * a colon when an alias is created or pointed elsewhere (D26).
 */
import { InvalidAliasNameException, ValidationException } from '../../errors';
import { checkLength, checkPattern } from '../validation';

const PREFIX = 'alias/';
const RESERVED_PREFIX = 'alias/aws/';
/** The model's pattern for AliasNameType. */
const MODEL_PATTERN = /^[a-zA-Z0-9:/_-]+$/;

/** Checks what every alias operation requires of a name: model length and pattern, then the prefix. */
export function checkAliasName(aliasName: string): void {
  checkLength(aliasName.length, 'aliasName', 1, 256, aliasName);
  checkPattern(aliasName, 'aliasName', MODEL_PATTERN);
  if (!aliasName.startsWith(PREFIX)) {
    throw new ValidationException(
      'Alias must start with the prefix "alias/". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html',
    );
  }
}

/**
 * Checks a name an alias is given or keeps pointing with (CreateAlias, UpdateAlias): also no `:`,
 * which the model admits and AWS refuses. DeleteAlias checks only the model's rules, so an alias
 * named before this check existed can still be deleted.
 */
export function checkSettableAliasName(aliasName: string): void {
  checkAliasName(aliasName);
  if (aliasName.includes(':')) throw new ValidationException(`${aliasName} contains invalid characters for an alias`);
}

/** Checks a name for a new alias: also not empty after the prefix and not in the reserved namespace. */
export function checkNewAliasName(aliasName: string): void {
  checkSettableAliasName(aliasName);
  if (aliasName.length === PREFIX.length) {
    throw new InvalidAliasNameException(`Alias name ${aliasName} is not valid: a name must follow the prefix "alias/".`);
  }
  if (aliasName.startsWith(RESERVED_PREFIX)) {
    throw new InvalidAliasNameException(
      `Alias name ${aliasName} is not valid: names beginning with alias/aws/ are reserved for AWS managed keys.`,
    );
  }
}
