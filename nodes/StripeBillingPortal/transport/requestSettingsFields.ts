import type { INodeProperties } from 'n8n-workflow';

import { STRIPE_ID_EXAMPLES } from '../shared/ids';
import {
	AUTO_REQUESTS_PER_SECOND,
	DEFAULT_RETRIES,
	DEFAULT_TIMEOUT_SECONDS,
	IDEMPOTENCY_KEY_MAX_LENGTH,
	MAX_RETRIES,
	MAX_TIMEOUT_SECONDS,
} from './constants';

/**
 * How the node talks to Stripe, as opposed to what it asks for: on every operation, last in
 * the form. Named so as not to collide with the `requestOptions` parameter, which n8n's
 * declarative engine reads for its own batching, proxy and timeout settings.
 */
export const requestSettingsProperty: INodeProperties = {
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
			description: `A key unique to this item's request, at most ${IDEMPOTENCY_KEY_MAX_LENGTH} characters. Stripe runs a request with a key it has seen in the last 24 hours only once and answers again with the first result, so re-running the workflow for the same ticket or order creates nothing twice. A replayed portal session is the first one, whose link may have expired. Leave empty for a fresh key per item, which still makes retries safe.`,
			displayOptions: { show: { '/operation': ['create', 'update'] } },
		},
		{
			displayName: 'Max Requests per Second',
			name: 'maxRequestsPerSecond',
			type: 'number',
			typeOptions: { minValue: 0, numberPrecision: 2 },
			default: 0,
			description: `How fast this node sends requests, counted over all items of the run, lookups included. 0 chooses from the key: ${AUTO_REQUESTS_PER_SECOND.test} for test keys, ${AUTO_REQUESTS_PER_SECOND.live} for live keys, below Stripe's limits of 25 and 100 so other traffic on the account keeps some room.`,
		},
		{
			displayName: 'Retries',
			name: 'retries',
			type: 'number',
			typeOptions: { minValue: 0, maxValue: MAX_RETRIES },
			default: DEFAULT_RETRIES,
			description:
				'How often a request is retried when Stripe rate-limits it (429), times out on a lock (409), fails on its side (5xx) or the connection drops; with growing, randomised pauses, and never sooner than Stripe’s Retry-After. Other errors are not retried. Create and Update stay safe to retry through their idempotency key.',
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
};
