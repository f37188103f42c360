import { NodeConnectionTypes, type INodeType, type INodeTypeDescription } from 'n8n-workflow';

import { searchConfigurations } from './listSearch/searchConfigurations';
import { searchCustomers } from './listSearch/searchCustomers';
import { searchSubscriptionItems } from './listSearch/searchSubscriptionItems';
import { searchSubscriptions } from './listSearch/searchSubscriptions';
import { portalConfigurationDescription } from './resources/portalConfiguration';
import { portalLoginLinkDescription } from './resources/portalLoginLink';
import { portalSessionDescription } from './resources/portalSession';
import { BASE_URL_EXPRESSION } from './shared/baseUrl';
import { CREDENTIAL_TYPE, NODE_TYPE_NAME } from './shared/constants';
import { sendStripeRequest } from './transport';
import { requestSettingsProperty } from './transport/requestSettingsFields';

const resourceProperties = [...portalConfigurationDescription, ...portalLoginLinkDescription, ...portalSessionDescription];

export class StripeBillingPortal implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Stripe Billing Portal',
		name: NODE_TYPE_NAME,
		icon: { light: 'file:stripeBillingPortal.svg', dark: 'file:stripeBillingPortal.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
		description: 'Create Stripe customer portal sessions and deep links, get lasting portal login links, and manage portal configurations',
		defaults: { name: 'Stripe Billing Portal' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: CREDENTIAL_TYPE, required: true }],
		requestDefaults: {
			baseURL: BASE_URL_EXPRESSION,
			headers: {
				Accept: 'application/json',
				// Stripe reads bodies only in this encoding; n8n then writes nested objects in bracket notation.
				'Content-Type': 'application/x-www-form-urlencoded',
			},
			// Stripe's error message is more useful than n8n's generic one per status code: see stripeErrorCheck in transport/errors.ts.
			ignoreHttpStatusErrors: true,
		},
		requestOperations: {
			pagination: sendStripeRequest,
		},
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Portal Configuration', value: 'portalConfiguration' },
					{ name: 'Portal Login Link', value: 'portalLoginLink' },
					{ name: 'Portal Session', value: 'portalSession' },
				],
				default: 'portalSession',
			},
			...resourceProperties,
			requestSettingsProperty(resourceProperties),
		],
	};

	methods = {
		listSearch: {
			searchConfigurations,
			searchCustomers,
			searchSubscriptionItems,
			searchSubscriptions,
		},
	};
}
