import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { STRIPE_ID_EXAMPLES } from '../../shared/ids';
import {
	BILLING_CYCLE_ANCHORS,
	CANCELLATION_REASONS,
	CLEARABLE_FIELDS,
	CANCEL_MODES,
	CANCEL_PRORATION_BEHAVIORS,
	CUSTOMER_UPDATE_FIELDS,
	METADATA_LIMITS,
	PAUSE_DURATION_TYPES,
	PAUSE_INTERVAL_DEFAULT,
	PAUSE_INTERVALS,
	PRORATION_BEHAVIORS,
	SCHEDULE_AT_PERIOD_END_CONDITIONS,
	SUBSCRIPTION_UPDATE_ALLOWED,
	TRIAL_UPDATE_BEHAVIORS,
	type ConfigurationWrite,
	type NamedValue,
} from './constants';

/**
 * Create and Update share their fields. They differ in what an untouched field means: on
 * Create, Stripe's default; on Update, the configuration's current value. So every choice has
 * an empty first option that sends nothing, named for what it means in that operation.
 */

const UNSET_NAME: Record<ConfigurationWrite, string> = { create: 'Stripe Default', update: 'Keep Current' };

function choice(
	write: ConfigurationWrite,
	displayName: string,
	name: string,
	values: readonly NamedValue[],
	description: string,
): INodeProperties {
	return {
		displayName,
		name,
		type: 'options',
		// The unset choice first: it is the default, and the rest keep Stripe's alphabetical order.
		options: [{ name: UNSET_NAME[write], value: '' }, ...values.map((option) => ({ ...option }))],
		default: '',
		description,
	};
}

function multi(displayName: string, name: string, values: readonly NamedValue[], description: string): INodeProperties {
	return {
		displayName,
		name,
		type: 'multiOptions',
		options: values.map((option) => ({ ...option })),
		default: [],
		description,
	};
}

/**
 * "Enabled" of a feature. On Update, features other than Invoice History and Payment Method
 * Update may be changed without switching them on or off, so their switch has a Keep Current
 * choice; Stripe requires `enabled` whenever those two are sent.
 */
function enabledField(write: ConfigurationWrite, feature: string, enabledAlwaysSent = false): INodeProperties {
	if (write === 'create' || enabledAlwaysSent) {
		return {
			displayName: 'Enabled',
			name: 'enabled',
			type: 'boolean',
			default: true,
			description: `Whether customers can ${feature} in the portal`,
		};
	}
	const options: INodePropertyOptions[] = [
		{ name: 'Disable', value: 'false' },
		{ name: 'Enable', value: 'true' },
		{ name: 'Keep Current', value: '' },
	];
	return {
		displayName: 'Enabled',
		name: 'enabled',
		type: 'options',
		options,
		default: '',
		description: `Whether customers can ${feature} in the portal; Keep Current leaves it as it is`,
	};
}

