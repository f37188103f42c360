/**
 * The waits of the request pipeline end when they must: at once when the execution is stopped
 * (whatever the host's n8n-workflow `sleep` does with a signal), when an attempt's Timeout is up,
 * and when an item's Max Wait for Rate Limits is over. The engine tests (test/resilience/stop.test.ts)
 * prove it at the wire; these pin down each stage alone.
 */
import { NodeOperationError } from 'n8n-workflow';

import { abortableSleep, untilAborted } from '../../nodes/StripeBillingPortal/transport/clock';
import { findConnectionErrorCode } from '../../nodes/StripeBillingPortal/transport/connection';
import { stripeApiError, type RetryOutcome } from '../../nodes/StripeBillingPortal/transport/errors';
import { AccountLimiter } from '../../nodes/StripeBillingPortal/transport/accountLimiter';
import { Pacer } from '../../nodes/StripeBillingPortal/transport/pacing';
import { AttemptTimedOutError, ItemWait, pacedWithRetries, withinTimeout, type PacedRequestContext } from '../../nodes/StripeBillingPortal/transport/retry';
import { STUB_NODE, stubContext } from '../support/stub-context';

const SESSIONS = 'POST /v1/billing_portal/sessions';

/** A sleep like n8n-workflow's before it took a signal: it ignores one, and only time ends it. */
function signalIgnoringSleep() {
	const pending: Array<() => void> = [];
	const sleep = async (_ms: number) => await new Promise<void>((resolve) => pending.push(resolve));
	return { sleep, pending };
}

/** A timer the test fires itself. */
function manualTimer() {
	const timers: Array<{ ms: number; fire: () => void }> = [];
	const timer = async (ms: number, signal?: AbortSignal) =>
		await new Promise<void>((resolve, reject) => {
			timers.push({ ms, fire: resolve });
			signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
		});
	return { timer, timers };
}

const never = async () => await new Promise<never>(() => undefined);

/** pacedWithRetries' options as these tests send: a session request of a stub item, unless a test gives its own context. */
function sessionRequest(options: Omit<PacedRequestContext, 'context' | 'connectionCode' | 'endpoint'> & Partial<Pick<PacedRequestContext, 'context'>>): PacedRequestContext {
	return { context: stubContext(), connectionCode: findConnectionErrorCode, endpoint: SESSIONS, ...options };
}

/** A clock that moves only when something sleeps on it. */
function movingClock() {
	let time = 0;
	return {
		now: () => time,
		sleep: async (ms: number) => {
			time += ms;
		},
	};
}

describe('abortableSleep', () => {
	it('ends at once on abort even when the host’s sleep ignores the signal', async () => {
		const old = signalIgnoringSleep();
		const abort = new AbortController();
		const waiting = abortableSleep(60_000, abort.signal, old.sleep);
		abort.abort(new Error('stopped'));
		await expect(waiting).rejects.toThrow('stopped');
		expect(old.pending).toHaveLength(1);
	});

	it('resolves when the time is up, and hands the host’s sleep a signal it aborts afterwards, so a sleep that takes one clears its timer', async () => {
		const signals: AbortSignal[] = [];
		await abortableSleep(5, new AbortController().signal, async (_ms, signal) => {
			if (signal) signals.push(signal);
		});
		expect(signals).toHaveLength(1);
		expect(signals[0].aborted).toBe(true);
	});

	it('rejects before waiting when the signal has already aborted', async () => {
		const abort = new AbortController();
		abort.abort(new Error('stopped'));
		const old = signalIgnoringSleep();
		await expect(abortableSleep(10, abort.signal, old.sleep)).rejects.toThrow('stopped');
		expect(old.pending).toHaveLength(0);
	});
});

describe('untilAborted', () => {
	it('leaves a wait that would never end, at once', async () => {
		const abort = new AbortController();
		const waiting = untilAborted(never(), abort.signal);
		abort.abort(new Error('stopped'));
		await expect(waiting).rejects.toThrow('stopped');
	});
});

