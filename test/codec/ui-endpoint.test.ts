/** The dev server hands the Web UI the codec endpoint only when one is configured, and refuses a bad one. */
import { devServerArgs } from '../../scripts/lib/dev-server';
import { codecEndpointFromEnv } from '../../codec/ui-endpoint';

const flagValue = (args: string[]) => {
  const i = args.indexOf('--ui-codec-endpoint');
  return i < 0 ? undefined : args[i + 1];
};

test('--ui-codec-endpoint follows UNLOCK_TRADER_CODEC_ENDPOINT', () => {
  const before = process.env.UNLOCK_TRADER_CODEC_ENDPOINT;
  try {
    delete process.env.UNLOCK_TRADER_CODEC_ENDPOINT;
    expect(flagValue(devServerArgs({ ephemeral: true }))).toBeUndefined();
    process.env.UNLOCK_TRADER_CODEC_ENDPOINT = 'http://127.0.0.1:8089';
    expect(flagValue(devServerArgs({ ephemeral: true }))).toBe('http://127.0.0.1:8089');
    expect(flagValue(devServerArgs({ ephemeral: true, codecEndpoint: 'https://codec.example:9000' }))).toBe('https://codec.example:9000');
  } finally {
    if (before === undefined) delete process.env.UNLOCK_TRADER_CODEC_ENDPOINT;
    else process.env.UNLOCK_TRADER_CODEC_ENDPOINT = before;
  }
});

test('a bad endpoint is refused in one line', () => {
  expect(codecEndpointFromEnv({ UNLOCK_TRADER_CODEC_ENDPOINT: ' ' })).toBeUndefined();
  expect(() => codecEndpointFromEnv({ UNLOCK_TRADER_CODEC_ENDPOINT: '127.0.0.1:8089' })).toThrow(/^invalid UNLOCK_TRADER_CODEC_ENDPOINT: must be an http\(s\) URL/);
  expect(() => codecEndpointFromEnv({ UNLOCK_TRADER_CODEC_ENDPOINT: 'http://127.0.0.1:8089/' })).toThrow(/without a trailing/);
});