function featureGroups(write: ConfigurationWrite): INodeProperties {
	const cancellationReason: INodeProperties =
		write === 'create'
			? {
					displayName: 'Ask for a Reason',
					name: 'cancellationReason',
					type: 'boolean',
					default: false,
					description: 'Whether the portal asks the customer why they cancel',
				}
			: {
					displayName: 'Ask for a Reason',
					name: 'cancellationReason',
					type: 'options',
					options: [
						{ name: 'Keep Current', value: '' },
						{ name: 'No', value: 'false' },
						{ name: 'Yes', value: 'true' },
					],
					default: '',
					description:
						'Whether the portal asks the customer why they cancel. Stripe needs it set to change the reasons; Yes with Reasons Offered left empty keeps the current reasons.',
				};
	return {
		displayName: 'Features',
		name: 'features',
		type: 'fixedCollection',
		placeholder: 'Add Feature',
		default: {},
		description:
			write === 'create'
				? 'What customers can do in the portal. Features you do not add are off. See <a href="https://docs.stripe.com/customer-management/configure-portal">configuring the portal</a>.'
				: 'Features to change. Features you do not add stay as they are.',
		options: [
			{
				displayName: 'Customer Update',
				name: 'customerUpdate',
				values: [
					enabledField(write, 'update their billing details'),
					multi(
						'Allowed Updates',
						'allowedUpdates',
						CUSTOMER_UPDATE_FIELDS,
						write === 'create'
							? 'The details customers may change'
							: 'The details customers may change; replaces the current list. To allow none, use Update Fields → Clear Fields.',
					),
				],
			},
			{
				displayName: 'Invoice History',
				name: 'invoiceHistory',
				values: [enabledField(write, 'see and download their invoices', true)],
			},
			{
				displayName: 'Payment Method Update',
				name: 'paymentMethodUpdate',
				values: [
					enabledField(write, 'add and change payment methods', true),
					{
						displayName: 'Payment Method Configuration',
						name: 'paymentMethodConfiguration',
						type: 'string',
						default: '',
						placeholder: 'e.g. pmc_1PgL4a2eZvKYlo2C',
						description:
							'A payment method configuration (pmc_…) that decides which payment methods customers may add. Leave empty for the account’s default.',
					},
				],
			},
			{
				displayName: 'Subscription Cancel',
				name: 'subscriptionCancel',
				values: [
					enabledField(write, 'cancel subscriptions'),
					choice(write, 'Mode', 'mode', CANCEL_MODES, 'When a cancellation takes effect'),
					choice(
						write,
						'Proration Behavior',
						'prorationBehavior',
						CANCEL_PRORATION_BEHAVIORS,
						write === 'create'
							? 'Whether an immediate cancellation credits the unused time. Create Prorations needs Mode: Immediately (Stripe’s default Mode cancels at period end).'
							: 'Whether an immediate cancellation credits the unused time. Create Prorations needs Mode: Immediately; with Mode at Keep Current it is sent, and Stripe checks it against the configuration’s current mode.',
					),
					cancellationReason,
					multi(
						'Reasons Offered',
						'cancellationReasonOptions',
						CANCELLATION_REASONS,
						write === 'create'
							? 'The reasons the customer chooses from when Ask for a Reason is on (required then)'
							: 'The reasons the customer chooses from when Ask for a Reason is on; replaces the current list. Left empty, the current reasons stay.',
					),
					{
						displayName: 'Feedback Option IDs',
						name: 'feedbackOptions',
						type: 'string',
						default: '',
						placeholder: 'e.g. bfo_123, bfo_456',
						description:
							write === 'create'
								? 'IDs of your own feedback options to offer as reasons, separated by commas (needs Reasons Offered)'
								: 'IDs of your own feedback options to offer as reasons, separated by commas',
					},
				],
			},
			{
				displayName: 'Subscription Pause',
				name: 'subscriptionPause',
				values: [
					enabledField(write, 'pause subscriptions'),
					choice(write, 'Duration', 'durationType', PAUSE_DURATION_TYPES, 'How long a customer may pause'),
					{
						displayName: 'Pause Lengths',
						name: 'intervalOptions',
						type: 'fixedCollection',
						placeholder: 'Add Pause Length',
						default: {},
						typeOptions: { multipleValues: true },
						description:
							'With Duration set to Interval Options (which needs at least one): the pause lengths the customer picks from, each at most three years (1,095 days, 156 weeks, 36 months or 3 years)',
						options: [
							{
								displayName: 'Pause Length',
								name: 'option',
								values: [
									{
										displayName: 'Interval',
										name: 'interval',
										type: 'options',
										options: PAUSE_INTERVALS.map((option) => ({ ...option })),
										default: PAUSE_INTERVAL_DEFAULT,
										description: 'The unit of the pause length',
									},
									{
										displayName: 'Count',
										name: 'intervalCount',
										type: 'number',
										default: 1,
										typeOptions: { minValue: 1, numberPrecision: 0 },
										description: 'How many intervals the pause lasts (empty: Stripe’s default of 1)',
									},
								],
							},
						],
					},
				],
			},
			{
				displayName: 'Subscription Update',
				name: 'subscriptionUpdate',
				values: [
					enabledField(write, 'switch plans or change quantities'),
					multi(
						'Allowed Updates',
						'defaultAllowedUpdates',
						SUBSCRIPTION_UPDATE_ALLOWED,
						'What customers may change on a subscription',
					),
					{
						displayName: 'Products',
						name: 'products',
						type: 'fixedCollection',
						placeholder: 'Add Product',
						default: {},
						typeOptions: { multipleValues: true },
						description:
							write === 'create'
								? 'The products, and their prices, customers may switch between (up to 10)'
								: 'The products, and their prices, customers may switch between (up to 10); replaces the current list',
						options: [
							{
								displayName: 'Product',
								name: 'product',
								values: [
									{
										displayName: 'Adjustable Quantity',
										name: 'adjustableQuantity',
										type: 'boolean',
										default: false,
										description: 'Whether customers may change the quantity of this product',
									},
									{
										displayName: 'Maximum Quantity',
										name: 'maximumQuantity',
										type: 'number',
										default: 0,
										typeOptions: { minValue: 0, numberPrecision: 0 },
										description: 'With Adjustable Quantity: the highest quantity allowed (0 for no maximum)',
									},
									{
										displayName: 'Minimum Quantity',
										name: 'minimumQuantity',
										type: 'number',
										default: 0,
										typeOptions: { minValue: 0, numberPrecision: 0 },
										description: 'With Adjustable Quantity: the lowest quantity allowed (0 for Stripe’s default)',
									},
									{
										displayName: 'Prices',
										name: 'prices',
										type: 'fixedCollection',
										placeholder: 'Add Price',
										default: {},
										typeOptions: { multipleValues: true },
										description: 'The prices of this product customers may choose',
										options: [
											{
												displayName: 'Price',
												name: 'price',
												values: [
													{
														displayName: 'Price ID',
														name: 'id',
														type: 'string',
														default: '',
														placeholder: `e.g. ${STRIPE_ID_EXAMPLES.price}`,
														description: 'A price of the product (price_…)',
													},
												],
											},
										],
									},
									{
										displayName: 'Product ID',
										name: 'product',
										type: 'string',
										default: '',
										placeholder: 'e.g. prod_QXg5sNq4wA1b2C',
										description: 'The product (prod_… or your own product ID)',
									},
								],
							},
						],
					},
					choice(
						write,
						'Proration Behavior',
						'prorationBehavior',
						PRORATION_BEHAVIORS,
						'How a plan change is charged for the rest of the period',
					),
					choice(
						write,
						'Billing Cycle Anchor',
						'billingCycleAnchor',
						BILLING_CYCLE_ANCHORS,
						'Whether a plan change restarts the billing cycle',
					),
					multi(
						'Schedule at Period End When',
						'scheduleAtPeriodEnd',
						SCHEDULE_AT_PERIOD_END_CONDITIONS,
						'Changes that wait for the end of the period instead of applying at once',
					),
					choice(
						write,
						'Trial Update Behavior',
						'trialUpdateBehavior',
						TRIAL_UPDATE_BEHAVIORS,
						'What a plan change does to a subscription in trial',
					),
				],
			},
		],
	};
}

