/**
 * Pacing arithmetic on a clock the test moves itself: how long each request waits for its turn,
 * and that spacing runs from actual starts, so a busy moment never releases a burst.
 */
import type { Clock } from '../../nodes/StripeBillingPortal/transport/clock';
import { Pacer, pacerFor } from '../../nodes/StripeBillingPortal/transport/pacing';
import { stubContext } from '../support/stub-context';

class FakeClock implements Clock {
	time = 1_000;

	waits: number[] = [];

	now = () => this.time;

	sleep = async (ms: number) => {
		this.waits.push(ms);
		this.time += ms;
	};
}

describe('Pacer', () => {
	it('lets the first request go at once and spaces the next ones 1000/rate ms apart', async () => {
		const clock = new FakeClock();
		const pacer = new Pacer(clock);
		const starts: number[] = [];
		for (let request = 0; request < 4; request++) {
			await pacer.take(10);
			starts.push(clock.time);
		}
		expect(starts).toEqual([1_000, 1_100, 1_200, 1_300]);
	});

	it('queues requests that arrive together, each a full interval after the one before', async () => {
		const clock = new FakeClock();
		const pacer = new Pacer(clock);
		await Promise.all([0, 1, 2, 3].map(async () => await pacer.take(10)));
		expect(clock.waits).toEqual([100, 100, 100]);
		expect(clock.time).toBe(1_300);
	});

	it('spaces from when a request actually starts, after the account’s turn taken within its own', async () => {
		const clock = new FakeClock();
		const pacer = new Pacer(clock);
		const starts: number[] = [];
		// The account's budget holds the first two requests 300 ms each (a budget in slow start).
		const accountTurns = [300, 300, 0, 0];
		for (const held of accountTurns) {
			await pacer.take(10, undefined, async () => {
				if (held > 0) await clock.sleep(held);
			});
			starts.push(clock.time);
		}
		// Each a full 100 ms after the one before actually started, not after its turn here began.
		expect(starts).toEqual([1_300, 1_700, 1_800, 1_900]);
	});

	it.each([
		[50, []],
		[30, [20]],
	])('%i ms after the last start at 20/s, waits %j', async (elapsed, waits) => {
		const clock = new FakeClock();
		const pacer = new Pacer(clock);
		await pacer.take(20);
		clock.time += elapsed;
		await pacer.take(20);
		expect(clock.waits).toEqual(waits);
	});

	it('spaces from actual starts: after a stall the queue does not catch up in a burst', async () => {
		const clock = new FakeClock();
		const pacer = new Pacer(clock);
		await pacer.take(10);
		// The event loop was busy for a second: a timetable would now owe ten slots at once.
		clock.time += 1_000;
		await Promise.all([0, 1, 2].map(async () => await pacer.take(10)));
		// The first goes at once; the others are spaced again, not released together.
		expect(clock.waits).toEqual([100, 100]);
		expect(clock.time).toBe(2_200);
	});

	it('keeps serving the queue when one waiter is cancelled', async () => {
		const clock = new FakeClock();
		let calls = 0;
		const cancelFirst: Clock = {
			now: clock.now,
			sleep: async (ms) => {
				calls++;
				if (calls === 1) throw new Error('cancelled');
				await clock.sleep(ms);
			},
		};
		const pacer = new Pacer(cancelFirst);
		await pacer.take(10);
		const results = await Promise.allSettled([pacer.take(10), pacer.take(10)]);
		expect(results.map((result) => result.status)).toEqual(['rejected', 'fulfilled']);
	});
});

describe('pacerFor', () => {
	it('gives every item of one node run the same pacer, and another run its own', () => {
		const run = stubContext();
		const sameRun = { ...run, getContext: run.getContext } as typeof run;
		expect(pacerFor(run)).toBe(pacerFor(sameRun));
		expect(pacerFor(stubContext())).not.toBe(pacerFor(run));
	});
});
