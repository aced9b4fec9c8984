// The front page's figures.
import { http } from './http.js';

// The schema of GET /dashboard sits in its route file, beside server-only code: a copy of its shape.
export interface Dashboard {
  at: string; today: string; currency: string; online: number; customers: number;
  services: { active: number; suspended: number; total: number };
  auth: Array<{ minute: string; accept: number; reject: number }>;
  revenue: { thisMonth: number; lastMonth: number; invoicedThisMonth: number; invoicedLastMonth: number };
  overdue: { count: number; total: number };
  nas: { up: number; down: number; unknown: number; total: number };
  traffic: { todayBytes: number; monthBytes: number };
}

export const dashboard = () => http.get<Dashboard>('/dashboard');
