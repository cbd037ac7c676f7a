import base from './eslint.config.js';
export default base.map((c) => (c.files && c.files[0] === '**/*.ts' && c.languageOptions?.parserOptions?.projectService ? { ...c, languageOptions: {}, rules: {} } : c));
