// The S3 store's config, apart from the store itself so the config schema can embed it without loading the AWS SDK.
import { z } from 'zod';
import { validateKey } from './keys';

export const s3StoreConfigSchema = z
  .strictObject({
    kind: z.literal('s3'),
    bucket: z
      .string()
      .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'an S3 bucket name: 3-63 characters of a-z, 0-9, "." and "-"')
      .describe('Bucket that holds the artifacts; it must already exist.'),
    prefix: z
      .string()
      .refine((p) => prefixError(p) === undefined, { error: (iss) => prefixError(String(iss.input)) })
      .optional()
      .describe('Key prefix inside the bucket, e.g. "rloop/prod"; artifacts live at s3://<bucket>/<prefix>/<key>.'),
    endpoint: z
      .url()
      .optional()
      .describe('Endpoint of an S3-compatible service (MinIO, SeaweedFS, R2, ...); omit for AWS S3.'),
    region: z
      .string()
      .min(1)
      .optional()
      .describe('Region; default AWS_REGION / the AWS profile, or us-east-1 when an endpoint is set.'),
    forcePathStyle: z
      .boolean()
      .optional()
      .describe(
        'Address the bucket as <endpoint>/<bucket> rather than <bucket>.<endpoint>; most S3-compatible servers need it.',
      ),
  })
  .describe(
    'S3-compatible artifact store. Credentials never go here: they come from the AWS SDK default chain ' +
      '(AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, AWS_PROFILE, instance or container roles).',
  );

export type S3StoreConfig = z.infer<typeof s3StoreConfigSchema>;

/** A prefix without leading or trailing '/' ('' for none); it must be a valid key path itself (no '..', no '//'). */
export function normalisePrefix(prefix: string | undefined): string {
  const trimmed = (prefix ?? '').replace(/^\/+|\/+$/g, '');
  return trimmed === '' ? '' : validateKey(trimmed);
}

function prefixError(prefix: string): string | undefined {
  try {
    normalisePrefix(prefix);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}
