import { createHash } from 'node:crypto';

import { documentedLimits, type AccountLimits } from '../shared/rateLimits';
import { abortReason, realClock, untilAborted, type Clock } from './clock';
import { TurnQueue } from './turns';

// The bench and the tests read (and the bench raises) the documented limits through this module.
export { STRIPE_RATE_LIMITS, documentedLimits, type AccountLimits } from '../shared/rateLimits';

/**
 * The automatic budgets stay this far under the documented limits: Stripe counts arrivals, and
 * a few milliseconds of jitter between an evenly paced start and its arrival would otherwise put
 * one request too many into some second.
 */
export const LIMIT_MARGIN = 0.96;

/** The 429 reasons Stripe names in `Stripe-Rate-Limited-Reason`. */
export type LimitedReason = 'global-rate' | 'global-concurrency' | 'endpoint-rate' | 'endpoint-concurrency' | 'resource-specific';

/** How an attempt ended, as far as the account's budgets care. */
export type AttemptOutcome =
	| { kind: 'answered' }
	/** A 429 from one of Stripe's limiters (it names the reason): that budget was too generous. */
	| { kind: 'limited'; reason: LimitedReason }
	/** Anything else: a 429 without a reason (a lock timeout), an error, no answer. Budgets stay. */
	| { kind: 'other' };

/**
 * On a rate-limited answer a budget falls to this share of its rate (a multiplicative decrease:
 * the process that asks for more gives up more, so processes sharing an account drift towards
 * equal shares and finish a burst together) …
 */
const DECREASE_FACTOR = 0.8;
/**
 * … or, when it sent more than this many times what Stripe granted it over the last second,
 * straight down to what was granted: the first overshoot of a burst (every process starting at the
 * documented limit) ends in one step instead of seconds of 429s. Both the decrease and this test
 * start from what the process actually sent, not from its budget: early in a burst, while the
 * executions are still arriving, a process sends less than its budget allows, and 80 % of an
 * unused 24/s would change nothing.
 */
const OVERSHOOT = 2;
/**
 * … once per overshoot: a 429 lowers the budget again only for a request that started at least
 * this long after the last decrease. The 429s of requests sent before it (or just after, while
 * Stripe's last second is still full of the overshoot) mean that overshoot, already answered;
 * one sent later at the lowered rate means the rate is still too high, and waiting a whole second
 * to say so costs a second of 429s.
 */
const DECREASE_AFTER_MS = 250;
/**
 * A lowered budget grows back by this share of its cap per second (an additive increase: the
 * same for every process, so shares even out), once no 429 came for QUIET_MS after an 80 %
 * decrease: right after one the account is full, and probing at once only buys the next 429.
 */
const INCREASE_SHARE_OF_CAP = 0.005;
const QUIET_MS = 3_000;
/**
 * A lowered budget spaces its requests a little unevenly, each gap 95–105 % of the even one (the
 * rate on average stays): processes pacing evenly against one account fall into step, and then
 * Stripe's 429s keep landing on the same one of them, which keeps lowering its share while the
 * others keep theirs. Random gaps spread the 429s by how much each sends, which is what evens the
 * shares out. Wider gaps would crowd some seconds (against a 5/s sliding window ±15 % cost a
 * single worker 5 % of its pace). At its cap a budget keeps even gaps, so a process alone never
 * puts one request too many into a second.
 */
const SPACING_JITTER = 0.05;
/**
 * After this long without a 429 the processes that shared the account have likely finished (or
 * another app stopped): a lowered budget then also grows by LONG_QUIET_GROWTH a second, so that
 * it is back at its cap within about 40 s instead of the three minutes the additive step alone
 * would take from a small share. Processes still sharing the account see a 429 far more often
 * than this, so their shares still even out by the additive step alone.
 */
const LONG_QUIET_MS = 20_000;
const LONG_QUIET_GROWTH = 1.1;
/**
 * A budget that has not heard from Stripe yet (no 429 so far) starts at this share of its cap
 * and, while its answers succeed, grows by SLOW_START_STEP of its cap for each answer, as TCP's
 * slow start grows its window by one segment per acknowledgement: the growth is exponential in
 * time (the more it sends, the more answers raise it), so one run alone is at the cap within
 * about a second, while processes starting together (queue-mode workers after a deploy) meet
 * the account's real limit at a fraction of their caps, with a few 429s instead of a storm.
 */
