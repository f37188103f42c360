import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { STRIPE_ID_EXAMPLES } from '../shared/ids';
import {
	DEFAULT_MAX_WAIT_SECONDS,
	DEFAULT_RETRIES,
	DEFAULT_TIMEOUT_SECONDS,
	IDEMPOTENCY_KEY_MAX_LENGTH,
	MAX_MAX_WAIT_SECONDS,
	MAX_RETRIES,
	MAX_TIMEOUT_SECONDS,
	MIN_REQUESTS_PER_SECOND,
} from './constants';

/**
 * The operations among the resources' fields that send a POST, in the order they come: the
 * transport gives every POST an idempotency key (sendStripeRequest), so the field for it shows
 * on those. Read from each operation's own routing, so a resource adding a POST operation needs
 * no edit here.
 */
export function writeOperations(resourceProperties: readonly INodeProperties[]): string[] {
	const operations = new Set<string>();
	for (const property of resourceProperties) {
		if (property.name !== 'operation' || property.type !== 'options') continue;
		for (const option of (property.options ?? []) as INodePropertyOptions[]) {
			if (String(option.routing?.request?.method ?? 'GET').toUpperCase() === 'POST') operations.add(String(option.value));
		}
	}
	return [...operations];
}

/**
 * How the node talks to Stripe, as opposed to what it asks for: on every operation, last in
 * the form. Named so as not to collide with the `requestOptions` parameter, which n8n's
 * declarative engine reads for its own batching, proxy and timeout settings.
 */
export const requestSettingsProperty = (resourceProperties: readonly INodeProperties[]): INodeProperties => ({
	displayName: 'Request Settings',
	name: 'requestSettings',
	type: 'collection',
	placeholder: 'Add Setting',
	default: {},
	options: [
		{
			displayName: 'Connected Account',
			name: 'connectedAccount',
			type: 'string',
			default: '',
			placeholder: `e.g. ${STRIPE_ID_EXAMPLES.account}`,
			description:
				'Connect platforms: act as this connected account (sends the Stripe-Account header on every request, lookups and lists included). Not the same as Additional Fields → On Behalf Of, which only filters and brands your own portal.',
		},
		{
			displayName: 'Idempotency Key',
			name: 'idempotencyKey',
			type: 'string',
			default: '',
			placeholder: 'e.g. {{ "ticket-" + $json.ticketId }}',
			description: `A key unique to this item's request, at most ${IDEMPOTENCY_KEY_MAX_LENGTH} characters. Stripe runs a request with a key it has seen in the last 24 hours only once and answers again with the first result, so re-running the workflow for the same ticket or order creates nothing twice. A replayed portal session is the first one, whose link may have expired. Leave empty for a key per item and run that stays the same across Retries, Retry On Fail and the Executions list's Retry, and is new when the workflow runs again.`,
			displayOptions: { show: { '/operation': writeOperations(resourceProperties) } },
		},
		{
			displayName: 'Max Requests per Second',
			name: 'maxRequestsPerSecond',
			type: 'number',
			typeOptions: { minValue: 0, numberPrecision: 3 },
			default: 0,
			description:
				`Your own cap for this node, counted over all items of the run, lookups included. 0 (the default) follows Stripe’s limits for the account: every execution in this n8n process shares one budget per Stripe account (100 requests/s live, 25/s test, 25/s per endpoint) that slows down when Stripe answers 429. Set a cap to leave room for other systems using the account; the slowest is ${MIN_REQUESTS_PER_SECOND} (one request in about 17 minutes).`,
		},
		{
			displayName: 'Max Wait for Rate Limits',
			name: 'maxWaitForRateLimits',
			type: 'number',
			typeOptions: { minValue: 0, maxValue: MAX_MAX_WAIT_SECONDS },
			default: DEFAULT_MAX_WAIT_SECONDS,
			description:
				'Seconds an item may keep being rate-limited by Stripe (429) before it fails, over all of its requests (lookups and list pages included). A rate-limited request did nothing, so it is resent with growing, randomised pauses until then; these resends do not count against Retries.',
		},
		{
			displayName: 'Retries',
			name: 'retries',
			type: 'number',
			typeOptions: { minValue: 0, maxValue: MAX_RETRIES },
			default: DEFAULT_RETRIES,
			description:
				'How often a request is retried when it times out on a lock (409), fails on Stripe’s side (5xx), or the connection drops or times out; with growing, randomised pauses, and never sooner than Stripe’s Retry-After. Rate-limited requests (429) are resent until Max Wait for Rate Limits instead. Other errors are not retried. Create and Update stay safe to retry through their idempotency key.',
		},
		{
			displayName: 'Timeout',
			name: 'timeout',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: MAX_TIMEOUT_SECONDS },
			default: DEFAULT_TIMEOUT_SECONDS,
			description: `Seconds to wait for each answer from Stripe before the attempt counts as failed and is retried with the same idempotency key (Stripe's own libraries wait ${DEFAULT_TIMEOUT_SECONDS} s)`,
		},
	],
});
