import { describe, expect, it } from '@jest/globals';
import { noEngagementBait } from '@tributary/plugins-no-engagement-bait';
import { quietAccountsBoost } from '@tributary/plugins-quiet-accounts-boost';
import { loadTrustedPlugins, TrustedPluginError } from './trusted-plugins.js';

describe('loadTrustedPlugins', () => {
  it('finds every plugin definition a listed package exports', async () => {
    const plugins = await loadTrustedPlugins([
      '@tributary/plugins-no-engagement-bait',
      '@tributary/plugins-quiet-accounts-boost',
    ]);
    expect(plugins.map((p) => [p.packageName, p.definition])).toEqual([
      ['@tributary/plugins-no-engagement-bait', noEngagementBait],
      ['@tributary/plugins-quiet-accounts-boost', quietAccountsBoost],
    ]);
  });

  it('stops with a message naming the package when it cannot be loaded or exports no plugin', async () => {
    const missing = loadTrustedPlugins(['@tributary/no-such-package']);
    await expect(missing).rejects.toBeInstanceOf(TrustedPluginError);
    await expect(missing).rejects.toThrow(
      'TRUSTED_PLUGINS: cannot load package "@tributary/no-such-package"',
    );
    await expect(
      loadTrustedPlugins(['not-a-plugin'], () => Promise.resolve({ helper: () => 1, data: { name: 'x' } })),
    ).rejects.toThrow('package "not-a-plugin" exports no plugin');
  });

  it('refuses two packages exporting the same name and version', async () => {
    await expect(loadTrustedPlugins(['a', 'b'], () => Promise.resolve({ noEngagementBait }))).rejects.toThrow(
      'community/no-engagement-bait@1.0.0 is exported by both "a" and "b"',
    );
  });
});