const SLOW_START_SHARE = 1 / 8;
const SLOW_START_STEP = 1 / 4;
/** An answer raises a budget in slow start if a request had to wait for it this recently. */
const HELD_RECENTLY_MS = 1_000;
/** How often a turn waiting on a budget in slow start looks again whether an answer raised it. */
const SLOW_START_RECHECK_MS = 20;
/** What Stripe granted is measured over at least this long: one answer a few ms into a burst says nothing of a rate. */
const MIN_MEASURE_MS = 250;

/** No budget falls below this: an account shared with a busy neighbour still moves. */
const MIN_RATE = 0.5;
/** A concurrency 429 caps the requests in flight at this share of those running when it came. */
const CONCURRENCY_DECREASE_FACTOR = 0.7;
/** A concurrency cap that has grown back to this is lifted. */
const CONCURRENCY_CEILING = 64;
/** A limiter nobody used for this long is dropped, so memory stays flat whatever runs. */
const IDLE_MS = 5 * 60_000;

/** When requests started, or were answered, within the last second: what this process sent, and what Stripe granted it. */
class RecentWindow {
	private times: number[] = [];

	private head = 0;

	/** The first entry after a second without any: how long the window has been filling. */
	private busySince = Number.NEGATIVE_INFINITY;

	add(now: number): void {
		this.trim(now);
		if (this.times.length === this.head) this.busySince = now;
		this.times.push(now);
	}

	/** Entries per second over the last second, or over the time since they began if that is shorter. */
	rate(now: number): number {
		this.trim(now);
		const count = this.times.length - this.head;
		if (count === 0) return 0;
		return (count * 1000) / Math.max(MIN_MEASURE_MS, Math.min(1000, now - this.busySince));
	}

	private trim(now: number): void {
		while (this.head < this.times.length && this.times[this.head] <= now - 1000) this.head++;
		// Drop the consumed front now and then, so the array stays about one second long.
		if (this.head > 64 && this.head * 2 > this.times.length) {
			this.times = this.times.slice(this.head);
			this.head = 0;
		}
	}
}

/**
 * A requests-per-second budget that lowers itself on rate-limited answers and recovers slowly:
 * additive increase, multiplicative decrease (AIMD), as TCP shares a link between senders that
 * cannot see each other. Processes sharing a Stripe account (n8n queue-mode workers, other apps)
 * converge that way on equal shares of its limit.
 */
class RateBudget {
	rate: number;

	/** Whether the budget is still in slow start: no 429 yet, not yet at its cap. */
	slowStart = true;

	/** When a request last had to wait for this budget. */
	private lastHeld = Number.NEGATIVE_INFINITY;

	private lastStart = Number.NEGATIVE_INFINITY;

	private lastDecrease = Number.NEGATIVE_INFINITY;

	private lastIncrease: number;

	/** When a lowered budget may start growing again. */
	private growsFrom = Number.NEGATIVE_INFINITY;

	/** This gap's share of the even spacing, drawn at each start. */
	private jitter = 1;

	private readonly answers = new RecentWindow();

	private readonly sent = new RecentWindow();

	constructor(
		public cap: number,
		now: number,
		private readonly random?: () => number,
	) {
		this.rate = Math.max(MIN_RATE, cap * SLOW_START_SHARE);
		this.lastIncrease = now;
	}

	/** A new cap (the credential's limits changed): what the budget learnt is kept as a share of it. */
	recap(cap: number): void {
		if (cap === this.cap) return;
		this.rate = Math.max(MIN_RATE, Math.min(cap, (this.rate * cap) / this.cap));
		this.cap = cap;
	}

	/** When the next request may start under this budget. */
	nextStart(): number {
		return this.lastStart + (1000 / this.rate) * (this.rate < this.cap ? this.jitter : 1);
	}

	started(now: number): void {
		this.lastStart = now;
		this.sent.add(now);
		this.jitter = 1 - SPACING_JITTER + 2 * SPACING_JITTER * (this.random?.() ?? 0.5);
	}

