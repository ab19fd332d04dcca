// --min-severity and --rule, shared by analyze, transfers and live: which findings the user wants. The
// others are not made at all (AnalyzeOptions.findingFilter), so counts, listings, JSON and the exit status
// agree with what is shown.
import { Command, InvalidArgumentError, Option } from "commander";
import { allRules, type Finding, type Severity } from "../src/index.js";

export interface FindingFilterFlags {
  minSeverity?: Severity;
  rule?: string[];
}

const RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/** A rule ID as the user typed it, checked against the catalogue (`usbscope rules`). */
function ruleId(value: string, previous: string[] | undefined): string[] {
  const id = value.trim().toUpperCase();
  if (!allRules().some((r) => r.id === id))
    throw new InvalidArgumentError(`no rule ${value} (usbscope rules lists them)`);
  return [...(previous ?? []), id];
}

export function withFindingFilter(cmd: Command): Command {
  return cmd
    .addOption(
      new Option("--min-severity <severity>", "report only findings of this severity or worse").choices([
        "error",
        "warning",
        "info",
      ]),
    )
    .addOption(
      new Option("--rule <id>", "report only this rule's findings (repeat for several)").argParser(ruleId),
    );
}

/** The filter the flags ask for (and `also`, a --filter's, when given), or undefined when they ask for everything. */
export function findingFilter(
  flags: FindingFilterFlags,
  also?: (f: Finding) => boolean,
): ((f: Finding) => boolean) | undefined {
  const min = flags.minSeverity;
  const rules = flags.rule && new Set(flags.rule);
  if (!min && !rules) return also;
  return (f) =>
    (!min || RANK[f.severity] <= RANK[min]) && (!rules || rules.has(f.rule)) && (!also || also(f));
}
