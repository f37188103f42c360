/**
 * Stripe-Signature verification, before anything else looks at a request. It fails closed: no
 * secret, no raw body, no header, no usable timestamp or no matching `v1` all refuse. Reasons are
 * fixed phrases: nothing of the request is ever echoed back.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface StripeEventEnvelope {
	id: string;
	object: 'event';
	type: string;
	created: number;
	livemode: boolean;
	api_version?: string | null;
	account?: string;
	request?: { id?: string | null; idempotency_key?: string | null } | null;
	data: { object: Record<string, unknown>; previous_attributes?: Record<string, unknown> };
	[key: string]: unknown;
}

export type Refusal =
	| 'no secret'
	| 'no raw body'
	| 'no signature'
	| 'malformed signature'
	| 'timestamp outside tolerance'
	| 'signature mismatch'
	| 'not a Stripe event';

export type Verification = { ok: true; event: StripeEventEnvelope } | { ok: false; refusal: Refusal };

export interface VerifyOptions {
	/** The endpoint's signing secrets (whsec_…); more than one while a secret is being rolled. */
	secrets: string[];
	toleranceSeconds: number;
	/** Unix seconds; injected by tests. */
	nowSeconds: number;
	/**
	 * The body as the host already parsed it from these very bytes (n8n parses a JSON body from
	 * the raw body it keeps): used, once the signature matched, instead of parsing them again.
	 */
	parsedBody?: unknown;
}

interface ParsedHeader {
	timestamp: number;
	signatures: Buffer[];
}

const HEX_SHA256 = /^[0-9a-f]{64}$/;

/**
 * `t=…,v1=…[,v1=…][,v0=…]`: exactly one integer timestamp and every `v1`. Other schemes (v0 is
 * Stripe's test scheme) are ignored, as Stripe's SDKs do; a `v1` that is not 64 hex digits can
 * never match and is dropped.
 */
function parseHeader(header: string): ParsedHeader | undefined {
	let timestamp: number | undefined;
	let timestamps = 0;
	const signatures: Buffer[] = [];
	for (const part of header.split(',')) {
		const equals = part.indexOf('=');
		if (equals < 0) continue;
		const key = part.slice(0, equals).trim();
		const value = part.slice(equals + 1).trim();
		if (key === 't') {
			timestamps++;
			if (/^\d{1,12}$/.test(value)) timestamp = Number(value);
		} else if (key === 'v1' && HEX_SHA256.test(value)) {
			signatures.push(Buffer.from(value, 'hex'));
		}
	}
	if (timestamps !== 1 || timestamp === undefined || signatures.length === 0) return undefined;
	return { timestamp, signatures };
}

function headerText(header: string | string[] | undefined): string | undefined {
	// A repeated header is not something Stripe sends: refuse rather than guess which one counts.
	if (Array.isArray(header)) return header.length === 1 ? header[0] : undefined;
	return header;
}

function expectedSignature(secret: string, timestamp: number, rawBody: Buffer): Buffer {
	// Over the exact bytes received: a re-serialised body would not match, by design.
	return createHmac('sha256', secret).update(`${timestamp}.`, 'utf8').update(rawBody).digest();
}

function isEventEnvelope(value: unknown): value is StripeEventEnvelope {
	if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
	const event = value as Record<string, unknown>;
	const data = event.data as Record<string, unknown> | undefined;
	return (
		event.object === 'event' &&
		typeof event.id === 'string' &&
		/^evt_[A-Za-z0-9]+$/.test(event.id) &&
		typeof event.type === 'string' &&
		typeof event.created === 'number' &&
		typeof event.livemode === 'boolean' &&
		typeof data === 'object' &&
		data !== null &&
		typeof data.object === 'object' &&
		data.object !== null
	);
}

export function verifyStripeSignature(
	rawBody: Buffer | undefined,
	header: string | string[] | undefined,
	{ secrets, toleranceSeconds, nowSeconds, parsedBody }: VerifyOptions,
): Verification {
	const usableSecrets = secrets.filter((secret) => typeof secret === 'string' && secret.length > 0);
	if (usableSecrets.length === 0) return { ok: false, refusal: 'no secret' };
	if (!Buffer.isBuffer(rawBody) || rawBody.length === 0) return { ok: false, refusal: 'no raw body' };
	const text = headerText(header);
	if (text === undefined || text.trim() === '') return { ok: false, refusal: 'no signature' };
	const parsed = parseHeader(text);
	if (!parsed) return { ok: false, refusal: 'malformed signature' };
	// Both ways: a timestamp from the future is as suspect as a replayed old one.
	if (Math.abs(nowSeconds - parsed.timestamp) > toleranceSeconds) return { ok: false, refusal: 'timestamp outside tolerance' };

	let matched = false;
	for (const secret of usableSecrets) {
		const expected = expectedSignature(secret, parsed.timestamp, rawBody);
		// Every candidate is compared, so the time taken does not say which one matched.
		for (const candidate of parsed.signatures) {
			if (timingSafeEqual(expected, candidate)) matched = true;
		}
	}
	if (!matched) return { ok: false, refusal: 'signature mismatch' };

	let event: unknown = parsedBody;
	if (!isEventEnvelope(event)) {
		try {
			event = JSON.parse(rawBody.toString('utf8'));
		} catch {
			return { ok: false, refusal: 'not a Stripe event' };
		}
	}
	if (!isEventEnvelope(event)) return { ok: false, refusal: 'not a Stripe event' };
	return { ok: true, event };
}