describe('Pacer', () => {
	it('a request queued behind others leaves at once when stopped, and never takes its turn', async () => {
		let time = 0;
		const pacer = new Pacer({ now: () => time, sleep: never });
		const abort = new AbortController();
		await pacer.take(1);
		const queued = pacer.take(1, abort.signal);
		abort.abort(new Error('stopped'));
		await expect(queued).rejects.toThrow('stopped');
		time = 10_000;
		await expect(pacer.take(1)).resolves.toBeUndefined();
	});
});

describe('withinTimeout', () => {
	it('fails an attempt that is still running when its time is up, as a timed-out connection', async () => {
		const { timer, timers } = manualTimer();
		const attempt = withinTimeout(never, 3, undefined, timer);
		expect(timers.map((t) => t.ms)).toEqual([3_000]);
		timers[0].fire();
		const error = await attempt.catch((failure: unknown) => failure);
		expect(error).toBeInstanceOf(AttemptTimedOutError);
		expect(findConnectionErrorCode(error)).toBe('ETIMEDOUT');
	});

	it('hands back the answer that came in time', async () => {
		const { timer } = manualTimer();
		await expect(withinTimeout(async () => 'answer', 3, undefined, timer)).resolves.toBe('answer');
	});

	it('abandons an attempt in flight at once when the execution is stopped', async () => {
		const { timer } = manualTimer();
		const abort = new AbortController();
		const attempt = withinTimeout(never, 80, abort.signal, timer);
		abort.abort(new Error('stopped'));
		await expect(attempt).rejects.toThrow('stopped');
	});

	it('aborts the signal it handed the attempt when the attempt is abandoned (time up, or stopped), so that its request is cut off; never once it answered', async () => {
		const handed: AbortSignal[] = [];
		const hold = async (signal: AbortSignal) => {
			handed.push(signal);
			return await never();
		};
		const { timer, timers } = manualTimer();
		const timedOut = withinTimeout(hold, 3, undefined, timer).catch(() => 'timed out');
		expect(handed[0].aborted).toBe(false);
		timers[0].fire();
		await expect(timedOut).resolves.toBe('timed out');
		expect(handed[0].aborted).toBe(true);

		const stop = new AbortController();
		const stopped = withinTimeout(hold, 80, stop.signal, timer).catch(() => 'stopped');
		stop.abort(new Error('stopped'));
		await expect(stopped).resolves.toBe('stopped');
		expect(handed[1].aborted).toBe(true);

		let answered: AbortSignal | undefined;
		await withinTimeout(
			async (signal) => {
				answered = signal;
				return 'answer';
			},
			3,
			undefined,
			timer,
		);
		expect(answered?.aborted).toBe(false);
	});
});

