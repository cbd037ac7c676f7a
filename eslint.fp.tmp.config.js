import base from './eslint.config.js';
export default base.map((c) => (c.rules && c.rules['@typescript-eslint/no-misused-promises'] ? { ...c, rules: { ...c.rules, '@typescript-eslint/no-misused-promises': 'off' } } : c));
