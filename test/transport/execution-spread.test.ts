/**
 * The execution IDs one process runs, read as a sign of how many processes share an account's
 * work: n8n numbers executions one after the other, and queue-mode workers take them from one
 * queue, so a worker among four runs about every fourth.
 */
import { ExecutionSpread } from '../../nodes/StripeBillingPortal/transport/executionSpread';

/** Notes `ids` one second apart; returns the last estimate. */
function estimate(ids: Array<string | undefined>, spread = new ExecutionSpread(), from = 0): number | undefined {
	let last: number | undefined;
	ids.forEach((id, index) => (last = spread.note(id, from + index * 1000)));
	return last;
}

const ids = (first: number, count: number, step: number) => Array.from({ length: count }, (_, index) => String(first + index * step));

describe('how many processes share the work, from the execution IDs one of them runs', () => {
	it('says nothing from fewer than four executions: one large run is one ID', () => {
		expect(estimate(ids(500, 3, 4))).toBeUndefined();
		// Every item of a run asks with the same ID.
		expect(estimate(['7', '7', '7', '7', '7', '7'])).toBeUndefined();
	});

	it('reads one process from consecutive IDs, in whatever order its executions start', () => {
		expect(estimate(ids(100, 16, 1))).toBe(1);
		expect(estimate(['12', '10', '13', '11', '15', '14', '17', '16'])).toBe(1);
	});

	it('reads four from about every fourth ID, as a worker of four takes them from the queue', () => {
		// Seen in n8n 2.41 queue mode, four workers, one worker's first IDs.
		// The largest gaps are left out, so a random share reads a little low: 3.5 here.
		const worker = estimate(['4', '8', '16', '12', '20', '28', '32', '46', '44', '24', '40', '36', '48', '55', '53', '65']);
		expect(worker).toBeGreaterThanOrEqual(3);
		expect(worker).toBeLessThanOrEqual(4);
		expect(estimate(ids(1, 16, 2))).toBe(2);
	});

	it('is not moved by one old execution resending after a long wait, or by a pause between two bursts', () => {
		const spread = new ExecutionSpread();
		estimate(ids(200, 15, 1), spread);
		// Execution 37 resends its item long after: one large gap among fifteen.
		expect(spread.note('37', 15_000)).toBe(1);
		// Other workflows ran executions 215–899 in between.
		expect(estimate(ids(900, 8, 1), spread, 16_000)).toBe(1);
	});

	it('forgets IDs older than a minute, and ignores IDs n8n did not number', () => {
		const spread = new ExecutionSpread();
		estimate(ids(1, 8, 4), spread);
		expect(spread.note('abc', 8_000)).toBeCloseTo(4, 0);
		expect(spread.note(undefined, 9_000)).toBeCloseTo(4, 0);
		expect(spread.note('harness-1-2', 9_000)).toBeCloseTo(4, 0);
		// A minute later only the new executions count: four of them, consecutive.
		expect(estimate(ids(1000, 4, 1), spread, 80_000)).toBe(1);
	});
});
