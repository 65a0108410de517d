/**
 * generated/acl/acl.json as the runtime relies on it: who may read and write which feature, by consumer
 * and by feature. The catalog checks it against the manifest's own access lists at startup.
 */
import { z } from 'zod';

const access = z.object({ read: z.array(z.string()), write: z.array(z.string()) });

export const aclSchema = z.object({
  consumers: z.record(z.string(), access),
  features: z.record(z.string(), access),
});

export type AclJson = z.infer<typeof aclSchema>;