	/** A rate-limited answer to a request started at `startedAt`. */
	limited(now: number, startedAt: number): void {
		if (startedAt < this.lastDecrease + DECREASE_AFTER_MS) return;
		const wasStarting = this.slowStart;
		this.slowStart = false;
		const granted = this.answers.rate(now);
		const sent = Math.min(this.rate, this.sent.rate(now) || this.rate);
		const overshoot = granted > 0 && sent > OVERSHOOT * granted;
		this.rate = Math.max(MIN_RATE, overshoot ? granted : sent * DECREASE_FACTOR);
		this.lastDecrease = now;
		this.lastIncrease = now;
		// After a fall to what was granted, growth starts at once: the account had room for that
		// much, and the others sharing it fell to theirs too, so together they are at or under its limit.
		// So does a budget's first, in slow start: it came up from below, so it holds less than its
		// share of an account others already fill, and waiting would keep it there.
		this.growsFrom = overshoot || wasStarting ? now : now + QUIET_MS;
	}

	/** A request had to wait for this budget: the budget, not the work, set the pace. */
	held(now: number): void {
		this.lastHeld = now;
	}

	answered(now: number): void {
		this.answers.add(now);
		if (this.slowStart) {
			// Grows only while it holds requests back: a trickle of answers (executions still
			// arriving) says nothing of what a burst may send.
			if (now - this.lastHeld <= HELD_RECENTLY_MS) this.rate = Math.min(this.cap, this.rate + SLOW_START_STEP * this.cap);
			if (this.rate >= this.cap) this.slowStart = false;
		} else if (this.rate < this.cap && now >= this.growsFrom) {
			const seconds = Math.max(0, now - this.lastIncrease) / 1000;
			const grown = now - this.lastDecrease >= LONG_QUIET_MS ? this.rate * LONG_QUIET_GROWTH ** seconds : this.rate;
			this.rate = Math.min(this.cap, grown + INCREASE_SHARE_OF_CAP * this.cap * seconds);
		}
		this.lastIncrease = now;
	}
}

/** How many requests may be in flight at once: unlimited until Stripe's concurrency limiter says otherwise. */
class ConcurrencyBudget {
	cap = Number.POSITIVE_INFINITY;

	inFlight = 0;

	private answeredSinceChange = 0;

	limited(): void {
		// The request that was refused is no longer in flight; the cap is what was running then.
		this.cap = Math.max(1, Math.floor((this.inFlight + 1) * CONCURRENCY_DECREASE_FACTOR));
		this.answeredSinceChange = 0;
	}

	answered(): void {
		if (this.cap === Number.POSITIVE_INFINITY) return;
		// One more request at once for every cap's worth of answers without a complaint.
		if (++this.answeredSinceChange >= this.cap) {
			this.cap = this.cap + 1 >= CONCURRENCY_CEILING ? Number.POSITIVE_INFINITY : this.cap + 1;
			this.answeredSinceChange = 0;
		}
	}

	hasRoom(): boolean {
		return this.inFlight < this.cap;
	}
}

/** How many endpoints one account's limiter keeps budgets for; this package uses about ten. */
export const ENDPOINTS_KEPT = 64;

interface Endpoint {
	rate: RateBudget;
	concurrency: ConcurrencyBudget;
	/** Requests to this endpoint take turns in order; other endpoints do not wait behind them. */
	turns: TurnQueue;
}

/** A request's place in the account's budgets, handed back with how the attempt ended. */
export interface Ticket {
	endpoint: string;
	/** When the request started: a 429 tunes the budgets only if it was sent at their current rates. */
	startedAt: number;
	settled: boolean;
}

/** What a limiter looks like from outside: for the error wording, tests and the benchmark. */
export interface LimiterState {
	globalRate: number;
	globalCap: number;
	endpoints: Record<string, { rate: number; cap: number; concurrencyCap: number }>;
	concurrencyCap: number;
	inFlight: number;
	waiting: number;
}

