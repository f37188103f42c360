/**
 * The body from the form (Input Mode: Fields): the settings, metadata, features and Clear Fields,
 * then the rules that span fields, checked on the whole body once Clear Fields has been applied.
 */
import type { IDataObject, IExecuteSingleFunctions } from 'n8n-workflow';

import { isPlainObject } from '../../shared/values';
import { booleanValue, checkHttpUrl, checkTextLength, fieldError, quoteValue, singleText, textList } from '../../shared/validation';
import { compact, getPath, own, setPath } from './bodyTree';
import { CLEARABLE_FIELDS, HEADLINE_MAX_LENGTH, type ConfigurationWrite } from './constants';
import { buildFeatures } from './features';
import { buildMetadata } from './metadata';

type Context = IExecuteSingleFunctions;

export function bodyFromFields(context: Context, write: ConfigurationWrite): IDataObject {
	const raw = context.getNodeParameter(write === 'create' ? 'additionalFields' : 'updateFields', {}) as unknown;
	const settings: IDataObject = isPlainObject(raw) ? (raw as IDataObject) : {};
	const text = (name: string, field: string, maxLength?: number) => {
		const value = singleText(context, field, settings[name]);
		return value === undefined ? undefined : checkTextLength(context, value, field, 'Shorten the text.', maxLength);
	};
	const url = (name: string, field: string): string | undefined => {
		const value = text(name, field);
		return value === undefined ? undefined : checkHttpUrl(context, value, field);
	};
	const body: IDataObject = {};
	const set = (key: string, value: unknown) => {
		if (value !== undefined) body[key] = value as IDataObject[keyof IDataObject];
	};
	if (write === 'update') set('active', booleanValue(context, 'Active', settings.active));
	set('name', text('name', 'Name'));
	set(
		'business_profile',
		compact({
			headline: text('headline', 'Business Headline', HEADLINE_MAX_LENGTH),
			privacy_policy_url: url('privacyPolicyUrl', 'Privacy Policy URL'),
			terms_of_service_url: url('termsOfServiceUrl', 'Terms of Service URL'),
		}),
	);
	set('default_return_url', url('defaultReturnUrl', 'Default Return URL'));
	// Added but left empty by an expression: on Create the option's own default (on), as the
	// editor shows it, not Stripe's (off); on Update, Keep Current.
	const loginPage = booleanValue(context, 'Login Page', settings.loginPage) ?? (write === 'create' && Object.hasOwn(settings, 'loginPage') ? true : undefined);
	if (loginPage !== undefined) body.login_page = { enabled: loginPage };
	set('metadata', buildMetadata(context, settings, write));
	set('features', buildFeatures(context, write));

	for (const value of textList(context, 'Clear Fields', settings.clearFields)) {
		const clearable = CLEARABLE_FIELDS.find((field) => field.value === value);
		if (!clearable) {
			throw fieldError(context, 'Clear Fields', `${quoteValue(value)} is not a field that can be cleared`, `Choose from: ${CLEARABLE_FIELDS.map((field) => field.value).join(', ')}.`);
		}
		if (getPath(body, clearable.path) !== undefined) {
			throw fieldError(context, 'Clear Fields', `${clearable.name} is both set and cleared`, 'Either give it a value or clear it, not both.');
		}
		// '' is Stripe's "unset" for this Emptyable field; the user asked for exactly that.
		setPath(body, clearable.path, '');
	}
	return body;
}

/**
 * Rules over the whole body built from fields, Clear Fields included. Stripe needs some keys next
 * to their siblings (a cancellation reason's `enabled`, a pause duration's `type`, `enabled` of
 * invoice history and payment method update): Clear Fields can produce a sibling alone; this
 * names the field to set instead of sending a half object. And a pause duration of Interval
 * Options needs its pause lengths ("Required when `type` is `interval_options`"), on Create and
 * Update alike.
 */
export function checkFieldRules(context: Context, body: IDataObject): void {
	// [where in the body, the key Stripe needs there, the field that sets it as the editor names it, the fix]
	const needs: Array<[string[], string, string, string]> = [
		[['features', 'payment_method_update'], 'enabled', 'Features → Payment Method Update → Enabled', 'Add the Payment Method Update feature with Enabled set'],
		[['features', 'invoice_history'], 'enabled', 'Features → Invoice History → Enabled', 'Set Enabled of Invoice History'],
		[['features', 'subscription_cancel', 'cancellation_reason'], 'enabled', 'Features → Subscription Cancel → Ask for a Reason', 'Set Ask for a Reason to Yes or No'],
		[['features', 'subscription_pause', 'duration'], 'type', 'Features → Subscription Pause → Duration', 'Set Duration'],
	];
	for (const [path, key, field, fix] of needs) {
		const object = getPath(body, path);
		if (isPlainObject(object) && own(object, key) === undefined) {
			throw fieldError(context, field, 'is not set, and Stripe needs it with these changes', `${fix}.`);
		}
	}
	const duration = getPath(body, ['features', 'subscription_pause', 'duration']);
	if (isPlainObject(duration) && duration.type === 'interval_options' && (duration.interval_options === undefined || duration.interval_options === '')) {
		throw fieldError(
			context,
			'Features → Subscription Pause → Pause Lengths',
			duration.interval_options === '' ? 'is cleared while Duration is Interval Options' : 'is empty while Duration is Interval Options',
			duration.interval_options === ''
				? 'Stripe needs the pause lengths customers pick from with Interval Options: take Pause Lengths off Clear Fields and add at least one, or set Duration to Indefinite.'
				: 'Stripe needs the pause lengths customers pick from with Interval Options: add at least one, e.g. 1 month, or set Duration to Indefinite.',
		);
	}
}
