/**
 * Allowed time windows in a time zone: "weekdays except these, not on these dates, between these
 * hours". Dunning uses it for when a suspension may happen, notifications for sending hours.
 */
import { addDays, dateInZone, dayOfWeek, instantOfLocalTime, type CalDate } from './calendar.js';

export interface TimeWindow {
  /** ISO weekdays (1 = Monday .. 7 = Sunday) that are not allowed at all. */
  excludedWeekdays?: readonly number[];
  /** Dates (YYYY-MM-DD in the zone) that are not allowed at all. */
  excludedDates?: readonly CalDate[];
  /** Local HH:MM from which an allowed day is open; null: midnight. */
  from?: string | null;
  /** Local HH:MM at which it closes; null: midnight at the end of the day. A `from` after `until` wraps midnight. */
  until?: string | null;
}

function allowedDay(date: CalDate, w: TimeWindow): boolean {
  return !(w.excludedWeekdays ?? []).includes(dayOfWeek(date)) && !(w.excludedDates ?? []).includes(date);
}

/**
 * The first instant at or after `now` inside the window, or null if none within `horizonDays` (a
 * window that excludes every day). For a window wrapping midnight, the evening part counts for the
 * day it starts on.
 */
export function nextAllowedInstant(now: Date, timeZone: string, w: TimeWindow, horizonDays = 400): Date | null {
  const today = dateInZone(now, timeZone);
  // Start a day early: the morning part of yesterday's wrapping window may still be open.
  for (let i = -1; i <= horizonDays; i++) {
    const d = addDays(today, i);
    if (!allowedDay(d, w)) continue;
    const start = instantOfLocalTime(d, w.from ?? '00:00', timeZone);
    const wraps = w.from != null && w.until != null && w.until <= w.from;
    const endDay = w.until == null || wraps ? addDays(d, 1) : d;
    const end = instantOfLocalTime(endDay, w.until ?? '00:00', timeZone);
    const candidate = now > start ? now : start;
    if (candidate < end) return candidate;
  }
  return null;
}

/** True when `now` is inside the window. */
export function insideWindow(now: Date, timeZone: string, w: TimeWindow): boolean {
  return nextAllowedInstant(now, timeZone, w, 1)?.getTime() === now.getTime();
}