/**
 * One Stripe account's budgets, shared by every execution and node of this n8n process that
 * uses it: the global rate, one rate per endpoint, and the requests in flight. Requests take
 * turns in one queue per endpoint; each starts once every budget it counts against allows,
 * measured from the actual starts before it (a timetable's overdue slots would fire together
 * after a busy moment).
 * Stripe's answers tune it: a limiter 429 lowers the budget it names, answers raise it back.
 * Processes that cannot see each other (n8n queue-mode workers, other apps on the account)
 * converge that way on a share of the account's limit.
 */
export class AccountLimiter {
	readonly global: RateBudget;

	readonly concurrency = new ConcurrencyBudget();

	private readonly endpoints = new Map<string, Endpoint>();

	/** Requests queued for their turn, over all endpoints. */
	private waiting = 0;

	/** Resolved whenever a request in flight ends, for turns waiting on a concurrency cap. */
	private slotFreed?: { promise: Promise<void>; resolve: () => void };

	/** How many answers Stripe's limiters have refused so far: whether the account was rate-limited since some moment. */
	limitedAnswers = 0;

	/** Called once at the next answer Stripe's limiters refuse (see onNextLimited). */
	private readonly limitedListeners = new Set<() => void>();

	lastUsed: number;

	/** The account's limits the budgets' caps come from. */
	limits: AccountLimits;

	constructor(
		readonly live: boolean,
		private readonly clock: Clock = realClock,
		limits: AccountLimits = documentedLimits(live),
	) {
		const now = clock.now();
		this.limits = { ...limits };
		this.global = new RateBudget(limits.global * LIMIT_MARGIN, now, clock.random);
		this.lastUsed = now;
	}

	private endpointCap(key: string): number {
		return (key.endsWith('/search') ? this.limits.search : this.limits.endpoint) * LIMIT_MARGIN;
	}

	/** Takes the account's limits as the credential now states them, keeping what the budgets learnt. */
	restate(limits: AccountLimits): void {
		if (limits.global === this.limits.global && limits.endpoint === this.limits.endpoint && limits.search === this.limits.search) return;
		this.limits = { ...limits };
		this.global.recap(limits.global * LIMIT_MARGIN);
		for (const [key, endpoint] of this.endpoints) endpoint.rate.recap(this.endpointCap(key));
	}

	private endpoint(key: string): Endpoint {
		let endpoint = this.endpoints.get(key);
		if (!endpoint) {
			endpoint = {
				rate: new RateBudget(this.endpointCap(key), this.clock.now(), this.clock.random),
				concurrency: new ConcurrencyBudget(),
				turns: new TurnQueue(),
			};
			this.forgetIdleEndpoints();
			this.endpoints.set(key, endpoint);
		}
		return endpoint;
	}

	/**
	 * Keeps the endpoint map bounded, however many distinct paths come by (a path word missing
	 * from STRIPE_PATH_WORDS would make one entry per ID): at ENDPOINTS_KEPT entries, the
	 * longest-known idle ones go. A busy endpoint stays; those are bounded by the requests alive.
	 */
	private forgetIdleEndpoints(): void {
		if (this.endpoints.size < ENDPOINTS_KEPT) return;
		for (const [key, endpoint] of this.endpoints) {
			if (this.endpoints.size < ENDPOINTS_KEPT) return;
			if (endpoint.turns.waiting === 0 && endpoint.concurrency.inFlight === 0) this.endpoints.delete(key);
		}
	}

	/** Whether nothing is queued or running: the registry may drop it once it has been idle long enough. */
	isIdle(): boolean {
		return this.waiting === 0 && this.concurrency.inFlight === 0;
	}

	private waitMs(endpoint: Endpoint): number {
		return Math.max(this.global.nextStart(), endpoint.rate.nextStart()) - this.clock.now();
	}

	private hasRoom(endpoint: Endpoint): boolean {
		return this.concurrency.hasRoom() && endpoint.concurrency.hasRoom();
	}

	private start(key: string, endpoint: Endpoint): Ticket {
		const now = this.clock.now();
		this.global.started(now);
		endpoint.rate.started(now);
		this.concurrency.inFlight++;
		endpoint.concurrency.inFlight++;
		this.lastUsed = now;
		return { endpoint: key, startedAt: now, settled: false };
	}

