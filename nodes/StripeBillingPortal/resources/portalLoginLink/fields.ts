import type { INodeProperties } from 'n8n-workflow';

import { configurationLocator, customerLocatorWith } from '../../shared/locators';

const showOnlyForGet = { resource: ['portalLoginLink'], operation: ['get'] };

export const portalLoginLinkGetDescription: INodeProperties[] = [
	{
		// Shown only on the AI-tool variant ('@tool'): its output goes to the model and the chat user.
		displayName:
			'As an AI tool, a customer picked From List, By ID or By URL is not read: the link comes without an e-mail address, so no customer’s stored address reaches the chat. By Email fills in the address as given; the login page sends a one-time code to it, so only its owner gets in.',
		name: 'loginLinkToolNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { ...showOnlyForGet, '@tool': [true] } },
	},
	{
		...configurationLocator,
		description:
			'The portal configuration whose login page to link to. Leave empty for the account’s default configuration (the one the Stripe dashboard’s customer portal settings edit).',
		displayOptions: { show: showOnlyForGet },
	},
	{
		...customerLocatorWith({
			description:
				'Whose e-mail address to fill in on the login page, so the customer only asks for the one-time code. By Email fills in the address as given; a customer picked From List, By ID or By URL is read for theirs. Leave empty for the link without an address.',
			required: false,
		}),
		displayOptions: { show: showOnlyForGet },
	},
];
