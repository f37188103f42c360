import type { INodeProperties } from 'n8n-workflow';

import { CUSTOMER_DASHBOARD_URL_SOURCE, STRIPE_ID_EXAMPLES, stripeIdRegex } from './ids';

/** Customer picker shared by every operation that acts for one customer. */
export const customerLocator: INodeProperties = {
	displayName: 'Customer',
	name: 'customer',
	type: 'resourceLocator',
	default: { mode: 'list', value: '' },
	required: true,
	description: 'The Stripe customer the portal session is for',
	modes: [
		{
			displayName: 'From List',
			name: 'list',
			type: 'list',
			placeholder: 'Select a customer…',
			typeOptions: {
				searchListMethod: 'searchCustomers',
				searchable: true,
				searchFilterRequired: false,
			},
		},
		{
			displayName: 'By ID',
			name: 'id',
			type: 'string',
			placeholder: `e.g. ${STRIPE_ID_EXAMPLES.customer}`,
			validation: [
				{
					type: 'regex',
					properties: {
						regex: stripeIdRegex('customer'),
						errorMessage: 'Not a customer ID: it starts with cus_',
					},
				},
			],
		},
		{
			displayName: 'By URL',
			name: 'url',
			type: 'string',
			placeholder: `e.g. https://dashboard.stripe.com/test/customers/${STRIPE_ID_EXAMPLES.customer}`,
			validation: [
				{
					type: 'regex',
					properties: {
						regex: `${CUSTOMER_DASHBOARD_URL_SOURCE}(?:[/?#].*)?`,
						errorMessage: 'Not a Stripe dashboard customer link',
					},
				},
			],
			extractValue: {
				type: 'regex',
				regex: CUSTOMER_DASHBOARD_URL_SOURCE,
			},
		},
	],
};

/** Portal configuration picker (From List or By ID). */
export const configurationLocator: INodeProperties = {
	displayName: 'Configuration',
	name: 'configuration',
	type: 'resourceLocator',
	default: { mode: 'list', value: '' },
	description:
		'The portal configuration to use instead of the account’s default one. See <a href="https://docs.stripe.com/customer-management/integrate-customer-portal#configure">Stripe’s guide</a>.',
	modes: [
		{
			displayName: 'From List',
			name: 'list',
			type: 'list',
			placeholder: 'Select a configuration…',
			typeOptions: {
				searchListMethod: 'searchConfigurations',
				searchable: true,
				searchFilterRequired: false,
			},
		},
		{
			displayName: 'By ID',
			name: 'id',
			type: 'string',
			placeholder: `e.g. ${STRIPE_ID_EXAMPLES.configuration}`,
			validation: [
				{
					type: 'regex',
					properties: {
						regex: stripeIdRegex('configuration'),
						errorMessage: 'Not a portal configuration ID: it starts with bpc_',
					},
				},
			],
		},
	],
};