	private async roomFreed(signal?: AbortSignal): Promise<void> {
		this.slotFreed ??= (() => {
			let resolve!: () => void;
			const promise = new Promise<void>((done) => (resolve = done));
			return { promise, resolve };
		})();
		// Rejects with the signal's reason, as n8n's sleep does when an execution is cancelled.
		await untilAborted(this.slotFreed.promise, signal);
	}

	/**
	 * Calls `listener` once, at the next answer one of Stripe's limiters refuses; returns how to
	 * stop listening. An item whose Max Wait for Rate Limits is over while it still waits for its
	 * turn fails then, not before: waiting at the documented pace is not being rate-limited.
	 */
	onNextLimited(listener: () => void): () => void {
		this.limitedListeners.add(listener);
		return () => this.limitedListeners.delete(listener);
	}

	/**
	 * Waits for this endpoint's turn under every budget, then counts the request as in flight.
	 * When `signal` aborts (the execution was stopped, or the item's Max Wait ran out) the wait
	 * ends at once with its reason, and the request never starts.
	 */
	async take(endpointKey: string, signal?: AbortSignal): Promise<Ticket> {
		if (signal?.aborted) throw abortReason(signal);
		const endpoint = this.endpoint(endpointKey);
		this.lastUsed = this.clock.now();
		// With nobody queued and every budget free, going through the queue would only cost time.
		if (endpoint.turns.waiting === 0 && this.hasRoom(endpoint) && this.waitMs(endpoint) < 1) return this.start(endpointKey, endpoint);
		this.waiting++;
		let ticket: Ticket | undefined;
		// Turns of different endpoints run side by side; each checks the global budget again right
		// before it starts, and the check and the start happen in one synchronous step.
		const turn = async (): Promise<void> => {
			// Budgets can fall while a turn sleeps (another request came back 429): check again after each wait.
			for (;;) {
				// Checked in the same synchronous step as the start below: a request given up on never starts.
				if (signal?.aborted) throw abortReason(signal);
				if (!this.hasRoom(endpoint)) {
					await this.roomFreed(signal);
					continue;
				}
				const wait = this.waitMs(endpoint);
				// Below a millisecond a timer only adds its own delay.
				if (wait < 1) break;
				const now = this.clock.now();
				if (this.global.nextStart() - now >= 1) this.global.held(now);
				if (endpoint.rate.nextStart() - now >= 1) endpoint.rate.held(now);
				// In slow start every answer raises the rate: a wait measured at the starting rate
				// would hold the next request long after an answer allowed it.
				const slowStart = this.global.slowStart || endpoint.rate.slowStart;
				await this.clock.sleep(slowStart ? Math.min(wait, SLOW_START_RECHECK_MS) : wait, signal);
			}
			ticket = this.start(endpointKey, endpoint);
		};
		let gaveUp = true;
		try {
			await endpoint.turns.take(turn, signal);
			gaveUp = false;
		} finally {
			this.waiting--;
			// Started in the very moment the wait was given up: it will not be sent, so it is not in flight.
			if (gaveUp && ticket) this.settle(ticket, { kind: 'other' });
		}
		return ticket as Ticket;
	}

	/** Ends a request's time in flight and lets its answer tune the budgets. */
	settle(ticket: Ticket, outcome: AttemptOutcome): void {
		if (ticket.settled) return;
		ticket.settled = true;
		const endpoint = this.endpoint(ticket.endpoint);
		const now = this.clock.now();
		// The refused request counts as in flight for the concurrency decrease, then ends.
		if (outcome.kind === 'limited') {
			this.limitedAnswers++;
			if (outcome.reason === 'global-rate') this.global.limited(now, ticket.startedAt);
			else if (outcome.reason === 'endpoint-rate') endpoint.rate.limited(now, ticket.startedAt);
			this.concurrency.inFlight--;
			endpoint.concurrency.inFlight--;
			if (outcome.reason === 'global-concurrency') this.concurrency.limited();
			else if (outcome.reason === 'endpoint-concurrency') endpoint.concurrency.limited();
		} else {
			this.concurrency.inFlight--;
			endpoint.concurrency.inFlight--;
			if (outcome.kind === 'answered') {
				this.global.answered(now);
				endpoint.rate.answered(now);
				this.concurrency.answered();
				endpoint.concurrency.answered();
			}
		}
		this.lastUsed = now;
		const freed = this.slotFreed;
		this.slotFreed = undefined;
		freed?.resolve();
		if (outcome.kind === 'limited' && this.limitedListeners.size > 0) {
			const listeners = [...this.limitedListeners];
			this.limitedListeners.clear();
			for (const listener of listeners) listener();
		}
	}