function settingsFields(write: ConfigurationWrite): INodeProperties[] {
	const fields: INodeProperties[] = [
		{
			displayName: 'Business Headline',
			name: 'headline',
			type: 'string',
			default: '',
			placeholder: 'e.g. Acme partners with Stripe for simplified billing',
			description: 'The headline customers see at the top of the portal',
		},
		{
			displayName: 'Default Return URL',
			name: 'defaultReturnUrl',
			type: 'string',
			default: '',
			placeholder: 'e.g. https://example.com/account',
			description: 'Where the portal’s “Return” link goes when a session does not set its own Return URL',
		},
		{
			displayName: 'Login Page',
			name: 'loginPage',
			type: 'boolean',
			default: true,
			description:
				'Whether the configuration gets a login page: a lasting link (the output’s login_page field) where customers sign in by email, unlike a session link, which expires',
		},
		{
			displayName: 'Metadata',
			name: 'metadata',
			type: 'fixedCollection',
			placeholder: 'Add Metadata',
			default: {},
			typeOptions: { multipleValues: true },
			description:
				write === 'create'
					? `Key-value pairs for your own use (at most ${METADATA_LIMITS.keys})`
					: `Key-value pairs to set; keys not listed keep their values (at most ${METADATA_LIMITS.keys} in all)`,
			options: [
				{
					displayName: 'Pair',
					name: 'pair',
					values: [
						{
							displayName: 'Key',
							name: 'key',
							type: 'string',
							default: '',
							placeholder: 'e.g. team',
							description: `At most ${METADATA_LIMITS.keyLength} characters`,
						},
						{
							displayName: 'Value',
							name: 'value',
							type: 'string',
							default: '',
							placeholder: 'e.g. growth',
							description: `At most ${METADATA_LIMITS.valueLength} characters`,
						},
					],
				},
			],
		},
		{
			displayName: 'Name',
			name: 'name',
			type: 'string',
			default: '',
			placeholder: 'e.g. Support: cancel with retention offer',
			description: 'A name for your own reference; customers do not see it',
		},
		{
			displayName: 'Privacy Policy URL',
			name: 'privacyPolicyUrl',
			type: 'string',
			default: '',
			placeholder: 'e.g. https://example.com/privacy',
			description: 'A link to your privacy policy, shown in the portal',
		},
		{
			displayName: 'Terms of Service URL',
			name: 'termsOfServiceUrl',
			type: 'string',
			default: '',
			placeholder: 'e.g. https://example.com/terms',
			description: 'A link to your terms of service, shown in the portal',
		},
	];
	if (write === 'update') {
		fields.unshift({
			displayName: 'Active',
			name: 'active',
			type: 'boolean',
			default: false,
			description:
				'Whether new portal sessions can use this configuration. Stripe cannot delete configurations: turn this off to retire one.',
		});
		fields.splice(
			2,
			0,
			{
				displayName: 'Clear Fields',
				name: 'clearFields',
				type: 'multiOptions',
				options: CLEARABLE_FIELDS.map(({ name, value }) => ({ name, value })),
				default: [],
				description: 'Fields to empty on the configuration (an empty field in this form leaves the value unchanged)',
			},
		);
		fields.splice(fields.findIndex((field) => field.name === 'name') + 1, 0, {
			displayName: 'Remove Metadata Keys',
			name: 'metadataKeysToRemove',
			type: 'string',
			default: '',
			placeholder: 'e.g. team, legacy_id',
			description: 'Metadata keys to delete from the configuration, separated by commas',
		});
	}
	return fields;
}

