import type { IExecuteSingleFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { CREDENTIAL_TYPE } from '../shared/constants';
import { perNodeRun } from '../shared/nodeRun';
import { credentialAccount, type AccountLimits } from '../shared/rateLimits';
import type { AccountLimiter } from './accountLimiter';
import { abortReason, realClock, type Clock } from './clock';
import { accountFingerprint, limiterFor } from './limiter';
import { TurnQueue } from './turns';


/**
 * Request spacing shared by every item of one node run, for the user's own cap (Request
 * Settings → Max Requests per Second); Stripe's limits are the account limiter's (limiter.ts). n8n starts all items' requests at
 * once; here they queue, and each starts `1000 / rate` ms after the previous one actually
 * started. Spacing from actual starts rather than from a precomputed timetable matters: while
 * n8n prepares a thousand items the event loop is busy, and a timetable's overdue slots would
 * all fire together the moment it frees up, a burst Stripe would answer with 429s.
 */
export class Pacer {
	private readonly turns = new TurnQueue();

	private lastStart = Number.NEGATIVE_INFINITY;

	constructor(private readonly clock: Clock = realClock) {}

	/**
	 * Waits for this run's turn. `inTurn` (the account limiter's turn) runs within it, before the
	 * start is counted: the next request is then spaced from when this one actually started.
	 */
	async take(requestsPerSecond: number, signal?: AbortSignal, inTurn?: () => Promise<void>): Promise<void> {
		if (signal?.aborted) throw abortReason(signal);
		const interval = 1000 / requestsPerSecond;
		// With nobody queued and the interval already over, going through the queue would only
		// cost time: measured, it made an unpaced run a quarter slower.
		if (this.turns.waiting === 0 && this.clock.now() - this.lastStart >= interval) {
			this.lastStart = this.clock.now();
			if (!inTurn) return;
			return await this.turns.takeNow(() =>
				inTurn().then(() => {
					this.lastStart = this.clock.now();
				}),
			);
		}
		await this.turns.take(async () => {
			// A request given up on (its execution stopped) takes no turn when its place comes.
			if (signal?.aborted) throw abortReason(signal);
			const wait = this.lastStart + interval - this.clock.now();
			// Below a millisecond a timer only adds its own delay.
			if (wait >= 1) await this.clock.sleep(wait, signal);
			if (signal?.aborted) throw abortReason(signal);
			await inTurn?.();
			this.lastStart = this.clock.now();
		}, signal);
	}
}

/** The pacer all items of this node run share. */
export const pacerFor = perNodeRun(() => new Pacer());

/** What a node run knows about the account its requests count against, read once per run. */
interface RunAccount {
	secretKey: string;
	live: boolean;
	/** The account's limits: Stripe's documented ones, or those the credential states. */
	limits: AccountLimits;
	/** Limiter fingerprints by Base URL and connected account, so each is hashed once per run. */
	fingerprints: Map<string, string>;
}

/** The account, read once per node run: every item's request waits for the same reading. */
const runAccount = perNodeRun(readRunAccount);

async function readRunAccount(context: IExecuteSingleFunctions): Promise<RunAccount> {
	let credentials: Record<string, unknown> = {};
	try {
		credentials = await context.getCredentials(CREDENTIAL_TYPE);
	} catch {
		// No credential to read: the request itself will say so; budgets fall back to test mode.
	}
	// A stated limit that is not usable fails before any request: the message names the field and the fix.
	const account = credentialAccount(credentials, (message) => new NodeOperationError(context.getNode(), message, { itemIndex: context.getItemIndex() }));
	return { ...account, fingerprints: new Map() };
}

/**
 * The shared limiter of the Stripe account this item's requests count against: the same one for
 * every execution and node of this process using that Base URL, key and connected account.
 */
export async function accountLimiterFor(context: IExecuteSingleFunctions, baseUrl: string, connectedAccount?: string): Promise<AccountLimiter> {
	const account = await runAccount(context);
	const key = `${baseUrl}\n${connectedAccount ?? ''}`;
	let fingerprint = account.fingerprints.get(key);
	if (fingerprint === undefined) {
		fingerprint = accountFingerprint(baseUrl, account.secretKey, connectedAccount);
		account.fingerprints.set(key, fingerprint);
	}
	return limiterFor(fingerprint, account.live, account.limits);
}