	state(): LimiterState {
		return {
			globalRate: this.global.rate,
			globalCap: this.global.cap,
			concurrencyCap: this.concurrency.cap,
			inFlight: this.concurrency.inFlight,
			waiting: this.waiting,
			endpoints: Object.fromEntries(
				[...this.endpoints].map(([key, endpoint]) => [
					key,
					{ rate: endpoint.rate.rate, cap: endpoint.rate.cap, concurrencyCap: endpoint.concurrency.cap },
				]),
			),
		};
	}
}

/**
 * The account a request counts against, as a fingerprint: the Base URL, the key and the
 * connected account. The key itself is never kept: only a hash of it names the limiter.
 */
export function accountFingerprint(baseUrl: string, secretKey: string, connectedAccount?: string): string {
	return createHash('sha256').update(`${baseUrl}\n${secretKey}\n${connectedAccount ?? ''}`).digest('hex').slice(0, 32);
}

/**
 * The limiters of this process, one per account. A node class is loaded once per n8n process,
 * so this map is shared by every execution the process runs; in queue mode each worker has its
 * own, and the budgets' adaptation is what keeps workers together under the account's limit.
 */
const limiters = new Map<string, AccountLimiter>();
let lastSweep = 0;

export function limiterFor(fingerprint: string, live: boolean, limits?: AccountLimits, clock: Clock = realClock): AccountLimiter {
	const now = clock.now();
	if (now - lastSweep > IDLE_MS) {
		lastSweep = now;
		for (const [key, limiter] of limiters) {
			if (limiter.isIdle() && now - limiter.lastUsed > IDLE_MS) limiters.delete(key);
		}
	}
	let limiter = limiters.get(fingerprint);
	if (!limiter) {
		limiter = new AccountLimiter(live, clock, limits);
		limiters.set(fingerprint, limiter);
	} else if (limits) {
		limiter.restate(limits);
	}
	return limiter;
}

/**
 * The words of Stripe's API paths (docs.stripe.com/api): resources and the actions on them.
 * Every other path segment is an object's ID, whatever it looks like: IDs can be all lower case
 * (`cus_abc`), and a merchant chooses some of them (coupons, products). A word missing here
 * makes its endpoint share a budget with its neighbours (slower, never over a limit);
 * test/transport/endpoint-key.test.ts checks that every path this package sends keeps its words.
 */
const STRIPE_PATH_WORDS: ReadonlySet<string> = new Set([
	'v1',
	'v2',
	'accounts',
	'billing_portal',
	'cancel',
	'charges',
	'configurations',
	'coupons',
	'customers',
	'discount',
	'events',
	'invoices',
	'items',
	'login_links',
	'payment_intents',
	'payment_methods',
	'prices',
	'products',
	'promotion_codes',
	'resume',
	'search',
	'sessions',
	'sources',
	'subscription_items',
	'subscriptions',
	'tax_ids',
	'webhook_endpoints',
]);

/**
 * The endpoint a request counts against: its method and path, with object IDs folded, since
 * Stripe counts `GET /v1/customers/cus_1` and `/cus_2` against one limit.
 */
export function endpointKey(method: string, path: string): string {
	const template = path
		.split('?')[0]
		.split('/')
		.map((segment) => (segment === '' || STRIPE_PATH_WORDS.has(segment) ? segment : '{id}'))
		.join('/');
	return `${method.toUpperCase()} ${template}`;
}

/** Reads Stripe's reason header into a limiter reason, or undefined for a 429 no limiter sent. */
export function limitedReasonOf(header: string | undefined): LimitedReason | undefined {
	const value = header?.trim().toLowerCase();
	return value === 'global-rate' ||
		value === 'global-concurrency' ||
		value === 'endpoint-rate' ||
		value === 'endpoint-concurrency' ||
		value === 'resource-specific'
		? value
		: undefined;
}
