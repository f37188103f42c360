import type { INodeProperties } from 'n8n-workflow';

import { STRIPE_ID_EXAMPLES } from '../../shared/ids';
import { configurationLocator } from '../../shared/locators';
import {
	CURRENT_STATUSES_TEXT,
	FLOW_TYPES,
	HOSTED_CONFIRMATION_MAX_LENGTH,
	PORTAL_LOCALES,
	SESSION_EXPANDABLE,
	SESSION_LINK_TO_MODEL,
	SESSION_LINK_TO_MODEL_NAME,
	SUBSCRIPTION_SOURCE_OPTIONS,
	SUBSCRIPTION_SOURCES,
} from './constants';
import { customerLocator, subscriptionItemLocator, subscriptionLocator } from './locators';

const showOnlyForCreate = { resource: ['portalSession'], operation: ['create'] };

// Fields that only some flows need are not marked required: n8n's required check cannot tell
// which flow an item takes when Flow is an expression. buildSessionCreateBody checks them per item.
const flowsWithSubscription = (Object.keys(FLOW_TYPES) as Array<keyof typeof FLOW_TYPES>).filter(
	(type) => FLOW_TYPES[type].needsSubscription,
);

// "None" first because it is the default and the most common choice; the flows follow alphabetically.
const flowOptions = [
	{ name: 'None (Portal Homepage)', value: 'none', description: 'Open the portal on its homepage' },
	...(Object.keys(FLOW_TYPES) as Array<keyof typeof FLOW_TYPES>)
		.map((type) => ({ name: FLOW_TYPES[type].name, value: type, description: FLOW_TYPES[type].description }))
		.sort((a, b) => a.name.localeCompare(b.name)),
];

// Shown only on the AI-tool variant ('@tool' is n8n's pseudo-parameter for it): a tool's output
// goes to the model, and a session link is a key to the customer's billing (toolSafety.ts).
const showOnlyForCreateAsTool = { ...showOnlyForCreate, '@tool': [true] };

