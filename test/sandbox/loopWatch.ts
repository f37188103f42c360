/**
 * When this process's event loop stood still. The sandbox shares its process with n8n's engine
 * in the tests, so a garbage collection or a busy CI machine stops both: a request the node wrote
 * just before such a stall is read only after it, stamped together with the one the node's pacer
 * sends when the loop moves again. Stripe would have counted it when it arrived, before the
 * stall; stamped after it, it would crowd a second the node never crowded.
 */
import { performance } from 'node:perf_hooks';

/** Shorter standstills than this are ordinary turns of a busy loop. */
const STALL_MS = 20;
const TICK_MS = 5;

interface Stall {
	start: number;
	end: number;
	/** Whether a request read after it already took its start as arrival: only the one written before the stall waited through it. */
	claimed: boolean;
}

export class LoopWatch {
	private lastTick: number;

	private last?: Stall;

	private timer?: NodeJS.Timeout;

	/** `clock` is performance.now; a unit test hands in its own and calls tick() itself. */
	constructor(private readonly clock: () => number = () => performance.now()) {
		this.lastTick = clock();
	}

	start(): void {
		if (this.timer) return;
		this.lastTick = this.clock();
		this.timer = setInterval(() => this.tick(this.clock()), TICK_MS);
		this.timer.unref();
	}

	stop(): void {
		clearInterval(this.timer);
		this.timer = undefined;
	}

	/** The loop turned at `now`: a gap since the last turn longer than STALL_MS was a stall. */
	tick(now: number): void {
		if (now - this.lastTick > STALL_MS) this.last = { start: this.lastTick, end: now, claimed: false };
		this.lastTick = now;
	}

	/**
	 * When a request read at `now` reached the socket, as best this process can tell: the start
	 * of a stall that ended just before, for the first request read after it; `now` otherwise.
	 * A pacer that fires several overdue requests at once after a stall gets no such credit:
	 * those were written after the loop moved again.
	 */
	arrivedBy(now: number): number {
		// The interval may not have run since the loop moved again: this read is a turn too.
		this.tick(now);
		const stall = this.last;
		if (!stall || stall.claimed || now - stall.end > TICK_MS) return now;
		stall.claimed = true;
		return stall.start;
	}
}
