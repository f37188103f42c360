/**
 * Max Requests per Second: n8n starts every item's request at once; the node spaces all the
 * requests of one run (every item, the lookups included) to the rate set and, always, to the
 * Stripe account's budgets (test 24/s; live 96/s with 24/s per endpoint). The sandbox stamps each request's arrival, so the spacing is measured where Stripe
 * would count it.
 */
import type { RecordedRequest } from '../sandbox';
import { SEED_IDS } from '../sandbox';
import { customerById, runCreateSession, runStripeNode, useEnvironment } from '../support/session';

// Short on purpose: a long sk_live_ string in the repository looks like a leaked key.
const LIVE_KEY = 'sk_live_throttle';
const environment = useEnvironment({ secretKeys: ['sk_test_sandbox', LIVE_KEY] });
const customer = customerById(SEED_IDS.jenny);
/**
 * The node spaces the starts of its requests; what the sandbox sees also carries the time
 * between a request's turn and its arrival (n8n applying the credential, the HTTP client,
 * loopback), a few milliseconds, but tens when jest runs other suites on both cores. Spacing
 * is asserted to within this; an unpaced run, or one at twice the rate, still fails by far.
 */
const SLACK_MS = 50;

const items = (count: number) => Array.from({ length: count }, () => ({}));

/**
 * Asserts that the run is paced at the rate, give or take one request: any stretch of it holds
 * at most one request more than the rate allows (any k consecutive gaps span at least k - 1
 * intervals, less the slack), so request i arrived no sooner than i - 1 intervals after the
 * first paced one. The one request is arrival jitter, not pacing: on a busy machine a request
 * now and then reaches the sandbox a whole interval after its turn, together with the next
 * (seen: 96 ms late at 10/s, 205 ms at 5/s, with no stall of the event loop long enough for the
 * sandbox to credit). Stripe counts arrivals too, which is why the automatic budgets keep a
 * margin under its limits. An unpaced run, or one at twice the rate, still fails: by its third
 * paced request the first way, by its fifth the second. The run's first request carries n8n's
 * one-off start-up work (credential, first connection) after its turn was taken, so the spacing
 * is measured from the next one, which waited for its turn.
 */
function expectSpacedAt(requests: RecordedRequest[], requestsPerSecond: number) {
	const interval = 1000 / requestsPerSecond;
	const paced = requests.slice(1);
	expect(paced.length).toBeGreaterThanOrEqual(3);
	const times = paced.map((request) => request.receivedAt).sort((a, b) => a - b);
	let densest = Number.POSITIVE_INFINITY;
	for (let first = 0; first < times.length; first++)
		for (let last = first + 1; last < times.length; last++)
			densest = Math.min(densest, times[last] - times[first] - (last - first - 1) * interval);
	expect(densest).toBeGreaterThanOrEqual(-SLACK_MS);
}

/**
 * The automatic budgets: spaced no denser than the rate (above), no 429 from the sandbox, which
 * holds Stripe's documented limits (so a pace at or over 25/s shows as refusals, not as a run that
 * only looks spaced), and not far slower than the rate either: a budget that fell to half of it
 * would still pass the two checks before.
 */
function expectAutomaticPace(requests: RecordedRequest[], requestsPerSecond: number) {
	expectSpacedAt(requests, requestsPerSecond);
	expect(requests.filter((request) => request.status === 429)).toHaveLength(0);
	const times = requests.slice(1).map((request) => request.receivedAt).sort((a, b) => a - b);
	const span = times[times.length - 1] - times[0];
	expect(span).toBeLessThan(1.3 * (times.length - 1) * (1000 / requestsPerSecond) + 100);
}

