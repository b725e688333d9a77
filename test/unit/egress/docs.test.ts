/** docs/egress.md documents every rule, both settings, and every built-in metadata and loopback address and name. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { egressAllowVariable, egressDenyVariable, egressRules } from '../../../src/egress';
import { metadataAddresses } from '../../../src/egress/address';
import { loopbackHostNames, metadataHostNames } from '../../../src/egress/names';

const doc = readFileSync(path.join(__dirname, '../../../docs/egress.md'), 'utf8');
const tableRules = [...doc.matchAll(/^\| `([a-z_]+)` \|/gm)].map((m) => m[1]);

test('the rule table lists exactly the rules of src/egress/rules.ts', () => {
  expect(tableRules.sort()).toEqual(Object.keys(egressRules).sort());
});

test.each([egressAllowVariable, egressDenyVariable, ...metadataAddresses, ...metadataHostNames, ...loopbackHostNames])('mentions `%s`', (text) => {
  expect(doc).toContain(`\`${text}\``);
});
