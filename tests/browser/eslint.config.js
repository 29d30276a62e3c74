// ESLint (flat config) over the client widget: native ES modules in the browser, no build step.
// `make lint` runs it from the repository root with `--config`, so the paths are the root's.
import js from "@eslint/js";
import globals from "globals";

const WIDGET = "services/gateway/src/regulars/gateway/widget";

export default [
  {
    files: [`${WIDGET}/**/*.js`],
    ...js.configs.recommended,
    languageOptions: { ecmaVersion: 2022, sourceType: "module", globals: globals.browser },
    rules: {
      ...js.configs.recommended.rules,
      "no-unused-vars": ["error", { args: "none", caughtErrors: "none" }],
      eqeqeq: "error",
      "no-var": "error",
      "prefer-const": ["error", { destructuring: "all" }],
    },
  },
  // The service worker and the button script for the business's own site are classic scripts.
  {
    files: [`${WIDGET}/sw.js`],
    languageOptions: { sourceType: "script", globals: globals.serviceworker },
  },
  {
    files: [`${WIDGET}/embed.js`],
    languageOptions: { sourceType: "script" },
  },
];
