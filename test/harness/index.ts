/**
 * Test harness: runs a built n8n community package through n8n's real engine
 * (n8n-core's PackageDirectoryLoader, WorkflowExecute, RoutingNode, LoadOptionsContext).
 * See README.md in this folder.
 */
// env must be first: it points N8N_USER_FOLDER at a temp folder before n8n-core reads it.
import './env';

export {
	loadPackage,
	runNode,
	runWorkflow,
	runListSearch,
	subWorkflowRuns,
	testCredential,
	type LoadedPackage,
	type RunNodeOptions,
	type RunNodeResult,
	type RunningExecution,
	type RunWorkflowOptions,
	type RunWorkflowResult,
	type RunListSearchOptions,
	type TestCredentialOptions,
	type SuppliedCredential,
	type WorkflowJson,
} from './engine';
export { HarnessCredentialsHelper, CredentialNotSuppliedError, type CredentialStore } from './credentials-helper';
export { HarnessNodeTypes, HarnessCredentialTypes } from './types';
export { createStandIns } from './stand-ins';
export {
	scriptChat,
	ScriptedChatModel,
	type ChatScript,
	type ScriptedChat,
	type ChatModelTurn,
	type ChatModelReply,
	type OfferedTool,
	type ToolCall,
	type ToolResult,
} from './ai-stand-ins';
export { toToolVariant, toolVariantOf, isUsableAsTool } from './tool-variant';
export { orphanLogs, withLogCapture } from './logger';
export { TriggerUnderTest, type TriggerOptions, type Delivery, type DeliveryResult } from './webhooks';
export { userFolder, n8nFolder } from './env';
