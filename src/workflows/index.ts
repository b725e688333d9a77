/** Workflow entry point bundled for the worker: every workflow type Halflife registers. */
export { credentialWorkflow } from './credential-workflow';
export { connectSessionWorkflow } from './connect/connect-session-workflow';
export { webhookRegistryWorkflow } from './webhooks/registry-workflow';
export { webhookDeliveryWorkflow } from './webhooks/delivery-workflow';
export { webhookTestWorkflow } from './webhooks/test-delivery-workflow';
