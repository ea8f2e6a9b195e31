import { ErrorCode } from '@tributary/protocol';
import { InvalidConfigError } from '../errors';
import { normalizeBrokerAddress, normalizeBrokerList } from './broker-address';

describe('normalizeBrokerAddress', () => {
  it('reads host:port as ws://host:port, as Kafka users write it', () => {
    expect(normalizeBrokerAddress('localhost:9092')).toBe('ws://localhost:9092');
    expect(normalizeBrokerAddress(' 127.0.0.1:9092 ')).toBe('ws://127.0.0.1:9092');
    expect(normalizeBrokerAddress('[::1]:9092')).toBe('ws://[::1]:9092');
  });

  it('keeps ws:// and wss://, in the canonical form brokers advertise (no trailing slash)', () => {
    expect(normalizeBrokerAddress('ws://broker-1:9092')).toBe('ws://broker-1:9092');
    expect(normalizeBrokerAddress('ws://broker-1:9092/')).toBe('ws://broker-1:9092');
    expect(normalizeBrokerAddress('WSS://Broker-1.example.com:443')).toBe('wss://broker-1.example.com');
    expect(normalizeBrokerAddress('wss://b.example.com:9093')).toBe('wss://b.example.com:9093');
  });

  it.each(['http://localhost:9092', 'https://localhost:9092', 'tcp://localhost:9092', 'kafka://localhost:9092', 'PLAINTEXT://localhost:9092'])(
    'refuses the scheme of %s with a message naming the address and the forms accepted',
    (address) => {
      const err = catchError(() => normalizeBrokerAddress(address));
      expect(err).toBeInstanceOf(InvalidConfigError);
      expect(err.code).toBe(ErrorCode.INVALID_CONFIG);
      expect(err.retriable).toBe(false);
      expect(err.option).toBe('brokers');
      expect(err.message).toContain(`'${address}'`);
      expect(err.message).toMatch(/scheme '.*:\/\/' is not supported; use host:port, ws:\/\/host:port or wss:\/\/host:port/);
    },
  );

  it.each([
    ['', /empty/],
    ['localhost', /port is missing/],
    ['localhost:99999', /expected host:port/],
    ['localhost:0', /port 0/],
    ['ws://h:9092/orders', /no path, query or fragment/],
    ['ws://h:9092?x=1', /no path, query or fragment/],
    ['ws://user:pw@h:9092', /credentials/],
    ['h:9092, h2:9092', /expected host:port/],
    ['::::', /expected host:port/],
  ])('refuses %j as malformed (%s)', (address, why) => {
    const err = catchError(() => normalizeBrokerAddress(address));
    expect(err).toBeInstanceOf(InvalidConfigError);
    expect(err.message).toMatch(why);
    expect(err.message).toContain('is not a broker address');
  });

  it('normalises a list, dropping duplicates but keeping the order given', () => {
    expect(normalizeBrokerList(['b:2', 'ws://a:1', 'ws://b:2/', 'a:1'])).toEqual(['ws://b:2', 'ws://a:1']);
  });
});

function catchError(fn: () => unknown): InvalidConfigError {
  try {
    fn();
  } catch (err) {
    return err as InvalidConfigError;
  }
  throw new Error('expected an error');
}
