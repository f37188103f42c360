import { untilAborted } from './clock';

/**
 * Requests taking turns in order: each turn runs once the one before it has ended, however that
 * one ended, so a wait given up on never stalls the turns queued behind it.
 */
export class TurnQueue {
	private last: Promise<void> = Promise.resolve();

	/** Turns queued and not yet over; while there are any, newcomers queue behind them. */
	waiting = 0;

	/**
	 * Runs `turn` after the turns queued before it and waits for it. Waiting behind others ends at
	 * once when `signal` aborts, not when this turn comes; the turn checks the signal itself when
	 * its place comes, so a request given up on never starts.
	 */
	take(turn: () => Promise<void>, signal?: AbortSignal): Promise<void> {
		return this.wait(() => this.last.then(turn), signal);
	}

	/** Runs `turn` at once, when nobody is queued; turns taken meanwhile queue behind it. */
	takeNow(turn: () => Promise<void>): Promise<void> {
		return this.wait(turn);
	}

	private async wait(start: () => Promise<void>, signal?: AbortSignal): Promise<void> {
		this.waiting++;
		const turn = start();
		this.last = turn.catch(() => undefined);
		try {
			await untilAborted(turn, signal);
		} finally {
			this.waiting--;
		}
	}
}
