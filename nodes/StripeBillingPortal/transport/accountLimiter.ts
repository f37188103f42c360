/**
 * One Stripe account's limiter: its budgets, the turns requests take under them, and how
 * Stripe's answers tune them.
 */
import { documentedLimits, type AccountLimits } from '../shared/rateLimits';
import { ConcurrencyBudget, RateBudget } from './budgets';
import { abortReason, realClock, untilAborted, type Clock } from './clock';
import { ExecutionSpread } from './executionSpread';
import { TurnQueue } from './turns';

/**
 * The automatic budgets stay this far under the documented limits: Stripe counts arrivals, and
 * a few milliseconds of jitter between an evenly paced start and its arrival would otherwise put
 * one request too many into some second.
 */
export const LIMIT_MARGIN = 0.96;

/**
 * Processes that each keep a stated share of the account (the credential's Processes Sharing
 * the Account) keep this much further under it: they cannot line their requests up with each
 * other, and a request of one arriving a little early next to another's fills a second that the
 * even pace alone would not, the more so as a busy worker's event loop starts some requests late.
 * Bench (q), four workers against 5/s, before the shared timetable: at 92 % 2.0 % / 2.4 % of
 * requests refused but 1.26 × the floor; at 94 % 1.0 % / 3.4 % and 1.21–1.23 ×. With it, in the
 * simulator with late timers, 96 % doubled the sliding window's 429s (docs/performance.md).
 */
export const SHARED_MARGIN = 0.94;

/** How many processes the credential says share the account (1 unless stated). */
const processesOf = (limits: AccountLimits): number => limits.processes ?? 1;

/** Each process's part of an account limit, under the margins. */
function shareOf(limit: number, limits: AccountLimits): number {
	const processes = processesOf(limits);
	return processes > 1 ? (limit * LIMIT_MARGIN * SHARED_MARGIN) / processes : limit * LIMIT_MARGIN;
}

/** The 429 reasons Stripe names in `Stripe-Rate-Limited-Reason`. */
export type LimitedReason = 'global-rate' | 'global-concurrency' | 'endpoint-rate' | 'endpoint-concurrency' | 'resource-specific';

/** How an attempt ended, as far as the account's budgets care. */
export type AttemptOutcome =
	| { kind: 'answered' }
	/** A 429 from one of Stripe's limiters (it names the reason): that budget was too generous. */
	| { kind: 'limited'; reason: LimitedReason }
	/** Anything else: a 429 without a reason (a lock timeout), an error, no answer. Budgets stay. */
	| { kind: 'other' };


/** How often a turn waiting on a budget in slow start looks again whether an answer raised it. */
const SLOW_START_RECHECK_MS = 20;

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

	/** Which executions this process runs for the account: whether other processes share its work. */
	private readonly spread = new ExecutionSpread();

	/** How many processes the execution IDs suggest share the account's work (1 until they say). */
	sharedBy = 1;

	constructor(
		readonly live: boolean,
		private readonly clock: Clock = realClock,
		limits: AccountLimits = documentedLimits(live),
	) {
		const now = clock.now();
		this.limits = { ...limits };
		this.global = new RateBudget(shareOf(limits.global, limits), now, clock.random, processesOf(limits), clock.epoch);
		this.lastUsed = now;
	}

	private endpointCap(key: string): number {
		return shareOf(key.endsWith('/search') ? this.limits.search : this.limits.endpoint, this.limits);
	}

	/** Takes the account's limits as the credential now states them, keeping what the budgets learnt. */
	restate(limits: AccountLimits): void {
		if (
			limits.global === this.limits.global &&
			limits.endpoint === this.limits.endpoint &&
			limits.search === this.limits.search &&
			processesOf(limits) === processesOf(this.limits)
		)
			return;
		this.limits = { ...limits };
		this.global.recap(shareOf(limits.global, limits), processesOf(limits));
		for (const [key, endpoint] of this.endpoints) endpoint.rate.recap(this.endpointCap(key), processesOf(limits));
	}

	private endpoint(key: string): Endpoint {
		let endpoint = this.endpoints.get(key);
		if (!endpoint) {
			endpoint = {
				rate: new RateBudget(this.endpointCap(key), this.clock.now(), this.clock.random, processesOf(this.limits), this.clock.epoch),
				concurrency: new ConcurrencyBudget(),
				turns: new TurnQueue(),
			};
			if (this.sharedBy !== 1) endpoint.rate.seenAmong(this.sharedBy);
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

	/** Of the two rate budgets a request needs, the one that sets its pace: the lower. */
	private pacing(endpoint: Endpoint): RateBudget {
		return this.global.rate <= endpoint.rate.rate ? this.global : endpoint.rate;
	}

	/** When `budget` lets the next request of this endpoint start (the pacing one keeps a shared timetable's phase). */
	private due(budget: RateBudget, endpoint: Endpoint, now: number): number {
		return budget.nextStart(budget === this.pacing(endpoint) ? now : undefined);
	}

	private waitMs(endpoint: Endpoint): number {
		const now = this.clock.now();
		// On every item's way (the fast path): which budget paces is decided once.
		const globalPaces = this.pacing(endpoint) === this.global;
		return Math.max(this.global.nextStart(globalPaces ? now : undefined), endpoint.rate.nextStart(globalPaces ? undefined : now)) - now;
	}

	private hasRoom(endpoint: Endpoint): boolean {
		return this.concurrency.hasRoom() && endpoint.concurrency.hasRoom();
	}

	private start(key: string, endpoint: Endpoint): Ticket {
		const now = this.clock.now();
		const pacing = this.pacing(endpoint);
		this.global.started(now, pacing === this.global);
		endpoint.rate.started(now, pacing === endpoint.rate);
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

	/** Notes which execution a request is for; the budgets hear when the IDs suggest a different number of processes sharing the work. */
	private noteExecution(executionId: string | undefined): void {
		const processes = this.spread.note(executionId, this.clock.now()) ?? 1;
		if (processes === this.sharedBy) return;
		this.sharedBy = processes;
		this.global.seenAmong(processes);
		for (const endpoint of this.endpoints.values()) endpoint.rate.seenAmong(processes);
	}

	/**
	 * Waits for this endpoint's turn under every budget, then counts the request as in flight.
	 * When `signal` aborts (the execution was stopped, or the item's Max Wait ran out) the wait
	 * ends at once with its reason, and the request never starts. `executionId` is the n8n
	 * execution the request is for (executionSpread.ts).
	 */
	async take(endpointKey: string, signal?: AbortSignal, executionId?: string): Promise<Ticket> {
		if (signal?.aborted) throw abortReason(signal);
		this.noteExecution(executionId);
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
				if (this.due(this.global, endpoint, now) - now >= 1) this.global.held(now);
				if (this.due(endpoint.rate, endpoint, now) - now >= 1) endpoint.rate.held(now);
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
