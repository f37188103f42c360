/**
 * Signature verification against the `stripe` package as an independent oracle: headers made by
 * its generateTestHeaderString, verdicts compared with its constructEvent. Where the trigger is
 * stricter than the SDK (a timestamp from the future, a body that is not an event), it says so.
 */
import { verifyStripeSignature } from '../../nodes/StripeBillingPortalTrigger/verify';
import { OTHER_SECRET, SECRET, T0, cancellationScheduledEvent, signatureHeader, stripe } from './fixtures';

const payload = JSON.stringify(cancellationScheduledEvent());
const body = Buffer.from(payload, 'utf8');
const options = { secrets: [SECRET], toleranceSeconds: 300, nowSeconds: T0 };

function oracleAccepts(raw: string | Buffer, header: string, secret = SECRET, nowSeconds = T0): boolean {
	try {
		stripe.webhooks.constructEvent(raw, header, secret, 300, undefined, nowSeconds * 1000);
		return true;
	} catch {
		return false;
	}
}

describe('a delivery Stripe signed', () => {
	it('is accepted, as the stripe package accepts it, and its event is the body received', () => {
		const header = signatureHeader(payload);
		expect(oracleAccepts(body, header)).toBe(true);
		const verdict = verifyStripeSignature(body, header, options);
		expect(verdict).toEqual({ ok: true, event: JSON.parse(payload) });
	});

	it('is accepted while a secret is rolled: one v1 per secret, any may match, in any order', () => {
		const ours = signatureHeader(payload).split(',')[1];
		const theirs = signatureHeader(payload, { secret: OTHER_SECRET }).split(',')[1];
		for (const header of [`t=${T0},${theirs},${ours}`, `t=${T0},${ours},${theirs}`, `t=${T0},${theirs},${ours},v0=${'0'.repeat(64)}`]) {
			expect(verifyStripeSignature(body, header, options).ok).toBe(true);
			// The SDK accepts any matching v1 too: the oracle agrees.
			expect(oracleAccepts(body, header)).toBe(true);
		}
	});

	it('is accepted at the edges of the tolerance, both ways', () => {
		expect(verifyStripeSignature(body, signatureHeader(payload, { timestamp: T0 - 300 }), options).ok).toBe(true);
		expect(verifyStripeSignature(body, signatureHeader(payload, { timestamp: T0 + 300 }), options).ok).toBe(true);
	});
});

describe('a delivery that is refused, and why', () => {
	const header = signatureHeader(payload);

	it.each<[string, Buffer | undefined, string | string[] | undefined, Partial<typeof options>, string, boolean | undefined]>([
		['signed with another secret (forged)', body, signatureHeader(payload, { secret: OTHER_SECRET }), {}, 'signature mismatch', false],
		['replayed after the tolerance', body, signatureHeader(payload, { timestamp: T0 - 301 }), {}, 'timestamp outside tolerance', false],
		['stamped in the future', body, signatureHeader(payload, { timestamp: T0 + 301 }), {}, 'timestamp outside tolerance', undefined],
		['truncated', body.subarray(0, body.length - 1), header, {}, 'signature mismatch', false],
		['re-encoded (same JSON, other bytes)', Buffer.from(JSON.stringify(JSON.parse(payload), null, 2)), header, {}, 'signature mismatch', false],
		['re-encoded as Latin-1', Buffer.from(payload.replace('2026', '２０２６'), 'latin1'), header, {}, 'signature mismatch', false],
		['with a body of another event under the same signature', Buffer.from(JSON.stringify(cancellationScheduledEvent())), header, {}, 'signature mismatch', false],
		['with the timestamp changed and the signature kept', body, header.replace(`t=${T0}`, `t=${T0 + 1}`), {}, 'signature mismatch', false],
		['without a raw body', undefined, header, {}, 'no raw body', undefined],
		['with an empty raw body', Buffer.alloc(0), header, {}, 'no raw body', undefined],
		['without a Stripe-Signature header', body, undefined, {}, 'no signature', undefined],
		['with two Stripe-Signature headers', body, [header, header], {}, 'no signature', undefined],
		['with only a v0 signature', body, `t=${T0},v0=${'a'.repeat(64)}`, {}, 'malformed signature', false],
		['with two timestamps', body, `${header},t=${T0}`, {}, 'malformed signature', undefined],
		['with a v1 that is not hex', body, `t=${T0},v1=${'z'.repeat(64)}`, {}, 'malformed signature', false],
		['when the trigger has no secret', body, header, { secrets: [] }, 'no secret', undefined],
		['when the trigger’s secret is empty', body, header, { secrets: [''] }, 'no secret', undefined],
	])('%s', (_title, raw, signature, overrides, refusal, oracle) => {
		expect(verifyStripeSignature(raw, signature, { ...options, ...overrides })).toEqual({ ok: false, refusal });
		if (oracle !== undefined && raw !== undefined && typeof signature === 'string') expect(oracleAccepts(raw, signature)).toBe(oracle);
	});

	it('refuses a signed body that is not a Stripe event', () => {
		for (const text of ['not json', '[]', '{"object":"event"}', JSON.stringify({ ...JSON.parse(payload), id: 'evt_../../x' })]) {
			const verdict = verifyStripeSignature(Buffer.from(text), signatureHeader(text), options);
			expect(verdict).toEqual({ ok: false, refusal: 'not a Stripe event' });
		}
	});

	it('uses the tolerance it is given', () => {
		const old = signatureHeader(payload, { timestamp: T0 - 60 });
		expect(verifyStripeSignature(body, old, { ...options, toleranceSeconds: 30 })).toEqual({ ok: false, refusal: 'timestamp outside tolerance' });
		expect(verifyStripeSignature(body, old, { ...options, toleranceSeconds: 60 }).ok).toBe(true);
	});
});
