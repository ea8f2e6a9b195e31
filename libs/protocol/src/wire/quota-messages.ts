import { z } from 'zod';
import { requestParser } from './request-parser';
import type { ResponseBase } from './messages';

/**
 * Client quotas, Kafka's model: an entity is a principal (`User:alice`), a client id, or both;
 * the most specific entry that names a connection's principal and client id applies
 * (user+client-id, then user, then client-id, then the broker's defaults).
 */
export interface QuotaEntity {
  /** `User:<name>`; absent: any principal */
  principal?: string;
  /** absent: any client id */
  clientId?: string;
}

/** Rates per broker, as in Kafka; absent means no override (the next entry or the default applies). */
export interface QuotaValues {
  /** produce request bytes per second (Kafka's producer_byte_rate) */
  producerByteRate?: number;
  /** fetch response bytes per second (consumer_byte_rate) */
  consumerByteRate?: number;
  /** requests per second, of any kind */
  requestRate?: number;
}

export const QUOTA_KEYS = ['producerByteRate', 'consumerByteRate', 'requestRate'] as const;
export type QuotaKey = (typeof QUOTA_KEYS)[number];

export interface ClientQuotaEntry {
  entity: QuotaEntity;
  values: QuotaValues;
}

export interface AlterClientQuotasRequest {
  entries: Array<{
    entity: QuotaEntity;
    /** a number sets the rate; null removes that override */
    values: Partial<Record<QuotaKey, number | null>>;
  }>;
}

export type AlterClientQuotasResponse = ResponseBase;

export interface DescribeClientQuotasRequest {
  /** only entries for this entity (exactly); absent: every entry */
  entity?: QuotaEntity;
}

export interface DescribeClientQuotasResponse extends ResponseBase {
  entries: ClientQuotaEntry[];
}

/** Who the broker takes this connection to be. */
export interface DescribeConnectionResponse extends ResponseBase {
  principal: string;
  clientId: string;
  /** the client certificate the connection presented, when it was verified (mTLS) */
  certificate: { subject: string; serialNumber: string } | null;
  /** the quotas that apply to this connection (absent: unlimited) */
  quotas: QuotaValues;
}

const principal = z
  .string()
  .regex(/^User:.{1,255}$/, "a principal is 'User:<name>'")
  .optional();
const clientId = z
  .string()
  .regex(/^[a-zA-Z0-9._-]{1,249}$/, 'a client id is 1 to 249 of [a-zA-Z0-9._-]')
  .optional();
const entity = z.object({ principal, clientId }).strict();
const rate = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);

const alterClientQuotas = z.object({
  entries: z
    .array(
      z.object({
        entity,
        values: z.object({ producerByteRate: rate.nullish(), consumerByteRate: rate.nullish(), requestRate: rate.nullish() }).strict(),
      }),
    )
    .min(1)
    .max(1000),
});
const describeClientQuotas = z.object({ entity: entity.optional() });

export const parseQuotaRequest = {
  alterClientQuotas: requestParser<AlterClientQuotasRequest>('alterClientQuotas', alterClientQuotas),
  describeClientQuotas: requestParser<DescribeClientQuotasRequest>('describeClientQuotas', describeClientQuotas),
};
