/**
 * What the user reads when a request to Stripe fails, as data. Stripe's own message stays the
 * error's message where there is one; these are the hints that say what to change in n8n or in
 * Stripe, and the messages for answers that are not Stripe's. errors.ts and answers.ts pick from
 * here; the resources add their own words through their error vocabularies.
 */
import { STRIPE_DEFAULT_BASE_URL } from '../shared/constants';
import { SETTINGS_FIELD } from './constants';

/** The hints for the errors users meet most, by what went wrong. */
export const HINTS = {
	unauthorized:
		"Check the Secret Key in the 'Stripe Billing Portal API' credential: it must be a current secret key (sk_test_… or sk_live_…) or restricted key (rk_…) of this Stripe account.",
	forbidden:
		"The key is a restricted key without the permission this request needs. In the Stripe dashboard under Developers → API keys, edit the key and grant 'Customer portal: Write' (and 'Customers: Read' to find customers By Email or from lists, 'Subscriptions: Read' to pick subscriptions from lists).",
	/**
	 * Stripe's 403 `account_invalid`: the Stripe-Account header names an account the key cannot act
	 * for (not connected to this platform, disconnected, or no such account). Not a missing
	 * permission of a restricted key, which the generic 403 hint is about.
	 */
	connectedAccount: `${SETTINGS_FIELD} → Connected Account names an account this key cannot act for: it must be the ID (acct_…) of an account connected to the platform that owns the credential's key, in the same mode (test or live). Leave it empty to act for the platform's own account.`,
	/** `where`: ` in <field>`, or empty when Stripe named no parameter. */
	resourceMissing: (where: string) =>
		`Check the ID${where}: it must exist in the same Stripe account and mode (test or live) as the credential's key. Test-mode IDs are not visible to live keys, and the other way round.`,
	idempotencyKeyReused:
		'Request Settings → Idempotency Key: Stripe has seen this key in the last 24 hours with different parameters. Each distinct request needs its own key: build it from something unique to the request (e.g. the ticket ID and the flow), or leave the setting empty for a key per item and run.',
	rateLimited:
		'Stripe is rate-limiting this account (100 requests per second in live mode, 25 in test mode, 25 per endpoint, shared by everything that uses it). Raise Request Settings → Max Wait for Rate Limits, or run fewer executions at the same time. In queue mode, set the credential\'s Processes Sharing the Account to the number of workers.',
	stripeSide: 'This is a problem on Stripe’s side. Retry later; if it persists, give Stripe support the request ID.',
	field: (field: string) => `Check the node's ${field} field.`,
	/** A field inside the JSON input: "the field" is a key there. */
	jsonField: (field: string) => `Check ${field}.`,
} as const;

const BASE_URL_ADVICE = `Check the Base URL in the credential (normally ${STRIPE_DEFAULT_BASE_URL}).`;

/** Answers that are not a usable Stripe answer: what Stripe would have said, in its message's place. */
export const UNUSABLE_ANSWERS = {
	redirect: (status: number, location: string | undefined) =>
		`Stripe answered with a redirect (HTTP ${status}${location ? ` to ${location}` : ''}), which it never does; the redirect was not followed. ${BASE_URL_ADVICE}`,
	/** `got`: text, a list, or the JavaScript type of what came. */
	notJsonObject: (got: string) => `Expected a JSON object from Stripe but got ${got}. ${BASE_URL_ADVICE}`,
	listWithoutData: `Stripe answered a list without its data. ${BASE_URL_ADVICE}`,
	oddListEntry: (position: number, entry: string) => `Stripe answered a list whose entry ${position} is ${entry}, not an object. ${BASE_URL_ADVICE}`,
	/** The message of an error answer without Stripe's own. */
	noMessage: (status: number, hasBody: boolean) => `Stripe answered HTTP ${status} with ${hasBody ? 'a body that is not a Stripe error' : 'no error message'}`,
} as const;

/** The words of the error for a request Stripe kept rate-limiting. */
export const RATE_LIMITED = {
	notSent: (seconds: number) => `not sent after waiting ${seconds} s for a turn`,
	limited: 'rate-limited',
	stillLimited: (attempts: number, seconds: number) => `still rate-limited after ${attempts} attempts over ${seconds} s`,
	/** Stripe's 429 for a lock held too long, not one of its rate limiters. */
	lockFix: (maxWaitSeconds: number) =>
		`Another request kept changing the same object: run the items that change one object one after another, or raise ${SETTINGS_FIELD} → Max Wait for Rate Limits (was ${maxWaitSeconds} s).`,
	trafficFix: (maxWaitSeconds: number) =>
		`Other traffic on this Stripe account, or many executions at once, use up its limit: raise ${SETTINGS_FIELD} → Max Wait for Rate Limits (was ${maxWaitSeconds} s), or run fewer executions at the same time. In queue mode, set the credential's Processes Sharing the Account to the number of workers.`,
	message: (what: string, stripeMessage: string, fix: string) => `Stripe rate limit: ${what} (${stripeMessage}). ${fix}`,
	limits:
		'Stripe allows 100 requests per second in live mode and 25 in test mode per account, and 25 per second on each endpoint. This node shares that budget among every execution in this n8n process and slows down whenever Stripe answers 429; a rate-limited request did nothing, so it was resent with growing pauses until Max Wait for Rate Limits ran out.',
} as const;

/** Added to an error that retrying did not cure; `retries`: "once" or "N times". */
export const retriedNote = (retries: string) => `Retried ${retries} with backoff; ${SETTINGS_FIELD} → Retries sets how often.`;
