import type { INodeProperties } from 'n8n-workflow';

import { configurationLocator, customerLocatorWith } from '../../shared/locators';

const showOnlyForGet = { resource: ['portalLoginLink'], operation: ['get'] };

export const portalLoginLinkGetDescription: INodeProperties[] = [
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
