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
 * Reads of what the model (or the chat user through it) chooses in a tool run, named in the
 * message when seen: the model's arguments are `$fromAI()` and, in a tool node, its input item
 * (`$json`, `$data`, `$input`, `$item()`, `$thisItem`, `$binary`); `$parameter`, `$rawParameter`
 * and `$tool` read this node's fields, which may hold `$fromAI()`. This only picks the message:
 * what is let through is decided by PLAIN_NODE_READ below, not by this list.
 */
const MODEL_CHOSEN_VALUE = /\$(?:fromAI|json|data|input|item|thisItem|binary|parameter|rawParameter|tool)\b/i;

/** A node's name written as a plain string: no escapes, no `$`, so it names exactly the node it shows. */
const PLAIN_NAME = "'([^'\\\\$\\n]*)'|\"([^\"\\\\$\\n]*)\"|`([^`\\\\$\\n]*)`";
const IDENTIFIER = '[A-Za-z_][A-Za-z0-9_]*';
const NUMBERS = String.raw`(?:\d+\s*(?:,\s*\d+\s*)*)?`;
/** A quoted string without escapes, as a property name or a plain value. */
const QUOTED = String.raw`'[^'\\\n]*'|"[^"\\\n]*"`;
/** One read of a named node, the name captured: `$('Name')`, `$node["Name"]`, `$node.Name`, `$items('Name', 0)`. */
const NODE_READ = String.raw`\$\(\s*(?:${PLAIN_NAME})\s*\)|\$node\s*\[\s*(?:${PLAIN_NAME})\s*\]|\$node\.(${IDENTIFIER})|\$items\(\s*(?:${PLAIN_NAME})\s*(?:,\s*\d+\s*)*\)`;
/**
 * The one kind of expression a Customer may hold in a tool run with the link on: a plain read of
 * one named node, then only property names, indexes and calls without arguments other than
 * numbers (`.item.json.customerId`, `.first().json.id`, `.all()[0]`, `.trim()`). Every other
 * way of writing an expression ($data, a space after `$`, `this[…]`, escapes, a computed name)
 * is refused: an expression is JavaScript, and the node cannot list all the ways JavaScript has
 * to reach the model's input; it can recognise this one, which reaches only the node it names.
 */
const PLAIN_NODE_READ = new RegExp(
	String.raw`^\s*(?:${NODE_READ})(?:\s*\??\.\s*${IDENTIFIER}(?:\s*\(\s*${NUMBERS}\))?|\s*\[\s*(?:\d+|${QUOTED})\s*\])*\s*$`,
);

/** The same reads anywhere in an expression that is refused anyway: which message says why best. */
const NAMED_NODE_ACCESS = new RegExp(NODE_READ, 'g');

/** A segment that is a plain value: a quoted string without escapes, a number, or one of n8n's variables (`$vars`, set by the instance's admins). */
const PLAIN_VALUE = new RegExp(String.raw`^\s*(?:${QUOTED}|\d+|\$vars\s*(?:\.\s*${IDENTIFIER}|\[\s*(?:${QUOTED})\s*\]))\s*$`);

/** Expressions longer than this are not read (a plain node read is far shorter) and count as not plain. */
const EXPRESSION_MAX_LENGTH = 2_000;

type CustomerSource =
	| { kind: 'fixed' }
	| { kind: 'model' }
	| { kind: 'not plain' }
	| { kind: 'trigger'; node: string }
	| { kind: 'workflow'; nodes: string[] };

/** The `{{ … }}` segments of an n8n expression (the text after `=`), or undefined when one is not closed. */
function expressionSegments(template: string): string[] | undefined {
	const segments: string[] = [];
	let from = 0;
	for (;;) {
		const open = template.indexOf('{{', from);
		if (open === -1) return segments;
		const close = template.indexOf('}}', open + 2);
		if (close === -1) return undefined;
		segments.push(template.slice(open + 2, close));
		from = close + 2;
	}
}

/**
 * Where the value of a Customer field comes from, read from the expression the author wrote.
 * A node with no parent is where an execution starts (Chat Trigger, Webhook, Form, Execute
 * Workflow Trigger, …): its data is what whoever started the run sent, its `metadata` included,
 * and proves nothing. Any other node is a step the author put between, such as one that checks
 * a signed token: taking the customer from there, plainly, is the author's statement that it
 * verified them.
 */
function customerSource(context: IExecuteSingleFunctions, raw: unknown): CustomerSource {
	// A resource locator keeps the expression in its value.
	const value = isPlainObject(raw) && 'value' in raw ? raw.value : raw;
	if (value === undefined || value === null || typeof value === 'number' || typeof value === 'boolean') return { kind: 'fixed' };
	// An array or object: n8n resolves every string in it that starts with `=`, and the node reads a
	// one-element array as its element, so `["= {{ $fromAI('email') }}"]` would be the model's.
	if (typeof value !== 'string') return { kind: 'not plain' };
	if (!value.startsWith('=')) return { kind: 'fixed' };
	const template = value.slice(1);
	// A backslash escapes a brace for n8n's splitter (`\{{` is literal text there), which would open
	// its segments where this reading does not: no escape is part of a plain value or read.
	if (template.length > EXPRESSION_MAX_LENGTH || template.includes('\\')) return { kind: 'not plain' };
	const segments = expressionSegments(template);
	if (segments === undefined) return { kind: 'not plain' };
	const nodes: string[] = [];
	for (const segment of segments) {
		if (PLAIN_VALUE.test(segment)) continue;
		const read = PLAIN_NODE_READ.exec(segment);
		if (read) {
			nodes.push(read.slice(1).find((group) => group !== undefined) ?? '');
			continue;
		}
		// Refused either way; these pick the message that says why best.
		if (MODEL_CHOSEN_VALUE.test(segment)) return { kind: 'model' };
		for (const match of segment.matchAll(NAMED_NODE_ACCESS)) {
			const name = match.slice(1).find((group) => group !== undefined) ?? '';
			if (!hasParents(context, name)) return { kind: 'trigger', node: name };
		}
		return { kind: 'not plain' };
	}
	for (const name of nodes) {
		if (!hasParents(context, name)) return { kind: 'trigger', node: name };
	}
	return nodes.length === 0 ? { kind: 'fixed' } : { kind: 'workflow', nodes };
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
				? `is filled in by the AI model ($fromAI, $json, $data, $input), and ${SESSION_LINK_TO_MODEL_NAME} is on: the session link would go to whoever named the customer`
				: source.kind === 'trigger'
					? `is taken from ${quoteValue(source.node)}, where the execution starts (what whoever started it sent, a chat's metadata included), and ${SESSION_LINK_TO_MODEL_NAME} is on: the session link would go to whoever named the customer`
					: source.kind === 'not plain'
						? `is an expression other than a plain read of one node (a computed node name, anything added to the read), and ${SESSION_LINK_TO_MODEL_NAME} is on: the node cannot tell whether whoever is chatting chose its value, so it creates no session`
						: undefined;
		if (problem !== undefined) {
			throw fieldError(
				context,
				field,
				problem,
				`Take the customer from a node of your workflow that verified who the chat user is (e.g. one that checks your app’s signed session token), read plainly as in {{ $('Verify Session').item.json.customerId }} (nothing else in the expression: do any reshaping in that node), or turn ${SESSION_LINK_TO_MODEL_NAME} off. ${FIX_FOR_CHAT}`,
				NO_LINK_IN_CHAT_ADVICE,
			);
		}
	}
}
