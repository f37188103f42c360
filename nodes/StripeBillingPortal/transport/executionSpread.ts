/**
 * How many processes share an account's work, as the execution IDs one process runs suggest.
 *
 * n8n numbers executions per database, one after the other. In queue mode the main process
 * numbers them and the workers take them from one queue, so a worker among four runs about
 * every fourth execution: the gaps between the IDs it sees are the one local sign that other
 * processes are sending to the same account, a credential's Processes Sharing the Account left
 * empty. A process that runs every execution itself sees gaps of one.
 *
 * Other workflows' executions leave gaps too (an instance that runs them side by side looks
 * shared), so the estimate only ever slows how fast a budget grows before Stripe has refused
 * anything: a wrong guess costs a slower start, never a lower limit.
 */

/** The IDs the estimate is taken from: the last ones seen, at most this many … */
const IDS_KEPT = 16;
/** … and none older than this: a burst a while ago says nothing of who shares the account now. */
const KEPT_MS = 60_000;
/** Fewer IDs than this say nothing (one large execution is one ID). */
const IDS_NEEDED = 4;
/**
 * The largest gaps left out: an old execution resending its item after a long wait, or a pause
 * between two bursts, makes one large gap that is not the others' share.
 */
const GAPS_LEFT_OUT = 0.2;
/** IDs are whole numbers n8n counts up; anything else (a test's, another host's) is no sign. */
const NUMBERED = /^\d{1,15}$/;

export class ExecutionSpread {
	private ids: Array<{ id: number; at: number }> = [];

	private estimate?: number;

	/** The ID of the last request: every item of a run asks with the same one, on the per-item path. */
	private lastId?: string;

	/**
	 * Notes that this process runs execution `executionId`; returns how many processes the IDs
	 * seen lately suggest share the work (1: this one runs them all), or undefined while they say
	 * nothing.
	 */
	note(executionId: string | undefined, now: number): number | undefined {
		if (executionId === this.lastId) return this.estimate;
		this.lastId = executionId;
		if (executionId === undefined || !NUMBERED.test(executionId)) return this.estimate;
		const id = Number(executionId);
		// An execution seen before (items of runs running side by side) changes nothing.
		if (this.ids.some((seen) => seen.id === id)) return this.estimate;
		this.ids.push({ id, at: now });
		this.ids = this.ids.filter((seen) => seen.at >= now - KEPT_MS).slice(-IDS_KEPT);
		if (this.ids.length < IDS_NEEDED) return (this.estimate = undefined);
		const sorted = this.ids.map((seen) => seen.id).sort((a, b) => a - b);
		const gaps = sorted
			.slice(1)
			.map((later, index) => later - sorted[index])
			.sort((a, b) => a - b);
		const kept = gaps.slice(0, gaps.length - Math.floor(gaps.length * GAPS_LEFT_OUT));
		return (this.estimate = Math.max(1, kept.reduce((sum, gap) => sum + gap, 0) / kept.length));
	}
}
