import { brokerHosts, isOriginAllowed } from './origin-check';

describe('isOriginAllowed', () => {
  const host = 'broker-1.internal:9092';

  it('by default allows no Origin, the broker host itself and localhost, nothing else', () => {
    expect(isOriginAllowed(undefined, host, null)).toBe(true);
    expect(isOriginAllowed('http://broker-1.internal:9092', host, null)).toBe(true);
    expect(isOriginAllowed('http://localhost:3000', host, null)).toBe(true);
    expect(isOriginAllowed('https://127.0.0.1', host, null)).toBe(true);
    expect(isOriginAllowed('http://[::1]:8080', host, null)).toBe(true);
    expect(isOriginAllowed('http://evil.example', host, null)).toBe(false);
    expect(isOriginAllowed('http://localhost.evil.example', host, null)).toBe(false);
    expect(isOriginAllowed('http://broker-1.internal:9093', host, null)).toBe(false);
    expect(isOriginAllowed('null', host, null)).toBe(false);
    expect(isOriginAllowed('file://', host, null)).toBe(false);
  });

  it('with a list, allows exactly those origins (and the broker host), with * for any', () => {
    const list = ['https://console.example:8443'];
    expect(isOriginAllowed('https://console.example:8443', host, list)).toBe(true);
    expect(isOriginAllowed('http://console.example:8443', host, list)).toBe(false);
    expect(isOriginAllowed('http://localhost:3000', host, list)).toBe(false);
    expect(isOriginAllowed('http://broker-1.internal:9092', host, list)).toBe(true);
    expect(isOriginAllowed('http://evil.example', host, ['*'])).toBe(true);
  });

  it("allows the cluster's other brokers (the console served by one reaches every leader), in both modes", () => {
    const peers = () => brokerHosts(['ws://broker-2.internal:9093', 'wss://Broker-3.internal:9094', 'not a url']);
    expect(peers()).toEqual(['broker-2.internal:9093', 'broker-3.internal:9094']);
    for (const allowed of [null, ['https://console.example:8443']]) {
      expect(isOriginAllowed('http://broker-2.internal:9093', host, allowed, peers)).toBe(true);
      expect(isOriginAllowed('https://broker-3.internal:9094', host, allowed, peers)).toBe(true);
      expect(isOriginAllowed('http://broker-2.internal:9094', host, allowed, peers)).toBe(false);
      expect(isOriginAllowed('http://evil.example', host, allowed, peers)).toBe(false);
    }
  });
});
