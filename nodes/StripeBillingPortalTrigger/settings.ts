/**
 * The trigger's settings, read by their kind. An expression gets past the form's options, switch
 * and range, so each value is checked here: activation refuses what cannot work, naming the field
 * and the fix, before any request to Stripe, and a delivery refuses it too (fails closed) in case
 * an expression gives something else later. Nothing is ever read as a default it was not.
 */
import { normalizeSecretKey } from '../StripeBillingPortal/shared/baseUrl';
import { describeValue, quoteValue } from '../StripeBillingPortal/shared/quote';
import { isPlainObject, readBoolean, readNumber } from '../StripeBillingPortal/shared/values';
import { DEFAULT_TOLERANCE_SECONDS, MAX_TOLERANCE_SECONDS, OUTCOME_NAMES, OUTCOMES, type Outcome } from './constants';

export type EndpointMode = 'managed' | 'own';

/** A setting that cannot be used: the message names the field and says what to enter. */
export class TriggerSettingError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'TriggerSettingError';
	}
}

const ENDPOINT_MODES: Record<EndpointMode, string> = { managed: 'Registered by This Trigger', own: 'Created by Me' };

/** Endpoint: 'managed' or 'own' (spaces around allowed); anything else is refused, never read as 'managed'. */
export function readEndpointMode(raw: unknown): EndpointMode {
	if (raw === undefined || raw === null) return 'managed';
	const text = typeof raw === 'string' ? raw.trim() : undefined;
	if (text === 'managed' || text === 'own') return text;
	throw new TriggerSettingError(
		`Endpoint: ${describeValue(raw)} is neither of its options. Choose '${ENDPOINT_MODES.managed}' or '${ENDPOINT_MODES.own}', or make its expression give managed or own.`,
	);
}

/** How many unknown entries a message quotes at most. */
const QUOTED_ENTRIES = 3;

/**
 * Listen For: a list of outcome values, or text with them separated by commas (what an
 * expression may give). An entry that is not one of the outcomes is refused, quoted, never
 * dropped: the trigger would listen for less than was asked. Empty entries are skipped.
 */
export function readOutcomes(raw: unknown): Outcome[] {
	const valid = `Valid values: ${OUTCOME_NAMES.join(', ')}.`;
	let entries: unknown[];
	if (Array.isArray(raw)) entries = raw;
	else if (typeof raw === 'string') entries = raw.split(',');
	else if (raw === undefined || raw === null) entries = [];
	else throw new TriggerSettingError(`Listen For: ${describeValue(raw)} is not a list of outcomes. Choose outcomes in the field, or make its expression give a list or comma-separated text. ${valid}`);
	const chosen = new Set<Outcome>();
	const unknown: unknown[] = [];
	for (const entry of entries) {
		const text = typeof entry === 'string' ? entry.trim() : undefined;
		if (text === '') continue;
		if (text !== undefined && Object.prototype.hasOwnProperty.call(OUTCOMES, text)) chosen.add(text as Outcome);
		else unknown.push(entry);
	}
	if (unknown.length > 0) {
		const quoted = unknown.slice(0, QUOTED_ENTRIES).map(quoteValue).join(', ');
		const more = unknown.length > QUOTED_ENTRIES ? ` and ${unknown.length - QUOTED_ENTRIES} more` : '';
		throw new TriggerSettingError(`Listen For: ${quoted}${more} ${unknown.length === 1 ? 'is not an outcome' : 'are not outcomes'}. ${valid}`);
	}
	if (chosen.size === 0) {
		throw new TriggerSettingError('Listen For has no outcome: choose at least one (e.g. Canceled) so that Stripe knows which events to send.');
	}
	// In the options' order, as the endpoint's events and the decoder expect.
	return OUTCOME_NAMES.filter((outcome) => chosen.has(outcome));
}

const SECRET_FIX =
	"Paste the signing secret (whsec_…) of the endpoint you created: in the Stripe dashboard under Developers → Webhooks → the endpoint → Signing secret, or the one `stripe listen` prints. Or set Endpoint to 'Registered by This Trigger'.";

