/**
 * The trigger's outcomes: what a customer did, in their words, and the Stripe events each one
 * is read from. One source for the node's options, the endpoint's `enabled_events`, the decoder
 * and the README table.
 */
export const OUTCOMES = {
	canceled: {
		name: 'Canceled',
		description: 'The subscription ended now (customer.subscription.deleted)',
		events: ['customer.subscription.deleted'],
	},
	cancellationScheduled: {
		name: 'Cancellation Scheduled',
		description: 'The subscription will end at the period end or at a date (customer.subscription.updated)',
		events: ['customer.subscription.updated'],
	},
	cancellationWithdrawn: {
		name: 'Cancellation Withdrawn',
		description: 'A scheduled cancellation was taken back (customer.subscription.updated)',
		events: ['customer.subscription.updated'],
	},
	cancellationFeedbackGiven: {
		name: 'Cancellation Feedback Given',
		description: 'The cancellation survey was answered (customer.subscription.updated, or .deleted for an immediate cancellation)',
		events: ['customer.subscription.updated', 'customer.subscription.deleted'],
	},
	planChanged: {
		name: 'Plan Changed',
		description: 'A price or quantity changed, when the change takes effect (customer.subscription.updated)',
		events: ['customer.subscription.updated'],
	},
	paused: {
		name: 'Paused',
		description: 'The subscription was paused (customer.subscription.paused, or pause_collection set)',
		events: ['customer.subscription.paused', 'customer.subscription.updated'],
	},
	resumed: {
		name: 'Resumed',
		description: 'A paused subscription was resumed (customer.subscription.resumed, or pause_collection cleared)',
		events: ['customer.subscription.resumed', 'customer.subscription.updated'],
	},
	paymentMethodUpdated: {
		name: 'Payment Method Updated',
		description: "The customer's default payment method changed (customer.updated)",
		events: ['customer.updated'],
	},
	billingDetailsUpdated: {
		name: 'Billing Details Updated',
		// customer.tax_id.updated is Stripe's own verification of a tax ID, not the customer's doing.
		description: 'Address, e-mail, name, phone, shipping changed or a tax ID added or removed (customer.updated, customer.tax_id.created/.deleted)',
		events: ['customer.updated', 'customer.tax_id.created', 'customer.tax_id.deleted'],
	},
	portalSessionCreated: {
		name: 'Portal Session Created',
		description: 'A portal session was created (billing_portal.session.created)',
		events: ['billing_portal.session.created'],
	},
	portalConfigurationCreated: {
		name: 'Portal Configuration Created',
		description: 'A portal configuration was created (billing_portal.configuration.created)',
		events: ['billing_portal.configuration.created'],
	},
	portalConfigurationUpdated: {
		name: 'Portal Configuration Updated',
		description: 'A portal configuration was changed (billing_portal.configuration.updated)',
		events: ['billing_portal.configuration.updated'],
	},
} as const;

export type Outcome = keyof typeof OUTCOMES;

export const OUTCOME_NAMES = Object.keys(OUTCOMES) as Outcome[];

/** The customer fields Billing Details Updated watches, as Stripe names them on the customer. */
export const BILLING_DETAIL_FIELDS = ['address', 'email', 'name', 'phone', 'shipping'] as const;

/** What replaces a portal session's URL (a bearer link) unless the user asks for it. */
export const REDACTED = '[redacted]';

/** Default tolerance between the signature's timestamp and now, as in Stripe's SDKs. */
export const DEFAULT_TOLERANCE_SECONDS = 300;
/** The most Signature Tolerance may be: Stripe's SDKs use 300 s; an hour still refuses old replays. */
export const MAX_TOLERANCE_SECONDS = 3600;

/** Stripe's documented limit of webhook endpoints per account. */
export const MAX_WEBHOOK_ENDPOINTS = 16;

/** Where the trigger keeps its endpoint in the workflow's static data ('node' scope). */
export const STATIC_DATA_KEYS = {
	endpointId: 'endpointId',
	secret: 'endpointSecret',
	url: 'endpointUrl',
	events: 'endpointEvents',
	livemode: 'endpointLivemode',
} as const;

/** The metadata keys that mark an endpoint as this trigger's own. */
export const OWNER_METADATA_KEYS = {
	marker: 'n8n_stripe_billing_portal_trigger',
	instance: 'n8n_instance',
	workflow: 'n8n_workflow',
	node: 'n8n_node',
	mode: 'n8n_mode',
} as const;

/** The Stripe paths the trigger manages its endpoint with. */
export const WEBHOOK_ENDPOINTS_PATH = '/v1/webhook_endpoints';
