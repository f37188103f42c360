import type {
	IDataObject,
	IExecuteSingleFunctions,
	IHttpRequestOptions,
	IN8nHttpFullResponse,
	INodeExecutionData,
} from 'n8n-workflow';

import { isLiveKey } from '../../shared/baseUrl';
import { CREDENTIAL_TYPE } from '../../shared/constants';
import { STRIPE_ID_EXAMPLES } from '../../shared/ids';
import { perNodeRun } from '../../shared/nodeRun';
import { emailFromCustomerLocator, fieldError, idFromLocator, quoteValue, readLocator } from '../../shared/validation';
import { sendLookupRequest, stripeObject } from '../../transport';
import { isToolRun } from '../../transport/agent';
import { CONFIGURATIONS_PATH, CUSTOMERS_PATH, PORTAL_SETTINGS_URL, PREFILLED_EMAIL_PARAM } from './constants';
import { loginLinkErrorVocabulary } from './fieldNames';

type Context = IExecuteSingleFunctions;

/*
 * The e-mail to fill in is found before the configuration is read (preSend) and used when it
 * answers (postReceive). n8n hands both hooks of one item the same node-run context object,
 * so the address waits there, per item, with no global state.
 */
const runEmails = perNodeRun(() => new Map<number, string | undefined>());

/** The customer's e-mail, read from Stripe for a customer picked From List, By ID or By URL. */
async function emailOfCustomer(context: Context, request: IHttpRequestOptions, customerId: string): Promise<string> {
	const body = await sendLookupRequest(context, request, `${CUSTOMERS_PATH}/${encodeURIComponent(customerId)}`, {}, stripeObject('customer'), {
		lookingUp: `This happened while reading customer ${customerId} for the e-mail to fill in, before the login link was made.`,
		permission: "Reading the customer needs 'Customers: Read' besides 'Customer portal: Read' on a restricted key.",
		unexpected: 'Expected a customer from Stripe but got something else. Check the Base URL in the credential.',
		vocabulary: loginLinkErrorVocabulary,
	});
	if (body.deleted === true) {
		throw fieldError(context, 'Customer', `customer ${customerId} has been deleted`, 'Choose a customer that still exists, or leave Customer empty for the link without an e-mail.');
	}
	const email = typeof body.email === 'string' ? body.email.trim() : '';
	if (email === '') {
		throw fieldError(
			context,
			'Customer',
			`customer ${customerId} has no e-mail address in Stripe`,
			'The portal’s login page signs customers in by e-mail: add the address to the customer in Stripe, give the address By Email, or leave Customer empty for the link without one.',
			'This customer has no e-mail address in Stripe, so they cannot sign in to the portal by e-mail: ask the customer for their address and call this tool again with it.',
		);
	}
	return email;
}

/** The e-mail to fill in for the current item, or undefined for a link without one. */
async function emailToFillIn(context: Context, request: IHttpRequestOptions): Promise<string | undefined> {
	const { mode, value } = readLocator(context.getNodeParameter('customer', ''));
	if (value === '') return undefined;
	if (mode === 'email') return emailFromCustomerLocator(context);
	const customerId = idFromLocator(context, 'customer', 'customer', 'Customer', { required: false });
	// As an AI tool the output goes to the model and to whoever is chatting: the address Stripe
	// stores for a customer they have not proven to be is not theirs to read. The customer is not
	// read at all, so the answer is also the same whether the ID exists or not.
	if (isToolRun(context)) return undefined;
	return customerId === undefined ? undefined : await emailOfCustomer(context, request, customerId);
}

/**
 * preSend of Portal Login Link → Get: reads the chosen configuration by its checked ID, or the
 * account's default one through the list filtered by `is_default`; finds the e-mail first, so a
 * bad customer fails before the configuration is asked for.
 */
export async function buildLoginLinkRequest(this: Context, requestOptions: IHttpRequestOptions): Promise<IHttpRequestOptions> {
	const configuration = idFromLocator(this, 'configuration', 'configuration', 'Configuration', { required: false });
	const email = await emailToFillIn(this, requestOptions);
	runEmails(this).set(this.getItemIndex(), email);
	if (configuration === undefined) {
		requestOptions.url = CONFIGURATIONS_PATH;
		requestOptions.qs = { is_default: true, limit: 1 };
	} else {
		requestOptions.url = `${CONFIGURATIONS_PATH}/${encodeURIComponent(configuration)}`;
		requestOptions.qs = {};
	}
	return requestOptions;
}

async function accountIsLive(context: Context): Promise<boolean> {
	try {
		return isLiveKey((await context.getCredentials(CREDENTIAL_TYPE)).secretKey);
	} catch {
		return false;
	}
}

/** The configuration Stripe answered with: the one asked for, or the first of the default filter. */
async function configurationOf(context: Context, body: IDataObject): Promise<IDataObject> {
	if (body.object !== 'list') return body;
	const [configuration] = Array.isArray(body.data) ? (body.data as IDataObject[]) : [];
	if (configuration) return configuration;
	const live = await accountIsLive(context);
	const settings = live ? PORTAL_SETTINGS_URL.live : PORTAL_SETTINGS_URL.test;
	throw fieldError(
		context,
		'Configuration',
		`the account has no default portal configuration in ${live ? 'live' : 'test'} mode yet`,
		`Save the customer portal settings once in the Stripe dashboard (${settings}), which creates the default configuration and its login page, or choose a Configuration.`,
		`The customer portal of this Stripe account is not set up yet, so there is no login link: tell the user that self-service billing is unavailable for now and that the account owner must save the customer portal settings once at ${settings}.`,
	);
}

/**
 * postReceive of Portal Login Link → Get: the lasting login link, with the e-mail filled in, as
 * the one output item. A configuration whose login page is off has no link: that is an error
 * that says where to turn it on.
 */
export async function loginLinkOutput(this: Context, _items: INodeExecutionData[], response: IN8nHttpFullResponse): Promise<INodeExecutionData[]> {
	const configuration = await configurationOf(this, response.body as IDataObject);
	const id = String(configuration.id ?? '');
	const loginPage = (configuration.login_page ?? {}) as IDataObject;
	const enabled = loginPage.enabled === true && typeof loginPage.url === 'string' && loginPage.url !== '';
	if (!enabled) {
		throw fieldError(
			this,
			'Configuration',
			`the login page of ${quoteValue(id)} is turned off, so it has no lasting link`,
			'Turn it on with Portal Configuration → Update → Login Page: On (or in the Stripe dashboard: Settings → Billing → Customer portal → Activate link), or choose a configuration whose login page is on.',
			'The portal login page is switched off in Stripe, so there is no link to give: tell the user that the billing portal link is not available right now. Calling again will not help.',
		);
	}
	if (configuration.active === false) {
		throw fieldError(
			this,
			'Configuration',
			`${quoteValue(id)} is not active`,
			`Activate it with Portal Configuration → Update → Active, or choose an active configuration (e.g. ${STRIPE_ID_EXAMPLES.configuration}), or leave Configuration empty for the default one.`,
		);
	}
	const email = runEmails(this).get(this.getItemIndex());
	const url = new URL(String(loginPage.url));
	if (email !== undefined) url.searchParams.set(PREFILLED_EMAIL_PARAM, email);
	return [
		{
			json: {
				url: url.toString(),
				loginPageUrl: String(loginPage.url),
				prefilledEmail: email ?? null,
				configuration: id,
				isDefault: configuration.is_default === true,
				loginPageEnabled: true,
				livemode: configuration.livemode === true,
			},
		},
	];
}
