import { describe, expect, it } from '@jest/globals';
import { openDatabase } from './database.js';

describe('openDatabase', () => {
  it('says what is missing when given neither a URL nor a data folder', async () => {
    await expect(openDatabase({})).rejects.toThrow('openDatabase needs either a PostgreSQL url or a dataDir');
    await expect(openDatabase({ url: null })).rejects.toThrow(/dataDir/);
  });
});
