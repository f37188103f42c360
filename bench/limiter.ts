/**
 * The node's account limiters (nodes/StripeBillingPortal/transport/limiter.ts), reached in the
 * built package the engine runs: n8n-core loads a package's node with the process's own
 * `require`, so `dist/…/limiter.js` required here is the very module whose budgets every
 * execution of this process shares.
 *
 * The bench uses it for three things: the automatic rates (so (a)'s floor follows the node),
 * the adaptive budgets over time during (d), and, for (b) and (c), lifting Stripe's limits out
 * of the node's way. Max Requests per Second is only the user's own cap on top of the account
 * limiter, so no node setting takes the 24/s test-mode budget away; without this, "per-item cost
 * with no limit" would measure the limiter's pace (1000 / 24 ≈ 42 ms an item).
 *
 * Duck typed like the sandbox's modes, so a rename shows up as a missing feature, not a crash.
 */
import { existsSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

import { MissingFeatureError } from './ipc';
import { ROOT } from './subjects';

export type { LimiterState } from '../nodes/StripeBillingPortal/transport/accountLimiter';
import type { LimiterState } from '../nodes/StripeBillingPortal/transport/accountLimiter';

interface LimiterModule {
	STRIPE_RATE_LIMITS: { globalTest: number; globalLive: number; endpoint: number; search: number };
	LIMIT_MARGIN: number;
	accountFingerprint(baseUrl: string, secretKey: string, connectedAccount?: string): string;
	limiterFor(fingerprint: string, live: boolean): { state(): LimiterState };
}

export const LIMITER_FILE = join('dist', 'nodes', 'StripeBillingPortal', 'transport', 'limiter.js');

let cached: LimiterModule | undefined;

/** The built limiter module, as the loaded node uses it. Throws MissingFeatureError if it is not what the bench expects. */
export function limiterModule(): LimiterModule {
	if (cached) return cached;
	const file = join(realpathSync(ROOT), LIMITER_FILE);
	if (!existsSync(file)) throw new MissingFeatureError(`the node has no account limiter at ${LIMITER_FILE}`);
	// Node's own module cache, which n8n-core's require fills too: the same instance the node uses.
	const module = createRequire(__filename)(file) as Partial<LimiterModule>;
	const limits = module.STRIPE_RATE_LIMITS;
	if (
		typeof limits !== 'object' ||
		limits === null ||
		typeof module.LIMIT_MARGIN !== 'number' ||
		typeof module.accountFingerprint !== 'function' ||
		typeof module.limiterFor !== 'function'
	) {
		throw new MissingFeatureError(
			`${LIMITER_FILE} does not export STRIPE_RATE_LIMITS, LIMIT_MARGIN, accountFingerprint and limiterFor as the bench expects`,
		);
	}
	cached = module as LimiterModule;
	return cached;
}

/**
 * Whether the loaded node's limiter module is in the require cache, so that requiring the file
 * gives the module the node uses. Call after loadPackage and before limiterModule().
 */
export function limiterIsShared(): boolean {
	return require.cache[join(realpathSync(ROOT), LIMITER_FILE)] !== undefined;
}

/** The node's automatic budgets, in requests per second: Stripe's documented limits × the node's margin. */
export function automaticRates(): { test: number; liveGlobal: number; liveEndpoint: number } {
	const { STRIPE_RATE_LIMITS: limits, LIMIT_MARGIN: margin } = limiterModule();
	return { test: limits.globalTest * margin, liveGlobal: limits.globalLive * margin, liveEndpoint: limits.endpoint * margin };
}

/**
 * Raises the budgets of every account limiter created from now on to a million requests per
 * second, so they never make a request wait (they still count, settle and adapt: their cost per
 * item stays in the figure). Limiters are per Base URL, and each run starts a sandbox on a new
 * port, so the next run's limiter is a new one. Returns a function that puts the limits back.
 */
export function liftAccountLimits(): () => void {
	const limits = limiterModule().STRIPE_RATE_LIMITS as Record<string, number>;
	const saved = { ...limits };
	for (const key of Object.keys(limits)) limits[key] = 1_000_000;
	return () => Object.assign(limits, saved);
}

/** The account limiter the node uses for this Base URL and key (created now if the node has not yet). */
export function limiterState(baseUrl: string, secretKey: string, live: boolean): LimiterState {
	const module = limiterModule();
	// The node hashes the Base URL as its credential gives it, without trailing slashes.
	const fingerprint = module.accountFingerprint(baseUrl.replace(/\/+$/, ''), secretKey, undefined);
	return module.limiterFor(fingerprint, live).state();
}
