import { dateInZone, type CalDate } from '../lib/calendar.js';

/**
 * The billing-zone date of an instant, remembered for the current second: every accounting record
 * and every capped login needs it, and computing it goes through Intl (several microseconds). Zone
 * offsets are whole seconds, so an instant in the same second always has the same date.
 */
export class BillingDay {
  private second = -1;
  private day: CalDate = '';

  constructor(private readonly timezone: string) {}

  of(at: Date): CalDate {
    const sec = Math.floor(at.getTime() / 1000);
    if (sec !== this.second) {
      this.day = dateInZone(at, this.timezone);
      this.second = sec;
    }
    return this.day;
  }
}
