/**
 * The CloudTrail API's errors that LookupEvents can answer (AWS JSON 1.1 `__type` names, HTTP 400).
 * Their messages are this service's own (D105): AWS publishes none.
 */
import { KmsError } from '../errors';

/** More than one lookup attribute, or a value LookupEvents cannot match. */
export class InvalidLookupAttributesException extends KmsError {
  constructor(message: string, options?: ErrorOptions) {
    super('InvalidLookupAttributesException', message, 'client', options);
  }
}

/** StartTime after EndTime. */
export class InvalidTimeRangeException extends KmsError {
  constructor(message: string, options?: ErrorOptions) {
    super('InvalidTimeRangeException', message, 'client', options);
  }
}

/** A NextToken this service did not issue, or one issued for other parameters. */
export class InvalidNextTokenException extends KmsError {
  constructor(message = 'Invalid NextToken.', options?: ErrorOptions) {
    super('InvalidNextTokenException', message, 'client', options);
  }
}
