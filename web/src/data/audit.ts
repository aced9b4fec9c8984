// The audit log: who changed what.
import type { Static } from 'typebox';
import type * as U from '../../../src/http/audit-schemas.js';
import { http, type Page } from './http.js';

export type AuditEntry = Static<typeof U.AuditEntrySchema>;
export type AuditQuery = Static<typeof U.AuditQuery>;

export const listAudit = (query: AuditQuery = {}) => http.get<Page<AuditEntry>>('/audit-log', query);
