// Lint for the whole repository. Besides the recommended JavaScript and TypeScript rules it encodes
// the layers of README "Architecture": which folder may import which. A wrong import fails
// `npm run lint` (and so `npm test` and CI) with a message naming the layer rule it breaks.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

// src/ floors, bottom to top: a module may import its own floor and those below, never above.
// (as/shared/ is below them all: constants both compilers read.)
const FLOORS = [
  ["usb"],
  ["core", "capture", "descriptors"],
  ["packets"],
  ["transfers", "urb"],
  ["devices"],
  ["classes"],
  ["rules"],
  ["filter"],
  ["verify", "result.ts"],
  ["report"],
  ["live", "analyze.ts", "facts.ts", "exportCapture.ts"],
  ["index.ts"],
];

const folderRegex = (names) => {
  const dirs = names.filter((n) => !n.endsWith(".ts"));
  const files = names.filter((n) => n.endsWith(".ts")).map((n) => n.replace(/\.ts$/, ""));
  const parts = [];
  if (dirs.length) parts.push(`(^|\\.\\./)(${dirs.join("|")})/`);
  if (files.length) parts.push(`^(\\.\\./)+(${files.join("|")})\\.js$`);
  return parts.join("|");
};

/** One no-restricted-imports block per floor: everything above it is out of reach. */
const floorRules = FLOORS.map((floor, i) => {
  const above = FLOORS.slice(i + 1).flat();
  if (!above.length) return null;
  return {
    files: floor.map((n) => (n.endsWith(".ts") ? `src/${n}` : `src/${n}/**/*.ts`)),
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              regex: folderRegex(above),
              message: `layer rule: src/${floor.join(", src/")} may import only its own floor and those below (README "Architecture"): ${above.join(", ")} are above it.`,
            },
            {
              regex: "(^|\\.\\./)(cli|viewer|builder)/",
              message:
                "layer rule: nothing in src/ imports cli/, viewer/ or the capture builder (builder/ is test and bench tooling).",
            },
            ...(floor.includes("usb")
              ? [
                  {
                    regex: "^\\.\\./(?!\\.\\./as/shared/)",
                    message:
                      "layer rule: src/usb/ is the ground floor: it imports nothing but src/usb/ and as/shared/.",
                  },
                ]
              : []),
            ...(i < FLOORS.findIndex((f) => f.includes("rules"))
              ? [
                  {
                    regex: "(^|\\.\\./)rules/",
                    message:
                      "layer rule: the layers below src/rules/ never import a rule module; the analysis (src/analyze.ts) hands them their rules.",
                  },
                ]
              : []),
            ...(i < FLOORS.findIndex((f) => f.includes("report"))
              ? [
                  {
                    regex: "(^|\\.\\./)report/",
                    message: "layer rule: presentation lives in src/report/; nothing below it imports it.",
                  },
                ]
              : []),
            ...(floor.includes("report")
              ? [
                  {
                    regex: "^\\.\\./analyze\\.js$",
                    message:
                      "layer rule: src/report/ renders an AnalysisResult (src/result.ts); it does not import the analysis entry point.",
                  },
                ]
              : []),
          ],
        },
      ],
    },
  };
}).filter(Boolean);

export default tseslint.config(
  // as/*.ts is AssemblyScript (decorators on functions, its own types): asc checks it; as/shared/ is plain TypeScript.
  { ignores: ["dist/**", "build/**", "node_modules/**", ".cache/**", "captures/**", "as/*.ts"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2022, sourceType: "module" },
    rules: {
      // tsc checks names (strict, and checkJs for the viewer); ESLint's no-undef does not know DOM or Node types.
      "no-undef": "off",
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_" },
      ],
      "no-duplicate-imports": ["error", { allowSeparateTypeImports: true }],
    },
  },
  ...floorRules,
  {
    files: ["cli/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              regex: "(^|/)src/(?!index\\.js$)",
              message: "layer rule: cli/ imports the library only through its front door, src/index.ts.",
            },
            {
              regex: "(^|/)(as|viewer|builder|dist)/",
              message: "layer rule: cli/ imports the library only through its front door, src/index.ts.",
            },
          ],
        },
      ],
    },
  },
  {
    files: ["viewer/**/*.js"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              regex: "^\\.\\./dist/(?!src/index\\.js$)",
              message:
                "layer rule: viewer/ imports the library only through its front door, dist/src/index.js.",
            },
            {
              regex: "^\\.\\./(src|as|cli|builder)/",
              message:
                "layer rule: viewer/ imports the library only through its front door, dist/src/index.js.",
            },
          ],
        },
      ],
    },
  },
  {
    files: ["test/**/*.ts", "bench/**/*.ts", "scripts/**/*.ts", "builder/**/*.ts"],
    rules: {
      // Tests poke at parsed JSON and internals on purpose.
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-non-null-assertion": "off",
    },
  },
);
