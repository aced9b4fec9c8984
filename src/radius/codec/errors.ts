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

/**
 * The packet would be longer than RADIUS allows (RFC 2865 section 3). Unlike other encode errors this
 * one can follow from received bytes: a reply must echo every Proxy-State of its request, and a
 * request already near the limit leaves no room for the reply's own attributes.
 */
export class RadiusPacketTooLargeError extends RadiusEncodeError {
  constructor(readonly length: number, readonly max: number) {
    super(`packet of ${length} bytes exceeds ${max}`);
    this.name = 'RadiusPacketTooLargeError';
  }
}
