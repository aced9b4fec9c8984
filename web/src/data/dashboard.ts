// The front page's figures.
import type { Static } from 'typebox';
import type * as D from '../../../src/http/dashboard-schemas.js';
import { http } from './http.js';

export type Dashboard = Static<typeof D.Dashboard>;

export const dashboard = () => http.get<Dashboard>('/dashboard');
