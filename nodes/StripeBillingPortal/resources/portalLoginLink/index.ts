import type { INodeProperties } from 'n8n-workflow';

import { agentReadable } from '../../transport/agent';
import { stripeErrorCheck } from '../../transport/errors';
import { buildLoginLinkRequest, loginLinkOutput } from './loginLink';
import { CONFIGURATIONS_PATH } from './constants';
import { loginLinkErrorVocabulary } from './fieldNames';
import { portalLoginLinkGetDescription } from './fields';

export const portalLoginLinkDescription: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['portalLoginLink'] } },
		options: [
			{
				name: 'Get',
				value: 'get',
				action: 'Get a lasting portal login link',
				description:
					'Get the link to the customer portal’s login page, with the customer’s e-mail filled in. Unlike a session link it does not expire: fit for e-mails the customer may open days later.',
				routing: {
					request: { method: 'GET', url: CONFIGURATIONS_PATH },
					send: { preSend: [agentReadable(buildLoginLinkRequest)], paginate: true },
					output: { postReceive: [stripeErrorCheck(loginLinkErrorVocabulary), loginLinkOutput] },
				},
			},
		],
		default: 'get',
	},
	...portalLoginLinkGetDescription,
];
