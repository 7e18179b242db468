/** Clocks of the embedded mode: the system clock, and one a sandbox can move forward. */
import type { Clock } from '../../core/ports';

export class SystemClock implements Clock {
  now(): Date {
    return new Date();
  }
}

/**
 * Real time plus an offset that only grows (`--clock-control`): lets tests reach a ValidTo or a
 * DeletionDate without waiting. After `advance`, run the timers that became due
 * (InProcessTimers.runDue).
 */
export class ControlledClock implements Clock {
  private offsetMs = 0;

  /** @param advanceable false: a clock that stays at real time and refuses `advance` (clock control off). */
  constructor(readonly advanceable = true) {}

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  /** Moves the clock forward; returns the new now. */
  advance(seconds: number): Date {
    if (!this.advanceable) throw new Error('clock control is off: this clock follows real time');
    if (!Number.isFinite(seconds) || seconds < 0) throw new RangeError('the clock only moves forward by a finite number of seconds');
    this.offsetMs += Math.round(seconds * 1000);
    return this.now();
  }

  /** How far ahead of real time this clock runs, in milliseconds. */
  get offset(): number {
    return this.offsetMs;
  }
}
