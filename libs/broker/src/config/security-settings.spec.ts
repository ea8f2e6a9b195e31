import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ConfigError, loadBrokerConfig } from './broker-config';

describe('security settings (TLS, Redis TLS, quotas, connection rate)', () => {
  const base = { BROKER_ID: '1', PORT: '9092', DATA_DIR: '/tmp/x' };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-security-spec-'));
  const file = path.join(dir, 'some.pem');
  fs.writeFileSync(file, 'not checked here');
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('defaults to no TLS, no client certificates and no quotas', () => {
    expect(loadBrokerConfig(base).security).toEqual({ tlsClientAuth: 'none' });
  });

  it('reads TLS, quota and connection-rate settings', () => {
    const c = loadBrokerConfig({
      ...base,
      TLS_CERT_PATH: file,
      TLS_KEY_PATH: file,
      TLS_CA_PATH: file,
      TLS_CLIENT_AUTH: 'required',
      REDIS_URL: 'rediss://user:pw@redis:6380',
      REDIS_TLS_CA_PATH: file,
      QUOTA_PRODUCER_BYTE_RATE: '1048576',
      QUOTA_CONSUMER_BYTE_RATE: '2097152',
      QUOTA_REQUEST_RATE: '100',
      MAX_CONNECTION_CREATION_RATE: '20',
    });
    expect(c.redisUrl).toBe('rediss://user:pw@redis:6380');
    expect(c.security).toEqual({
      tlsCertPath: file,
      tlsKeyPath: file,
      tlsCaPath: file,
      tlsClientAuth: 'required',
      redisTlsCaPath: file,
      quotaProducerByteRate: 1048576,
      quotaConsumerByteRate: 2097152,
      quotaRequestRate: 100,
      maxConnectionCreationRate: 20,
    });
  });

  it.each([
    [{ TLS_CERT_PATH: file }, /TLS_CERT_PATH and TLS_KEY_PATH must be set together/],
    [{ TLS_CLIENT_AUTH: 'required' }, /TLS_CLIENT_AUTH='required' needs TLS/],
    [{ TLS_CERT_PATH: file, TLS_KEY_PATH: file, TLS_CLIENT_AUTH: 'requested' }, /needs TLS_CA_PATH/],
    [{ TLS_CERT_PATH: file, TLS_KEY_PATH: path.join(dir, 'missing.pem') }, /TLS_KEY_PATH='.*missing.pem': cannot read the file/],
    [{ TLS_CLIENT_AUTH: 'sometimes' }, /TLS_CLIENT_AUTH='sometimes'/],
    [{ QUOTA_PRODUCER_BYTE_RATE: '0' }, /QUOTA_PRODUCER_BYTE_RATE='0'/],
    [{ MAX_CONNECTION_CREATION_RATE: 'many' }, /MAX_CONNECTION_CREATION_RATE='many'/],
  ])('refuses %j', (env, message) => {
    expect(() => loadBrokerConfig({ ...base, ...env })).toThrow(ConfigError);
    expect(() => loadBrokerConfig({ ...base, ...env })).toThrow(message);
  });
});