describe('pacedWithRetries: time limits and Stop', () => {
	const rateLimited = () => stripeApiError(STUB_NODE, { httpStatus: 429, limitedReason: 'global-rate', stripe: { message: 'Rate limited' } });

	it('an attempt whose Timeout is up frees its place under the account’s budget and is retried like a timed-out connection', async () => {
		const { timer, timers } = manualTimer();
		const limiter = new AccountLimiter(false, movingClock());
		let calls = 0;
		let outcome: RetryOutcome | undefined;
		const sent = pacedWithRetries(
			sessionRequest({
				settings: { retries: 1, timeoutSeconds: 3, maxWaitSeconds: 60 },
				limiter,
				sleep: async () => undefined,
				now: () => 0,
				timer,
			}),
			async () => {
				calls++;
				return await never();
			},
			(error, ended) => {
				outcome = ended;
				return error;
			},
		).catch((error: unknown) => error);
		// The item's Max Wait timer, then the first attempt's Timeout.
		await new Promise((resolve) => setImmediate(resolve));
		expect(limiter.state().inFlight).toBe(1);
		timers.find((t) => t.ms === 3_000)?.fire();
		await new Promise((resolve) => setImmediate(resolve));
		expect(calls).toBe(2);
		timers.filter((t) => t.ms === 3_000)[1]?.fire();
		const error = await sent;
		expect(error).toBeInstanceOf(AttemptTimedOutError);
		expect(outcome).toMatchObject({ retriesMade: 1, exhausted: true });
		expect(limiter.state().inFlight).toBe(0);
	});

	it('an item still waiting for its turn when Max Wait is over, while Stripe rate-limits the account, fails with the rate-limit message without being sent', async () => {
		const { timer, timers } = manualTimer();
		// A budget whose turns never come: the item can only wait.
		const limiter = new AccountLimiter(false, { now: () => 0, sleep: never });
		const other = await limiter.take(SESSIONS);
		let calls = 0;
		const sent = pacedWithRetries(
			sessionRequest({
				settings: { retries: 3, timeoutSeconds: 80, maxWaitSeconds: 10 },
				limiter,
				sleep: async () => undefined,
				now: () => 0,
				timer,
			}),
			async () => {
				calls++;
				return 'sent';
			},
			(error) => error,
		).catch((error: unknown) => error);
		await new Promise((resolve) => setImmediate(resolve));
		// Max Wait is over, but Stripe has not rate-limited anything: waiting at the pace is not failing.
		timers.find((t) => t.ms === 10_000)?.fire();
		await new Promise((resolve) => setImmediate(resolve));
		expect(limiter.state().waiting).toBe(1);
		// Another request of the account is answered 429: now the item has waited for rate limits.
		limiter.settle(other, { kind: 'limited', reason: 'global-rate' });
		const error = (await sent) as Error;
		expect(calls).toBe(0);
		expect(error.message).toMatch(/^Stripe rate limit: not sent after waiting \d+ s for a turn .*Max Wait for Rate Limits \(was 10 s\)/);
		expect(limiter.state().waiting).toBe(0);
	});

	it('an item Stripe answered 429 itself (a lock timeout, which the account’s limiter does not count) fails at Max Wait while still waiting for its turn, without being sent', async () => {
		const { timer, timers } = manualTimer();
		// Turns come while time may move; then they never come again.
		let time = 0;
		let turnsStopped = false;
		const limiter = new AccountLimiter(false, {
			now: () => time,
			sleep: async (ms: number) => {
				if (turnsStopped) await never();
				time += ms;
			},
		});
		const item = new ItemWait();
		const send = (attempt: () => Promise<string>) =>
			pacedWithRetries(
				sessionRequest({
					settings: { retries: 3, timeoutSeconds: 80, maxWaitSeconds: 10 },
					limiter,
					item,
					sleep: async () => undefined,
					now: () => time,
					timer,
				}),
				attempt,
				(error) => error,
			).catch((error: unknown) => error);
		// The item's lookup: a lock timeout, then its answer.
		let lookupCalls = 0;
		const lookup = await send(async () => {
			if (lookupCalls++ === 0) throw stripeApiError(STUB_NODE, { httpStatus: 429, stripe: { message: 'This object cannot be accessed right now', code: 'lock_timeout' } });
			return 'customer';
		});
		expect(lookup).toBe('customer');
		expect(limiter.limitedAnswers).toBe(0);
		// The item's own request queues behind a request that holds the budget, and its turn never comes.
		await limiter.take(SESSIONS);
		turnsStopped = true;
		let calls = 0;
		const sent = send(async () => {
			calls++;
			return 'sent';
		});
		await new Promise((resolve) => setImmediate(resolve));
		timers[timers.length - 1].fire();
		const error = (await Promise.race([sent, new Promise((resolve) => setTimeout(() => resolve('still waiting'), 500))])) as Error;
		expect(error.message).toMatch(/^Stripe rate limit: .*while this item waited for its turn\)\..*Max Wait for Rate Limits \(was 10 s\)/);
		expect(calls).toBe(0);
	});

	it('the requests of one item share its Max Wait: a lookup’s 429s leave the item’s own request the rest, and the time Stripe took to answer the lookup is not counted', async () => {
		const clock = movingClock();
		const limiter = new AccountLimiter(false, clock);
		const item = new ItemWait();
		const { timer } = manualTimer();
		const tooMany = () => {
			throw stripeApiError(STUB_NODE, { httpStatus: 429, stripe: { message: 'Rate limited' } });
		};
		const send = async (attempts: Array<() => string>) => {
			let call = 0;
			let outcome: RetryOutcome | undefined;
			const result = await pacedWithRetries(
				sessionRequest({
					settings: { retries: 0, timeoutSeconds: 80, maxWaitSeconds: 3 },
					limiter,
					item,
					sleep: clock.sleep,
					now: clock.now,
					timer,
				}),
				async () => attempts[Math.min(call++, attempts.length - 1)](),
				(error, ended) => {
					outcome = ended;
					return error;
				},
			).catch((error: unknown) => error);
			return { result, outcome, calls: call };
		};

		// The lookup: two 429s, then an answer that takes Stripe 5 s.
		let answerSentAt = Number.NaN;
		const lookup = await send([
			tooMany,
			tooMany,
			() => {
				answerSentAt = clock.now();
				void clock.sleep(5_000);
				return 'customer';
			},
		]);
		expect(lookup.result).toBe('customer');
		expect(item.waitedMs).toBe(answerSentAt);
		expect(item.waitedMs).toBeLessThan(3_000);

		// The item's own request, always 429: it gets what the lookup left, not 3 s of its own.
		const startedAt = clock.now();
		const own = await send([tooMany]);
		expect(own.outcome?.exhausted).toBe(true);
		expect(own.outcome?.rateLimited?.attempts).toBe(2 + own.calls);
		expect(own.outcome?.rateLimited?.waitedMs).toBeLessThanOrEqual(3_000);
		expect(clock.now() - startedAt).toBeLessThanOrEqual(3_000 - answerSentAt);
	});

	it('the time an attempt is in flight or times out, and the pauses after failures other than 429, are not waits for rate limits: they leave Max Wait whole', async () => {
		const clock = movingClock();
		const limiter = new AccountLimiter(false, clock);
		const item = new ItemWait();
		const { timer } = manualTimer();
		const attempts = [
			// 3 s without an answer, then a timeout; 4 s and a 503: both retried under Retries.
			async () => {
				await clock.sleep(3_000);
				throw new AttemptTimedOutError(3);
			},
			async () => {
				await clock.sleep(4_000);
				throw stripeApiError(STUB_NODE, { httpStatus: 503, stripe: { message: 'down' } });
			},
			// A 429, 7 s and two pauses into a request whose item may wait 2 s for rate limits.
			async () => {
				throw rateLimited();
			},
			async () => 'answer',
		];
		let call = 0;
		const result = await pacedWithRetries(
			sessionRequest({
				settings: { retries: 3, timeoutSeconds: 80, maxWaitSeconds: 2 },
				limiter,
				item,
				sleep: clock.sleep,
				now: clock.now,
				timer,
			}),
			async () => await attempts[call++](),
			(error) => error,
		).catch((error: unknown) => error);
		expect(result).toBe('answer');
		expect(call).toBe(4);
		expect(clock.now()).toBeGreaterThan(7_000);
		// Only the pause after the 429 (and any turns) was a wait for rate limits.
		expect(item.waitedMs).toBeLessThan(1_000);
	});

	it('stopping the execution ends the pause before a resend at once, and nothing more is sent', async () => {
		const context = stubContext();
		const limiter = new AccountLimiter(false, movingClock());
		let calls = 0;
		const sent = pacedWithRetries(
			sessionRequest({
				context,
				settings: { retries: 3, timeoutSeconds: 80, maxWaitSeconds: 60 },
				limiter,
				// The pause before the resend would never end by itself (an old sleep ignores the signal).
				sleep: async (ms, signal) => await abortableSleep(ms, signal, signalIgnoringSleep().sleep),
				now: () => 0,
			}),
			async () => {
				calls++;
				throw rateLimited();
			},
			(error) => error,
		).catch((error: unknown) => error);
		await new Promise((resolve) => setImmediate(resolve));
		expect(calls).toBe(1);
		context.stop();
		const error = (await sent) as Error;
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toMatch(/^Execution canceled/);
		expect(calls).toBe(1);
	});
});

