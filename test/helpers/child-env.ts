/** The environment a spawned worker starts from: what node needs, nothing of this process's secrets. */
export function baseChildEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const k of ['PATH', 'HOME', 'TMPDIR', 'LANG', 'NODE_OPTIONS']) if (process.env[k]) env[k] = process.env[k];
  return env;
}
