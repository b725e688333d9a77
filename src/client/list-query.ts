/** The visibility query behind `TokenClient.list`, and the listing itself. */
import type { Client } from '@temporalio/client';
import { credentialStatuses, type CredentialStatus, type ProviderName } from '../credential';
import { InvalidConfigError } from '../errors';
import { isProviderName, providerNames } from '../providers/names';
import { credentialIdOf } from '../messages';
import { expiresAtSearchAttribute, providerSearchAttribute, statusSearchAttribute } from '../search-attributes';

/** One row of `list`. */
export interface CredentialSummary {
  id: string;
  status?: CredentialStatus;
  provider?: ProviderName;
  expiresAt?: number;
}

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

/** The running credentials that match `filter`, sorted by id. */
export async function listCredentials(client: Client, filter: ListFilter = {}): Promise<CredentialSummary[]> {
  const rows: CredentialSummary[] = [];
  for await (const info of client.workflow.list({ query: listQuery(filter) })) {
    const id = credentialIdOf(info.workflowId);
    if (!id) continue;
    const expiresAt = info.typedSearchAttributes.get(expiresAtSearchAttribute);
    rows.push({
      id,
      status: info.typedSearchAttributes.get(statusSearchAttribute) as CredentialStatus | undefined,
      provider: info.typedSearchAttributes.get(providerSearchAttribute) as ProviderName | undefined,
      ...(expiresAt ? { expiresAt: expiresAt.getTime() } : {}),
    });
  }
  return rows.sort((a, b) => a.id.localeCompare(b.id));
}