const EXAMPLE_CONFIGURATION_JSON = `{
  "business_profile": { "headline": "Manage your subscription" },
  "features": {
    "invoice_history": { "enabled": true },
    "payment_method_update": { "enabled": true },
    "subscription_cancel": { "enabled": true, "mode": "at_period_end" }
  },
  "login_page": { "enabled": true }
}`;

/** The fields of Create or Update, shown for that operation. */
export function configurationWriteFields(write: ConfigurationWrite): INodeProperties[] {
	const show = { resource: ['portalConfiguration'], operation: [write] };
	const showFields = { ...show, inputMode: ['fields'] };
	const jsonDefault = write === 'create' ? EXAMPLE_CONFIGURATION_JSON : '{\n  "active": true\n}';
	return [
		{
			displayName: 'Define Configuration',
			name: 'inputMode',
			type: 'options',
			noDataExpression: true,
			options: [
				{ name: 'Using Fields Below', value: 'fields', description: 'One field per setting' },
				{
					name: 'Using JSON',
					value: 'json',
					description: 'The request parameters as JSON, in Stripe’s own shape (snake_case)',
				},
			],
			default: 'fields',
			description: 'Whether to fill in fields or to write the configuration as JSON',
			displayOptions: { show },
		},
		{
			displayName: 'Configuration (JSON)',
			name: 'configurationJson',
			type: 'json',
			default: jsonDefault,
			description: `The parameters of Stripe’s <a href="https://docs.stripe.com/api/customer_portal/configurations/${write}">${write} a portal configuration</a> request, e.g. features.subscription_update.products. Values are sent as written: an empty string, or an empty list, clears a field where Stripe allows it.`,
			displayOptions: { show: { ...show, inputMode: ['json'] } },
		},
		{ ...featureGroups(write), displayOptions: { show: showFields } },
		{
			displayName: write === 'create' ? 'Additional Fields' : 'Update Fields',
			name: write === 'create' ? 'additionalFields' : 'updateFields',
			type: 'collection',
			placeholder: write === 'create' ? 'Add Field' : 'Add Field to Update',
			default: {},
			options: settingsFields(write),
			displayOptions: { show: showFields },
		},
	];
}

/** Expand, offered by every configuration operation. */
export function expandOption(listing: boolean): INodeProperties {
	return {
		displayName: 'Expand',
		name: 'expand',
		type: 'multiOptions',
		options: [{ name: 'Application', value: listing ? 'data.application' : 'application' }],
		default: [],
		description: `Related objects to include in full instead of their IDs (the Connect application that created the configuration). An expression may give a list or comma-separated text of expand paths${listing ? ' under data.' : ''}.`,
	};
}