describe('Max Requests per Second', () => {
	it('spaces the requests of all items of one run', async () => {
		const run = await runCreateSession(environment, { customer, requestSettings: { maxRequestsPerSecond: 5 } }, items(8));
		expect(run.error).toBeUndefined();
		expect(run.requests).toHaveLength(8);
		expectSpacedAt(run.requests, 5);
	});

	it('counts the lookups: By Email and Subscription Source requests take their turn too', async () => {
		const run = await runCreateSession(
			environment,
			{
				customer: { __rl: true, mode: 'email', value: 'jenny.rosen@example.com' },
				flowType: 'subscription_cancel',
				subscriptionSource: 'onlyCurrent',
				requestSettings: { maxRequestsPerSecond: 12 },
			},
			items(4),
		);
		expect(run.error).toBeUndefined();
		expect(run.requests.map((request) => request.path).sort()).toEqual(
			[...Array(4).fill('/v1/billing_portal/sessions'), ...Array(4).fill('/v1/customers'), ...Array(4).fill('/v1/subscriptions')].sort(),
		);
		expectSpacedAt(
			[...run.requests].sort((a, b) => a.receivedAt - b.receivedAt),
			12,
		);
	});

	it('pages of Get Many take their turn', async () => {
		environment.sandbox.addConfigurations(5);
		const run = await runStripeNode(environment, {
			resource: 'portalConfiguration',
			operation: 'getAll',
			limit: 5,
			requestSettings: { maxRequestsPerSecond: 8 },
		}, items(5));
		expect(run.error).toBeUndefined();
		expect(run.items).toHaveLength(25);
		expectSpacedAt(run.requests, 8);
	});

	it('automatic with a test key: 24 per second, under Stripe’s 25 for a test account', async () => {
		// Over two seconds: a pace of 26/s would put 26 into some second, which the sandbox refuses.
		const run = await runCreateSession(environment, { customer }, items(50));
		expect(run.error).toBeUndefined();
		expectAutomaticPace(run.requests, 24);
	});

	it('automatic with a live key: one endpoint at 24 per second, under Stripe’s 25 per endpoint', async () => {
		const run = await runCreateSession(environment, { customer }, items(50), { credentials: { secretKey: LIVE_KEY } });
		expect(run.error).toBeUndefined();
		expectAutomaticPace(run.requests, 24);
	});

	it('automatic with a live key: two endpoints together go faster than one (live accounts allow 100 per second)', async () => {
		const byEmail = { customer: { __rl: true, mode: 'email', value: 'jenny.rosen@example.com' } };
		const live = await runCreateSession(environment, byEmail, items(12), { credentials: { secretKey: LIVE_KEY } });
		expect(live.error).toBeUndefined();
		expect(live.requests).toHaveLength(24);
		const liveSpan = live.requests[23].receivedAt - live.requests[1].receivedAt;
		// 24 requests on one test-mode budget of 24/s take ~960 ms; two live endpoints share them.
		expect(liveSpan).toBeLessThan(800);
		for (const path of ['/v1/customers', '/v1/billing_portal/sessions']) {
			expectSpacedAt(live.requests.filter((request) => request.path === path), 24);
		}
	});

	it('0 means automatic', async () => {
		const run = await runCreateSession(environment, { customer, requestSettings: { maxRequestsPerSecond: 0 } }, items(6));
		expect(run.error).toBeUndefined();
		expectAutomaticPace(run.requests, 24);
	});
});

describe('Request Settings are checked before any request', () => {
	it.each([
		[{ maxRequestsPerSecond: -1 }, /^Request Settings → Max Requests per Second: '-1' is not 0 or a number from 0.001$/],
		// One request in 115 days: its gap would overflow the host's timer, which would then fire at once.
		[{ maxRequestsPerSecond: '={{ 1e-7 }}' }, /^Request Settings → Max Requests per Second: '1e-7' is not 0 or a number from 0.001$/],
		[{ maxRequestsPerSecond: '={{ "fast" }}' }, /^Request Settings → Max Requests per Second: 'fast' is not 0 or a number from 0.001$/],
		[{ retries: 11 }, /^Request Settings → Retries: '11' is not a whole number from 0 to 10$/],
		[{ retries: 1.5 }, /^Request Settings → Retries: '1.5' is not a whole number from 0 to 10$/],
		[{ connectedAccount: 'acct 123' }, /^Request Settings → Connected Account: 'acct 123' is not a Stripe account ID$/],
		[{ idempotencyKey: 'x'.repeat(256) }, /^Request Settings → Idempotency Key: is 256 characters long$/],
		[{ idempotencyKey: 'ticket-ü' }, /^Request Settings → Idempotency Key: 'ticket-ü' contains characters that cannot be sent in a header$/],
	])('%j', async (requestSettings, message) => {
		const run = await runCreateSession(environment, {
			customer: { __rl: true, mode: 'email', value: 'jenny.rosen@example.com' },
			requestSettings,
		});
		expect(run.error?.message).toMatch(message);
		expect(run.error?.description).toBeTruthy();
		expect(run.requests).toHaveLength(0);
	});
});
