import { z } from 'zod';
import { requestParser } from './request-parser';
import type { DescribeJobRequest, ListJobsRequest } from './job-messages';

/** Admin job request shapes, checked at the gateway like every other request. */
const listJobs = z.object({ limit: z.number().int().min(1).max(1000).optional() });
// BullMQ ids: ours are `<type>-<uuid>` or its own integers; never a ':' (a key separator).
const describeJob = z.object({ jobId: z.string().regex(/^[A-Za-z0-9._-]{1,200}$/, 'use 1 to 200 of [A-Za-z0-9._-]') });

export const parseJobRequest = {
  listJobs: requestParser<ListJobsRequest>('listJobs', listJobs),
  describeJob: requestParser<DescribeJobRequest>('describeJob', describeJob),
};
