import type { ErrorVocabulary } from '../../transport/answers';

/** Stripe's parameters of a login-link request, in the node's words. */
const LOGIN_LINK_FIELDS_BY_PARAM: Array<[RegExp, string]> = [
	[/^(id|configuration)$/, 'Configuration'],
	[/^(customer|email)$/, 'Customer'],
	[/^is_default$/, 'Configuration'],
];

export const loginLinkErrorVocabulary: ErrorVocabulary = {
	fieldFor: (param) => LOGIN_LINK_FIELDS_BY_PARAM.find(([pattern]) => pattern.test(param))?.[1],
};
