// The network actions sent to NAS (CoA, Disconnect) and what they answered.
import type { Static } from 'typebox';
import type * as N from '../../../src/http/nas-schemas.js';
import { http, type Page } from './http.js';

export type NasAction = Static<typeof N.NasAction>;
export type NasActionQuery = Static<typeof N.ActionQuery>;

export const listActions = (query: NasActionQuery = {}) => http.get<Page<NasAction>>('/actions', query);