/**
 * Signing Secret (Created by Me): text starting with whsec_, taken off the spaces, line breaks and
 * quotes it may be pasted with, as the credential's key is. Without a usable one every delivery
 * would be refused. Messages never repeat the value: it may be the secret, mistyped.
 */
export function readSigningSecret(raw: unknown): string {
	if (raw !== undefined && raw !== null && typeof raw !== 'string') {
		const kind = Array.isArray(raw) ? 'a list' : typeof raw === 'object' ? 'an object' : `a ${typeof raw}`;
		throw new TriggerSettingError(`Signing Secret: ${kind} is not text. ${SECRET_FIX}`);
	}
	const secret = normalizeSecretKey(raw);
	if (secret === '') throw new TriggerSettingError(`Signing Secret is empty. ${SECRET_FIX}`);
	if (!secret.startsWith('whsec_')) throw new TriggerSettingError(`Signing Secret does not start with whsec_, so it is not a webhook signing secret. ${SECRET_FIX}`);
	return secret;
}

/** Options → Signature Tolerance: a whole number of seconds from 1 to MAX_TOLERANCE_SECONDS; empty is the default. */
export function readTolerance(raw: unknown): number {
	const reading = readNumber(raw);
	if (reading.kind === 'empty') return DEFAULT_TOLERANCE_SECONDS;
	if (reading.kind === 'number' && Number.isInteger(reading.value) && reading.value >= 1 && reading.value <= MAX_TOLERANCE_SECONDS) return reading.value;
	throw new TriggerSettingError(
		`Signature Tolerance (Seconds): ${describeValue(raw)} is not a whole number of seconds from 1 to ${MAX_TOLERANCE_SECONDS}. Enter one, e.g. ${DEFAULT_TOLERANCE_SECONDS} (the default), or remove the option.`,
	);
}

/** Options → Include Portal Session URL: true or false, or the text 'true'/'false' an expression gives; empty is off. */
export function readIncludeSessionUrl(raw: unknown): boolean {
	// The node's one yes/no reading; here 'TRUE' counts too. A number is neither.
	const value = typeof raw === 'number' ? 'invalid' : readBoolean(typeof raw === 'string' ? raw.toLowerCase() : raw);
	if (value !== 'invalid') return value ?? false;
	throw new TriggerSettingError(`Include Portal Session URL: ${describeValue(raw)} is not true or false. Turn the switch on or off, or make its expression give true or false.`);
}

export interface TriggerSettings {
	mode: EndpointMode;
	outcomes: Outcome[];
	/** Created by Me only: the endpoint's signing secret. */
	signingSecret?: string;
	toleranceSeconds: number;
	includeSessionUrl: boolean;
}

/** The settings, or the problem (a message naming the field and the fix) of the first one that cannot be used. */
export type SettingsReading = { ok: true; settings: TriggerSettings } | { ok: false; problem: string };

/**
 * Reads every setting as activation and deliveries use them. `read` is the node's parameter
 * reading; an error it throws is n8n's and passes through. The checks throw only
 * TriggerSettingError, which becomes the reading's problem.
 */
export function readSettings(read: (name: string, fallback: unknown) => unknown): SettingsReading {
	const rawMode = read('endpoint', 'managed');
	const rawEvents = read('events', []);
	const rawOptions = read('options', {});
	const options = isPlainObject(rawOptions) ? rawOptions : {};
	const problem = (error: unknown): SettingsReading => ({ ok: false, problem: (error as Error).message });
	let mode: EndpointMode;
	try {
		mode = readEndpointMode(rawMode);
	} catch (error) {
		return problem(error);
	}
	// The field is shown (and read) only for an endpoint Created by Me.
	const rawSecret = mode === 'own' ? read('signingSecret', '') : undefined;
	try {
		const signingSecret = mode === 'own' ? readSigningSecret(rawSecret) : undefined;
		const settings: TriggerSettings = {
			mode,
			outcomes: readOutcomes(rawEvents),
			signingSecret,
			toleranceSeconds: readTolerance(options.toleranceSeconds),
			includeSessionUrl: readIncludeSessionUrl(options.includeSessionUrl),
		};
		return { ok: true, settings };
	} catch (error) {
		return problem(error);
	}
}
