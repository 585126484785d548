import { Logger } from '@nestjs/common';
import { IceServerConfigService } from '../../src/signaling/ice/ice-server-config.service';
import { resolveSignalingOptions } from '../../src/signaling/signaling-options';
import type { SignalingModuleOptions } from '../../src/signaling/signaling-options.interface';

describe('IceServerConfigService: URIs the JS SDK ignores', () => {
  let warn: jest.SpyInstance;
  beforeEach(() => {
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });
  afterEach(() => warn.mockRestore());

  const build = (options: SignalingModuleOptions) => new IceServerConfigService(resolveSignalingOptions(options));

  it.each([
    [{ stunServerUri: 'stuns:stun.example.org:5349' }, /stunServerUri "stuns:stun\.example\.org:5349" starts with "stuns:"/],
    [{ turn: { uri: 'turns:turn.example.org:5349', username: 'u', credential: 'c' } }, /turn\.uri "turns:turn\.example\.org:5349" starts with "turns:"/],
  ])('warns at startup about %j, and still answers with it', (options, message) => {
    const service = build(options);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0][0]).toMatch(message);
    expect(warn.mock.calls[0][0]).toMatch(/JS SDK ignores/);
    expect(JSON.parse(service.frameFor('c1') as string)).toMatchObject({ command: 'iceServerConfig' });
  });

  it.each([{ stunServerUri: 'stun:stun.example.org' }, { turn: { uri: 'turn:turn.example.org', secret: 's' } }, {}])(
    'does not warn about %j',
    (options) => {
      build(options);
      expect(warn).not.toHaveBeenCalled();
    },
  );
});
