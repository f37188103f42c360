import type { IExecuteData, IExecuteSingleFunctions, IHttpRequestOptions, INode } from 'n8n-workflow';

import { NODE_TYPE_NAME } from '../shared/constants';
import { withoutClosingDots } from '../shared/quote';
import { fixOf } from '../shared/validation';

interface NodeContext {
	getNode: () => INode;
	getExecuteData?: () => IExecuteData;
}

/**
 * The node a context runs, for reading its type and ID (never to change: it may be n8n's own).
 * getNode() copies the whole node, parameters and all, and was asked for several times an item:
 * a plain run's execute data holds the very node it runs, so that one is read instead. Anything
 * else (a tool call, whose execute data may be the agent's) asks getNode(), once a call.
 */
export function nodeOf(context: NodeContext): INode {
	let node: INode | undefined;
	try {
		node = context.getExecuteData?.()?.node;
	} catch {
		node = undefined;
	}
	return node !== undefined && typeof node.type === 'string' && node.type.endsWith(`.${NODE_TYPE_NAME}`) ? node : context.getNode();
}

/** n8n names the AI-tool variant of a node `<type>Tool`; the node runs as an agent's tool then. */
export function isToolRun(context: NodeContext): boolean {
	try {
		return nodeOf(context).type.endsWith('Tool');
	} catch {
		return false;
	}
}

/**
 * An AI agent reads only an error's message, never its description, where the node says what to
 * do. When the node runs as a tool, the fix kept on the error is added to the message, so that a
 * model learns what went wrong and the one thing to do next (ask for another e-mail, tell the
 * user the portal is not set up, wait and retry) from the message alone.
 */
export function forAgents<E>(context: NodeContext, error: E): E {
	if (!isToolRun(context) || !(error instanceof Error)) return error;
	const fix = fixOf(error);
	const advice = (fix?.agent ?? fix?.user ?? '').trim();
	if (advice === '' || error.message.includes(advice)) return error;
	error.message = `${withoutClosingDots(error.message)}. ${advice}`;
	return error;
}

type PreSend = (this: IExecuteSingleFunctions, requestOptions: IHttpRequestOptions) => Promise<IHttpRequestOptions>;

/** The request builder a resource wrote, behind the wrapper that words its errors for agents. */
export const REQUEST_BUILDER = Symbol('requestBuilder');

/**
 * A resource's request builder (preSend) whose errors are worded for agents too. n8n runs
 * preSend hooks before the request's pagination hook, so their field errors never pass through
 * the transport's own wording: each builder is wrapped where the resource routes it.
 */
export function agentReadable(builder: PreSend): PreSend & { [REQUEST_BUILDER]: PreSend } {
	const wrapped = async function (this: IExecuteSingleFunctions, requestOptions: IHttpRequestOptions) {
		try {
			return await builder.call(this, requestOptions);
		} catch (error) {
			throw forAgents(this, error);
		}
	};
	return Object.assign(wrapped, { [REQUEST_BUILDER]: builder });
}
