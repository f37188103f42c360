import type { IExecuteSingleFunctions } from 'n8n-workflow';

import { quoteValue } from '../../shared/quote';
import { fieldError } from '../../shared/validation';
import { isPlainObject } from '../../shared/values';
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
 * model's arguments are `$fromAI()` and, in a tool node, also its input item (`$json`, `$input`,
 * `$item()`, `$binary`); `$parameter` reads this node's other fields, which may be `$fromAI()`.
 */
const MODEL_CHOSEN_VALUE = /\$fromAI\s*\(|\$json\b|\$input\b|\$item\s*\(|\$binary\b|\$parameter\b/i;

/** Any read of another node's output: `$('Name')`, `$node[…]` / `$node.Name`, `$items(…)`. */
const NODE_ACCESS = /\$\(|\$node\b|\$items\s*\(/g;

/** The same reads when they name the node with a plain string, the name captured. */
const NAMED_NODE_ACCESS =
	/\$\(\s*(?:'([^'\\]*)'|"([^"\\]*)"|`([^`\\$]*)`)\s*\)|\$node\s*(?:\[\s*(?:'([^'\\]*)'|"([^"\\]*)")\s*\]|\.([A-Za-z_$][\w$]*))|\$items\s*\(\s*(?:'([^'\\]*)'|"([^"\\]*)")/g;

type CustomerSource =
	| { kind: 'fixed' }
	| { kind: 'model' }
	| { kind: 'dynamic node' }
	| { kind: 'trigger'; node: string }
	| { kind: 'workflow'; nodes: string[] };

/**
 * Where the value of a Customer field comes from, read from the expression the author wrote.
 * A node with no parent is where an execution starts (Chat Trigger, Webhook, Form, Execute
 * Workflow Trigger, …): its data is what whoever started the run sent, its `metadata` included,
 * and proves nothing. Any other node is a step the author put between, such as one that checks
 * a signed token: taking the customer from there is the author's statement that it verified them.
 */
function customerSource(context: IExecuteSingleFunctions, raw: unknown): CustomerSource {
	// A resource locator keeps the expression in its value; as JSON its quotes would be escaped.
	const value = isPlainObject(raw) && 'value' in raw ? raw.value : raw;
	if (value === undefined || value === null) return { kind: 'fixed' };
	const text = typeof value === 'string' ? value : JSON.stringify(value);
	if (!text.includes('=')) return { kind: 'fixed' };
	if (MODEL_CHOSEN_VALUE.test(text)) return { kind: 'model' };
	const accesses = text.match(NODE_ACCESS)?.length ?? 0;
	if (accesses === 0) return { kind: 'fixed' };
	const names = [...text.matchAll(NAMED_NODE_ACCESS)].map((match) => match.slice(1).find((group) => group !== undefined) ?? '');
	// A node named by a computed value could be any node, the trigger included.
	if (names.length < accesses) return { kind: 'dynamic node' };
	for (const name of names) {
		if (!hasParents(context, name)) return { kind: 'trigger', node: name };
	}
	return { kind: 'workflow', nodes: names };
}

/** Whether a node has a parent in the workflow; false for a start node, for a name no node has, and on a host that cannot tell. */
function hasParents(context: IExecuteSingleFunctions, name: string): boolean {
	if (typeof context.getParentNodes !== 'function') return false;
	try {
		return context.getParentNodes(name, { depth: 1 }).length > 0;
	} catch {
		return false;
	}
}

/**
 * Whether the author turned the link on for the model: only the switch itself, set in the editor,
 * counts. An expression there could be the model's own choice ($fromAI), so it counts as off.
 */
function linkSwitch(context: IExecuteSingleFunctions): 'on' | 'off' | 'expression' {
	const raw = (context.getNode().parameters ?? {})[SESSION_LINK_TO_MODEL];
	if (raw === true) return 'on';
	return typeof raw === 'string' && raw.startsWith('=') ? 'expression' : 'off';
}

const FIX_FOR_CHAT =
	'For a chat, use Portal Login Link → Get (Stripe sends a one-time code to the customer’s address), or create the session in a sub-workflow that e-mails the link to the address Stripe has on file and answers the model with a fixed text (README → Security).';

/**
 * Run first by the session's request builder: in a tool run, refuses before any request (so a
 * known and an unknown customer get the same answer, in the same time) unless the link may go to
 * the model.
 */
export function ensureSessionLinkMayReachModel(context: IExecuteSingleFunctions): void {
	if (!isToolRun(context)) return;
	const linkSwitchIs = linkSwitch(context);
	if (linkSwitchIs !== 'on') {
		throw fieldError(
			context,
			SESSION_LINK_TO_MODEL_NAME,
			linkSwitchIs === 'expression'
				? 'is an expression, so as an AI tool this operation creates no portal session: only the switch itself, turned on in the editor, lets a session link reach the model, never a value the model could choose'
				: 'is off, so as an AI tool this operation creates no portal session: a session link lets whoever holds it manage the customer’s billing without a login',
			`${FIX_FOR_CHAT} Turn the option on only when the Customer comes from an identity your workflow has verified itself.`,
			NO_LINK_IN_CHAT_ADVICE,
		);
	}
	const parameters = context.getNode().parameters ?? {};
	for (const [parameter, field] of [
		['customer', 'Customer'],
		['customerAccount', 'Customer Account'],
	] as const) {
		const source = customerSource(context, parameters[parameter]);
		const problem =
			source.kind === 'model'
				? `is filled in by the AI model ($fromAI, $json, $input), and ${SESSION_LINK_TO_MODEL_NAME} is on: the session link would go to whoever named the customer`
				: source.kind === 'trigger'
					? `is taken from ${quoteValue(source.node)}, where the execution starts (what whoever started it sent, a chat's metadata included), and ${SESSION_LINK_TO_MODEL_NAME} is on: the session link would go to whoever named the customer`
					: source.kind === 'dynamic node'
						? `reads a node whose name is computed, which could be the trigger, and ${SESSION_LINK_TO_MODEL_NAME} is on: the session link would go to whoever named the customer`
						: undefined;
		if (problem !== undefined) {
			throw fieldError(
				context,
				field,
				problem,
				`Take the customer from a node of your workflow that verified who the chat user is (e.g. one that checks your app’s signed session token), named plainly as in {{ $('Verify Session').item.json.customerId }}, or turn ${SESSION_LINK_TO_MODEL_NAME} off. ${FIX_FOR_CHAT}`,
				NO_LINK_IN_CHAT_ADVICE,
			);
		}
	}
}
