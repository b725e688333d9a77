/** Builds the visibility query behind `TokenClient.list`. */
import { credentialStatuses, type CredentialStatus, type ProviderName } from '../credential';
import { InvalidConfigError } from '../errors';

/** Filters of `list`. */
export interface ListFilter {
  status?: CredentialStatus;
  provider?: ProviderName;
}

const providers: readonly ProviderName[] = ['oauth2', 'oauth2_client_credentials', 'wechat', 'wecom'];

/** The list filter as a Temporal visibility query (values checked against their enums: no injection). */
export function listQuery(filter: ListFilter = {}): string {
  const clauses = [`WorkflowType = 'credentialWorkflow'`, `ExecutionStatus = 'Running'`];
  if (filter.status !== undefined) {
    if (!credentialStatuses.includes(filter.status)) throw new InvalidConfigError('status', `must be one of ${credentialStatuses.join(', ')}`);
    clauses.push(`HalflifeStatus = '${filter.status}'`);
  }
  if (filter.provider !== undefined) {
    if (!providers.includes(filter.provider)) throw new InvalidConfigError('provider', `must be one of ${providers.join(', ')}`);
    clauses.push(`HalflifeProvider = '${filter.provider}'`);
  }
  return clauses.join(' AND ');
}
