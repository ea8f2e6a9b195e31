import {
  Events,
  type AlterClientQuotasRequest,
  type AlterClientQuotasResponse,
  type ClientQuotaEntry,
  type DescribeClientQuotasRequest,
  type DescribeClientQuotasResponse,
  type DescribeConnectionResponse,
  type QuotaEntity,
} from '@tributary/protocol';
import type { Cluster } from '../cluster/cluster';
import { retry } from '../retry/retrier';

/** What a broker says about the connection it holds from this client. */
export type ConnectionDescription = Omit<DescribeConnectionResponse, 'errorCode' | 'errorMessage' | 'throttleTimeMs'>;

/** Sets (a number) or removes (null) quota overrides; any broker stores them, every broker applies them within a second. */
export async function alterClientQuotas(cluster: Cluster, entries: AlterClientQuotasRequest['entries']): Promise<void> {
  await cluster.connect();
  const request: AlterClientQuotasRequest = { entries };
  // Setting a rate to a value is idempotent, so a retry after a lost answer is safe.
  await retry(
    () => cluster.controllerConnection().request<AlterClientQuotasRequest, AlterClientQuotasResponse>(Events.alterClientQuotas, request),
    cluster.retryOptions,
  );
}

export async function describeClientQuotas(cluster: Cluster, entity?: QuotaEntity): Promise<ClientQuotaEntry[]> {
  await cluster.connect();
  const request: DescribeClientQuotasRequest = entity ? { entity } : {};
  const res = await retry(
    () => cluster.controllerConnection().request<DescribeClientQuotasRequest, DescribeClientQuotasResponse>(Events.describeClientQuotas, request),
    cluster.retryOptions,
  );
  return res.entries;
}

export async function describeConnection(cluster: Cluster): Promise<ConnectionDescription> {
  await cluster.connect();
  const res = await retry(
    () => cluster.controllerConnection().request<Record<string, never>, DescribeConnectionResponse>(Events.describeConnection, {}),
    cluster.retryOptions,
  );
  return { principal: res.principal, clientId: res.clientId, certificate: res.certificate, quotas: res.quotas };
}
