import { sleep } from 'n8n-workflow';

/** Where pacing reads the time, waits and draws its jitter; a unit test hands in a clock it moves itself. */
export interface Clock {
	now: () => number;
	sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
	/** A number in [0, 1); without one, pacing has no jitter. */
	random?: () => number;
}

/** The real one: a monotonic clock, n8n's cancellable sleep and Math.random. */
export const realClock: Clock = { now: () => performance.now(), sleep, random: Math.random };
