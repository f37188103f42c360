import type { INodeProperties, INodePropertyMode } from 'n8n-workflow';

import { EMAIL_EXAMPLE, EMAIL_REGEX_SOURCE } from './customerLookup';
import {
	DASHBOARD_PATHS,
	STRIPE_ID_EXAMPLES,
	dashboardUrlSource,
	stripeIdRegex,
	type DashboardLinkedKind,
	type StripeIdKind,
} from './ids';
import { AUTO_REQUESTS_PER_SECOND, DEFAULT_RETRIES, IDEMPOTENCY_KEY_MAX_LENGTH, MAX_RETRIES } from './resilience';

interface LocatorOptions {
	displayName: string;
	name: string;
	kind: StripeIdKind;
	/** What the By ID error calls the object, e.g. "customer ID". */
	idNoun: string;
	searchListMethod: string;
	description: string;
	required?: boolean;
	/** Adds a By URL mode that takes the object's Stripe dashboard link. */
	byUrl?: DashboardLinkedKind;
	/**
	 * Modes only this picker has, added after the shared ones (they do not replace them); the
	 * hooks that read the field must handle them. Named `modes` so n8n's lint knows these objects
	 * are locator modes, which take no default.
	 */
	modes?: INodePropertyMode[];
}

/**
 * A picker for one Stripe object: From List (searchable), By ID (pattern-checked, so the
 * editor flags a wrong ID at once) and, for objects with a dashboard page, By URL.
 */
function stripeObjectLocator(options: LocatorOptions): INodeProperties {
	const { kind, byUrl } = options;
	const prefix = STRIPE_ID_EXAMPLES[kind].split('_')[0];
	return {
		displayName: options.displayName,
		name: options.name,
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		...(options.required ? { required: true } : {}),
		description: options.description,
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				placeholder: `Select a ${options.displayName.toLowerCase()}…`,
				typeOptions: { searchListMethod: options.searchListMethod, searchable: true, searchFilterRequired: false },
			},
			{
				displayName: 'By ID',
				name: 'id',
				type: 'string',
				placeholder: `e.g. ${STRIPE_ID_EXAMPLES[kind]}`,
				validation: [
					{
						type: 'regex',
						properties: {
							regex: stripeIdRegex(kind),
							errorMessage: `Not a ${options.idNoun}: it starts with ${prefix}_`,
						},
					},
				],
			},
			...(byUrl
				? [
						{
							displayName: 'By URL',
							name: 'url',
							type: 'string' as const,
							placeholder: `e.g. https://dashboard.stripe.com/test/${DASHBOARD_PATHS[byUrl]}/${STRIPE_ID_EXAMPLES[kind]}`,
							validation: [
								{
									type: 'regex' as const,
									properties: {
										regex: `${dashboardUrlSource(byUrl)}(?:[/?#].*)?`,
										errorMessage: `Not a Stripe dashboard ${options.displayName.toLowerCase()} link`,
									},
								},
							],
							extractValue: { type: 'regex' as const, regex: dashboardUrlSource(byUrl) },
						},
					]
				: []),
			...(options.modes ?? []),
		],
	};
}

/** Customer picker shared by every operation that acts for one customer. */
export const customerLocator = stripeObjectLocator({
	displayName: 'Customer',
	name: 'customer',
	kind: 'customer',
	idNoun: 'customer ID',
	searchListMethod: 'searchCustomers',
	description:
		'The Stripe customer the portal session is for. By Email looks the customer up by their exact email address when the node runs.',
	required: true,
	byUrl: 'customer',
	modes: [
		{
			displayName: 'By Email',
			name: 'email',
			type: 'string',
			placeholder: `e.g. ${EMAIL_EXAMPLE}`,
			hint: 'Stripe matches the address exactly, case included; several customers can share one email',
			validation: [
				{
					type: 'regex',
					properties: {
						regex: EMAIL_REGEX_SOURCE,
						errorMessage: `Not an email address: enter one address like ${EMAIL_EXAMPLE}, without a name or spaces`,
					},
				},
			],
		},
	],
});

/** Portal configuration picker (From List or By ID). */
export const configurationLocator = stripeObjectLocator({
	displayName: 'Configuration',
	name: 'configuration',
	kind: 'configuration',
	idNoun: 'portal configuration ID',
	searchListMethod: 'searchConfigurations',
	description:
		'The portal configuration to use instead of the account’s default one. See <a href="https://docs.stripe.com/customer-management/integrate-customer-portal#configure">Stripe’s guide</a>.',
});

/** Subscription picker; its list shows the chosen customer’s subscriptions. */
export const subscriptionLocator = stripeObjectLocator({
	displayName: 'Subscription',
	name: 'subscription',
	kind: 'subscription',
	idNoun: 'subscription ID',
	searchListMethod: 'searchSubscriptions',
	description:
		'Required. The subscription the flow acts on; it must belong to the customer. From List shows the chosen customer’s subscriptions that are not canceled.',
	byUrl: 'subscription',
});

/** Subscription item picker; its list shows the items of the chosen subscription. */
export const subscriptionItemLocator = stripeObjectLocator({
	displayName: 'Subscription Item',
	name: 'subscriptionItem',
	kind: 'subscriptionItem',
	idNoun: 'subscription item ID',
	searchListMethod: 'searchSubscriptionItems',
	description: 'Required. The subscription item whose price or quantity the customer confirms.',
});

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
	],
};
