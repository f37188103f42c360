/**
 * The trigger's words, as data: what went wrong and what to do, for errors at activation and for
 * the answers a refused delivery gets. Refusal answers are fixed phrases: they never repeat
 * anything of the request.
 */
import { STRIPE_API_VERSION } from '../StripeBillingPortal/shared/constants';
import type { ErrorVocabulary, StripeErrorBody } from '../StripeBillingPortal/transport/answers';
import { MAX_WEBHOOK_ENDPOINTS } from './constants';
import type { Refusal } from './verify';

export const OWN_ENDPOINT_FIX =
	"set Endpoint to 'Created by Me', create the endpoint yourself (or run `stripe listen --forward-to <this trigger's webhook URL>` for a local n8n) and paste its signing secret (whsec_…) into Signing Secret";

export function endpointLimitMessage(others: number): string {
	return `Stripe allows ${MAX_WEBHOOK_ENDPOINTS} webhook endpoints per account and this account already has ${others} that are not this trigger's. Delete endpoints you no longer use in the Stripe dashboard under Developers → Webhooks (n8n's built-in Stripe Trigger leaves one behind on every publish, n8n issue 23893), then activate again; or ${OWN_ENDPOINT_FIX}.`;
}

/** The fix for an error Stripe gave while registering or removing the endpoint, or undefined. */
export function endpointFix(httpStatus: number, stripe: StripeErrorBody | undefined): string | undefined {
	if (httpStatus === 403) {
		return `The key needs the 'Webhook Endpoints: Write' permission to register this trigger's endpoint: grant it in the Stripe dashboard under Developers → API keys, or ${OWN_ENDPOINT_FIX}.`;
	}
	const aboutUrl = stripe?.param === 'url' || /\burl\b/i.test(stripe?.message ?? '');
	if (httpStatus === 400 && aboutUrl) {
		return `Stripe must reach this workflow's webhook URL from the internet. Give n8n a public address (the N8N_WEBHOOK_URL environment variable, e.g. behind a tunnel), or ${OWN_ENDPOINT_FIX}.`;
	}
	if (httpStatus === 400 && /limit|maximum|too many/i.test(stripe?.message ?? '')) {
		return endpointLimitMessage(MAX_WEBHOOK_ENDPOINTS);
	}
	return undefined;
}

export const endpointErrorVocabulary: ErrorVocabulary = {
	fieldFor: () => undefined,
	hintFor: endpointFix,
};

/** What a refused delivery is answered: a status and a fixed phrase per reason. */
export const REFUSALS: Record<Refusal | 'wrong mode' | 'api version' | 'settings', { status: number; text: string }> = {
	// A setting activation would refuse, given by an expression that changed since: nothing is verified with it.
	settings: { status: 401, text: 'This trigger’s settings cannot be used (n8n’s log, or activating the workflow again, says which); the delivery was refused.' },
	'no secret': { status: 401, text: 'No signing secret is set up for this trigger; the delivery was refused.' },
	'no raw body': { status: 400, text: 'The request body could not be read as sent; the delivery was refused.' },
	'no signature': { status: 401, text: 'No Stripe-Signature header; the delivery was refused.' },
	'malformed signature': { status: 401, text: 'The Stripe-Signature header is not in Stripe’s format; the delivery was refused.' },
	'timestamp outside tolerance': { status: 401, text: 'The signature’s timestamp is outside the tolerance; the delivery was refused.' },
	'signature mismatch': { status: 401, text: 'No signature matches the signing secret; the delivery was refused.' },
	'not a Stripe event': { status: 400, text: 'The body is not a Stripe event; the delivery was refused.' },
	'wrong mode': { status: 400, text: 'The event’s mode (live or test) does not match the credential’s key; the delivery was refused.' },
	'api version': { status: 400, text: `The event is not in API version ${STRIPE_API_VERSION}, the one this trigger reads; the delivery was refused. Create the endpoint with API version ${STRIPE_API_VERSION}.` },
};
