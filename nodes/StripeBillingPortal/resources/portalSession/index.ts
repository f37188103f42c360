import type { INodeProperties } from 'n8n-workflow';

import { agentReadable } from '../../transport/agent';
import { stripeErrorCheck } from '../../transport/errors';
import { buildSessionCreateBody } from './body';
import { portalSessionCreateDescription } from './fields';
import { sessionErrorVocabulary } from './fieldNames';

// The editor's list searches show what a session will act on, so they read the session's own
// statuses, customer choice and error words; this is all they may reach of it.
export { CURRENT_SUBSCRIPTION_STATUSES, MULTIPLE_CUSTOMERS } from './constants';
export { chooseCustomer, lookUpCustomersByEmail, type CustomerListPage } from './customerLookup';
export { sessionErrorVocabulary } from './fieldNames';

const showOnlyForPortalSession = { resource: ['portalSession'] };

export const portalSessionDescription: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: showOnlyForPortalSession },
		options: [
			{
				name: 'Create',
				value: 'create',
				action: 'Create a portal session',
				description:
					'Create a short-lived link to the customer portal, optionally deep-linked into one flow. Sessions cannot be read back or listed.',
				routing: {
					request: { method: 'POST', url: '/v1/billing_portal/sessions' },
					send: { preSend: [agentReadable(buildSessionCreateBody)], paginate: true },
					output: { postReceive: [stripeErrorCheck(sessionErrorVocabulary)] },
				},
			},
		],
		default: 'create',
	},
	...portalSessionCreateDescription,
];