export const portalSessionCreateDescription: INodeProperties[] = [
	{
		displayName:
			'As an AI tool this operation creates no session unless Give Session Link to the Model is on. Whoever holds a session link can cancel the customer’s subscriptions, change their card and read their invoices, without a login, so a chat user who merely names a customer must never get one. For a chat, use Portal Login Link → Get, or e-mail the link to the address Stripe has on file from a sub-workflow (README → Security).',
		name: 'sessionLinkToolNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: showOnlyForCreateAsTool },
	},
	{
		displayName: SESSION_LINK_TO_MODEL_NAME,
		name: SESSION_LINK_TO_MODEL,
		type: 'boolean',
		// The author's decision, never the model's: an expression here could be $fromAI.
		noDataExpression: true,
		default: false,
		description:
			'Whether the AI model receives the session, whose URL is the link. Turn on only when the Customer comes from an identity your workflow has verified itself, named from the node that verified it; a customer the model fills in ($fromAI, or the tool’s input item) or taken straight from the trigger (a chat message or its metadata) is refused.',
		displayOptions: { show: showOnlyForCreateAsTool },
	},
	{
		displayName: 'Customer Type',
		name: 'customerType',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: showOnlyForCreate },
		options: [
			{ name: 'Customer', value: 'customer', description: 'A customer object (cus_…)' },
			{
				name: 'Customer Account (Accounts V2)',
				value: 'customerAccount',
				description: 'An Accounts v2 account that acts as a customer (acct_…)',
			},
		],
		default: 'customer',
		description: 'Whether the portal is for a customer object or for an Accounts v2 customer account',
	},
	{
		...customerLocator,
		displayOptions: { show: { ...showOnlyForCreate, customerType: ['customer'] } },
	},
	{
		displayName: 'Customer Account',
		name: 'customerAccount',
		type: 'string',
		required: true,
		default: '',
		placeholder: `e.g. ${STRIPE_ID_EXAMPLES.account}`,
		description:
			'The ID of the Accounts v2 account whose customer configuration the portal manages. See <a href="https://docs.stripe.com/connect/accounts-v2">Accounts v2</a>.',
		displayOptions: { show: { ...showOnlyForCreate, customerType: ['customerAccount'] } },
	},
	{
		displayName: 'Return URL',
		name: 'returnUrl',
		type: 'string',
		default: '',
		placeholder: 'e.g. https://example.com/account',
		description:
			'Where the portal’s “Return” link sends the customer. Needed unless the portal configuration has a default return URL.',
		displayOptions: { show: showOnlyForCreate },
	},
	{
		displayName: 'Flow',
		name: 'flowType',
		type: 'options',
		options: flowOptions,
		default: 'none',
		description:
			'Send the customer straight into one task instead of the portal homepage. See <a href="https://docs.stripe.com/customer-management/portal-deep-links">portal deep links</a>.',
		displayOptions: { show: showOnlyForCreate },
	},
	{
		displayName: 'Subscription Source',
		name: 'subscriptionSource',
		type: 'options',
		options: SUBSCRIPTION_SOURCE_OPTIONS,
		default: 'pick',
		description: `Where the flow’s subscription comes from: the Subscription field, or the customer’s subscriptions, looked up when the node runs (e.g. for a customer found By Email). Only current subscriptions count: ${CURRENT_STATUSES_TEXT}; canceled, incomplete and expired ones are ignored, and for Cancel Subscription so is one already set to end.`,
		displayOptions: { show: { ...showOnlyForCreate, flowType: flowsWithSubscription } },
	},
	{
		...subscriptionLocator,
		displayOptions: {
			show: { ...showOnlyForCreate, flowType: flowsWithSubscription, subscriptionSource: [SUBSCRIPTION_SOURCES.pick] },
		},
	},
	{
		displayName: 'Retention Coupon',
		name: 'retentionCoupon',
		type: 'string',
		default: '',
		placeholder: 'e.g. STAY20',
		description:
			'A coupon ID to offer the customer before they cancel. Leave empty for no retention offer.',
		displayOptions: { show: { ...showOnlyForCreate, flowType: ['subscription_cancel'] } },
	},
	{
		...subscriptionItemLocator,
		// With a looked-up subscription the field may stay empty, and its list has no subscription to show items of.
		description:
			'The subscription item whose price or quantity the customer confirms. Required, unless Subscription Source looks up a subscription that has only one item.',
		displayOptions: { show: { ...showOnlyForCreate, flowType: ['subscription_update_confirm'] } },
	},
	{
		displayName: 'Item Changes',
		name: 'itemChanges',
		type: 'collection',
		placeholder: 'Add Change',
		default: {},
		description: 'The change the customer is asked to confirm; at least one is needed',
		displayOptions: { show: { ...showOnlyForCreate, flowType: ['subscription_update_confirm'] } },
		options: [
			{
				displayName: 'New Price',
				name: 'price',
				type: 'string',
				default: '',
				placeholder: `e.g. ${STRIPE_ID_EXAMPLES.price}`,
				description:
					'The price to switch the item to. It must be one of the prices the portal configuration allows for subscription updates.',
			},
			{
				displayName: 'New Quantity',
				name: 'quantity',
				type: 'number',
				default: 1,
				typeOptions: { minValue: 0, numberPrecision: 0 },
				description: 'The quantity to set on the item',
			},
		],
	},
	{
		displayName: 'Discounts',
		name: 'discounts',
		type: 'fixedCollection',
		placeholder: 'Add Discount',
		default: {},
		typeOptions: { multipleValues: true },
		description: 'Discounts to apply to the updated subscription',
		displayOptions: { show: { ...showOnlyForCreate, flowType: ['subscription_update_confirm'] } },
		options: [
			{
				displayName: 'Discount',
				name: 'discount',
				values: [
					{
						displayName: 'Type',
						name: 'type',
						type: 'options',
						options: [
							{ name: 'Coupon', value: 'coupon' },
							{ name: 'Promotion Code', value: 'promotionCode' },
						],
						default: 'coupon',
						description: 'The kind of discount the ID names',
					},
					{
						displayName: 'ID',
						name: 'id',
						type: 'string',
						default: '',
						placeholder: 'e.g. SUMMER25 or promo_1PgL2Z2eZvKYlo2C',
						description: 'The coupon ID, or the promotion code ID (promo_…)',
					},
				],
			},
		],
	},
	{
		displayName: 'After Completion',
		name: 'afterCompletion',
		type: 'options',
		// Ordered as Stripe documents them, default first.
		options: [
			{ name: 'Portal Homepage', value: 'portal_homepage', description: 'Show the portal homepage' },
			{ name: 'Redirect', value: 'redirect', description: 'Send the customer to a URL' },
			{
				name: 'Hosted Confirmation',
				value: 'hosted_confirmation',
				description: 'Show a confirmation page with a custom message',
			},
		],
		default: 'portal_homepage',
		description: 'What the customer sees after completing the flow',
		displayOptions: { show: showOnlyForCreate, hide: { flowType: ['none'] } },
	},
	{
		displayName: 'Redirect URL',
		name: 'redirectUrl',
		type: 'string',
		default: '',
		placeholder: 'e.g. https://example.com/thanks',
		description: 'Required. Where to send the customer once the flow is completed.',
		displayOptions: { show: { ...showOnlyForCreate, afterCompletion: ['redirect'] }, hide: { flowType: ['none'] } },
	},
	{
		displayName: 'Confirmation Message',
		name: 'confirmationMessage',
		type: 'string',
		default: '',
		typeOptions: { rows: 3 },
		placeholder: 'e.g. Thanks! Your plan changes on your next invoice.',
		description: `A message for the confirmation page, at most ${HOSTED_CONFIRMATION_MAX_LENGTH} characters. Leave empty for Stripe’s default text.`,
		displayOptions: {
			show: { ...showOnlyForCreate, afterCompletion: ['hosted_confirmation'] },
			hide: { flowType: ['none'] },
		},
	},
	{
		displayName: 'Additional Fields',
		name: 'additionalFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		displayOptions: { show: showOnlyForCreate },
		options: [
			{ ...configurationLocator },
			{
				displayName: 'Expand',
				name: 'expand',
				type: 'multiOptions',
				options: [...SESSION_EXPANDABLE],
				default: [],
				description: 'Related objects to include in full in the output instead of their IDs',
			},
			{
				displayName: 'If Several Customers Match',
				name: 'multipleCustomers',
				type: 'options',
				options: [
					{
						name: 'Fail',
						value: 'fail',
						description: 'Stop with an error that says how many customers have the email',
					},
					{
						name: 'Use the Most Recently Created',
						value: 'mostRecent',
						description: 'Create the session for the customer created last',
					},
				],
				default: 'fail',
				description:
					'With the Customer field By Email: what to do when several Stripe customers have that email, which Stripe allows',
			},
			{
				displayName: 'Locale',
				name: 'locale',
				type: 'options',
				// Auto first, then by language name.
				options: PORTAL_LOCALES.map(({ name, value }) => ({ name, value })),
				default: 'auto',
				description: 'The language of the portal. Auto uses the customer’s browser language.',
			},
			{
				displayName: 'Login After Expiry',
				name: 'loginAfterExpiry',
				type: 'boolean',
				default: true,
				description:
					'Whether an expired session link lets the customer log in to the portal (by email code) instead of showing an error',
			},
			{
				displayName: 'Login Available Until',
				name: 'loginExpiresAt',
				type: 'dateTime',
				default: '',
				description:
					'With Login After Expiry: until when the expired link still offers the login. Leave empty for Stripe’s default.',
			},
			{
				displayName: 'On Behalf Of',
				name: 'onBehalfOf',
				type: 'string',
				default: '',
				placeholder: `e.g. ${STRIPE_ID_EXAMPLES.account}`,
				description:
					'A connected account (Connect): the portal shows only subscriptions and invoices made on its behalf, with its branding. This is not the same as acting as that account.',
			},
		],
	},
];
