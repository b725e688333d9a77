/** Builds the visibility query behind `TokenClient.list`. */
import { credentialStatuses, type CredentialStatus, type ProviderName } from '../credential';
import { InvalidConfigError } from '../errors';
import { isProviderName, providerNames } from '../providers/names';

/** Filters of `list`. */
export interface ListFilter {
  status?: CredentialStatus;
  provider?: ProviderName;
}

/** The list filter as a Temporal visibility query (values checked against their enums: no injection). */
export function listQuery(filter: ListFilter = {}): string {
  const clauses = [`WorkflowType = 'credentialWorkflow'`, `ExecutionStatus = 'Running'`];
  if (filter.status !== undefined) {
    if (!credentialStatuses.includes(filter.status)) throw new InvalidConfigError('status', `must be one of ${credentialStatuses.join(', ')}`);
    clauses.push(`HalflifeStatus = '${filter.status}'`);
  }
  if (filter.provider !== undefined) {
    if (!isProviderName(filter.provider)) throw new InvalidConfigError('provider', `must be one of ${providerNames.join(', ')}`);
    clauses.push(`HalflifeProvider = '${filter.provider}'`);
  }
  return clauses.join(' AND ');
}
