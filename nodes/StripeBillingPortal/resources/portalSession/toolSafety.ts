import type { IExecuteSingleFunctions } from 'n8n-workflow';

import { fieldError } from '../../shared/validation';
import { isToolRun } from '../../transport/agent';
import { SESSION_LINK_TO_MODEL, SESSION_LINK_TO_MODEL_NAME } from './constants';

/*
 * A portal session URL is a bearer credential: whoever holds it manages that customer's billing
 * with no login. An AI tool's output goes to the model, and through it to whoever is chatting,
 * who has proven nothing about who they are. So in a tool run the node creates no session unless
 * the workflow author turned the link on, and even then not for a customer the model named.
 */

/** What the model is told whenever this tool makes no link: the same words whoever was named. */
export const NO_LINK_IN_CHAT_ADVICE =
	'Do not call this tool again and do not ask for another e-mail address. Tell the user that for their security billing links are not given out in this chat, and that they can manage their billing by signing in to the billing portal with the e-mail address of their account (they get a one-time code there).';

/**
 * Expressions whose value the model (or the chat user through it) chooses in a tool run: the
 * model's arguments are `$fromAI()` and, in a tool node, also its input item (`$json`, `$input`).
 */
const MODEL_CHOSEN_VALUE = /\$fromAI\s*\(|\$json\b|\$input\b/i;

function chosenByModel(context: IExecuteSingleFunctions, parameter: string): boolean {
	const raw = (context.getNode().parameters ?? {})[parameter];
	if (raw === undefined || raw === null) return false;
	return MODEL_CHOSEN_VALUE.test(typeof raw === 'string' ? raw : JSON.stringify(raw));
}

/** Whether the author turned the link on for the model. Read raw too: the field exists only on the tool variant. */
function linkTurnedOn(context: IExecuteSingleFunctions): boolean {
	let value: unknown;
	try {
		value = context.getNodeParameter(SESSION_LINK_TO_MODEL, false);
	} catch {
		value = (context.getNode().parameters ?? {})[SESSION_LINK_TO_MODEL];
	}
	return value === true;
}

/**
 * Run first by the session's request builder: in a tool run, refuses before any request (so a
 * known and an unknown customer get the same answer, in the same time) unless the link may go to
 * the model.
 */
export function ensureSessionLinkMayReachModel(context: IExecuteSingleFunctions): void {
	if (!isToolRun(context)) return;
	if (!linkTurnedOn(context)) {
		throw fieldError(
			context,
			SESSION_LINK_TO_MODEL_NAME,
			'is off, so as an AI tool this operation creates no portal session: a session link lets whoever holds it manage the customer’s billing without a login',
			'For a chat, use Portal Login Link → Get (Stripe sends a one-time code to the customer’s address), or create the session in a sub-workflow that e-mails the link to the address Stripe has on file and answers the model with a fixed text (README → Security). Turn the option on only when the Customer comes from an identity your workflow has verified itself.',
			NO_LINK_IN_CHAT_ADVICE,
		);
	}
	for (const [parameter, field] of [
		['customer', 'Customer'],
		['customerAccount', 'Customer Account'],
	] as const) {
		if (chosenByModel(context, parameter)) {
			throw fieldError(
				context,
				field,
				`is filled in by the AI model ($fromAI, $json or $input), and ${SESSION_LINK_TO_MODEL_NAME} is on: the session link would go to whoever named the customer`,
				`Take the customer from an identity your workflow has verified itself (e.g. your app’s signed-in session, checked in the workflow), or turn ${SESSION_LINK_TO_MODEL_NAME} off and give chat users Portal Login Link → Get instead.`,
				NO_LINK_IN_CHAT_ADVICE,
			);
		}
	}
}
