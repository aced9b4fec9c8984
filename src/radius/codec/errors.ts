import { TollgateError } from '../../lib/errors.js';

/**
 * A packet Tollgate was asked to build cannot be built (a value of the wrong shape, an attribute too
 * long, a reply without its request's authenticator). These come from our own code, never from
 * received bytes: decoding reports failures as values instead.
 */
export class RadiusEncodeError extends TollgateError {
  constructor(message: string, readonly attribute?: string) {
    super('radius_encode', message, attribute);
    this.name = 'RadiusEncodeError';
  }
}
