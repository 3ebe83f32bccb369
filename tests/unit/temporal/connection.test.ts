import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveConnection } from '../../../src/temporal/connection';

// Precedence as the README states it (the envconfig convention): flag > TEMPORAL_* environment > profile file
// (temporal.toml, chosen by TEMPORAL_CONFIG_FILE / TEMPORAL_PROFILE) > the config's `temporal:` section > defaults.
const dir = mkdtempSync(join(tmpdir(), 'rloop-conn-'));
const profileFile = join(dir, 'temporal.toml');
writeFileSync(
  profileFile,
  [
    '[profile.default]',
    'address = "profile-default:7233"',
    'namespace = "ns-profile-default"',
    '',
    '[profile.staging]',
    'address = "profile-staging:7233"',
    'namespace = "ns-profile-staging"',
    '',
  ].join('\n'),
);
// A profile file without a default profile (envconfig rejects a file with no profile table at all).
const emptyFile = join(dir, 'other.toml');
writeFileSync(emptyFile, '[profile.other]\naddress = "other:7233"\n');

const fromConfig = { address: 'config:7233', namespace: 'ns-config' };

describe('resolveConnection precedence', () => {
  it('a flag wins over everything', () => {
    const env = { TEMPORAL_CONFIG_FILE: profileFile, TEMPORAL_ADDRESS: 'env:7233', TEMPORAL_NAMESPACE: 'ns-env' };
    const r = resolveConnection({ address: 'flag:7233', namespace: 'ns-flag' }, fromConfig, env);
    expect(r.options.address).toBe('flag:7233');
    expect(r.namespace).toBe('ns-flag');
  });

  it('the environment wins over the profile file and the config', () => {
    const env = { TEMPORAL_CONFIG_FILE: profileFile, TEMPORAL_ADDRESS: 'env:7233', TEMPORAL_NAMESPACE: 'ns-env' };
    const r = resolveConnection({}, fromConfig, env);
    expect(r.options.address).toBe('env:7233');
    expect(r.namespace).toBe('ns-env');
  });

  it("the profile file's default profile wins over the config's temporal: section", () => {
    const r = resolveConnection({}, fromConfig, { TEMPORAL_CONFIG_FILE: profileFile });
    expect(r.options.address).toBe('profile-default:7233');
    expect(r.namespace).toBe('ns-profile-default');
  });

  it('TEMPORAL_PROFILE picks another profile of the file, still above the config', () => {
    const r = resolveConnection({}, fromConfig, { TEMPORAL_CONFIG_FILE: profileFile, TEMPORAL_PROFILE: 'staging' });
    expect(r.options.address).toBe('profile-staging:7233');
    expect(r.namespace).toBe('ns-profile-staging');
  });

  it("the config's temporal: section applies when no flag, environment or profile sets a value", () => {
    const r = resolveConnection({}, fromConfig, { TEMPORAL_CONFIG_FILE: emptyFile });
    expect(r.options.address).toBe('config:7233');
    expect(r.namespace).toBe('ns-config');
  });

  it('defaults to localhost:7233 / default', () => {
    const r = resolveConnection({}, {}, { TEMPORAL_CONFIG_FILE: emptyFile });
    expect(r.options.address).toBe('localhost:7233');
    expect(r.namespace).toBe('default');
  });

  it('levels mix per field: an env namespace with a profile address', () => {
    const env = { TEMPORAL_CONFIG_FILE: profileFile, TEMPORAL_NAMESPACE: 'ns-env' };
    const r = resolveConnection({}, fromConfig, env);
    expect(r.options.address).toBe('profile-default:7233');
    expect(r.namespace).toBe('ns-env');
  });
});

describe('the profile file itself', () => {
  const write = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  it('an empty temporal.toml is no profile: the config and the defaults apply', () => {
    for (const text of ['', '\n', '# nothing here yet\n']) {
      const file = write('empty.toml', text);
      expect(resolveConnection({}, fromConfig, { TEMPORAL_CONFIG_FILE: file }).options.address, text).toBe(
        'config:7233',
      );
      const r = resolveConnection({}, {}, { TEMPORAL_CONFIG_FILE: file, TEMPORAL_NAMESPACE: 'ns-env' });
      expect([r.options.address, r.namespace]).toEqual(['localhost:7233', 'ns-env']);
    }
  });

  it('a malformed temporal.toml is a clear error naming the file', () => {
    const file = write('broken.toml', '[profile.default\naddress = "x:7233"\n');
    expect(() => resolveConnection({}, fromConfig, { TEMPORAL_CONFIG_FILE: file })).toThrow(
      new RegExp(`^Temporal profile file ${file.replaceAll('.', '\\.')}: `),
    );
  });

  it('TEMPORAL_PROFILE naming a profile that an empty file lacks is an error naming the file and profile', () => {
    const file = write('empty2.toml', '');
    expect(() => resolveConnection({}, {}, { TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'prod' })).toThrow(
      `Temporal profile file ${file}: TEMPORAL_PROFILE=prod, but the file has no profiles`,
    );
  });

  it('a file without a [profile.*] table is an error naming the file', () => {
    const file = write('noprofile.toml', 'address = "x:7233"\n');
    expect(() => resolveConnection({}, {}, { TEMPORAL_CONFIG_FILE: file })).toThrow(
      `Temporal profile file ${file}: no [profile.<name>] table`,
    );
  });

  it('a missing file is no profile', () => {
    const r = resolveConnection({}, fromConfig, { TEMPORAL_CONFIG_FILE: join(dir, 'absent.toml') });
    expect(r.options.address).toBe('config:7233');
  });
});
