/**
 * The process's registry of account budgets (limiterFor) over time, on a clock the test moves:
 * a budget nobody used for longer than five minutes is made afresh, whenever the sweep last ran;
 * and a budget the credential newly states to be shared starts at its share. A file of its own,
 * so that the registry's sweep time is this file's alone.
 */
import { accountFingerprint, endpointKey, limiterFor, LIMIT_MARGIN } from '../../nodes/StripeBillingPortal/transport/limiter';
import type { Clock } from '../../nodes/StripeBillingPortal/transport/clock';

const MINUTE = 60_000;
const SESSIONS = endpointKey('POST', '/v1/billing_portal/sessions');

class MovedClock implements Clock {
	time = 1_000_000_000;

	now = () => this.time;

	sleep = async (ms: number) => {
		this.time += ms;
	};
}

describe('the registry of account budgets', () => {
	it('makes a budget idle for over five minutes afresh, also between two sweeps, so it starts slowly again', async () => {
		const clock = new MovedClock();
		const fingerprint = accountFingerprint('https://api.stripe.com', 'sk_test_idle_between_sweeps');
		// The first call sweeps; the budget is then used once, a minute later.
		const first = limiterFor(fingerprint, false, undefined, clock);
		clock.time += MINUTE;
		first.settle(await first.take(SESSIONS), { kind: 'answered' });
		// A sweep 4.1 minutes after that use keeps it (idle less than five minutes) ...
		clock.time += 4.1 * MINUTE;
		limiterFor(accountFingerprint('https://api.stripe.com', 'sk_test_other'), false, undefined, clock);
		expect(limiterFor(fingerprint, false, undefined, clock)).toBe(first);
		// ... and the next sweep is five minutes away, but the budget has now been idle for eight.
		clock.time += 3.9 * MINUTE;
		const again = limiterFor(fingerprint, false, undefined, clock);
		expect(again).not.toBe(first);
		expect(again.state().globalRate).toBeLessThan(again.state().globalCap / 2);
	});

	it('starts a budget the credential newly states to be shared at its share, not in slow start', async () => {
		const clock = new MovedClock();
		const fingerprint = accountFingerprint('https://api.stripe.com', 'sk_test_becomes_shared');
		const limiter = limiterFor(fingerprint, false, { global: 25, endpoint: 25, search: 20 }, clock);
		limiter.settle(await limiter.take(SESSIONS), { kind: 'answered' });
		expect(limiter.state().globalRate).toBeLessThan(limiter.state().globalCap);

		limiterFor(fingerprint, false, { global: 25, endpoint: 25, search: 20, processes: 4 }, clock);
		const state = limiter.state();
		// 25/s shared by four, under the margins: 25 × 0.96 × 0.94 / 4.
		expect(state.globalCap).toBeCloseTo((25 * LIMIT_MARGIN * 0.94) / 4);
		expect(state.globalRate).toBeCloseTo(state.globalCap);
		expect(state.endpoints[SESSIONS].rate).toBeCloseTo(state.endpoints[SESSIONS].cap);
	});
});
