/** Workflow entry point bundled for the worker: every workflow type Halflife registers. */
export { credentialWorkflow } from './credential-workflow';
export { connectSessionWorkflow } from './connect/connect-session-workflow';
